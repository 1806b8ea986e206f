"""Relational views for the Data and Compare pages: the schema of a folder of tables and the
per-table results of a relational report.

Not a page of its own: the pages call :func:`render_schema` (Data, once a relational dataset is
loaded: ``synthguard.data.relational.load_relational``) and :func:`render_relational_report`
(Compare, on the dict ``synthguard.evaluation.relational.evaluate_relational`` returns). The
frames are built by plain functions (:func:`schema_frames`, :func:`report_frames`) so they are
tested without a browser. Aggregates and metadata only: no real row is shown.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from synthguard.data.relational import RelationalData

_PROPERTIES = {"column_shapes": "Column shapes", "column_pair_trends": "Column pair trends",
               "cardinality": "Cardinality", "intertable_trends": "Intertable trends"}


def schema_frames(data: RelationalData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tables, relationships): one row per table (rows, keys, event time, the parent it is
    generated under, columns by kind, orphans dropped) and one per foreign key."""
    meta = data.metadata
    rows = {}
    for name, tmeta in meta.tables.items():
        primary = data.primary_parent(name)
        kinds = pd.Series(list(tmeta.columns.values())).value_counts().to_dict()
        rows[name] = {
            "rows": len(data.tables[name]), "primary key": tmeta.primary_key or "-",
            "event time": tmeta.sequence_index or "-",
            "generated under": f"{primary.parent}.{primary.parent_key}" if primary else "(root)",
            "columns": len(tmeta.columns),
            "kinds": ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
            "orphans dropped": int(data.report.orphans_dropped.get(name, 0)),
        }
    tables = pd.DataFrame.from_dict(rows, orient="index")
    nulls = data.report.null_foreign_keys
    rels = pd.DataFrame([{"child": r.child, "foreign key": r.child_key, "parent": r.parent,
                          "parent key": r.parent_key,
                          "null keys": int(nulls.get(f"{r.child}.{r.child_key}", 0))}
                         for r in meta.relationships],
                        columns=["child", "foreign key", "parent", "parent key", "null keys"])
    return tables, rels


def render_schema(st: Any, data: RelationalData) -> None:
    """Tables, keys, relationships and the loader's orphan rule of a relational dataset."""
    tables, rels = schema_frames(data)
    meta = data.metadata
    st.subheader("Relational schema")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Tables", len(meta.tables))
    c2.metric("Relationships", len(meta.relationships))
    c3.metric("Depth", meta.depth())
    c4.metric("Root entities", f"{sum(len(data.tables[t]) for t in meta.roots()):,}")
    if data.report.inferred_keys:
        st.warning("Keys were inferred (no metadata given): review them below; `synthguard schema "
                   "--data DIR --write-metadata FILE` writes them for editing.")
    st.dataframe(tables, use_container_width=True)
    if len(rels):
        st.dataframe(rels, use_container_width=True, hide_index=True)
    dropped = sum(data.report.orphans_dropped.values())
    if dropped or data.report.notes:
        st.caption(f"{dropped:,} orphan row(s) dropped. Rule: {data.report.RULE}.")
        for note in data.report.notes:
            st.caption(note)


def report_frames(report: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The report's tables: ``properties``, ``per_table``, ``relationships`` and, when
    present, ``sequences``."""
    quality = report["quality"]
    out = {"properties": pd.DataFrame(
        {"score": {label: quality[key] for key, label in _PROPERTIES.items()}})}
    out["per_table"] = pd.DataFrame.from_dict(
        {t: {"real rows": v["rows"]["real"], "synthetic rows": v["rows"]["synthetic"],
             "column shapes": v["column_shapes"], "pair trends": v["column_pair_trends"],
             "quality": v.get("single_table_quality", v["quality_score"])}
         for t, v in quality["per_table"].items()}, orient="index")
    integrity = report.get("integrity", {}).get("by_relationship", {})
    out["relationships"] = pd.DataFrame.from_dict(
        {label: {"cardinality": score,
                 "intertable trends": quality["intertable_by_relationship"].get(label),
                 "integrity": integrity.get(label)}
         for label, score in quality["cardinality_by_relationship"].items()}, orient="index")
    if report.get("sequences"):
        out["sequences"] = pd.DataFrame.from_dict(
            {t: {"length": v["length_similarity"], "gaps": v["gap_similarity"],
                 "first offset": v["first_offset_similarity"],
                 "median gap real (h)": v["gap_median_hours"]["real"],
                 "median gap synthetic (h)": v["gap_median_hours"]["synthetic"]}
             for t, v in report["sequences"].items()}, orient="index")
    return out


def render_relational_report(st: Any, report: dict[str, Any]) -> None:
    """Multi-table quality (SDMetrics definitions), integrity and per-table results."""
    quality = report["quality"]
    frames = report_frames(report)
    st.subheader("Relational quality")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Multi-table quality", f"{quality['quality_score']:.3f}")
    c2.metric("Referential integrity", f"{report['integrity']['overall']:.1%}")
    c3.metric("Cardinality", f"{quality['cardinality']:.3f}")
    c4.metric("Intertable trends", f"{quality['intertable_trends']:.3f}")
    st.caption("Mean of the four properties of SDMetrics' MultiTableQualityReport; 1 = the same "
               "distributions. Integrity: share of foreign keys that resolve (and unique keys).")
    st.dataframe(frames["properties"], use_container_width=True)
    st.markdown("**Per table**")
    st.dataframe(frames["per_table"], use_container_width=True)
    st.markdown("**Per relationship**")
    st.dataframe(frames["relationships"], use_container_width=True)
    if "sequences" in frames:
        st.markdown("**Event sequences** (KS complements: length, gaps, first offset)")
        st.dataframe(frames["sequences"], use_container_width=True)
    leakage = report.get("leakage")
    if leakage:
        share = leakage.get("dcr_share_closer_to_train")
        if share is not None:
            st.caption(f"Entity-level leakage: {share:.1%} of synthetic entities are closer to a "
                       f"training entity than to a held-out one (0.5 = no signal). {leakage['note']}.")
    utility = report.get("utility")
    if utility:
        st.caption(f"Entity-level TSTR on {utility['root']}.{utility['target']}: "
                   + ", ".join(f"{k} {v:.3f}" for k, v in utility["tstr"].items()
                               if isinstance(v, int | float)))

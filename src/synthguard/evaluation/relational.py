"""Evaluation of relational synthetic data: per-table and multi-table quality, integrity,
sequences, entity-level utility and entity-level leakage.

``multi_table_quality`` follows SDMetrics' ``MultiTableQualityReport`` (0.32): the mean of
four properties, each pooled over all its items —

* Column Shapes: KSComplement (numerical, datetime) / TVComplement (categorical, boolean) over
  every column of every table;
* Column Pair Trends: per table, correlation / contingency similarity of column pairs that
  meet the real-data thresholds (|r| > 0.5, Cramér's V > 0.3);
* Cardinality: per relationship, KSComplement of the number of children per parent row
  (parents without children count as 0);
* Intertable Trends: per relationship, the pair trends of (parent column, child column) pairs
  on the child-parent join, same thresholds.

Everything reported is an aggregate; no real row appears.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations, product
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from synthguard._io import to_jsonable
from synthguard.data.relational import RelationalData, RelationalMetadata
from synthguard.evaluation.fidelity import (
    ASSOCIATION_THRESHOLD,
    CORRELATION_THRESHOLD,
    _as_float,
    _contingency,
    _joint_codes,
    _pearson,
    ks_complement,
    quality_score,
    tv_complement,
)
from synthguard.progress import ProgressCallback, report

_CONTINUOUS = ("numerical", "datetime")
_DISCRETE = ("categorical", "boolean")


def _shape(real: pd.Series, synthetic: pd.Series, sdtype: str) -> float:
    return ks_complement(real, synthetic) if sdtype in _CONTINUOUS else tv_complement(real, synthetic)


def _pair(real_a: pd.Series, real_b: pd.Series, syn_a: pd.Series, syn_b: pd.Series,
          cont_a: bool, cont_b: bool) -> tuple[float, bool]:
    """(score, meets the real-data threshold) of one column pair, as SDMetrics computes it."""
    if cont_a and cont_b:
        r = _pearson(_as_float(real_a), _as_float(real_b))
        s = _pearson(_as_float(syn_a), _as_float(syn_b))
        if np.isnan(r) or np.isnan(s):
            return float("nan"), False
        return 1.0 - abs(r - s) / 2, abs(r) > CORRELATION_THRESHOLD
    codes_a = _joint_codes(real_a.reset_index(drop=True), syn_a.reset_index(drop=True), cont_a)
    codes_b = _joint_codes(real_b.reset_index(drop=True), syn_b.reset_index(drop=True), cont_b)
    if codes_a is None or codes_b is None:  # a column NumPy cannot bin: left out (SDMetrics)
        return float("nan"), False
    (ca_r, ca_s), (cb_r, cb_s) = codes_a, codes_b
    if len(ca_r) == 0 or len(ca_s) == 0:
        return float("nan"), False
    score, v = _contingency(ca_r, cb_r, ca_s, cb_s)
    return score, v > ASSOCIATION_THRESHOLD


def _scored(meta: RelationalMetadata, table: str) -> dict[str, str]:
    keys = set(meta.key_columns(table))
    return {c: s for c, s in meta.tables[table].columns.items()
            if c not in keys and s in _CONTINUOUS + _DISCRETE}


def cardinality(parent: pd.Series, child: pd.Series) -> np.ndarray:
    """Children per parent row (0 for parents without children)."""
    counts = child.value_counts(dropna=False)
    return counts.reindex(parent.to_numpy()).fillna(0).to_numpy(dtype=float)


def multi_table_quality(real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame],
                        metadata: RelationalMetadata, *,
                        progress: ProgressCallback | None = None) -> dict[str, Any]:
    """SDMetrics-compatible multi-table quality (see the module docstring)."""
    shapes: list[dict[str, Any]] = []
    pairs: list[dict[str, Any]] = []
    per_table: dict[str, Any] = {}
    tables = list(metadata.tables)
    for i, table in enumerate(tables):
        cols = {c: s for c, s in _scored(metadata, table).items()
                if c in real[table].columns and c in synthetic[table].columns}
        r, s = real[table], synthetic[table]
        table_shapes = {c: _shape(r[c], s[c], t) for c, t in cols.items()}
        shapes += [{"table": table, "column": c, "score": v} for c, v in table_shapes.items()]
        table_pairs: list[dict[str, Any]] = []
        for a, b in combinations(cols, 2):
            score, meets = _pair(r[a], r[b], s[a], s[b], cols[a] in _CONTINUOUS, cols[b] in _CONTINUOUS)
            table_pairs.append({"table": table, "columns": [a, b], "score": score, "meets": meets})
        pairs += table_pairs
        counted = [p["score"] for p in table_pairs if p["meets"] and not np.isnan(p["score"])]
        per_table[table] = {
            "rows": {"real": len(r), "synthetic": len(s)},
            "column_shapes": _mean(list(table_shapes.values())),
            "column_pair_trends": _mean(counted),
            "per_column": table_shapes,
        }
        per_table[table]["quality_score"] = _mean([per_table[table]["column_shapes"],
                                                   per_table[table]["column_pair_trends"]])
        report(progress, "quality per table", i + 1, len(tables))
    card: list[dict[str, Any]] = []
    inter: list[dict[str, Any]] = []
    for rel in metadata.relationships:
        cr = cardinality(real[rel.parent][rel.parent_key], real[rel.child][rel.child_key])
        cs = cardinality(synthetic[rel.parent][rel.parent_key], synthetic[rel.child][rel.child_key])
        score = 1.0 - float(stats.ks_2samp(cr, cs).statistic) if cr.size and cs.size else float("nan")
        card.append({"relationship": rel.label(), "score": score})
        pcols = _scored(metadata, rel.parent)
        ccols = _scored(metadata, rel.child)
        joined = []
        for data in (real, synthetic):
            child = data[rel.child].add_prefix("c.")
            parent = data[rel.parent].add_prefix("p.")
            joined.append(child.merge(parent, left_on=f"c.{rel.child_key}", right_on=f"p.{rel.parent_key}"))
        jr, js = joined
        for a, b in product(pcols, ccols):
            pa, cb = f"p.{a}", f"c.{b}"
            if pa not in jr or cb not in jr or pa not in js or cb not in js or jr.empty or js.empty:
                continue
            score, meets = _pair(jr[pa], jr[cb], js[pa], js[cb], pcols[a] in _CONTINUOUS,
                                 ccols[b] in _CONTINUOUS)
            inter.append({"relationship": rel.label(), "columns": [a, b], "score": score, "meets": meets})
    properties = {
        "column_shapes": _mean([x["score"] for x in shapes]),
        "column_pair_trends": _mean([p["score"] for p in pairs if p["meets"]]),
        "cardinality": _mean([c["score"] for c in card]),
        "intertable_trends": _mean([p["score"] for p in inter if p["meets"]]),
    }
    return _json({
        "quality_score": _mean(list(properties.values())),
        **properties,
        "per_table": per_table,
        "cardinality_by_relationship": {c["relationship"]: c["score"] for c in card},
        "intertable_by_relationship": {
            rel.label(): _mean([p["score"] for p in inter if p["meets"] and p["relationship"] == rel.label()])
            for rel in metadata.relationships},
    })


def _json(payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = to_jsonable(payload)
    return out


def _mean(values: Sequence[float]) -> float:
    finite = [float(v) for v in values if v is not None and not np.isnan(v)]
    return float(np.mean(finite)) if finite else float("nan")


def referential_integrity(synthetic: dict[str, pd.DataFrame], metadata: RelationalMetadata) -> dict[str, Any]:
    """Share of non-null foreign keys that point at an existing parent row, per relationship,
    and whether every primary key is unique; ``overall`` is the minimum (1.0 = 100 %)."""
    out: dict[str, Any] = {"by_relationship": {}, "primary_keys_unique": {}}
    shares = []
    for rel in metadata.relationships:
        fk = synthetic[rel.child][rel.child_key].dropna()
        share = float(fk.isin(set(synthetic[rel.parent][rel.parent_key])).mean()) if len(fk) else 1.0
        out["by_relationship"][rel.label()] = share
        shares.append(share)
    for table, meta in metadata.tables.items():
        if meta.primary_key:
            unique = bool(synthetic[table][meta.primary_key].is_unique)
            out["primary_keys_unique"][table] = unique
            shares.append(1.0 if unique else 0.0)
    out["overall"] = float(min(shares)) if shares else 1.0
    return out


def sequence_statistics(real: RelationalData, synthetic: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """For each child table with an event time: sequence length, first-event offset from the
    parent's time, inter-event gaps (KS complements of each) and the share of sequences whose
    first event is not before the parent's time (order with respect to the parent)."""
    meta = real.metadata
    out: dict[str, Any] = {}
    for table, tmeta in meta.tables.items():
        rel = real.primary_parent(table)
        seq = tmeta.sequence_index
        if rel is None or seq is None:
            continue
        parent_seq = meta.tables[rel.parent].sequence_index
        stats_by: dict[str, dict[str, Any]] = {}
        for label, tables in (("real", real.tables), ("synthetic", synthetic)):
            frame = tables[table][[rel.child_key, seq]].copy()
            frame["_t"] = _as_float(pd.to_datetime(frame[seq], errors="coerce")) / 1e9
            lengths = cardinality(tables[rel.parent][rel.parent_key], frame[rel.child_key])
            ordered_frame = frame.dropna(subset=["_t"])
            gaps = ordered_frame.sort_values([rel.child_key, "_t"]).groupby(rel.child_key)["_t"].diff().dropna()
            first = np.array([])
            if parent_seq is not None:
                parent = tables[rel.parent][[rel.parent_key, parent_seq]].copy()
                parent["_p"] = _as_float(pd.to_datetime(parent[parent_seq], errors="coerce")) / 1e9
                firsts = ordered_frame.groupby(rel.child_key)["_t"].min().rename("_f").reset_index()
                merged = firsts.merge(parent, left_on=rel.child_key, right_on=rel.parent_key)
                first = (merged["_f"] - merged["_p"]).dropna().to_numpy()
            after = float((first >= 0).mean()) if first.size else float("nan")
            stats_by[label] = {"lengths": lengths, "gaps": gaps.to_numpy(), "first": first,
                               "after_parent": after}
        r, s = stats_by["real"], stats_by["synthetic"]
        out[table] = {
            "parent": rel.parent, "time": seq,
            "length_mean": {"real": _mean(list(r["lengths"])), "synthetic": _mean(list(s["lengths"]))},
            "length_similarity": _ks(r["lengths"], s["lengths"]),
            "gap_median_hours": {"real": _median(r["gaps"]) / 3600, "synthetic": _median(s["gaps"]) / 3600},
            "gap_similarity": _ks(r["gaps"], s["gaps"]),
            "first_offset_median_hours": {"real": _median(r["first"]) / 3600,
                                          "synthetic": _median(s["first"]) / 3600},
            "first_offset_similarity": _ks(r["first"], s["first"]),
            "first_event_after_parent_share": {"real": r["after_parent"], "synthetic": s["after_parent"]},
        }
    return _json(out)


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    return 1.0 - float(stats.ks_2samp(a, b).statistic) if a.size and b.size else float("nan")


def _median(a: np.ndarray) -> float:
    a = np.asarray(a, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.median(a)) if a.size else float("nan")


def entity_profiles(tables: dict[str, pd.DataFrame], metadata: RelationalMetadata,
                    root: str) -> pd.DataFrame:
    """One row per root entity: its own non-key columns, the number of rows it owns in each
    child table, and the mean of each numeric column of its direct children."""
    keys = set(metadata.key_columns(root))
    pk = metadata.tables[root].primary_key
    frame = tables[root]
    own = {c: s for c, s in _scored(metadata, root).items() if c not in keys}
    profile = frame[list(own)].copy()
    for c, s in own.items():
        if s == "datetime":
            profile[c] = _as_float(pd.to_datetime(profile[c], errors="coerce")) / 86400e9
    if pk is None:
        return profile.reset_index(drop=True)
    for rel in metadata.children(root):
        child = tables[rel.child]
        profile[f"n_{rel.child}"] = cardinality(frame[pk], child[rel.child_key])
        for c, s in _scored(metadata, rel.child).items():
            if s == "numerical":
                means = pd.to_numeric(child[c], errors="coerce").groupby(child[rel.child_key]).mean()
                profile[f"mean_{rel.child}.{c}"] = means.reindex(frame[pk].to_numpy()).to_numpy()
    return profile.reset_index(drop=True)


def entity_utility(real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame],
                   holdout: dict[str, pd.DataFrame], metadata: RelationalMetadata, *, root: str,
                   target: str, seed: int = 0) -> dict[str, Any]:
    """TSTR vs TRTR on entity profiles (``target``: a column of the root table)."""
    from synthguard.evaluation.utility import utility

    profiles = [entity_profiles(t, metadata, root) for t in (real, synthetic, holdout)]
    cols = [c for c in profiles[0].columns if all(c in p.columns for p in profiles)]
    r, s, h = (p[cols] for p in profiles)
    return _json({"root": root, **utility(r, s, h, target=target, seed=seed)})


def entity_leakage(real: dict[str, pd.DataFrame], synthetic: dict[str, pd.DataFrame],
                   holdout: dict[str, pd.DataFrame] | None, metadata: RelationalMetadata, *,
                   root: str, seed: int = 0) -> dict[str, Any]:
    """DCR / membership signal on entity profiles: are synthetic entities closer to the
    entities the generator saw than to held-out ones (0.5 = no signal)?"""
    from synthguard.evaluation.privacy import dcr_report

    r = entity_profiles(real, metadata, root)
    s = entity_profiles(synthetic, metadata, root)[list(r.columns)]
    if holdout is None:  # no baseline: split the real entities in two halves
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(r))
        half = len(r) // 2
        h = r.iloc[order[half:]].reset_index(drop=True)
        r = r.iloc[order[:half]].reset_index(drop=True)
        note = ("no holdout entities given: the real entities were split in halves, both seen by "
                "the generator, so dcr_share_closer_to_train measures nothing; give holdout=")
    else:
        h = entity_profiles(holdout, metadata, root)[list(r.columns)]
        note = "holdout entities were never shown to the generator"
    result = dcr_report(r, h, s, seed=seed, max_rows=10_000)
    result.pop("histogram", None)
    return _json({"root": root, "unit": "root entity with all its rows", "note": note, **result})


def evaluate_relational(real: RelationalData, synthetic: dict[str, pd.DataFrame], *,
                        holdout: RelationalData | None = None, target: str | None = None,
                        seed: int = 0, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """The relational report: quality (multi-table and per table), integrity, sequences,
    entity-level utility (``target``: ``TABLE.COLUMN`` or a root column) and leakage."""
    from synthguard import __version__
    from synthguard.errors import SchemaError

    meta = real.metadata
    missing = [t for t in meta.tables if t not in synthetic]
    if missing:
        raise SchemaError(f"the synthetic folder has no table(s) {missing}")
    result: dict[str, Any] = {
        "synthguard_version": __version__,
        "tables": {t: {"real": len(real.tables[t]), "synthetic": len(synthetic[t])} for t in meta.tables},
        "relationships": [r.to_dict() for r in meta.relationships],
        "depth": meta.depth(),
    }
    report(progress, "evaluate relational", 0, 5)
    result["quality"] = multi_table_quality(real.tables, synthetic, meta, progress=progress)
    for table in meta.tables:  # the single-table report's full score (also unscored pairs)
        cols = [c for c in _scored(meta, table) if c in synthetic[table].columns]
        if cols and len(synthetic[table]):
            single = quality_score(real.tables[table][cols], synthetic[table][cols],
                                   schema=meta.schema(table))
            result["quality"]["per_table"][table]["single_table_quality"] = single.score
    report(progress, "evaluate relational", 1, 5)
    result["integrity"] = referential_integrity(synthetic, meta)
    report(progress, "evaluate relational", 2, 5)
    result["sequences"] = sequence_statistics(real, synthetic)
    report(progress, "evaluate relational", 3, 5)
    roots = [t for t in meta.roots() if meta.tables[t].primary_key]
    if roots:
        root = roots[0]
        if target is not None:
            table, _, column = target.rpartition(".")
            table = table or root
            if table != root or column not in real.tables[root].columns:
                raise SchemaError(f"target={target!r} must be a column of the root table {root!r}; "
                                  f"its columns: {list(real.tables[root].columns)}")
            reference = holdout.tables if holdout is not None else None
            if reference is None:
                raise SchemaError("entity-level TSTR needs holdout= (a folder of real entities "
                                  "never shown to the generator; split them off with holdout_fraction=)")
            result["utility"] = entity_utility(real.tables, synthetic, reference, meta, root=root,
                                               target=column, seed=seed)
        result["leakage"] = entity_leakage(real.tables, synthetic,
                                           holdout.tables if holdout is not None else None, meta,
                                           root=root, seed=seed)
    report(progress, "evaluate relational", 5, 5)
    return _json(result)  # type: ignore[no-any-return]


def split_entities(data: RelationalData, *, holdout_fraction: float, seed: int = 0,
                   ) -> tuple[RelationalData, RelationalData]:
    """Split root entities (with every row they own, in every table) into train and holdout."""
    from synthguard.errors import ParameterError

    if not 0 < holdout_fraction < 1:
        raise ParameterError(f"holdout fraction must be in (0, 1), got {holdout_fraction}")
    meta = data.metadata
    rng = np.random.default_rng(seed)
    parts: list[dict[str, pd.DataFrame]] = [{}, {}]
    masks: dict[str, np.ndarray] = {}
    for table in meta.order():
        frame = data.tables[table]
        rel = data.primary_parent(table)
        if rel is None:
            mask = rng.random(len(frame)) < holdout_fraction
        else:
            parent = data.tables[rel.parent]
            held = set(parent[rel.parent_key][masks[rel.parent]])
            mask = frame[rel.child_key].isin(held).to_numpy()
        masks[table] = mask
        parts[0][table] = frame.loc[~mask].reset_index(drop=True)
        parts[1][table] = frame.loc[mask].reset_index(drop=True)
    # a secondary key pointing across the split is cleared (the row it named is elsewhere)
    for part in parts:
        for rel in meta.relationships:
            child = part[rel.child]
            if rel == data.primary_parent(rel.child):
                continue
            known = child[rel.child_key].isin(set(part[rel.parent][rel.parent_key]))
            part[rel.child] = child.assign(**{rel.child_key: child[rel.child_key].where(known)})
    return (RelationalData(parts[0], meta, data.report), RelationalData(parts[1], meta, data.report))


def render_relational_html(result: dict[str, Any]) -> Any:
    """A self-contained HTML page of the relational report (aggregates only)."""
    from synthguard.evaluation.html import HtmlReport

    quality = result["quality"]
    page = HtmlReport("synthguard relational evaluation report")
    page.kpis({"multi-table quality": quality["quality_score"],
               "referential integrity": result["integrity"]["overall"],
               "cardinality": quality["cardinality"], "intertable trends": quality["intertable_trends"]})
    page.paragraph(f"{len(result['tables'])} tables, depth {result['depth']}. SDMetrics "
                   "MultiTableQualityReport definitions; every figure is an aggregate.", css_class="note")
    page.heading("Quality properties")
    props = {k: quality[k] for k in ("column_shapes", "column_pair_trends", "cardinality", "intertable_trends")}
    page.table(pd.DataFrame({"score": props}).T, caption="Mean of the four = multi-table quality")
    page.heading("Per table")
    rows = {t: {"real rows": v["rows"]["real"], "synthetic rows": v["rows"]["synthetic"],
                "column shapes": v["column_shapes"], "pair trends": v["column_pair_trends"],
                "quality": v.get("single_table_quality", v["quality_score"])}
            for t, v in quality["per_table"].items()}
    page.table(pd.DataFrame(rows).T, caption="Single-table quality of each table")
    page.heading("Relationships")
    rels = {label: {"cardinality": quality["cardinality_by_relationship"].get(label),
                    "intertable trends": quality["intertable_by_relationship"].get(label),
                    "integrity": result["integrity"]["by_relationship"].get(label)}
            for label in quality["cardinality_by_relationship"]}
    page.table(pd.DataFrame(rels).T, caption="Children per parent (KS complement), parent-child "
               "column trends, share of foreign keys that resolve")
    if result.get("sequences"):
        page.heading("Sequences")
        seq = {t: {"length": v["length_similarity"], "gaps": v["gap_similarity"],
                   "first offset": v["first_offset_similarity"],
                   "real median gap (h)": v["gap_median_hours"]["real"],
                   "synthetic median gap (h)": v["gap_median_hours"]["synthetic"]}
               for t, v in result["sequences"].items()}
        page.table(pd.DataFrame(seq).T, caption="KS complements of sequence statistics (1 = same distribution)")
    if result.get("utility"):
        util = result["utility"]
        page.heading(f"Entity-level utility (target {util['target']})")
        page.table(pd.DataFrame({"TRTR": util["trtr"], "TSTR": util["tstr"]}).T,
                   caption="Models on entity profiles, tested on held-out real entities")
    if result.get("leakage"):
        leak = {k: v for k, v in result["leakage"].items() if not isinstance(v, dict)}
        page.heading("Entity-level leakage (DCR on entity profiles)")
        page.table(pd.DataFrame({"value": leak}), caption=result["leakage"]["note"])
    return page

"""The HTML report of a distillation run: model table, fairness, and the compression frontier.

Aggregates only (metrics, sizes, group rates): no real or synthetic row is rendered.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.ticker import NullFormatter

from synthguard.evaluation.html import HtmlReport


def fairness_gap(fairness: dict[str, Any], *, column: str | None = None,
                 key: str = "equalized_odds_difference") -> float | None:
    """One difference (default: equalised odds) for ``column``, or the headline one
    (intersectional when there are several sensitive columns)."""
    if not fairness:
        return None
    block = fairness.get("by_column", {}).get(column, {}) if column is not None else fairness
    value = block.get(key)
    return float(value) if isinstance(value, int | float) else None


def _sensitive(report: dict[str, Any]) -> list[str]:
    """Sensitive columns in the order the user gave them (JSON may have sorted dict keys)."""
    return [str(c) for c in report.get("config", {}).get("sensitive", [])]


def models_table(report: dict[str, Any]) -> pd.DataFrame:
    rows = [report["teacher"], report["student"], *report["compressed"]]
    return pd.DataFrame([{
        "model": r["name"], "ROC-AUC": r["roc_auc"], "accuracy": r["accuracy"], "ECE": r["ece"],
        "size_bytes": r["size_bytes"], "file_bytes": r["file_bytes"], "params": r["params"],
        "ms @1": r["latency_ms"]["batch_1"], "ms @1024": r["latency_ms"]["batch_1024"],
        "EO diff": fairness_gap(r["fairness"]), "DP diff": fairness_gap(
            r["fairness"], key="demographic_parity_difference"),
        "membership AUC": r["membership_auc"],
    } for r in rows]).set_index("model")


def frontier_figure(report: dict[str, Any]) -> Any:
    """Size (log) vs ROC-AUC, coloured by the headline equalised-odds difference (the table's
    "EO diff" column: intersectional when there are several sensitive columns); the Pareto frontier (smallest size for its AUC) is drawn as a line and
    its points, the teacher, the student and the shipped model are labelled."""
    table = models_table(report)
    rows = [report["teacher"], report["student"], *report["compressed"]]
    # The colour is the table's "EO diff" column (the headline difference), not another metric.
    gaps = pd.Series([fairness_gap(r["fairness"]) for r in rows], index=table.index, dtype=float)
    fig, ax = plt.subplots(figsize=(8, 4.8))
    kwargs: dict[str, Any] = {"s": 60, "edgecolors": "black", "linewidths": 0.5}
    if gaps.notna().any():
        kwargs.update(c=gaps.fillna(0.0), cmap="viridis_r")
    points = ax.scatter(table["size_bytes"], table["ROC-AUC"], **kwargs)
    ordered = table.sort_values(["size_bytes", "ROC-AUC"], ascending=[True, False])
    frontier, best = [], -1.0
    for name, row in ordered.iterrows():
        if row["ROC-AUC"] > best:
            frontier.append(name)
            best = row["ROC-AUC"]
    ax.plot(table.loc[frontier, "size_bytes"], table.loc[frontier, "ROC-AUC"], "--",
            color="grey", linewidth=1, drawstyle="steps-post", label="Pareto frontier")
    shipped = report["shipped"]
    labelled = set(frontier) | {table.index[0], "student"} | {
        r["name"] for r in report["compressed"] if r["method"] == shipped}
    for k, name in enumerate(n for n in table.index if n in labelled):
        row = table.loc[name]
        ax.annotate(str(name), (row["size_bytes"], row["ROC-AUC"]), fontsize=7,
                    xytext=(5, 4 if k % 2 == 0 else -9), textcoords="offset points")
    ax.set_xscale("log")
    ax.margins(x=0.25, y=0.12)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("size_bytes (stored weight tensors, log scale)")
    ax.set_ylabel("ROC-AUC on the real holdout")
    ax.set_title("Compression frontier")
    ax.legend(loc="lower right", fontsize=8)
    if "c" in kwargs:
        fig.colorbar(points, ax=ax, label="EO diff (equalised-odds difference, as in the table)")
    ax.grid(alpha=0.3)
    return fig


def group_table(fairness: dict[str, Any]) -> pd.DataFrame | None:
    """Per-group rates: intersectional groups when present, else the single column's."""
    if not fairness:
        return None
    block = fairness.get("intersectional")
    if block is None and fairness.get("by_column"):
        block = next(iter(fairness["by_column"].values()))
    groups = (block or {}).get("groups")
    if not groups:
        return None
    return pd.DataFrame(groups).T


def differences_table(report: dict[str, Any]) -> pd.DataFrame | None:
    """Equalised-odds and demographic-parity differences per sensitive column, per model."""
    rows = [report["teacher"], report["student"], *report["compressed"]]
    columns = _sensitive(report)
    if not columns:
        return None
    table = {}
    for r in rows:
        entry: dict[str, float | None] = {}
        for col in columns:
            entry[f"EO {col}"] = fairness_gap(r["fairness"], column=col)
            entry[f"DP {col}"] = fairness_gap(r["fairness"], column=col,
                                              key="demographic_parity_difference")
        if len(columns) > 1:
            entry["EO intersectional"] = fairness_gap(r["fairness"])
        table[r["name"]] = entry
    return pd.DataFrame(table).T


def build_report(report: dict[str, Any]) -> HtmlReport:
    html = HtmlReport("synthguard distill: compression by distillation")
    teacher, student = report["teacher"], report["student"]
    shipped = next((c for c in report["compressed"] if c["method"] == report["shipped"]), student)
    html.kpis({
        "teacher ROC-AUC": teacher["roc_auc"], "student ROC-AUC": student["roc_auc"],
        f"shipped ({report['shipped']}) ROC-AUC": shipped["roc_auc"],
        "student / teacher params": report["params_ratio_student_to_teacher"] or 0.0,
        "shipped size_bytes": shipped["size_bytes"],
        "student membership AUC": student["membership_auc"],
    })
    transfer = report["transfer_set"]
    html.paragraph(
        f"The student was trained only on {transfer['rows']} synthetic rows from "
        f"{transfer['source']!r} labelled by the teacher (transfer set SHA-256 "
        f"{transfer['sha256'][:16]}…); {transfer['dropped_real_copies']} synthetic rows equal "
        "to a real row were dropped before training. Every figure below is measured on the "
        "real holdout.")
    html.heading("Models")
    html.table(models_table(report), caption=(
        "size_bytes: stored weight tensors (GBM: model text); file_bytes: serialised file; "
        "latency: median ms per call on this machine; membership AUC: loss-threshold attack, "
        "real train rows vs real holdout rows (0.5 = no signal)."))
    html.heading("Compression frontier")
    html.figure(frontier_figure(report), caption=(
        "Each point is a model; colour is its equalised-odds difference for the first "
        "sensitive column on the real holdout (darker = larger gap); the dashed line joins "
        "the models no smaller model beats on ROC-AUC."))
    html.heading("Fairness by group")
    diffs = differences_table(report)
    if diffs is not None:
        html.table(diffs, caption="Equalised-odds (EO) and demographic-parity (DP) differences "
                   "on the real holdout (fairlearn), per sensitive column.")
    for label, entry in (("teacher", teacher), ("student", student),
                         (f"shipped ({report['shipped']})", shipped)):
        table = group_table(entry["fairness"])
        if table is not None:
            html.table(table, caption=f"{label}: per-group rates (intersectional groups)")
    privacy = report.get("privacy", {})
    html.heading("Privacy")
    if privacy.get("teacher"):
        t = privacy["teacher"]
        html.paragraph(f"Teacher trained with {t['mechanism']}: ε = {t['epsilon']:.3f}, "
                       f"δ = {t['delta']:.2e} ({t['accountant']} accountant).")
    else:
        html.paragraph("The teacher is not differentially private; the student never saw a real "
                       "row, but its labels come from a teacher trained on them.", css_class="note")
    if privacy.get("generator"):
        g = privacy["generator"]
        html.paragraph(f"Transfer-set generator: ε = {g['epsilon']:.3f}, δ = {g['delta']:.2e}.")
    return html

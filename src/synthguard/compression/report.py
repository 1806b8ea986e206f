"""The HTML report of a distillation run: model table, fairness, and the compression frontier.

Aggregates only (metrics, sizes, group rates): no real or synthetic row is rendered.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

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
    """Size (log) vs ROC-AUC, coloured by the equalised-odds difference."""
    table = models_table(report)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    gaps = table["EO diff"].astype(float)
    colour = gaps.fillna(0.0) if gaps.notna().any() else None
    points = ax.scatter(table["size_bytes"], table["ROC-AUC"], c=colour, cmap="viridis_r",
                        s=60, edgecolors="black", linewidths=0.5)
    for name, row in table.iterrows():
        ax.annotate(str(name), (row["size_bytes"], row["ROC-AUC"]), fontsize=7,
                    xytext=(4, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("size_bytes (stored weight tensors, log scale)")
    ax.set_ylabel("ROC-AUC on the real holdout")
    ax.set_title("Compression frontier")
    if colour is not None:
        fig.colorbar(points, ax=ax, label="equalised-odds difference")
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
    columns = list(rows[0]["fairness"].get("by_column", {})) if rows[0]["fairness"] else []
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
        "Each point is a model; colour is the equalised-odds difference across the "
        "intersection of the sensitive columns (darker = larger gap)."))
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

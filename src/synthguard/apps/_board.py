"""The Compare page's tables as a person reads them, from ``evaluate`` results: the library's
leaderboard (:mod:`synthguard.evaluation.leaderboard`: rows, ε, checks against stated
thresholds, intervals, tooltips) split into two grids that fit the page, fairness with
intervals and small groups, and readable names and short numbers for every other table. Pure
pandas, no Streamlit, so what the page shows is testable on its own.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from synthguard.evaluation.leaderboard import (
    BASELINE,
    INT_COLUMNS,
    TEXT_COLUMNS,
    THRESHOLDS,
    ci_text,
    column_help,
    finite_number,
    leaderboard,
    rounded,
)

# The leaderboard in two grids that each fit a 1,400-px page without scrolling: the headline
# (rows, ε, every verdict and fairness reading) and the details (intervals, component scores).
HEADLINE = ("generator", "rows", "ε", "checks", "leakage verdict", "quality", "detection AUC",
            "TSTR / TRTR", "DCR share closer to train", "exact copies of train",
            "max membership AUC", "rows with real PII", "EO gap (synthetic − real)",
            "DP gap (synthetic − real)", "small groups")
PINNED = ("rows", "checks")  # stay in view when a narrow window scrolls the grid

# Readable names for the library's result keys wherever a table shows them.
LABELS: dict[str, str] = {
    "roc_auc": "ROC-AUC", "accuracy": "accuracy", "balanced_accuracy": "balanced accuracy",
    "f1": "F1", "precision": "precision", "recall": "recall", "r2": "R²", "mae": "MAE",
    "rmse": "RMSE", "log_loss": "log loss", "brier": "Brier score", "ece": "ECE",
    "selection_rate": "selection rate", "tpr": "TPR (true-positive rate)",
    "fpr": "FPR (false-positive rate)", "count": "rows", "size_bytes": "size (bytes)",
    "file_bytes": "file size (bytes)", "params": "parameters", "quality_score": "quality",
    "tstr_trtr_ratio": "TSTR / TRTR", "leakage_verdict": "leakage verdict",
    "teacher_roc_auc": "teacher ROC-AUC", "student_roc_auc": "student ROC-AUC",
    "fit_seconds": "fit s", "sample_seconds": "sample s", "integrity": "referential integrity",
    "EO diff": "EO difference", "DP diff": "DP difference",
}


# Columns that hold counts (shown as integers even when the library stored them as floats).
COUNT_LABELS = frozenset({"rows", "size (bytes)", "file size (bytes)", "parameters",
                          "exact copies of train", "exact copies of holdout", "small groups",
                          "small groups left out", "rows with a real PII/id value"})


def label(key: Any) -> str:
    """A result key as a person reads it: ``roc_auc`` -> ``ROC-AUC``; unknown snake_case keys
    with spaces."""
    text = str(key)
    return LABELS.get(text, text.replace("_", " "))


def readable(frame: pd.DataFrame, *, digits: int = 3, index: bool = False) -> pd.DataFrame:
    """A metric table for display: readable column names (and index, when it holds result
    keys), floats rounded to ``digits`` decimals, whole-number columns as integers."""
    out = frame.rename(columns=label)
    if index:
        out = out.rename(index=label)
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        whole = numbers.dropna()
        counts = pd.api.types.is_integer_dtype(values) or column in COUNT_LABELS
        if len(whole) and (whole == whole.round()).all() and counts:
            out[column] = numbers.astype("Int64")
        else:
            out[column] = numbers.round(digits)
    return out


def split_board(board: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(headline, details): the headline holds rows, ε, checks and every verdict and fairness
    column in :data:`HEADLINE` order; the details every other column, intervals beside the
    numbers they belong to. Every column of ``board`` is in exactly one of them."""
    head = [c for c in HEADLINE if c in board.columns]
    rest = [c for c in board.columns if c not in head]
    return board[head], board[rest]


def fairness_table(results: dict[str, dict[str, Any]],
                   distills: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """Real-trained vs each synthetic-trained model (and distilled teacher/student): DP and EO
    differences with their 95% intervals and the count of small groups left out."""
    rows: dict[str, dict[str, Any]] = {}

    def entry(model: dict[str, Any]) -> dict[str, Any]:
        ci = model.get("ci95") or {}
        return {
            "DP difference": model.get("demographic_parity_difference"),
            "DP 95% CI": ci_text(ci.get("demographic_parity_difference")),
            "EO difference": model.get("equalized_odds_difference"),
            "EO 95% CI": ci_text(ci.get("equalized_odds_difference")),
            "small groups left out": len(model.get("small_groups") or []),
        }

    for name, res in results.items():
        fair = res.get("fairness")
        if not fair:
            continue
        rows.setdefault("real-trained (TRTR)", entry(fair["real_model"]))
        if name != BASELINE:
            rows[f"synthetic-trained: {name}"] = entry(fair["synthetic_model"])
    for name, d in (distills or {}).items():
        for role in ("teacher", "student"):
            fair = d["report"][role].get("fairness") or {}
            if fair:
                rows[f"{role} ({name})"] = entry(fair)
    table = pd.DataFrame.from_dict(rows, orient="index")
    if not table.empty and "real-trained (TRTR)" in table.index:
        for metric in ("DP difference", "EO difference"):
            reference = finite_number(table.loc["real-trained (TRTR)", metric])
            if reference is not None:
                table[f"{metric} gap vs real"] = pd.to_numeric(table[metric], errors="coerce") - reference
    return table


def group_table(model: dict[str, Any]) -> tuple[pd.DataFrame | None, list[str], int]:
    """Per-group rates of one model (intersectional when several sensitive columns) with a
    'small' flag, the small groups' names, and the minimum group size used."""
    section = model.get("intersectional") or next(iter((model.get("by_column") or {}).values()), None)
    if not section or not section.get("groups"):
        return None, [], 0
    groups = pd.DataFrame.from_dict(section["groups"], orient="index")
    small = [str(g) for g in section.get("small_groups") or []]
    return groups, small, int(section.get("min_group_size") or 0)


__all__ = ["BASELINE", "HEADLINE", "INT_COLUMNS", "LABELS", "PINNED", "TEXT_COLUMNS", "THRESHOLDS",
           "ci_text", "column_help", "fairness_table", "group_table", "label", "leaderboard",
           "readable", "rounded", "split_board"]

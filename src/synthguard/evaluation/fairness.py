"""Fairness with fairlearn: per group, intersectional, and the two headline differences.

Why groups are filtered before the differences: a group of 12 rows with one positive
prediction turns a selection-rate difference into 1.0 by chance alone. Groups smaller than
``min_group_size`` are counted and flagged (``small_groups``) but left out of the headline
differences, and every difference carries a seeded bootstrap 95% interval so a reader can
tell a real gap from noise (fairlearn's ``MetricFrame`` gives the point values).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

MIN_GROUP_SIZE = 30  # smaller groups are flagged and left out of the differences
BOOTSTRAP_ROUNDS = 200
HEADLINES = ("demographic_parity_difference", "equalized_odds_difference")


def _label(key: Any) -> str:
    return "|".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _group_codes(groups: pd.Series | pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Integer code per row and the label of each code (intersection of columns when several)."""
    keys = groups if isinstance(groups, pd.Series) else groups.astype(str).agg("|".join, axis=1)
    codes, uniques = pd.factorize(keys.astype(str), sort=True)
    return codes, [str(u) for u in uniques]


def _differences(y_true: np.ndarray, y_pred: np.ndarray, codes: np.ndarray, n_groups: int) -> tuple[float, float]:
    """Demographic parity and equalized odds differences (fairlearn's definitions) from group codes."""
    size = np.bincount(codes, minlength=n_groups).astype(float)
    sel = np.bincount(codes, weights=y_pred, minlength=n_groups) / np.maximum(size, 1)
    pos = np.bincount(codes, weights=y_true, minlength=n_groups)
    neg = size - pos
    tp = np.bincount(codes, weights=y_true * y_pred, minlength=n_groups)
    fp = np.bincount(codes, weights=(1 - y_true) * y_pred, minlength=n_groups)
    present = size > 0
    dp = float(np.ptp(sel[present])) if present.any() else float("nan")
    tpr = np.where(pos > 0, tp / np.maximum(pos, 1), np.nan)[present]
    fpr = np.where(neg > 0, fp / np.maximum(neg, 1), np.nan)[present]
    spreads = [float(np.nanmax(r) - np.nanmin(r)) for r in (tpr, fpr) if np.isfinite(r).any()]
    return dp, (max(spreads) if spreads else float("nan"))


def _bootstrap(y_true: np.ndarray, y_pred: np.ndarray, codes: np.ndarray, n_groups: int, *,
               rounds: int, seed: int) -> dict[str, list[float]]:
    """95% percentile intervals of both differences, resampling rows within each group."""
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(codes == g) for g in range(n_groups)]
    draws = np.empty((rounds, 2))
    for r in range(rounds):
        idx = np.concatenate([m[rng.integers(0, len(m), len(m))] for m in members if len(m)])
        draws[r] = _differences(y_true[idx], y_pred[idx], codes[idx], n_groups)
    out = {}
    for i, name in enumerate(HEADLINES):
        col = draws[:, i][np.isfinite(draws[:, i])]
        out[name] = [float(np.quantile(col, 0.025)), float(np.quantile(col, 0.975))] if len(col) else []
    return out


def _metric_frame(y_true: np.ndarray, y_pred: np.ndarray, groups: pd.Series | pd.DataFrame,
                  min_group_size: int, seed: int) -> dict[str, Any]:
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                 "fpr": false_positive_rate, "accuracy": accuracy_score, "count": count},
        y_true=y_true, y_pred=y_pred, sensitive_features=groups,
    )
    table = frame.by_group
    listed = {_label(key): {k: float(v) for k, v in row.items()}
              for key, row in table.iterrows() if row["count"] >= min_group_size}
    small = sorted(_label(key) for key, row in table.iterrows() if row["count"] < min_group_size)
    out: dict[str, Any] = {
        "groups": listed,
        "small_groups": small,
        "suppressed_groups": len(small),
        "min_group_size": min_group_size,
    }
    codes, labels = _group_codes(groups)
    keep = np.isin(codes, [i for i, lab in enumerate(labels) if lab in listed])
    if len(listed) < 2:
        out.update({name: None for name in HEADLINES})
        out["ci95"] = {name: [] for name in HEADLINES}
        out["note"] = (f"fewer than two groups have {min_group_size}+ rows: no difference is reported "
                       "(a difference between tiny groups is noise)")
        return out
    # fairlearn's between-groups differences, read off the MetricFrame already computed (its
    # demographic_parity_difference/equalized_odds_difference would build two more frames).
    large = table[table["count"] >= min_group_size]
    out["demographic_parity_difference"] = float(np.ptp(large["selection_rate"]))
    out["equalized_odds_difference"] = float(max(np.ptp(large["tpr"]), np.ptp(large["fpr"])))
    kept_groups = groups[keep] if isinstance(groups, pd.Series) else groups.loc[keep]
    kept_codes, kept_labels = _group_codes(kept_groups)
    out["ci95"] = _bootstrap(y_true[keep].astype(float), y_pred[keep].astype(float), kept_codes,
                             len(kept_labels), rounds=BOOTSTRAP_ROUNDS, seed=seed)
    if small:
        out["note"] = (f"{len(small)} group(s) under {min_group_size} rows are listed in small_groups "
                       "and left out of the differences")
    return out


def group_fairness(
    y_true: Any, y_pred: Any, sensitive: pd.DataFrame, *, min_group_size: int = MIN_GROUP_SIZE,
    seed: int = 0,
) -> dict[str, Any]:
    """Fairness of binary predictions (0/1) per sensitive column and, for 2+ columns, intersectionally.

    The top-level differences are the intersectional ones when there are several sensitive
    columns (the strictest view), else those of the single column; ``ci95`` holds their
    bootstrap intervals and ``small_groups`` the groups too small to be compared.
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    sensitive = sensitive.reset_index(drop=True).astype(str)
    by_column = {c: _metric_frame(y_true, y_pred, sensitive[c], min_group_size, seed) for c in sensitive.columns}
    out: dict[str, Any] = {"by_column": by_column}
    if sensitive.shape[1] >= 2:
        out["intersectional"] = _metric_frame(y_true, y_pred, sensitive, min_group_size, seed)
        headline = out["intersectional"]
    else:
        headline = by_column[sensitive.columns[0]]
    for name in HEADLINES:
        out[name] = headline[name]
    out["ci95"] = headline["ci95"]
    out["small_groups"] = headline["small_groups"]
    return out


def one_vs_rest_fairness(
    y_true: Any, y_pred: Any, sensitive: pd.DataFrame, *, classes: list[str],
    min_group_size: int = MIN_GROUP_SIZE, seed: int = 0,
) -> dict[str, Any]:
    """Multiclass fairness: :func:`group_fairness` of each class against the rest.

    The headline differences are the largest over classes (the class treated least evenly),
    named in ``worst_class``.
    """
    y_true = np.asarray(y_true).astype(str)
    y_pred = np.asarray(y_pred).astype(str)
    per_class = {c: group_fairness(y_true == c, y_pred == c, sensitive, min_group_size=min_group_size,
                                   seed=seed) for c in classes}
    out: dict[str, Any] = {"per_class": per_class, "scheme": "one-vs-rest"}
    for name in HEADLINES:
        values = {c: r[name] for c, r in per_class.items() if r[name] is not None}
        worst = max(values, key=lambda c: values[c]) if values else None
        out[name] = values[worst] if worst is not None else None
        out.setdefault("worst_class", {})[name] = worst
    return out

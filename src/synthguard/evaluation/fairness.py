"""Fairness with fairlearn: per group, intersectional, and the two headline differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score

MIN_GROUP_SIZE = 10  # smaller groups are counted in the differences but not listed by name


def _metric_frame(y_true: np.ndarray, y_pred: np.ndarray, groups: pd.Series | pd.DataFrame,
                  min_group_size: int) -> dict[str, Any]:
    frame = MetricFrame(
        metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                 "fpr": false_positive_rate, "accuracy": accuracy_score, "count": count},
        y_true=y_true, y_pred=y_pred, sensitive_features=groups,
    )
    table = frame.by_group
    listed: dict[str, dict[str, float]] = {}
    for key, row in table.iterrows():
        if row["count"] < min_group_size:
            continue
        label = "|".join(map(str, key)) if isinstance(key, tuple) else str(key)
        listed[label] = {k: float(v) for k, v in row.items()}
    return {
        "groups": listed,
        "suppressed_groups": int((table["count"] < min_group_size).sum()),
        "demographic_parity_difference": float(
            demographic_parity_difference(y_true, y_pred, sensitive_features=groups)),
        "equalized_odds_difference": float(
            equalized_odds_difference(y_true, y_pred, sensitive_features=groups)),
    }


def group_fairness(
    y_true: Any, y_pred: Any, sensitive: pd.DataFrame, *, min_group_size: int = MIN_GROUP_SIZE,
) -> dict[str, Any]:
    """Fairness of binary predictions (0/1) per sensitive column and, for 2+ columns, intersectionally.

    The top-level differences are the intersectional ones when there are several sensitive
    columns (the strictest view), else those of the single column.
    """
    y_true = np.asarray(y_true).astype(int)
    y_pred = np.asarray(y_pred).astype(int)
    sensitive = sensitive.reset_index(drop=True).astype(str)
    by_column = {c: _metric_frame(y_true, y_pred, sensitive[c], min_group_size) for c in sensitive.columns}
    out: dict[str, Any] = {"by_column": by_column}
    if sensitive.shape[1] >= 2:
        out["intersectional"] = _metric_frame(y_true, y_pred, sensitive, min_group_size)
        headline = out["intersectional"]
    else:
        headline = by_column[sensitive.columns[0]]
    out["demographic_parity_difference"] = headline["demographic_parity_difference"]
    out["equalized_odds_difference"] = headline["equalized_odds_difference"]
    return out

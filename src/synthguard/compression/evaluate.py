"""Evaluation of every model on the real holdout: accuracy, calibration, size, speed,
fairness and membership leakage. Aggregates only: no row ever leaves this module.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, roc_auc_score

ProbaFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ModelEvaluation:
    """One row of report.json: a teacher, the student or a compressed student."""

    name: str
    method: str
    roc_auc: float
    accuracy: float
    ece: float
    size_bytes: int  # stored weight tensors (or the GBM's model text)
    file_bytes: int  # bytes of the serialised file (safetensors incl. header, or model text)
    params: int
    latency_ms: dict[str, float]
    fairness: dict[str, Any]
    membership_auc: float
    membership_attack: str
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected_calibration_error(proba: np.ndarray, y: np.ndarray, *, bins: int = 15) -> float:
    """ECE: binary uses the positive-class probability, multiclass the top-label confidence."""
    if proba.shape[1] == 2:
        conf, hit = proba[:, 1], (y == 1).astype(float)
    else:
        conf = proba.max(axis=1)
        hit = (proba.argmax(axis=1) == y).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            ece += sel.mean() * abs(hit[sel].mean() - conf[sel].mean())
    return float(ece)


def classification_metrics(proba: np.ndarray, y: np.ndarray) -> dict[str, float]:
    if proba.shape[1] == 2:
        auc = roc_auc_score(y, proba[:, 1])
    else:
        auc = roc_auc_score(y, proba, multi_class="ovr", average="macro",
                            labels=list(range(proba.shape[1])))
    return {"roc_auc": float(auc), "accuracy": float(accuracy_score(y, proba.argmax(axis=1))),
            "ece": expected_calibration_error(proba, y)}


def latency_ms(
    fn: ProbaFn, x: np.ndarray, *, repeats: int = 100, seed: int = 0
) -> dict[str, float]:
    """Median wall time of one call at batch 1 and batch 1024 (ms), and per row at 1024."""
    rng = np.random.default_rng(seed)
    out: dict[str, float] = {}
    for batch, reps in ((1, repeats), (1024, max(5, repeats // 10))):
        idx = rng.integers(0, len(x), size=batch)
        sample = np.ascontiguousarray(x[idx])
        fn(sample)  # warm-up
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            fn(sample)
            times.append(time.perf_counter() - start)
        out[f"batch_{batch}"] = 1000.0 * statistics.median(times)
    out["per_row_at_1024"] = out["batch_1024"] / 1024
    return out


def fairness_summary(y: np.ndarray, proba: np.ndarray, sensitive: pd.DataFrame,
                     *, positive: int) -> dict[str, Any]:
    """Per group and intersectional selection rate/TPR/FPR and DP/EO differences (fairlearn,
    through :func:`synthguard.evaluation.fairness.group_fairness`).

    Binary view: "positive" is the chosen positive class, predicted when it is the argmax.
    Top-level differences are intersectional when there are several sensitive columns.
    """
    if sensitive.shape[1] == 0:
        return {}
    from synthguard.evaluation.fairness import group_fairness

    y_true = (y == positive).astype(int)
    y_pred = (proba.argmax(axis=1) == positive).astype(int)
    result = dict(group_fairness(y_true, y_pred, sensitive.reset_index(drop=True)))
    result["positive_class_index"] = positive
    return result

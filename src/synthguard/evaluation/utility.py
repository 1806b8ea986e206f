"""Utility: train-on-real-test-on-real (TRTR) vs train-on-synthetic-test-on-real (TSTR)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score, roc_auc_score

from synthguard._threads import model_threads
from synthguard.evaluation._checks import (
    MISSING_TARGET_RULE,
    drop_missing_target,
    is_classification,
    require_usable_target,
)
from synthguard.evaluation.encoding import TableEncoder


def positive_label(target: pd.Series) -> Any:
    """The minority class of a binary target (e.g. ``>50K``): the one worth detecting."""
    counts = target.dropna().value_counts()
    return counts.index[-1]


def fit_model(train: pd.DataFrame, target: str, encoder: TableEncoder, *, seed: int) -> Any:
    x = encoder.transform(train, onehot=False)
    y = train[target]
    mask = y.notna().to_numpy()
    with model_threads():
        if is_classification(y):
            model: Any = HistGradientBoostingClassifier(max_iter=200, random_state=seed)
            model.fit(x[mask], y[mask].astype(str))
        else:
            model = HistGradientBoostingRegressor(max_iter=200, random_state=seed)
            model.fit(x[mask], y[mask].astype(float))
    return model


def score_model(model: Any, test: pd.DataFrame, target: str, encoder: TableEncoder,
                pos_label: Any) -> tuple[dict[str, float], np.ndarray, np.ndarray | None]:
    """Metrics on ``test`` plus predictions (and positive-class scores for classifiers)."""
    x = encoder.transform(test, onehot=False)
    y = test[target]
    with model_threads():
        proba = model.predict_proba(x) if hasattr(model, "predict_proba") else model.predict(x)
    if not hasattr(model, "predict_proba"):
        pred = proba
        return ({"r2": float(r2_score(y, pred)), "mae": float(mean_absolute_error(y, pred))}, pred, None)
    y = y.astype(str)
    classes = list(model.classes_)
    pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    metrics = {"accuracy": float(accuracy_score(y, pred))}
    if len(classes) == 2:
        pos = str(pos_label)
        score = proba[:, classes.index(pos)] if pos in classes else np.zeros(len(y))
        metrics["roc_auc"] = float(roc_auc_score(y == pos, score)) if (y == pos).any() and (y != pos).any() else float("nan")
        metrics["f1"] = float(f1_score(y == pos, pred == pos))
        return metrics, pred, score
    # One-vs-rest AUC over the holdout's classes; a class the model never saw (a synthetic table
    # that lacks it) scores 0 for every row rather than making the metric disappear.
    labels = sorted(set(y))
    full = np.zeros((len(y), len(labels)))
    for j, label in enumerate(labels):
        if label in classes:
            full[:, j] = proba[:, classes.index(label)]
    if len(labels) > 2:
        sums = full.sum(axis=1, keepdims=True)
        full = np.where(sums > 0, full / np.where(sums > 0, sums, 1), 1 / len(labels))
        metrics["roc_auc"] = float(roc_auc_score(y, full, multi_class="ovr", labels=labels))
    metrics["f1"] = float(f1_score(y, pred, average="macro"))
    return metrics, pred, None


def utility(real: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, *, target: str,
            seed: int = 0) -> dict[str, Any]:
    """TRTR and TSTR metrics on the real holdout, and their ratio for the headline metric."""
    return utility_with_predictions(real, synthetic, holdout, target=target, seed=seed)[0]


def utility_with_predictions(
    real: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, *, target: str, seed: int = 0
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """As :func:`utility`, plus each model's holdout predictions (for the fairness section)."""
    require_usable_target(real, target, table="real")
    require_usable_target(holdout, target, table="holdout")
    require_usable_target(synthetic, target, table="synthetic")
    missing = {name: int(frame[target].isna().sum())
               for name, frame in (("real", real), ("synthetic", synthetic), ("holdout", holdout))}
    real, synthetic, holdout = (drop_missing_target(f, target) for f in (real, synthetic, holdout))
    features = [c for c in real.columns if c != target]
    encoder = TableEncoder().fit(real[features])
    pos = positive_label(real[target]) if is_classification(real[target]) else None
    out: dict[str, Any] = {"target": target, "task": "classification" if pos is not None else "regression"}
    if pos is not None:
        out["positive_label"] = str(pos)
    out["rows_without_target"] = missing
    if any(missing.values()):
        out["missing_target_rule"] = MISSING_TARGET_RULE
    predictions: dict[str, np.ndarray] = {}
    for name, train in (("trtr", real), ("tstr", synthetic)):
        model = fit_model(train, target, encoder, seed=seed)
        out[name], predictions[name], _ = score_model(model, holdout, target, encoder, pos)
    headline = "roc_auc" if pos is not None else "r2"
    trtr, tstr = out["trtr"].get(headline), out["tstr"].get(headline)
    out["tstr_trtr_ratio"] = float(tstr / trtr) if trtr and tstr is not None else None
    return out, predictions

"""Fidelity: SDMetrics-compatible quality score, per-column scores and a detection score.

Definitions follow SDMetrics' QualityReport (0.32) so that figures can be compared with it:
column shapes are KSComplement (numeric/datetime) and TVComplement (categorical); column
pair trends are CorrelationSimilarity (Pearson, both continuous) and ContingencySimilarity
(otherwise, continuous columns cut into 10 histogram bins); a pair contributes only where the
real data shows an association (|r| > 0.5, Cramér's V > 0.3); the quality score is the mean of
the two properties. The implementation is vectorised (integer codes and bincounts), which is
why it is several times faster than SDMetrics on the same table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from synthguard._threads import model_threads
from synthguard.data.schema import ColumnKind, Schema, infer_schema
from synthguard.evaluation.encoding import TableEncoder
from synthguard.registry import Registry

CORRELATION_THRESHOLD = 0.5
ASSOCIATION_THRESHOLD = 0.3


@dataclass(frozen=True)
class QualityResult:
    score: float
    column_shapes: float
    column_pair_trends: float
    per_column: dict[str, float] = field(default_factory=dict)
    per_pair: dict[str, float] = field(default_factory=dict)
    correlation_real: dict[str, dict[str, float]] = field(default_factory=dict)
    correlation_synthetic: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "quality_score": self.score,
            "column_shapes": self.column_shapes,
            "column_pair_trends": self.column_pair_trends,
            "per_column": self.per_column,
            "per_pair": self.per_pair,
        }


def _continuous(schema: Schema, column: str) -> bool:
    return schema.columns[column].kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME)


def _as_float(series: pd.Series) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.astype("int64").to_numpy(dtype=float)
        values[series.isna().to_numpy()] = np.nan
        return values
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def ks_complement(real: pd.Series, synthetic: pd.Series) -> float:
    r = _as_float(real)
    s = _as_float(synthetic)
    r, s = np.round(r[~np.isnan(r)], 8), np.round(s[~np.isnan(s)], 8)
    if r.size == 0 or s.size == 0:
        return float("nan")
    return float(1.0 - stats.ks_2samp(r, s).statistic)


def tv_complement(real: pd.Series, synthetic: pd.Series) -> float:
    f_r = real.dropna().astype(str).value_counts(normalize=True)
    f_s = synthetic.dropna().astype(str).value_counts(normalize=True)
    if f_r.empty or f_s.empty:  # all missing: not computable (SDMetrics leaves it out too)
        return float("nan")
    index = f_r.index.union(f_s.index)
    return float(1.0 - 0.5 * np.abs(f_r.reindex(index, fill_value=0) - f_s.reindex(index, fill_value=0)).sum())


def _bins(series: pd.Series) -> np.ndarray:
    """Cut a continuous column into 10 bins of its own histogram (as SDMetrics does).

    An all-missing column gets the edges NumPy gives an empty array (0 to 1), as in
    SDMetrics: its NaN code (11) is then the code of the other table's largest value, which is
    what SDMetrics scores. The edges span the finite values only: ±inf (which a relational
    table may hold; the single-table ``evaluate`` refuses it) falls in the outer bins."""
    values = _as_float(series)
    edges = np.histogram_bin_edges(values[np.isfinite(values)])
    return np.asarray(np.digitize(values, edges), dtype=np.int64)  # NaN -> its own bin


def _joint_codes(real: pd.Series, synthetic: pd.Series, continuous: bool) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes >= 0 for both tables, on a shared level set."""
    if continuous:
        return _bins(real), _bins(synthetic)
    joined = pd.concat([real, synthetic], ignore_index=True).astype(str)
    joined[pd.concat([real.isna(), synthetic.isna()], ignore_index=True).to_numpy()] = "\x00nan"
    codes = pd.factorize(joined)[0]
    return codes[: len(real)], codes[len(real):]


def _contingency(a_r: np.ndarray, b_r: np.ndarray, a_s: np.ndarray, b_s: np.ndarray) -> tuple[float, float]:
    """(ContingencySimilarity, Cramér's V of the real pair) from integer codes."""
    ka = int(max(a_r.max(), a_s.max())) + 1
    kb = int(max(b_r.max(), b_s.max())) + 1
    size = ka * kb
    counts_r = np.bincount(a_r * kb + b_r, minlength=size)
    p_r = counts_r / max(len(a_r), 1)
    p_s = np.bincount(a_s * kb + b_s, minlength=size) / max(len(a_s), 1)
    score = 1.0 - 0.5 * np.abs(p_r - p_s).sum()
    table = counts_r.reshape(ka, kb)
    table = table[table.sum(1) > 0][:, table.sum(0) > 0]
    v = float(stats.contingency.association(table, method="cramer")) if min(table.shape) >= 2 else 0.0
    return float(score), v


def quality_score(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    schema: Schema | None = None,
    correlation_threshold: float = CORRELATION_THRESHOLD,
    association_threshold: float = ASSOCIATION_THRESHOLD,
) -> QualityResult:
    """SDMetrics-compatible quality score of ``synthetic`` against ``real``."""
    schema = schema or infer_schema(real)
    columns = [c for c in real.columns if c in synthetic.columns
               and schema.columns[c].kind not in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.PII)]
    per_column: dict[str, float] = {}
    for c in columns:
        fn = ks_complement if _continuous(schema, c) else tv_complement
        per_column[c] = fn(real[c], synthetic[c])
    codes = {c: _joint_codes(real[c], synthetic[c], _continuous(schema, c)) for c in columns}
    floats_r = {c: _as_float(real[c]) for c in columns if _continuous(schema, c)}
    floats_s = {c: _as_float(synthetic[c]) for c in columns if _continuous(schema, c)}
    per_pair: dict[str, float] = {}
    counted: list[float] = []
    corr_r: dict[str, dict[str, float]] = {}
    corr_s: dict[str, dict[str, float]] = {}
    for a, b in combinations(columns, 2):
        if a in floats_r and b in floats_r:
            r = _pearson(floats_r[a], floats_r[b])
            s = _pearson(floats_s[a], floats_s[b])
            score = 1.0 - abs(r - s) / 2 if not (np.isnan(r) or np.isnan(s)) else float("nan")
            corr_r.setdefault(a, {})[b] = r
            corr_s.setdefault(a, {})[b] = s
            meets = not np.isnan(r) and abs(r) > correlation_threshold
        else:
            score, v = _contingency(codes[a][0], codes[b][0], codes[a][1], codes[b][1])
            meets = v > association_threshold
        per_pair[f"{a}|{b}"] = score
        if meets and not np.isnan(score):
            counted.append(score)
    shapes = float(np.nanmean(list(per_column.values()))) if per_column else float("nan")
    trends = float(np.mean(counted)) if counted else float("nan")
    overall = float(np.nanmean([shapes, trends]))
    return QualityResult(overall, shapes, trends, per_column, per_pair, corr_r, corr_s)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


@dataclass(frozen=True)
class DetectionFit:
    """Out-of-fold scores of the real-vs-synthetic classifier and what produced them."""

    x: np.ndarray
    y: np.ndarray
    scores: np.ndarray
    folds: list[tuple[Any, np.ndarray]]  # (fitted model, test indices) per fold
    features: list[str]  # source column of each feature of ``x``
    seed: int


def detection_fit(real: pd.DataFrame, synthetic: pd.DataFrame, *, seed: int = 0,
                  max_rows: int = 20_000) -> DetectionFit:
    """Fit the 3-fold HGB detector on equal-size samples of both tables (seeded)."""
    rng = np.random.default_rng(seed)
    n = min(len(real), len(synthetic), max_rows)
    r = real.iloc[rng.choice(len(real), n, replace=False)]
    s = synthetic.iloc[rng.choice(len(synthetic), n, replace=False)][list(real.columns)]
    encoder = TableEncoder().fit(r)
    x = np.vstack([encoder.transform(r, onehot=False), encoder.transform(s, onehot=False)])
    y = np.concatenate([np.zeros(n), np.ones(n)])
    scores = np.zeros(2 * n)
    folds: list[tuple[Any, np.ndarray]] = []
    with model_threads():
        for train_idx, test_idx in StratifiedKFold(3, shuffle=True, random_state=seed).split(x, y):
            model = HistGradientBoostingClassifier(max_iter=100, random_state=seed)
            model.fit(x[train_idx], y[train_idx])
            scores[test_idx] = model.predict_proba(x[test_idx])[:, 1]
            folds.append((model, test_idx))
    features = [c for c in encoder.numeric for _ in range(2 if c in encoder._nullable else 1)]
    features += list(encoder.categorical)
    return DetectionFit(x, y, scores, folds, features, seed)


def detection_score(real: pd.DataFrame, synthetic: pd.DataFrame, *, seed: int = 0,
                    max_rows: int = 20_000) -> dict[str, float]:
    """Real-vs-synthetic classifier ROC-AUC (0.5: indistinguishable) and ``1 - 2*max(0, auc-0.5)``."""
    fit = detection_fit(real, synthetic, seed=seed, max_rows=max_rows)
    return detection_summary(fit)


def detection_summary(fit: DetectionFit) -> dict[str, float]:
    # Below 0.5 is an artifact (duplicate rows split across folds with opposite labels, as
    # when a table is compared with itself), not information: clip as SDMetrics' detection does.
    auc = max(0.5, float(roc_auc_score(fit.y, fit.scores)))
    return {"detection_auc": auc, "detection_score": 1.0 - 2.0 * max(0.0, auc - 0.5)}


# Registry of fidelity metrics (plain callables; see STYLE.md).
METRICS: Registry[Any] = Registry("metric")
METRICS.add("quality_score", quality_score)
METRICS.add("detection", detection_score)

"""Statistics shared by the attacks: ROC figures with bootstrap intervals, Wilson rates.

Membership attacks are judged where it matters to a person in the data: TPR at a low FPR
(1 %, 10 %), not only AUC (Carlini et al., "Membership inference attacks from first
principles"). Intervals come from a bootstrap over the sampled targets (members and
non-members resampled separately), so drawing fewer targets from a large table widens them.
Rates of the Anonymeter-style attacks use Anonymeter's Wilson score interval and its error
propagation for the residual risk, so the two sets of figures are directly comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

import numpy as np
from scipy.stats import norm

FPR_LEVELS = (0.01, 0.1)


def _auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """Mann-Whitney AUC with ties counted as one half."""
    scores = np.concatenate([pos, neg])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores), dtype=float)
    sorted_scores = scores[order]
    # average ranks for ties
    _, first, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    avg = first + (counts - 1) / 2.0 + 1.0
    ranks[order] = np.repeat(avg, counts)
    n_pos, n_neg = len(pos), len(neg)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_curve(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC points (fpr, tpr) at every distinct threshold, ties handled as one step."""
    scores = np.concatenate([pos, neg])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    order = np.argsort(-scores, kind="mergesort")
    scores, labels = scores[order], labels[order]
    distinct = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    tps = np.cumsum(labels)[distinct]
    fps = (distinct + 1) - tps
    tpr = np.r_[0.0, tps / max(len(pos), 1)]
    fpr = np.r_[0.0, fps / max(len(neg), 1)]
    return fpr, tpr


def tpr_at_fpr(fpr: np.ndarray, tpr: np.ndarray, level: float) -> float:
    """Highest TPR among thresholds whose FPR does not exceed ``level``."""
    ok = fpr <= level + 1e-12
    return float(tpr[ok].max()) if ok.any() else 0.0


@dataclass(frozen=True)
class RocSummary:
    """AUC and TPR at low FPR with bootstrap intervals, plus a thinned ROC curve."""

    auc: float
    tpr: dict[float, float]
    ci: dict[str, tuple[float, float]]
    fpr_curve: tuple[float, ...]
    tpr_curve: tuple[float, ...]
    n_members: int
    n_nonmembers: int
    level: float


def summarize_scores(
    member_scores: np.ndarray,
    nonmember_scores: np.ndarray,
    *,
    seed: int = 0,
    n_bootstrap: int = 200,
    level: float = 0.95,
) -> RocSummary:
    """AUC, TPR@1 %/10 % FPR and percentile-bootstrap intervals for one attack's scores.

    Higher score means "more likely a member". Non-finite scores are ranked at the ends.
    """
    pos = np.nan_to_num(np.asarray(member_scores, dtype=float), nan=-np.inf)
    neg = np.nan_to_num(np.asarray(nonmember_scores, dtype=float), nan=-np.inf)
    pos = np.clip(pos, -1e300, 1e300)
    neg = np.clip(neg, -1e300, 1e300)
    fpr, tpr = roc_curve(pos, neg)
    auc = _auc(pos, neg)
    point = {lvl: tpr_at_fpr(fpr, tpr, lvl) for lvl in FPR_LEVELS}
    rng = np.random.default_rng(seed)
    boot_auc = np.empty(n_bootstrap)
    boot_tpr = {lvl: np.empty(n_bootstrap) for lvl in FPR_LEVELS}
    for b in range(n_bootstrap):
        bp = pos[rng.integers(0, len(pos), len(pos))]
        bn = neg[rng.integers(0, len(neg), len(neg))]
        boot_auc[b] = _auc(bp, bn)
        f, t = roc_curve(bp, bn)
        for lvl in FPR_LEVELS:
            boot_tpr[lvl][b] = tpr_at_fpr(f, t, lvl)
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    ci = {"auc": _pct(boot_auc, lo, hi)}
    for lvl in FPR_LEVELS:
        ci[f"tpr_at_fpr_{lvl}"] = _pct(boot_tpr[lvl], lo, hi)
    thin_f, thin_t = thin_roc(fpr, tpr)
    return RocSummary(
        auc=auc, tpr=point, ci=ci, fpr_curve=thin_f, tpr_curve=thin_t,
        n_members=len(pos), n_nonmembers=len(neg), level=level,
    )


def _pct(values: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    low, high = np.percentile(values, [lo, hi])
    return float(low), float(high)


def thin_roc(
    fpr: np.ndarray, tpr: np.ndarray, n: int = 60
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """About ``n`` ROC points on a log-FPR grid (the low-FPR end matters) plus a linear one.

    Between two thresholds the curve is interpolated linearly (a block of tied scores is a
    diagonal segment), as ROC curves are drawn.
    """
    grid = np.unique(np.r_[0.0, np.logspace(-4, 0, n - 1), np.linspace(0, 1, 21)])
    out_t = np.interp(grid, fpr, tpr)
    return tuple(round(float(g), 6) for g in grid), tuple(round(float(t), 6) for t in out_t)


# ---- Anonymeter-compatible rates (Wilson score interval, residual risk) ----------------


@dataclass(frozen=True)
class Rate:
    value: float
    error: float


def success_rate(n_total: int, n_success: float, confidence_level: float = 0.95) -> Rate:
    """Wilson score estimate of a Bernoulli rate, as Anonymeter computes it."""
    z = float(norm.ppf(0.5 * (1.0 + confidence_level)))
    z2 = z * z
    n_total = max(int(n_total), 1)
    var = n_success * (n_total - n_success) / n_total
    denominator = n_total + z2
    rate = (n_success + 0.5 * z2) / denominator
    error = (z / denominator) * sqrt(max(var, 0.0) + 0.25 * z2)
    return Rate(rate, error)


def residual_success(attack: Rate, control: Rate) -> Rate:
    """Success on train targets beyond success on control targets, normalised (Anonymeter)."""
    denom = 1.0 - control.value
    if denom <= 0:
        return Rate(0.0, 1.0)
    residual = (attack.value - control.value) / denom
    d_attack = 1.0 / abs(denom)
    d_control = (attack.value - 1.0) / denom**2
    error = sqrt((attack.error * d_attack) ** 2 + (control.error * d_control) ** 2)
    return Rate(residual, error)


def bind(rate: Rate) -> tuple[float, tuple[float, float]]:
    """Clip a rate and its symmetric error to [0, 1] (Anonymeter's ``bind_value``)."""

    def clip(x: float) -> float:
        return min(max(x, 0.0), 1.0)

    return clip(rate.value), (clip(rate.value - rate.error), clip(rate.value + rate.error))

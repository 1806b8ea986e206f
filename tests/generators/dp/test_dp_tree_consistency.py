"""Consistent counts of the hierarchical histogram (post-processing, no ε): every level's
noisy counts combined (Hay et al. 2010), so refining a cell no longer throws its own count
away; the leaves of a refined cell then sum to about its count, not to 16 noisy terms."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from synthguard.generators.dp._discretise import ColumnPlan, fit_codec, tree_consistent
from synthguard.generators.dp._shape import shape_fit


def _tree() -> tuple[list[list[int]], list[int]]:
    """Root (unmeasured) -> 4 cells; cell 1 refined into 4 leaves, cell 3 into 4 leaves."""
    children = [[1, 2, 3, 4], [5, 6, 7, 8], [], [9, 10, 11, 12], [], [], [], [], [], [], [], [], []]
    leaves = [5, 6, 7, 8, 2, 9, 10, 11, 12, 4]
    return children, leaves


def test_exact_counts_are_kept_and_children_sum_to_their_parent() -> None:
    children, leaves = _tree()
    truth = np.zeros(13)
    truth[[5, 6, 7, 8]] = [10, 20, 30, 40]
    truth[[9, 10, 11, 12]] = [1, 2, 3, 4]
    truth[2], truth[4] = 50, 60
    truth[1], truth[3] = truth[5:9].sum(), truth[9:13].sum()
    y = [math.inf, *truth[1:].tolist()]
    counts, var = tree_consistent(y, children, leaves, sigma=5.0)
    assert counts == pytest.approx(truth[leaves].tolist())
    # an unrefined cell keeps σ², a refined cell's leaf gains a little from its parent
    assert var[4] == pytest.approx(25.0) and all(v < 25.0 for v in var[:4])


def test_refined_cells_sum_with_about_one_measurement_of_noise() -> None:
    children, leaves = _tree()
    rng = np.random.default_rng(0)
    sigma, runs = 10.0, 4000
    truth = np.zeros(13)
    truth[5:9] = 25.0
    truth[1] = 100.0
    raw_err, fit_err = [], []
    for _ in range(runs):
        y = truth + rng.normal(0, sigma, 13)
        counts, _ = tree_consistent([math.inf, *y[1:].tolist()], children, leaves, sigma)
        raw_err.append(y[5:9].sum() - 100.0)
        fit_err.append(sum(counts[:4]) - 100.0)
    assert np.var(raw_err) == pytest.approx(4 * sigma**2, rel=0.1)
    # parent (σ²) and children's sum (4σ²) combined: 4/5 σ²
    assert np.var(fit_err) == pytest.approx(0.8 * sigma**2, rel=0.1)
    assert abs(np.mean(fit_err)) < 0.5


def test_shape_fit_takes_per_count_variances() -> None:
    edges = list(range(13))
    counts = [60.0 - 5 * i for i in range(12)]
    counts[6] += 25.0  # 2.5σ above the trend at σ = 10, but 5σ of a count known to σ = 5
    plain, _ = shape_fit(edges, counts, 10.0)
    sharp, _ = shape_fit(edges, counts, 10.0, var=[100.0] * 6 + [25.0] + [100.0] * 5)
    # the precise count pulls the fit harder (weights σ² / var)
    assert plain[6] < counts[6] - 10 and sharp[6] > plain[6] + 3


def _codec_error(monkeypatch: pytest.MonkeyPatch, consistent: bool) -> float:
    """Mean |log| of decoded-weight / true mass over the 5 % quantile cells of a smooth
    column measured at a small ρ (the outer two cells left out)."""
    from synthguard.generators.dp import _discretise

    if not consistent:  # each leaf's own noisy count only, as before
        monkeypatch.setattr(_discretise, "tree_consistent", lambda y, children, leaves, sigma: (
            [y[i] for i in leaves], [sigma**2] * len(leaves)))
    rng = np.random.default_rng(1)
    x = np.round(rng.gamma(4.0, 40_000.0, 20_000))
    plan = ColumnPlan("w", "numeric", (1.0, 1e7), "user", True, 6)
    errors = []
    for seed in range(3):
        codec = fit_codec(pd.DataFrame({"w": x}), [plan], rho=0.001, max_bins=16,
                          rng=np.random.default_rng(seed), smoothing="shape")
        num = codec.numeric["w"]
        edges = np.asarray(num.leaf_edges)
        truth = np.histogram(np.clip(x, edges[0], edges[-1] - 1), bins=edges)[0].astype(float)
        q = np.quantile(x, np.linspace(0, 1, 21))
        got, want = (np.diff(np.interp(q, edges, np.concatenate([[0.0], np.cumsum(w)])))
                     for w in (np.asarray(num.leaf_weights), truth))
        ratio = (got / got.sum()) / (want / want.sum())
        errors.append(float(np.mean(np.abs(np.log(np.maximum(ratio[1:-1], 1e-3))))))
    monkeypatch.undo()
    return float(np.mean(errors))


def test_decoding_weights_of_a_smooth_column_are_closer_to_the_truth(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: decoding weights inside refined cells follow the data far better with
    the parents' counts than without (same noise draws)."""
    with_parents = _codec_error(monkeypatch, consistent=True)
    leaves_only = _codec_error(monkeypatch, consistent=False)
    assert with_parents < 0.7 * leaves_only

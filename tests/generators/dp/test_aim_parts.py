"""The pieces AIM's tree start and decoding are built from, on tiny domains with real mbi:
coarsened (grouped) measurements, the discretisation's bin counts reused as measurements,
and the within-bin smoothing of noisy leaf counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthguard.generators.dp import _pgm
from synthguard.generators.dp._discretise import (
    ColumnPlan,
    fit_codec,
    smooth_within_bins,
)


def test_grouped_measurement_has_unit_sensitivity_and_is_fitted() -> None:
    rng = np.random.default_rng(0)
    domain = _pgm.make_domain({"a": 4, "b": 3})
    codes = {"a": rng.choice(4, 2000, p=[0.4, 0.3, 0.2, 0.1]), "b": rng.integers(0, 3, 2000)}
    codes["b"] = np.where(codes["a"] >= 2, 2, codes["b"])  # a in {2, 3} -> b = 2
    data = _pgm.make_dataset(codes, domain)
    groups = [np.array([0, 0, 1, 1]), np.arange(3)]
    m = _pgm.measure_grouped(data, ("a", "b"), groups, sigma=1e-3, rng=rng)
    index = m.query.index
    # every cell of the pair adds to exactly one group: one record moves one group count by 1
    assert index.shape == (12,) and set(index.tolist()) == set(range(6))
    true = np.bincount(index, weights=_pgm.marginal(data, ("a", "b")), minlength=6)
    assert np.asarray(m.noisy_measurement) == pytest.approx(true, abs=0.05)
    oneway = [_pgm.measure(data, (c,), 1e-3, rng) for c in ("a", "b")]
    model = _pgm.estimate(domain, [*oneway, m], iters=300)
    fitted = np.bincount(index, weights=_pgm.project(model, ("a", "b")), minlength=6)
    assert fitted == pytest.approx(true, rel=0.05, abs=10)
    # the fine structure the grouped pair does not see: high a values have b = 2 only
    joint = _pgm.project(model, ("a", "b")).reshape(4, 3)
    assert joint[2:, :2].sum() < 0.05 * joint[2:].sum()


def test_bin_counts_of_the_discretisation_become_a_measurement() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": np.concatenate([np.zeros(600), rng.integers(1, 100, 400)])})
    plan = ColumnPlan("x", "numeric", (0.0, 99.0), "user", True, 2)
    codec = fit_codec(frame, [plan], rho=5.0, max_bins=4, rng=rng)
    sums, leaves = codec.numeric["x"].bin_measurement()  # type: ignore[misc]
    assert sums.sum() == pytest.approx(1000, abs=15 * np.sqrt(leaves.sum()) * codec.sigma)
    measured = _pgm.bin_measurements(codec)
    assert len(measured) == 1 and measured[0].clique == ("x",)
    assert measured[0].stddev == pytest.approx(codec.sigma)
    # fit-time only: the saved codec does not carry the raw noisy counts
    assert "leaf_noisy" not in codec.to_dict()["numeric"]["x"]


def test_within_bin_smoothing_keeps_spikes_and_single_values() -> None:
    rng = np.random.default_rng(2)
    sigma = 30.0
    edges = [float(10 * i) for i in range(13)]
    true = np.full(12, 100.0)
    true[5] = 700.0  # a spike
    noisy = np.maximum(true + rng.normal(0, sigma, 12), 0).tolist()
    smooth = np.asarray(smooth_within_bins(edges, noisy, [0] * 12, sigma, integer=True))
    flat = np.delete(np.arange(12), 5)
    assert smooth[5] == pytest.approx(noisy[5])  # > 3σ above the fit: kept
    assert np.abs(smooth[flat] - 100).mean() < np.abs(np.asarray(noisy)[flat] - 100).mean()
    # leaves of one integer value keep their noisy counts (heaping is real)
    unit = [float(i) for i in range(13)]
    assert smooth_within_bins(unit, noisy, [0] * 12, sigma, integer=True) == noisy


@pytest.mark.parametrize("bad", [{"init": "pairs"}, {"tree_share": 1.0}, {"cell_sigmas": -1},
                                 {"bin_sigmas": float("nan")}])
def test_tree_start_parameters_are_checked_when_built(bad: dict[str, object]) -> None:
    from synthguard.errors import ParameterError
    from synthguard.generators.dp.aim import AIMGenerator

    with pytest.raises(ParameterError, match=next(iter(bad))):
        AIMGenerator(epsilon=1.0, **bad)  # type: ignore[arg-type]

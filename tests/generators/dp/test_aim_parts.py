"""The pieces AIM's tree start and decoding are built from, on tiny domains with real mbi:
coarsened (grouped) measurements, the discretisation's bin counts reused as measurements,
and the within-bin smoothing of noisy leaf counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthguard.generators.dp import _pgm
from synthguard.generators.dp._discretise import ColumnPlan, fit_codec
from synthguard.generators.dp._shape import draw_heaped, shape_fit, smooth_within_bins


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


def test_shape_fit_keeps_one_hump_and_heaps_and_drops_noise_peaks() -> None:
    rng = np.random.default_rng(3)
    sigma = 30.0
    x = np.arange(60)
    true = 400 * np.exp(-0.5 * ((x - 20) / 8) ** 2)
    true[40] += 500  # a heaped value far from the mode: a point mass
    noisy = true + rng.normal(0, sigma, 60)
    fit = np.asarray(shape_fit([float(i) for i in range(61)], noisy.tolist(), sigma)[0])
    assert fit[40] == pytest.approx(noisy[40])  # the heap keeps its measured count
    rest = np.delete(np.arange(60), 40)
    assert np.abs(fit[rest] - true[rest]).mean() < np.abs(
        np.maximum(noisy[rest], 0) - true[rest]).mean()
    assert (fit >= 0).all()
    # no second hump made of noise: beyond the mode the fit never rises again (bar the heap)
    tail = fit[25:40]
    assert (np.diff(tail) <= 1e-9).all()
    # a real second hump (worth far more than the penalty) is kept
    two = 400 * np.exp(-0.5 * ((x - 12) / 4) ** 2) + 400 * np.exp(-0.5 * ((x - 45) / 4) ** 2)
    fit2 = np.asarray(shape_fit([float(i) for i in range(61)],
                                (two + rng.normal(0, sigma, 60)).tolist(), sigma)[0])
    assert fit2[28] < 0.3 * fit2[45] and fit2[45] > 250


def test_integer_heaping_is_learnt_from_unit_leaves_and_drawn_in_wide_ones() -> None:
    """Round numbers heap (hours 70, 80): the ratio of multiples of 10 to the smooth density
    is estimated from one-integer leaves, and a wide leaf puts its mass on them."""
    rng = np.random.default_rng(5)
    sigma = 20.0
    values = np.arange(0, 100)
    base = 60 * np.exp(-0.5 * ((values - 45) / 18) ** 2) + 5
    true = base * np.where(values % 10 == 0, 8.0, np.where(values % 5 == 0, 3.0, 1.0))
    edges = [float(v) for v in range(71)] + [80.0, 90.0, 100.0]  # 70-79, 80-89, 90-99 wide
    counts = np.concatenate([true[:70], [true[70:80].sum(), true[80:90].sum(),
                                         true[90:].sum()]])
    fit, ratios = shape_fit(edges, (counts + rng.normal(0, sigma, counts.size)).tolist(),
                            sigma, integer=True)
    assert ratios[0] > 3 and 1.5 < ratios[1] < ratios[0] and ratios[-1] == 1.0
    assert len(fit) == counts.size
    # no heaping in a smooth integer column: the ratios stay near 1
    _, flat = shape_fit([float(v) for v in range(101)],
                        (base * 10 + rng.normal(0, sigma, 100)).tolist(), sigma, integer=True)
    assert np.allclose(flat, 1.0, atol=0.25)
    codec_leaves = np.asarray([70.0, 70.0]), np.asarray([79.0, 79.0])
    drawn = draw_heaped(np.repeat(codec_leaves[0], 5000), np.repeat(codec_leaves[1], 5000),
                        ratios, rng)
    assert set(np.unique(drawn)) <= set(range(70, 80))
    assert np.mean(drawn == 70) > 2 * np.mean(drawn == 71)


def test_aim_decodes_with_the_shape_fit_and_mst_within_bins() -> None:
    from synthguard.generators.dp.aim import AIMParams
    from synthguard.generators.dp.mst import MSTParams

    assert AIMParams().smoothing == "shape" and MSTParams().smoothing == "bins"
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"x": rng.integers(0, 100, 2000)})
    plan = ColumnPlan("x", "numeric", (0.0, 99.0), "user", True, 2)
    for smoothing in ("shape", "bins"):
        codec = fit_codec(frame, [plan], rho=1.0, max_bins=4, rng=rng, smoothing=smoothing)
        values = codec.decode({"x": codec.encode(frame)}, 2000, rng)["x"]
        assert values.between(0, 99).all() and (values % 1 == 0).all()


@pytest.mark.parametrize("bad", [{"init": "pairs"}, {"tree_share": 1.0}, {"cell_sigmas": -1},
                                 {"bin_sigmas": float("nan")}, {"smoothing": "spline"}])
def test_tree_start_parameters_are_checked_when_built(bad: dict[str, object]) -> None:
    from synthguard.errors import ParameterError
    from synthguard.generators.dp.aim import AIMGenerator

    with pytest.raises(ParameterError, match=next(iter(bad))):
        AIMGenerator(epsilon=1.0, **bad)  # type: ignore[arg-type]


def test_heaped_draws_end_on_integers_beyond_float_precision() -> None:
    """Above 2^53 a float holds only even integers, so an odd roundness class can never be
    drawn: the rejection loop used to run forever (an entity-level DP range estimated at
    ~10^16 hung the fit); it now keeps the last draw after a bounded number of rounds."""
    rng = np.random.default_rng(0)
    first = np.full(50, 1.8e16)
    got = draw_heaped(first, first + 5e15, [1.0] * 5, rng)
    assert np.isfinite(got).all() and (got >= 1.8e16).all()
    small = draw_heaped(np.zeros(2000), np.full(2000, 99.0), [1.0, 1.0, 1.0, 1.0, 1.0], rng)
    assert set(np.unique(small)) <= set(range(100)) and len(np.unique(small)) > 90


def test_round_views_merge_adjacent_numeric_bins_and_keep_sensitivity_one() -> None:
    from synthguard.generators.dp.aim import _views

    rng = np.random.default_rng(4)
    domain = _pgm.make_domain({"x": 8, "c": 3})
    codes = {"x": rng.integers(0, 8, 3000), "c": rng.integers(0, 3, 3000)}
    data = _pgm.make_dataset(codes, domain)
    model = _pgm.NumpyModel(_pgm.estimate(
        domain, [_pgm.measure(data, (a,), 1.0, rng) for a in ("x", "c")], iters=50))
    candidates = {("x",): 1.0, ("c",): 1.0, ("x", "c"): 2.0}
    assert len(_views(candidates, domain, {"x"}, model, 0)) == 3  # off: the paper's
    views = _views(candidates, domain, {"x"}, model, 2)
    pair = [v for v in views if v.clique == ("x", "c")]
    # full, x in about 4 groups, x in about 2; the categorical column is never merged
    sizes = sorted(v.size for v in pair)
    assert len(sizes) == 3 and sizes[-1] == 24 and all(s % 3 == 0 for s in sizes)
    assert 3 * 2 <= sizes[0] < sizes[1] < 24
    truth = _pgm.marginal(data, ("x", "c"))
    for v in pair:
        if v.groups is None:
            continue
        x_groups, c_groups = v.groups
        assert np.all(np.diff(x_groups) >= 0) and np.array_equal(c_groups, np.arange(3))
        # each cell adds to exactly one group: one record moves one group count by 1
        assert v.index is not None and v.index.shape == (24,)
        assert v.view(truth).sum() == pytest.approx(3000)
        moved = v.view(truth + np.eye(24)[5]) - v.view(truth)
        assert np.abs(moved).sum() == pytest.approx(1.0)


def test_aim_with_coarse_views_spends_its_budget_and_learns_a_coarse_dependence() -> None:
    from synthguard.generators.dp.aim import AIMGenerator

    rng = np.random.default_rng(5)
    n = 3000
    age = rng.integers(18, 81, n)
    colour = np.where(age > 50, rng.choice(["red", "blue"], n, p=[0.9, 0.1]),
                      rng.choice(["red", "blue", "green"], n, p=[0.1, 0.5, 0.4]))
    frame = pd.DataFrame({"age": age, "colour": colour})
    gen = AIMGenerator(epsilon=3.0, delta=1e-6, bounds={"age": [18, 80]}, rounds=3, iters=50,
                       final_iters=200, max_bins=16, coarse_levels=3, init="oneway")
    gen.fit(frame, seed=0)
    info = gen.describe()["model"]
    spend = gen.privacy_spent()
    assert spend is not None
    assert info["rho_discretisation"] + info["rho_mechanism"] == pytest.approx(spend.rho)
    out = gen.sample(n, seed=1)
    old = out["age"] > 50
    # the pair was measured (possibly coarsened): old rows are mostly red, young rarely
    assert (out.loc[old, "colour"] == "red").mean() > 0.6
    assert (out.loc[~old, "colour"] == "red").mean() < 0.35


def test_derived_codecs_cost_no_histogram_and_stand_in_for_their_one_way() -> None:
    """A column whose codec comes from released outputs (hierarchical_dp: a child's copy of
    its parent's column) buys no histogram: the discretisation's σ is that of the other
    columns alone; with ``prior_oneways`` its bin shares stand in for its 1-way in AIM's tree
    start, and the fit still spends exactly its ρ."""
    from synthguard.data.schema import ColumnKind, ColumnSpec, Schema
    from synthguard.generators.registry import create_generator

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"x": rng.normal(0, 1, 400), "y": rng.normal(5, 2, 400),
                          "c": rng.choice(["a", "b", "c"], 400)})
    schema = Schema({"x": ColumnSpec(ColumnKind.NUMERIC, "numerical", decimals=2),
                     "y": ColumnSpec(ColumnKind.NUMERIC, "numerical", decimals=2),
                     "c": ColumnSpec(ColumnKind.CATEGORICAL, "categorical")})
    bounds = {"x": [-5.0, 5.0], "y": [-5.0, 15.0]}
    plain = create_generator("aim", epsilon=1.0, bounds=bounds, max_depth=2, final_iters=50)
    plain._fit_private(frame, schema=schema, seed=0)  # type: ignore[attr-defined]
    derived = create_generator("aim", epsilon=1.0, bounds=bounds, max_depth=2, final_iters=50,
                               prior_oneways=True)
    given = plain._codec.numeric["y"]  # type: ignore[attr-defined]
    derived.derived_codecs = {"y": given}  # type: ignore[attr-defined]
    derived.derived_shares = {"c": {'"a"': 0.2, '"b"': 0.3, '"c"': 0.5}}  # type: ignore[attr-defined]
    derived._fit_private(frame, schema=schema, seed=0)  # type: ignore[attr-defined]
    codec = derived._codec  # type: ignore[attr-defined]
    # two histograms (x's two levels) instead of four at the same discretisation ρ
    assert codec.sigma == pytest.approx(plain._codec.sigma / np.sqrt(2))  # type: ignore[attr-defined]
    assert codec.numeric["y"].leaf_edges == given.leaf_edges and codec.numeric["y"].leaf_noisy is None
    assert set(derived._priors) == {"y", "c"}  # type: ignore[attr-defined]
    assert derived._priors["c"] == pytest.approx([0.2, 0.3, 0.5])  # type: ignore[attr-defined]
    info = derived._info  # type: ignore[attr-defined]
    rho = derived.privacy_spent().rho  # type: ignore[union-attr]
    assert info["rho_discretisation"] + info["rho_mechanism"] == pytest.approx(rho)
    assert len(derived.sample(50, seed=1)) == 50
    # without derived columns (any single-table fit) the option changes nothing
    off = create_generator("aim", epsilon=1.0, bounds=bounds, max_depth=2, final_iters=50,
                           prior_oneways=False)
    off._fit_private(frame, schema=schema, seed=0)  # type: ignore[attr-defined]
    assert plain.params.prior_oneways  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(plain.sample(50, seed=1), off.sample(50, seed=1))

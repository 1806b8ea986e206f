"""AIM/MST keep a numeric column's public value set and a float column's decimals.

The value set and given decimals are public metadata (no ε, stated in the guarantee); a
float column without given decimals has them estimated with DP inside the discretisation
share, which the spend accounts for like every other histogram."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthguard.data.schema import infer_schema
from synthguard.errors import SchemaError
from synthguard.generators.dp.aim import AIMGenerator
from synthguard.generators.dp.mst import MSTGenerator

SCORES = [1, 2, 3, 5, 8, 13, 21]  # a coded column: sparse, not every integer in its range


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    score = rng.choice(SCORES, n, p=[0.3, 0.2, 0.15, 0.15, 0.1, 0.05, 0.05])
    return pd.DataFrame({
        "score": score,
        "weight": np.round(rng.normal(70, 12, n), 1),  # one decimal
        "rate": np.round(rng.uniform(0, 1, n), 2),  # two decimals, no metadata
        "group": np.where(score > 4, rng.choice(["a", "b"], n), "c"),
    })


def schema(table: pd.DataFrame):  # type: ignore[no-untyped-def]
    return infer_schema(table, overrides={"columns": {
        "score": {"values": SCORES}, "weight": {"bounds": [20, 130], "decimals": 1},
        "rate": {"bounds": [0, 1]}}})


@pytest.mark.parametrize("cls,params", [
    (AIMGenerator, {"rounds": 3, "iters": 30, "final_iters": 60, "max_bins": 8}),
    (MSTGenerator, {"iters": 60, "max_bins": 8}),
])
def test_values_stay_in_the_public_set_and_decimals_are_kept(table: pd.DataFrame, cls, params) -> None:  # type: ignore[no-untyped-def]
    gen = cls(epsilon=1.0, delta=1e-6, **params).fit(table, schema=schema(table), seed=0)
    synth = gen.sample(3000, seed=1)
    assert set(synth["score"].unique()) <= set(SCORES)
    assert synth["score"].nunique() >= 5  # the set is used, not collapsed to a few values
    assert np.allclose(synth["weight"], synth["weight"].round(1))
    assert synth["weight"].between(20, 130).all()
    assert np.allclose(synth["rate"], synth["rate"].round(2))  # decimals estimated with DP
    spend = gen.privacy_spent()
    assert spend is not None
    assert any("value sets of score" in item for item in spend.public)
    assert any("decimals of weight" in item for item in spend.public)
    notes = gen.describe()["model"]["codec_notes"]
    assert any("decimals of 'rate' estimated with DP: 2" in note for note in notes)
    info = gen.describe()["model"]
    assert info["rho_discretisation"] + info["rho_mechanism"] <= spend.rho * (1 + 1e-9)


def test_without_a_value_set_in_between_values_come_out(table: pd.DataFrame) -> None:
    """What the value set fixes: with bounds only, AIM draws integers between the codes."""
    plain = infer_schema(table, overrides={"columns": {"score": {"bounds": [1, 21]},
                                                       "weight": {"bounds": [20, 130]},
                                                       "rate": {"bounds": [0, 1]}}})
    synth = AIMGenerator(epsilon=1.0, delta=1e-6, rounds=3, iters=30, final_iters=60,
                         max_bins=8).fit(table, schema=plain, seed=0).sample(3000, seed=1)
    assert not set(synth["score"].unique()) <= set(SCORES)


@pytest.mark.parametrize("values,message", [
    (list(range(300)), "at most 256"), (["x"], "numbers"), ([], "non-empty")])
def test_bad_value_sets_are_refused(table: pd.DataFrame, values: list, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(SchemaError, match=message):
        infer_schema(table, overrides={"columns": {"score": {"values": values}}})


def test_linked_ranges_keep_a_numeric_column_inside_its_categorys_band() -> None:
    """``ranges_by`` (a public coding rule, no ε): every sampled age lies in its row's
    age band and every score in its band, also where a coarse bin straddles a band edge;
    every value stays in its column's public set, bounds and integer grid."""
    rng = np.random.default_rng(12)
    n = 800
    age = rng.integers(18, 70, n)
    score = rng.choice(SCORES, n)
    frame = pd.DataFrame({
        "age": age, "age_band": np.where(age < 25, "young", np.where(age <= 45, "mid", "old")),
        "score": score, "level": np.where(score <= 3, "low", "high"),
        "flag": rng.choice(["x", "y"], n)})
    metadata = {"columns": {
        "age": {"bounds": [18, 80], "ranges_by": {"age_band": {
            "young": [18, 24], "mid": [25, 45], "old": [46, 80]}}},
        "score": {"values": SCORES, "ranges_by": {"level": {"low": [1, 3], "high": [5, 21]}}}}}
    gen = AIMGenerator(epsilon=1.0, delta=1e-6, rounds=3, iters=30, final_iters=60,
                       max_bins=4).fit(frame, schema=infer_schema(frame, overrides=metadata),
                                       seed=0)
    synth = gen.sample(4000, seed=3)
    band = np.where(synth["age"] < 25, "young", np.where(synth["age"] <= 45, "mid", "old"))
    assert (band == synth["age_band"]).all()
    assert (np.where(synth["score"] <= 3, "low", "high") == synth["level"]).all()
    assert set(synth["score"].unique()) <= set(SCORES)
    assert synth["age"].between(18, 80).all() and (synth["age"] % 1 == 0).all()
    for column in ("age_band", "level", "flag"):
        assert set(synth[column].unique()) <= set(frame[column].unique())
    assert synth["age_band"].nunique() == 3  # the bands are all used


@pytest.mark.parametrize("ranges_by,message", [
    ({"nope": {"a": [1, 2]}}, "not another column"),
    ({"group": {"a": [3, 1]}}, "low <= high"),
    ({"group": {"a": "x"}}, r"\[low, high\]"),
    ({"group": {}, "weight": {}}, "one other column")])
def test_bad_linked_ranges_are_refused(table: pd.DataFrame, ranges_by: dict,  # type: ignore[type-arg]
                                       message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        infer_schema(table, overrides={"columns": {"score": {"ranges_by": ranges_by}}})


def test_linked_ranges_need_a_categorical_column(table: pd.DataFrame) -> None:
    from synthguard.errors import ParameterError

    linked = infer_schema(table, overrides={"columns": {
        "score": {"values": SCORES, "ranges_by": {"weight": {"a": [1, 2]}}},
        "weight": {"bounds": [20, 130]}, "rate": {"bounds": [0, 1]}}})
    with pytest.raises(ParameterError, match="not a categorical column"):
        AIMGenerator(epsilon=1.0, delta=1e-6).fit(table, schema=linked, seed=0)


def test_linked_ranges_are_kept_in_the_schema(table: pd.DataFrame) -> None:
    ranges = {"group": {"c": [1, 3], "a": [5, 21]}}
    spec = infer_schema(table, overrides={"columns": {"score": {"ranges_by": ranges}}}).columns["score"]
    assert spec.ranges_by == ("group", (("c", 1.0, 3.0), ("a", 5.0, 21.0)))
    assert spec.to_dict()["ranges_by"] == {"group": {"c": [1.0, 3.0], "a": [5.0, 21.0]}}

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

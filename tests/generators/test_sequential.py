"""sequential_trees: value sets and tails kept, deterministic columns kept, bags, model format."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthguard.errors import ParameterError
from synthguard.generators import create_generator, load_generator, save_generator


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 2000
    age = rng.integers(18, 80, n)
    age[0] = 96  # a rare top value: 1 row in 2,000, above every quantile-grid point but the last
    return pd.DataFrame({
        "age": age,
        "band": np.where(age < 25, "young", np.where(age <= 45, "mid", "old")),  # f(age)
        "count": rng.poisson(1.5, n),
        "score": np.round(rng.normal(50, 10, n), 1),  # one decimal
        "y": (rng.random(n) < 0.3).astype(int),
    })


def test_discrete_values_stay_in_the_value_set_and_reach_the_tails(table: pd.DataFrame) -> None:
    synth = create_generator("sequential_trees").fit(table, seed=0).sample(20_000, seed=1)
    assert set(synth["age"]) <= set(table["age"]) and set(synth["count"]) <= set(table["count"])
    # the largest value comes out at about its real share, 1/2000 (a quantile grid never did)
    assert 2 <= (synth["age"] == 96).sum() <= 30
    assert synth["count"].max() >= table["count"].max() - 1
    assert np.allclose(synth["score"], synth["score"].round(1))


@pytest.mark.parametrize("params", [{}, {"trees": 1, "min_leaf": 5}])
def test_a_column_that_is_a_function_of_another_stays_one(table: pd.DataFrame,
                                                          params: dict[str, int]) -> None:
    synth = create_generator("sequential_trees", **params).fit(table, seed=0).sample(3000, seed=2)
    expected = np.where(synth["age"] < 25, "young", np.where(synth["age"] <= 45, "mid", "old"))
    assert (synth["band"].to_numpy() == expected).mean() > 0.97


def test_a_bag_of_trees_round_trips_and_differs_from_one_tree(table: pd.DataFrame,
                                                              tmp_path: Path) -> None:
    bag = create_generator("sequential_trees", trees=3).fit(table, seed=0)
    save_generator(bag, tmp_path / "bag")
    again = load_generator(tmp_path / "bag")
    pd.testing.assert_frame_equal(bag.sample(500, seed=4), again.sample(500, seed=4))
    raw = json.loads((tmp_path / "bag" / "sequential_trees.json").read_text())
    assert raw["format"] == 2 and all(len(trees) == 3 for trees in raw["trees"])
    one = create_generator("sequential_trees", trees=1).fit(table, seed=0)
    assert not one.sample(500, seed=4).equals(bag.sample(500, seed=4))


def test_a_format_1_model_still_loads(table: pd.DataFrame, tmp_path: Path) -> None:
    gen = create_generator("sequential_trees", trees=1).fit(table, seed=0)
    gen.save_files(tmp_path)
    path = tmp_path / "sequential_trees.json"
    raw = json.loads(path.read_text())
    raw["format"], raw["trees"] = 1, [trees[0] for trees in raw["trees"]]
    path.write_text(json.dumps(raw))
    old = type(gen).load_files(tmp_path, gen.params)
    pd.testing.assert_frame_equal(old.sample(300, seed=5), gen.sample(300, seed=5))


@pytest.mark.parametrize("bad", [{"trees": 0}, {"subsample": 0.0}, {"min_leaf": 0}])
def test_bad_parameters_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ParameterError, match=next(iter(bad))):
        create_generator("sequential_trees", **bad)

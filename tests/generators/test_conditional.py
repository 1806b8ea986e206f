"""Conditional sampling, rebalancing and constraints on real generators (ours, SDV, DP)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthguard.errors import ParameterError, SchemaError
from synthguard.generators import create_generator
from synthguard.generators.conditional import PUBLIC_NOTE, conditional_sampler, sample_conditional
from synthguard.generators.conditions import (
    Between,
    Fixed,
    FixedCombinations,
    Inequality,
    Range,
    Rebalance,
    Rounding,
    SamplingSpec,
    ValueSet,
    build_spec,
    load_spec,
    parse_condition,
    parse_rebalance,
)
from synthguard.generators.streaming import sample_to_file

AIM_FAST = {"epsilon": 1.0, "delta": 1e-5, "estimate_bounds": True, "rounds": 4, "iters": 30,
            "final_iters": 60, "max_bins": 8}
GENERATORS = {"gaussian_copula": {}, "sdv_gaussian_copula": {}, "aim": AIM_FAST}
N = 200


@pytest.fixture(scope="module")
def table(adult_small: pd.DataFrame) -> pd.DataFrame:
    cols = ["age", "education", "education_num", "race", "sex", "hours_per_week", "class"]
    frame = adult_small[cols].iloc[:800].reset_index(drop=True)
    frame["hours_per_day"] = (frame["hours_per_week"] / 5).round(1)  # a 1-decimal column
    return frame


@pytest.fixture(scope="module")
def fitted(table: pd.DataFrame) -> dict[str, Any]:
    return {name: create_generator(name, **params).fit(table, seed=0) for name, params in GENERATORS.items()}


def _sample(fitted: dict[str, Any], name: str, table: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
    out = sample_conditional(fitted[name], N, seed=3, data=table, **kwargs)
    assert len(out) == N and list(out.columns) == list(table.columns)
    return out


@pytest.mark.parametrize("name", list(GENERATORS))
def test_fixed_value_and_range_conditions(fitted: dict[str, Any], table: pd.DataFrame, name: str) -> None:
    out = _sample(fitted, name, table, conditions=["sex=Female", "age=30..45"])
    assert (out["sex"] == "Female").all()
    assert out["age"].between(30, 45).all()
    either = _sample(fitted, name, table, conditions=[Fixed("race", ("White", "Black")), Between("age", None, 40)])
    assert either["race"].isin(["White", "Black"]).all() and (either["age"] <= 40).all()


@pytest.mark.parametrize("name", list(GENERATORS))
def test_rebalance_target_and_group_shares(fitted: dict[str, Any], table: pd.DataFrame, name: str) -> None:
    assert (table["class"] == ">50K").mean() < 0.3  # the real share is far from 1/2
    out = _sample(fitted, name, table, rebalance=["class=0.5,0.5"])
    assert (out["class"] == ">50K").sum() == N // 2
    out = _sample(fitted, name, table, rebalance=["sex=Female:0.7,Male:0.3"])
    assert abs((out["sex"] == "Female").mean() - 0.7) <= 1 / N
    # every prefix holds the shares within one row (so any row count is balanced)
    prefix = out.iloc[:37]
    assert abs((prefix["sex"] == "Female").sum() - 0.7 * 37) <= 1


@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_constraint_kind_holds_on_every_row(fitted: dict[str, Any], table: pd.DataFrame,
                                                  name: str) -> None:
    dp = fitted[name].caps.dp
    combos = table[["education", "education_num"]].drop_duplicates()
    declared = tuple(map(tuple, combos.itertuples(index=False)))
    constraints = [
        FixedCombinations(("education", "education_num"), declared if dp else None),
        Inequality("education_num", "age"),
        Range("hours_per_week", 20, 60),
        Range("age", 18, 70, handling="clip"),
        ValueSet("race", ("White", "Black", "Asian-Pac-Islander")),
        ValueSet("education_num", (9, 10, 13), handling="snap"),
        Rounding("hours_per_day", 1 if dp else None),
    ]
    out = _sample(fitted, name, table, constraints=constraints)
    pairs = set(zip(out["education"], out["education_num"].astype(int), strict=True))
    assert pairs <= set(zip(combos["education"], combos["education_num"].astype(int), strict=True))
    assert (out["education_num"] <= out["age"]).all()
    assert out["hours_per_week"].between(20, 60).all() and out["age"].between(18, 70).all()
    assert out["race"].isin(["White", "Black", "Asian-Pac-Islander"]).all()
    assert out["education_num"].isin([9, 10, 13]).all()
    day = out["hours_per_day"].to_numpy(dtype=float)
    assert np.allclose(day, np.round(day, 1))


def test_dp_constraints_cost_no_epsilon_and_refuse_learning(fitted: dict[str, Any], table: pd.DataFrame) -> None:
    gen = fitted["aim"]
    before = gen.privacy_spent()
    sampler = conditional_sampler(gen, build_spec(conditions=["sex=Female"], constraints=[Range("age", 20, 60)]),
                                  data=table)
    sampler.sample(50, seed=1)
    after = sampler.privacy_spent()
    assert gen.privacy_spent() == before
    assert (after.epsilon, after.delta, after.rho) == (before.epsilon, before.delta, before.rho)
    assert PUBLIC_NOTE in after.public and PUBLIC_NOTE not in before.public
    with pytest.raises(ParameterError, match="would learn from the training data"):
        conditional_sampler(gen, SamplingSpec(constraints=(FixedCombinations(("education", "race")),)), data=table)
    with pytest.raises(ParameterError, match="decimals"):
        conditional_sampler(gen, SamplingSpec(constraints=(Rounding("hours_per_day"),)), data=table)


@pytest.mark.parametrize(("spec", "error", "column"), [
    (build_spec(conditions=["gender=Female"]), SchemaError, "gender"),
    (build_spec(conditions=["sex=Femal"]), ParameterError, "sex"),
    (build_spec(conditions=["age=40..30"]), ParameterError, "age"),
    (build_spec(conditions=["age=200..300"]), ParameterError, "age"),
    (build_spec(conditions=["sex=1..2"]), ParameterError, "sex"),
    (build_spec(rebalance=["class=0.2,0.3,0.5"]), ParameterError, "class"),
    (build_spec(rebalance=["race=Martian:1"]), ParameterError, "race"),
    (build_spec(conditions=["sex=Male"], rebalance=["sex=Female:0.5,Male:0.5"]), ParameterError, "sex"),
    (build_spec(conditions=["age=20..30"], constraints=[Range("age", 40, 50)]), ParameterError, "age"),
    (build_spec(conditions=["age=..20"], constraints=[Inequality("hours_per_week", "age", strict=True),
                                                        Range("hours_per_week", 25, None)]), ParameterError, "age"),
    (build_spec(constraints=[FixedCombinations(("sex", "race"), (("Male", "White"),))],
                conditions=["sex=Female"]), ParameterError, "sex"),
])
def test_bad_specs_name_the_column(fitted: dict[str, Any], table: pd.DataFrame, spec: SamplingSpec,
                                   error: type[Exception], column: str) -> None:
    with pytest.raises(error, match=repr(column)):
        conditional_sampler(fitted["gaussian_copula"], spec, data=table)


def test_unreachable_conditions_stop_with_a_clear_error(fitted: dict[str, Any], table: pd.DataFrame) -> None:
    spec = build_spec(conditions=["age=80..87", "race=Other", "sex=Female", "education=Doctorate"])
    sampler = conditional_sampler(fitted["gaussian_copula"], spec, data=table)
    with pytest.raises(ParameterError, match="min_acceptance"):
        sampler.sample(100, seed=0)


def test_streamed_conditioned_file_is_the_same_for_any_chunk_size(fitted: dict[str, Any], table: pd.DataFrame,
                                                                   tmp_path: Any) -> None:
    sampler = conditional_sampler(fitted["gaussian_copula"],
                                  build_spec(conditions=["sex=Female"], rebalance=["class=0.5,0.5"]), data=table)
    a = sample_to_file(sampler, 12_345, tmp_path / "a.parquet", seed=4, chunk_rows=10_000)
    b = sample_to_file(sampler, 12_345, tmp_path / "b.parquet", seed=4, chunk_rows=30_000)
    fa, fb = pd.read_parquet(tmp_path / "a.parquet"), pd.read_parquet(tmp_path / "b.parquet")
    assert a.rows == b.rows == 12_345 and a.chunks == 2 and b.chunks == 1
    pd.testing.assert_frame_equal(fa, fb)
    assert (fa["sex"] == "Female").all()
    assert abs((fa["class"] == ">50K").sum() - 12_345 / 2) <= 2


def test_parsing_and_spec_files(tmp_path: Any) -> None:
    assert parse_condition("age=30..40") == Between("age", 30, 40)
    assert parse_condition("age=..40.5") == Between("age", None, 40.5)
    assert parse_condition("race=A|B") == Fixed("race", ("A", "B"))
    assert parse_rebalance("class=0.5,0.5") == Rebalance("class", (0.5, 0.5))
    assert parse_rebalance("sex=F:70,M:30") == Rebalance("sex", (0.7, 0.3), ("F", "M"))
    for bad in ("age", "=3", "age=..", "class=a,b", "class=0.5,0.6"):
        with pytest.raises(ParameterError):
            parse_rebalance(bad) if bad.startswith("class") else parse_condition(bad)
    path = tmp_path / "spec.yaml"
    path.write_text(
        "conditions:\n  sex: Female\n  age: {between: [30, 40]}\n"
        "rebalance:\n  class: {'<=50K': 0.5, '>50K': 0.5}\n"
        "constraints:\n  - {type: inequality, low: education_num, high: age}\n"
        "  - {type: rounding, column: hours_per_day, decimals: 1}\n", encoding="utf-8")
    spec = load_spec(path)
    assert spec.conditions == (Fixed("sex", ("Female",)), Between("age", 30, 40))
    assert spec.rebalance[0].values == ("<=50K", ">50K")
    assert [c.kind for c in spec.constraints] == ["inequality", "rounding"]
    assert SamplingSpec.from_dict(spec.to_dict()).constraints == spec.constraints
    (tmp_path / "bad.json").write_text('{"constraints": [{"type": "between"}]}', encoding="utf-8")
    with pytest.raises(ParameterError, match="unknown constraint type"):
        load_spec(tmp_path / "bad.json")

"""Fairness and target rules users meet from Python: one column as a string, multiclass targets,
missing target values, small groups and intervals (issue 18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from synthguard.data import train_holdout_split
from synthguard.evaluation import evaluate, render_html
from synthguard.evaluation.fairness import MIN_GROUP_SIZE, group_fairness
from synthguard.generators import create_generator


@pytest.fixture(scope="module")
def tables(adult_small: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    split = train_holdout_split(adult_small, stratify="class", seed=0)
    synthetic = create_generator("gaussian_copula").fit(split.train, seed=0).sample(len(split.train), seed=1)
    return split.train, synthetic, split.holdout


def test_one_sensitive_column_as_a_string_is_that_column(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    result = evaluate(real, synthetic, holdout, target="class", sensitive="sex")
    assert result["sensitive"] == ["sex"]
    assert set(result["fairness"]["real_model"]["by_column"]) == {"sex"}


def test_multiclass_target_reports_one_vs_rest_fairness(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    result = evaluate(real, synthetic, holdout, target="relationship", sensitive=["sex"])
    fair = result["fairness"]
    assert fair["scheme"] == "one-vs-rest"
    assert set(fair["classes"]) == set(holdout["relationship"].astype(str))
    for model in ("real_model", "synthetic_model"):
        per_class = fair[model]["per_class"]
        assert set(per_class) == set(fair["classes"])
        worst = fair[model]["worst_class"]["equalized_odds_difference"]
        assert fair[model]["equalized_odds_difference"] == max(
            v["equalized_odds_difference"] for v in per_class.values() if v["equalized_odds_difference"] is not None)
        assert worst in per_class
    assert "roc_auc" in result["utility"]["tstr"]
    html = render_html(result, real, synthetic).render()
    assert "one-vs-rest" in html or "against the rest" in html


def test_missing_target_values_are_dropped_by_a_stated_rule(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = (t.copy() for t in tables)
    real.loc[real.index[:50], "class"] = np.nan
    holdout.loc[holdout.index[:20], "class"] = np.nan
    result = evaluate(real, synthetic, holdout, target="class", sensitive=["sex"])
    util = result["utility"]
    assert util["rows_without_target"] == {"real": 50, "synthetic": 0, "holdout": 20}
    assert "left out" in util["missing_target_rule"]
    assert np.isfinite(util["trtr"]["roc_auc"]) and np.isfinite(util["tstr"]["roc_auc"])
    assert util["trtr"]["roc_auc"] > 0.8


def test_small_groups_are_flagged_not_turned_into_a_difference_of_one() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    groups = pd.DataFrame({"g": rng.choice(["a", "b"], n)})
    groups.loc[:11, "g"] = "tiny"  # 12 rows, all predicted positive: a 1.0 difference by chance
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    y_pred[:12] = 1
    y_true[:12] = 0
    result = group_fairness(y_true, y_pred, groups, seed=0)
    block = result["by_column"]["g"]
    assert block["small_groups"] == ["tiny"] and "tiny" not in block["groups"]
    keep = groups["g"].to_numpy() != "tiny"
    expected_dp = demographic_parity_difference(y_true[keep], y_pred[keep], sensitive_features=groups["g"][keep])
    expected_eo = equalized_odds_difference(y_true[keep], y_pred[keep], sensitive_features=groups["g"][keep])
    assert result["demographic_parity_difference"] == pytest.approx(expected_dp)
    assert result["equalized_odds_difference"] == pytest.approx(expected_eo)
    assert result["demographic_parity_difference"] < 0.1
    lo, hi = result["ci95"]["demographic_parity_difference"]
    assert lo <= result["demographic_parity_difference"] <= hi and hi - lo > 0.005
    # Keeping the tiny group (as before) would have reported a large difference.
    assert demographic_parity_difference(y_true, y_pred, sensitive_features=groups["g"]) > 0.4


def test_no_difference_when_fewer_than_two_groups_are_large_enough() -> None:
    groups = pd.DataFrame({"g": ["a"] * 100 + ["b"] * (MIN_GROUP_SIZE - 1)})
    y = np.r_[np.zeros(50), np.ones(50 + MIN_GROUP_SIZE - 1)].astype(int)
    result = group_fairness(y, y, groups)
    assert result["demographic_parity_difference"] is None
    assert "fewer than two groups" in result["by_column"]["g"]["note"]

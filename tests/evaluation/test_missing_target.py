"""NaN targets: the stated rule (rows without a target are left out of utility and fairness,
counted in the report) is exactly what happens, and the count reaches HTML and leaderboard."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthguard.data import train_holdout_split
from synthguard.errors import ParameterError
from synthguard.evaluation import evaluate, leaderboard, render_html
from synthguard.evaluation._checks import MISSING_TARGET_RULE

COLS = ["age", "education_num", "hours_per_week", "sex", "race", "relationship", "class"]


@pytest.fixture(scope="module")
def tables(adult_small: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    split = train_holdout_split(adult_small[COLS].iloc[:600], stratify="class", seed=0)
    rng = np.random.default_rng(1)
    synthetic = split.train.apply(lambda c: rng.permutation(c.to_numpy())).reset_index(drop=True)
    return split.train, synthetic, split.holdout


def _with_nan(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index[:rows], "class"] = np.nan
    return out


def test_the_rule_is_exactly_dropping_those_rows(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    real_n, syn_n, hold_n = _with_nan(real, 40), _with_nan(synthetic, 15), _with_nan(holdout, 25)
    got = evaluate(real_n, syn_n, hold_n, target="class", sensitive="sex", seed=3)
    dropped = evaluate(*(t.dropna(subset=["class"]).reset_index(drop=True) for t in (real_n, syn_n, hold_n)),
                       target="class", sensitive="sex", seed=3)
    util = got["utility"]
    assert util["rows_without_target"] == {"real": 40, "synthetic": 15, "holdout": 25}
    assert util["missing_target_rule"] == MISSING_TARGET_RULE
    for model in ("trtr", "tstr"):  # same models, same scores as on the tables without those rows
        assert util[model] == pytest.approx(dropped["utility"][model])
        assert np.isfinite(util[model]["roc_auc"])  # ROC-AUC is not lost
    assert got["fairness"]["real_model"]["demographic_parity_difference"] == pytest.approx(
        dropped["fairness"]["real_model"]["demographic_parity_difference"])
    # ... and the rows stay in every other metric
    assert got["rows"] == {"real": len(real), "synthetic": len(synthetic), "holdout": len(holdout)}


def test_the_count_reaches_html_and_leaderboard(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    result = evaluate(_with_nan(real, 40), synthetic, _with_nan(holdout, 25), target="class")
    html = render_html(result, real, synthetic).render()
    assert "Rows without a target value (real: 40, holdout: 25)" in html and "left out" in html
    assert leaderboard({"a": result}).loc["a", "rows without target"] == 65
    clean = evaluate(real, synthetic, holdout, target="class")
    assert "Rows without a target value" not in render_html(clean, real, synthetic).render()
    assert leaderboard({"a": clean}).loc["a", "rows without target"] == 0


def test_a_target_with_no_values_is_a_typed_error(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    with pytest.raises(ParameterError, match=r"target 'class' has 0 distinct value\(s\) in the holdout table.*target=$"):
        evaluate(real, synthetic, _with_nan(holdout, len(holdout)), target="class")

"""The Compare page's leaderboard as a person reads it: rows beside every score, every verdict
and fairness column in the headline grid in a sensible order, readable names instead of result
keys, no 16-digit floats. Built from real ``evaluate`` results on a small Adult sample."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from synthguard.apps import _board
from synthguard.data import infer_schema, load_table, train_holdout_split
from synthguard.evaluation import evaluate
from synthguard.generators import create_generator

DECIMALS = re.compile(r"\d\.\d{4,}")  # a number printed with more than 3 decimals


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    frame = load_table("adult").sample(900, random_state=1).reset_index(drop=True)
    split = train_holdout_split(frame, holdout_fraction=0.3, stratify="class", seed=0)
    schema = infer_schema(split.train)
    small = create_generator("gaussian_copula").fit(split.train, schema=schema, seed=0).sample(150, seed=0)
    full = create_generator("gaussian_copula").fit(split.train, schema=schema, seed=1).sample(630, seed=1)
    out = {}
    for name, synthetic in ((_board.BASELINE, split.train), ("small", small), ("full", full)):
        out[name] = evaluate(split.train, synthetic, split.holdout, target="class",
                             sensitive=["sex"], schema=schema, attacks=["dcr", "exact_match"], seed=0)
    return out


def test_headline_has_rows_and_every_verdict_and_fairness_column(results: dict[str, dict]) -> None:
    board = _board.rounded(_board.leaderboard(results, {"small": {"generator": "gaussian_copula"},
                                                        "full": {"generator": "gaussian_copula"}}))
    headline, details = _board.split_board(board)
    # every column is shown once, in one of the two grids
    assert sorted([*headline.columns, *details.columns]) == sorted(board.columns)
    assert not set(headline.columns) & set(details.columns)
    # identity first (rows right after the generator), then the verdicts, then fairness
    columns = list(headline.columns)
    assert columns[:4] == ["generator", "rows", "ε", "checks"]
    verdicts = ["leakage verdict", "quality", "detection AUC", "TSTR / TRTR", "DCR share closer to train",
                "exact copies of train", "max membership AUC"]
    fairness = ["EO gap (synthetic − real)", "DP gap (synthetic − real)", "small groups"]
    assert [c for c in columns if c in verdicts] == verdicts
    assert columns[-3:] == fairness
    assert len(columns) <= 15  # fits a 1,400-px page without scrolling
    # the row counts are there: a 150-row artifact is not silently compared with a 630-row one
    assert headline.loc["small", "rows"] == 150 and headline.loc["full", "rows"] == 630
    assert str(headline["rows"].dtype) == "Int64"
    # intervals are in the details, beside their numbers
    assert {"detection AUC 95% CI", "DCR share 95% CI", "EO difference 95% CI"} <= set(details.columns)
    assert details.loc["full", "DCR share 95% CI"].startswith("[")
    # no result key as a column name, no long float
    assert not [c for c in board.columns if "_" in c]
    printed = board.to_string()
    assert not DECIMALS.search(printed), DECIMALS.findall(printed)[:5]


def test_other_tables_have_readable_names_and_short_numbers(results: dict[str, dict]) -> None:
    util = results["full"]["utility"]
    table = _board.readable(pd.DataFrame.from_dict({"TRTR": util["trtr"], "TSTR": util["tstr"]},
                                                   orient="index"))
    assert "ROC-AUC" in table.columns and "roc_auc" not in table.columns
    groups, _, _ = _board.group_table(results["full"]["fairness"]["synthetic_model"])
    assert groups is not None
    shown = _board.readable(groups)
    assert {"selection rate", "TPR (true-positive rate)", "rows"} <= set(shown.columns)
    assert str(shown["rows"].dtype) == "Int64"
    for frame in (table, shown):
        assert not [c for c in frame.columns if "_" in str(c)]
        assert not DECIMALS.search(frame.to_string())
    # a value the evaluation produced with 16 digits is shown with 3
    assert _board.readable(pd.DataFrame({"x": [0.1234567890123456]}))["x"].iloc[0] == 0.123
    assert _board.label("tstr_trtr_ratio") == "TSTR / TRTR" and _board.label("some_key") == "some key"

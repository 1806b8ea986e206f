"""The leaderboard of evaluated artifacts: rows, every verdict/fairness column, readable names,
rounded values, tooltips with thresholds, and the privacy-utility figure."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synthguard
from synthguard.data import train_holdout_split
from synthguard.evaluation import evaluate, plots
from synthguard.evaluation.leaderboard import (
    BASELINE,
    COLUMNS,
    INT_COLUMNS,
    TEXT_COLUMNS,
    THRESHOLDS,
    checks_text,
    column_help,
    leaderboard,
)
from synthguard.evaluation.provenance import Provenance

COLS = ["age", "education_num", "hours_per_week", "sex", "race", "marital_status", "class"]


@pytest.fixture(scope="module")
def results(adult_small: pd.DataFrame) -> dict[str, Any]:
    frame = adult_small[COLS].iloc[:1200]
    split = train_holdout_split(frame, holdout_fraction=0.3, stratify="class", seed=0)
    rng = np.random.default_rng(0)
    # copies: 300 train rows verbatim (memorisation); shuffled: each column permuted alone
    copies = split.train.sample(300, random_state=0).reset_index(drop=True)
    shuffled = split.train.apply(lambda c: rng.permutation(c.to_numpy())).reset_index(drop=True)
    out = {}
    for name, synthetic in ((BASELINE, split.train), ("copies", copies), ("shuffled", shuffled)):
        out[name] = evaluate(split.train, synthetic, split.holdout, target="class", sensitive="sex",
                             attacks=["dcr"], seed=0)
    out["multiclass"] = evaluate(split.train, shuffled, split.holdout, target="marital_status",
                                 sensitive="sex", seed=0)
    return out


def test_rows_and_every_column_in_readable_names(results: dict[str, Any]) -> None:
    board = leaderboard(results)
    assert list(board.columns) == list(COLUMNS) and board.index.name == "artifact"
    assert board.loc["copies", "rows"] == 300 and board.loc["shuffled", "rows"] == 840
    assert board.loc["copies", "rows / train rows"] == round(300 / 840, 3)
    assert "rows / train rows" in board.loc["copies", "checks"]  # a small artifact is flagged
    assert "rows / train rows" not in board.loc["shuffled", "checks"]
    assert not any("_" in c for c in board.columns)  # no raw key names
    for column in ("detection AUC 95% CI", "DCR share 95% CI", "DP difference 95% CI",
                   "EO difference 95% CI"):
        assert re.fullmatch(r"\[\d\.\d{3}, \d\.\d{3}\]", board.loc["shuffled", column]), column
    assert board.loc["copies", "exact copies of train"] == 300
    assert board.loc["copies", "leakage verdict"] in ("medium", "high")
    assert board.loc["multiclass", "fairness scheme"] == "one-vs-rest"
    assert board.loc["shuffled", "fairness scheme"] == "binary"
    # the multiclass headline carries its worst class's interval, not an empty one
    assert board.loc["multiclass", "EO difference 95% CI"] is not None


def test_values_are_rounded_and_raw_on_request(results: dict[str, Any]) -> None:
    board, raw = leaderboard(results), leaderboard(results, digits=None)
    for column in board.columns:
        if column in TEXT_COLUMNS or column in ("ε", "δ"):
            continue
        values = board[column].dropna()
        if column in INT_COLUMNS:
            assert str(board[column].dtype) == "Int64", column
        assert all(abs(v * 1000 - round(v * 1000)) < 1e-6 for v in values.astype(float)), column
    assert raw.loc["shuffled", "quality"] != board.loc["shuffled", "quality"]
    assert raw.loc["shuffled", "quality"] == pytest.approx(board.loc["shuffled", "quality"], abs=5e-4)


def test_checks_apply_the_stated_thresholds(results: dict[str, Any]) -> None:
    board = leaderboard(results)
    assert "exact copies of train" in board.loc["copies", "checks"]
    assert board.loc["copies", "checks"].startswith("✗")
    for name, row in board.iterrows():  # each check fails exactly when its rule does
        failed = row["checks"].split(" (")[0].removeprefix("✗ ").split(", ") if row["checks"].startswith("✗") else []
        assert ("exact copies of train" in failed) == (row["exact copies of train"] > 0), name
        assert ("quality" in failed) == (row["quality"] < 0.8), name
        assert ("rows / train rows" in failed) == (row["rows / train rows"] < 0.5), name
    assert checks_text({"quality": 0.9, "detection AUC": 0.6, "exact copies of train": 0}) == "✓ all 3"
    assert checks_text({"quality": 0.5}) == "✗ quality (0/1)"
    assert checks_text({}) == "–"


def test_meta_and_embedded_provenance_fill_generator_and_epsilon(results: dict[str, Any]) -> None:
    prov = Provenance(generator="mst", epsilon=1.23456, delta=1e-6, run_id="abc123")
    embedded = {**results["shuffled"], "provenance": Provenance(generator="aim", epsilon=0.5).to_dict()}
    board = leaderboard({"a": results["shuffled"], "b": embedded, "c": results["copies"]},
                        {"a": prov, "c": {"generator": "ctgan", "epsilon": None}})
    assert board.loc["a", ["generator", "ε", "run id"]].tolist() == ["mst", 1.23, "abc123"]
    assert board.loc["b", ["generator", "ε"]].tolist() == ["aim", 0.5]
    assert board.loc["c", "generator"] == "ctgan" and pd.isna(board.loc["c", "ε"])
    assert synthguard.leaderboard is leaderboard


def test_column_help_covers_every_column_with_thresholds() -> None:
    helps = column_help()
    assert set(helps) == set(COLUMNS)
    for threshold in THRESHOLDS:
        assert threshold.rule in helps[threshold.column]
    assert "Threshold" not in helps["rows"]


def test_privacy_utility_plot(results: dict[str, Any]) -> None:
    board = leaderboard({BASELINE: results[BASELINE], "shuffled": results["shuffled"],
                         "copies": results["copies"]},
                        {"shuffled": {"generator": "mst", "epsilon": 1.0}, "copies": {"generator": "x"}})
    fig = plots.privacy_utility(board)
    axes = fig.axes
    assert [ax.get_ylabel() for ax in axes] == ["TSTR / TRTR", "quality"]
    labels = [t.get_text() for t in axes[0].get_xticklabels()]
    assert "1" in labels and "∞ (no DP)" in labels  # DP point and the no-DP edge
    assert len(axes[0].lines) == 1  # the baseline's dashed line
    points = axes[0].collections[0].get_offsets()
    assert len(points) == 2  # the baseline is a line, not a point

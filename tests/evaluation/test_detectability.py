"""The report says which columns give synthetic rows away, with intervals (aggregates only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthguard.evaluation import evaluate, write_report
from synthguard.evaluation.detectability import auc_fast, bootstrap_auc, detectability
from synthguard.evaluation.fidelity import detection_fit, detection_score


@pytest.fixture(scope="module")
def halves(adult: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two disjoint samples of real rows: the second plays 'synthetic'."""
    rows = adult.sample(4000, random_state=3).reset_index(drop=True)
    return rows.iloc[:2000].reset_index(drop=True), rows.iloc[2000:].reset_index(drop=True)


def test_noised_column_is_ranked_first(halves: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    real, synthetic = halves[0], halves[1].copy()
    synthetic["hours_per_week"] = np.random.default_rng(0).integers(1, 99, len(synthetic))
    det = detectability(detection_fit(real, synthetic, seed=0))
    first = det["importances"][0]
    assert first["column"] == "hours_per_week" and first["share"] > 0.6
    shares = [i["share"] for i in det["importances"]]
    assert all(s >= 0 for s in shares) and sum(shares) == pytest.approx(1.0)
    lo, hi = det["detection_auc_ci"]
    assert 0.8 < lo <= det["detection_auc"] <= hi < 1.0 and hi - lo < 0.05
    assert det["top_columns"][0]["column"] == "hours_per_week" and det["top_columns"][0]["auc"] > 0.8
    assert det["detection_auc"] == detection_score(real, synthetic, seed=0)["detection_auc"]


def test_broken_pair_shows_as_pair_lift(halves: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Shuffling one column keeps its marginal: alone it tells nothing, with a partner it does."""
    real, synthetic = halves[0], halves[1].copy()
    synthetic["relationship"] = synthetic["relationship"].sample(frac=1, random_state=1).to_numpy()
    det = detectability(detection_fit(real, synthetic, seed=0))
    assert det["importances"][0]["column"] == "relationship"
    single = {c["column"]: c for c in det["top_columns"]}["relationship"]
    assert single["auc"] < 0.56 and single["ci"][0] <= 0.55
    best = max((p for p in det["top_pairs"] if "relationship" in p["columns"]), key=lambda p: p["lift"])
    assert best["lift"] > 0.1 and best["ci"][0] > single["ci"][1]


def test_same_distribution_interval_reaches_one_half(halves: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    det = detectability(detection_fit(*halves, seed=0), top=2)
    assert det["detection_auc_ci"][0] <= 0.55 and len(det["fold_aucs"]) == 3
    assert len(det["top_columns"]) == 2 and len(det["top_pairs"]) == 1


def test_bootstrap_auc_matches_the_point_estimate() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 3000)
    scores = np.round(rng.normal(y * 0.5, 1.0), 1)  # ties on purpose
    lo, hi = bootstrap_auc(y, scores, seed=0)
    assert lo < auc_fast(y, scores) < hi and hi - lo < 0.04
    from sklearn.metrics import roc_auc_score

    assert auc_fast(y, scores) == pytest.approx(roc_auc_score(y, scores))


def test_report_has_detectability_and_intervals(halves: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path) -> None:
    real, synthetic = halves[0].iloc[:1000], halves[1].iloc[:1000].copy()
    synthetic["age"] = synthetic["age"].to_numpy()[::-1] + 30
    holdout = halves[1].iloc[1000:]
    result = evaluate(real, synthetic, holdout, seed=0)
    det = result["detectability"]
    assert det["importances"][0]["column"] == "age"
    assert result["fidelity"]["detection_auc_ci"] == det["detection_auc_ci"]
    lo, hi = result["privacy"]["dcr_share_closer_to_train_ci"]
    assert lo <= result["privacy"]["dcr_share_closer_to_train"] <= hi
    out = write_report(result, tmp_path / "r.html", real=real, synthetic=synthetic)
    page = out.read_text(encoding="utf-8")
    assert "Detectability" in page and "share of the detector" in page.lower() and page.count("<img") >= 4
    assert "95% CI" in page
    write_report(result, tmp_path / "r.json", real=real, synthetic=synthetic)
    assert '"detection_auc_ci"' in (tmp_path / "r.json").read_text(encoding="utf-8")

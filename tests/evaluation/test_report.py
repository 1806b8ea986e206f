from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from synthguard.data import train_holdout_split
from synthguard.errors import ParameterError, SchemaError
from synthguard.evaluation import evaluate, quality_score, write_report
from synthguard.generators import create_generator


@pytest.fixture(scope="module")
def tables(adult_small: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    split = train_holdout_split(adult_small, stratify="class", seed=0)
    synthetic = create_generator("gaussian_copula").fit(split.train, seed=0).sample(len(split.train), seed=1)
    return split.train, synthetic, split.holdout


def test_quality_agrees_with_sdmetrics(tables: tuple[pd.DataFrame, ...]) -> None:
    from sdmetrics.reports.single_table import QualityReport
    from sdv.metadata import Metadata

    real, synthetic, _ = tables
    stock = create_generator("sdv_gaussian_copula").fit(real, seed=0).sample(len(real), seed=1)
    metadata = Metadata.detect_from_dataframes({"t": real}).to_dict()["tables"]["t"]
    for candidate in (synthetic, stock):
        theirs = QualityReport()
        theirs.generate(real, candidate, metadata, verbose=False)
        assert abs(quality_score(real, candidate).score - theirs.get_score()) <= 0.02


def test_evaluate_sections_and_keys(tables: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    real, synthetic, holdout = tables
    result = evaluate(real, synthetic, holdout, target="class", sensitive=["sex", "race"])
    assert 0.9 <= result["fidelity"]["quality_score"] <= 1.0
    assert 0.5 <= result["fidelity"]["detection_auc"] <= 1.0
    for side in ("trtr", "tstr"):
        assert set(result["utility"][side]) >= {"roc_auc", "accuracy", "f1"}
    assert result["utility"]["trtr"]["roc_auc"] > 0.85
    assert result["utility"]["tstr"]["roc_auc"] > 0.78  # 2,100 training rows; 0.87 on full Adult
    privacy = result["privacy"]
    assert 0.35 < privacy["dcr_share_closer_to_train"] < 0.65
    assert privacy["exact_copies_of_train"] <= 3
    fair = result["fairness"]
    for model in ("real_model", "synthetic_model"):
        assert {"demographic_parity_difference", "equalized_odds_difference"} <= set(fair[model])
        assert "Male" in fair[model]["by_column"]["sex"]["groups"]
        assert any("|" in g for g in fair[model]["intersectional"]["groups"])
        assert set(fair[model]["by_column"]["sex"]["groups"]["Male"]) >= {"selection_rate", "tpr", "fpr", "accuracy"}
    out = write_report(result, tmp_path / "r.json", real=real, synthetic=synthetic)
    assert json.loads(out.read_text())["fidelity"]["quality_score"] == result["fidelity"]["quality_score"]


def test_html_report_is_self_contained_and_holds_no_rows(tables: tuple[pd.DataFrame, ...], tmp_path: Path) -> None:
    real, synthetic, holdout = tables
    result = evaluate(real, synthetic, holdout, target="class", sensitive=["sex"])
    html = write_report(result, tmp_path / "r.html", real=real, synthetic=synthetic).read_text()
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert html.count("data:image/png;base64,") >= 4
    weights = set(real["final_weight"].astype(str))  # near-unique values: one would reveal a row
    assert not any(f">{w}<" in html for w in list(weights)[:500])


def test_copies_are_counted(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    clean = evaluate(real, synthetic, holdout)["privacy"]
    leaky = pd.concat([real.iloc[:1000], synthetic.iloc[1000:]], ignore_index=True)
    result = evaluate(real, leaky, holdout)["privacy"]
    assert result["exact_copies_of_train"] >= 990 > clean["exact_copies_of_train"] + 900
    # equal-size reference samples hold ~43% of the copied rows: expected share ≈ 0.6
    assert result["dcr_share_closer_to_train"] > clean["dcr_share_closer_to_train"] + 0.05


def test_evaluate_bad_input(tables: tuple[pd.DataFrame, ...]) -> None:
    real, synthetic, holdout = tables
    with pytest.raises(SchemaError, match="nope"):
        evaluate(real, synthetic, holdout, target="nope")
    with pytest.raises(SchemaError, match="nope"):
        evaluate(real, synthetic, holdout, target="class", sensitive=["nope"])
    one_class = real.assign(constant="x")
    with pytest.raises(ParameterError, match="constant"):
        evaluate(one_class, synthetic.assign(constant="x"), holdout.assign(constant="x"), target="constant")
    with pytest.raises(SchemaError, match="lacks columns"):
        evaluate(real, synthetic.drop(columns=["age"]), holdout)

"""The one-call Python API: typed results, strings for one column, errors in Python terms."""

from __future__ import annotations

import pandas as pd
import pytest

import synthguard
from synthguard.errors import ParameterError
from synthguard.generators import DEFAULT_TABULAR_GENERATOR


@pytest.fixture(scope="module")
def result(adult_small: pd.DataFrame) -> synthguard.SynthesisResult:
    return synthguard.synthesize(adult_small, target="class", sensitive="sex", rows=1000, seed=0)


def test_synthesize_returns_typed_results(result: synthguard.SynthesisResult) -> None:
    assert isinstance(result.report, synthguard.EvaluationReport)
    assert len(result.synthetic) == 1000 and list(result.synthetic.columns) == list(result.train.columns)
    assert len(result.train) + len(result.holdout) == 3000
    assert 0.85 < result.report.quality <= 1.0
    assert 0.5 <= result.report.detection_auc <= 1.0
    assert result.report.tstr_trtr_ratio is not None and result.report.tstr_trtr_ratio > 0.8
    assert result.privacy is None  # the default (sequential_trees) is not DP
    assert result.generator.name == DEFAULT_TABULAR_GENERATOR == "sequential_trees"


def test_results_flatten_serialise_and_render(result: synthguard.SynthesisResult) -> None:
    frame = result.report.to_frame()
    assert frame.loc["fidelity.quality_score", "value"] == result.report.quality
    assert "utility.tstr.roc_auc" in frame.index and "fairness.synthetic_model.equalized_odds_difference" in frame.index
    assert not any(key.startswith("fidelity.per_column") for key in frame.index)
    data = result.to_dict()
    assert data["rows"] == {"train": len(result.train), "holdout": len(result.holdout), "synthetic": 1000}
    assert data["report"]["sensitive"] == ["sex"]
    html = result._repr_html_()
    assert html.startswith("<p><b>sequential_trees</b>") and "data:image/png;base64," in html
    assert "<script" not in html and "https://" not in html


def test_evaluate_accepts_paths_and_frames(result: synthguard.SynthesisResult, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "syn.parquet"
    result.synthetic.to_parquet(path)
    report = synthguard.evaluate(result.train, path, result.holdout, target="class")
    assert isinstance(report, synthguard.EvaluationReport) and "fairness" not in report.to_dict()
    out = report.save(tmp_path / "r.json")
    assert out.read_text().startswith("{")


def test_bad_arguments_are_named_in_python_terms(adult_small: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="target 'nope'"):
        synthguard.synthesize(adult_small, target="nope")
    with pytest.raises(ParameterError, match=r"^rows must be"):
        synthguard.synthesize(adult_small, rows=0)

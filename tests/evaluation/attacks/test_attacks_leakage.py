"""evaluate_leakage / compare_leakage / render_leakage: the report section and bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from synthguard.errors import SchemaError, UnknownPluginError
from synthguard.evaluation.attacks import HoldoutTooSmallError
from synthguard.evaluation.html import HtmlReport
from synthguard.evaluation.leakage import (
    REAL_TRAIN,
    THRESHOLDS,
    compare_leakage,
    evaluate_leakage,
    render_leakage,
)

MEMBERSHIP_KEYS = {"auc", "tpr_at_fpr_0.01", "tpr_at_fpr_0.1", "ci", "verdict"}
RISK_KEYS = {"risk", "ci", "verdict"}


def test_leakage_section_has_the_report_shape_and_flags_copies(tables, synthetic) -> None:
    t = tables("adult_mixed")
    progress: list[tuple[str, float, float | None]] = []
    section = evaluate_leakage(
        train=t.train, holdout=t.holdout, synthetic=synthetic("adult_mixed", "copy_leaky", 0.5),
        attacks="all", secret="income" if "income" in t.train else "class",
        quasi_identifiers=["age", "sex", "race", "marital_status", "education"],
        max_targets=600, seed=0, progress=lambda *a: progress.append(a),
    )
    json.dumps(section)  # JSON-ready as is
    assert set(section["membership"]) == {"dcr", "dcr_ratio", "domias", "exact_match"}
    for entry in section["membership"].values():
        assert set(entry) >= MEMBERSHIP_KEYS
        assert set(entry["ci"]) >= {"auc", "tpr_at_fpr_0.01", "tpr_at_fpr_0.1"}
        assert entry["ci"]["auc"][0] <= entry["auc"] <= entry["ci"]["auc"][1]
    for kind in ("attribute_inference", "singling_out", "linkability", "reproduction"):
        assert set(section[kind]) >= RISK_KEYS, kind
        assert section[kind]["verdict"] in ("low", "medium", "high")
        assert 0 <= section[kind]["ci"][0] <= section[kind]["risk"] <= section[kind]["ci"][1]
    assert section["attribute_inference"]["secret"] == "class"
    assert section["attribute_inference"]["risk"] > 0.1  # copies give the secret away
    assert section["verdict"] == "high"
    assert section["thresholds"] == THRESHOLDS
    assert set(section["roc"]) == set(section["membership"])
    assert progress and progress[-1][0] == "leakage"


def test_render_single_and_side_by_side(tmp_path, tables, synthetic) -> None:
    t = tables("numeric")
    artifacts = {"copula": synthetic("numeric", "gaussian_copula"),
                 "copy_leaky 50%": synthetic("numeric", "copy_leaky", 0.5)}
    compared = compare_leakage(train=t.train, holdout=t.holdout, artifacts=artifacts,
                               attacks=["dcr_ratio", "exact_match", "reproduction"],
                               max_targets=400)
    names = list(compared["artifacts"])
    assert names == [REAL_TRAIN, "copula", "copy_leaky 50%"]
    assert compared["artifacts"][REAL_TRAIN]["verdict"] == "high"  # worst case
    assert compared["artifacts"]["copula"]["verdict"] == "low"
    assert compared["artifacts"]["copy_leaky 50%"]["verdict"] == "high"
    report = HtmlReport("leakage")
    render_leakage(report, compared)
    render_leakage(report, compared["artifacts"]["copula"])
    html = report.render()
    assert html.count("<img") == 4  # 3 side-by-side ROC figures + 1 single
    assert "copy_leaky 50%" in html and "high risk" in html and "low risk" in html
    path = report.write(tmp_path / "r.html")
    assert path.stat().st_size > 10_000


def test_bad_input_raises_typed_errors(tables, synthetic) -> None:
    t = tables("adult_mixed")
    syn = synthetic("adult_mixed", "gaussian_copula")
    with pytest.raises(HoldoutTooSmallError, match="holdout has 10 rows"):
        evaluate_leakage(train=t.train, holdout=t.holdout.head(10), synthetic=syn,
                         attacks=["dcr"])
    with pytest.raises(HoldoutTooSmallError, match="control rows"):
        evaluate_leakage(train=t.train, holdout=t.holdout.head(10), synthetic=syn,
                         attacks=["singling_out"])
    with pytest.raises(SchemaError, match="secret column 'salary' is missing"):
        evaluate_leakage(train=t.train, holdout=t.holdout, synthetic=syn,
                         attacks=["attribute_inference"], secret="salary")
    other = pd.DataFrame({"a": range(100), "b": ["x"] * 100})
    with pytest.raises(SchemaError, match="share no column"):
        evaluate_leakage(train=t.train, holdout=t.holdout, synthetic=other, attacks="all")
    with pytest.raises(SchemaError, match="quasi-identifier"):
        evaluate_leakage(train=t.train, holdout=t.holdout, synthetic=syn,
                         attacks=["linkability"], quasi_identifiers=["age", "shoe_size"])
    with pytest.raises(UnknownPluginError, match="known attacks: attribute_inference"):
        evaluate_leakage(train=t.train, holdout=t.holdout, synthetic=syn, attacks=["mia"])
    with pytest.raises(SchemaError, match="empty"):
        evaluate_leakage(train=t.train, holdout=t.holdout, synthetic=syn.head(0))

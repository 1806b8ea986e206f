"""The pipeline end to end on a small Adult sample: the student never sees a real row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from synthguard.compression import distill
from synthguard.compression._canon import array_sha256, row_hashes
from synthguard.compression.student import StudentConfig, train_student
from synthguard.compression.transfer import TransferSet
from synthguard.errors import ParameterError, SchemaError, UnknownPluginError

REPORT_FIELDS = ("roc_auc", "accuracy", "size_bytes", "params", "latency_ms", "fairness",
                 "membership_auc")


def test_no_real_row_is_in_what_the_student_saw(
        tiny_run: Any, adult_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, holdout = adult_split
    transfer: TransferSet = tiny_run.transfer
    features = tiny_run.data["features"]
    real = set(row_hashes(train[features])) | set(row_hashes(holdout[features]))
    seen = row_hashes(transfer.features)
    assert len(seen) == len(transfer) > 0
    assert real.isdisjoint(seen)
    assert tuple(seen) == transfer.row_hashes
    # what the student trained on is exactly the encoding of those rows + teacher logits
    assert np.array_equal(transfer.encoder.transform(transfer.features), transfer.x)
    assert transfer.sha256 == array_sha256(transfer.x, transfer.teacher_logits)
    assert tiny_run.report_dict()["transfer_set"]["sha256"] == transfer.sha256


def test_copies_of_real_rows_in_the_synthetic_input_are_dropped(
        adult_split: tuple[pd.DataFrame, pd.DataFrame], tiny_config: Any) -> None:
    from synthguard.generators import create_generator

    train, holdout = adult_split
    synthetic = create_generator("gaussian_copula").fit(train, seed=0).sample(1500, seed=1)
    leaked = pd.concat([synthetic, train.head(40), holdout.head(10)], ignore_index=True)
    result = distill(train, holdout, tiny_config(prune=0.0, sensitive=()), synthetic=leaked)
    features = result.data["features"]
    assert result.transfer.dropped_real_copies >= 50
    real = set(row_hashes(train[features])) | set(row_hashes(holdout[features]))
    assert real.isdisjoint(result.transfer.row_hashes)
    assert result.transfer.source == "file"


def test_report_has_teacher_student_and_each_compressed_level(tiny_run: Any) -> None:
    report = tiny_run.report_dict()
    methods = [c["method"] for c in report["compressed"]]
    assert {"int8", "fp16", "int8-static", "prune0.5", "prune0.5+int8"} <= set(methods)
    for entry in [report["teacher"], report["student"], *report["compressed"]]:
        for key in REPORT_FIELDS:
            assert key in entry, key
        assert set(entry["latency_ms"]) >= {"batch_1", "batch_1024"}
        assert 0.0 <= entry["membership_auc"] <= 1.0
        assert entry["fairness"], "fairness must be evaluated when --sensitive is given"
    student, teacher = report["student"], report["teacher"]
    assert student["params"] < teacher["params"] / 4
    assert student["roc_auc"] > 0.8  # far above chance even in this tiny run
    int8 = next(c for c in report["compressed"] if c["method"] == "int8")
    assert int8["size_bytes"] <= 0.35 * student["size_bytes"]
    assert abs(int8["roc_auc"] - student["roc_auc"]) < 0.02
    pruned = next(c for c in report["compressed"] if c["method"] == "prune0.5")
    assert pruned["params"] < 0.6 * student["params"]
    assert report["shipped"] == "prune0.5+int8"


def test_gbm_teacher_distils(adult_split: tuple[pd.DataFrame, pd.DataFrame],
                            tiny_config: Any) -> None:
    train, holdout = adult_split
    result = distill(train, holdout, tiny_config(teacher="gbm", prune=0.0, sensitive=(),
                                                 transfer_rows=2000))
    report = result.report_dict()
    assert report["teacher"]["method"] == "gbm"
    assert report["teacher"]["roc_auc"] > 0.85
    assert report["student"]["roc_auc"] > 0.75


def test_fairness_regulariser_narrows_the_positive_rate_gap(
        tiny_run: Any, adult_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    """Same transfer set, with and without the demographic-parity penalty: the gap between
    sexes in mean predicted probability, measured on the real holdout, shrinks."""
    import torch

    _, holdout = adult_split
    base = tiny_run.transfer
    sex_only = TransferSet(
        features=base.features, x=base.x, teacher_logits=base.teacher_logits,
        encoder=base.encoder,
        groups=pd.factorize(base.features["sex"].astype(str), sort=True)[0][:, None],
        row_hashes=base.row_hashes, sha256=base.sha256, dropped_real_copies=0, source="test")
    x_hold = torch.from_numpy(base.encoder.transform(holdout[tiny_run.data["features"]]))
    female = (holdout["sex"].astype(str) == "Female").to_numpy()

    def gap(fairness: str) -> float:
        config = StudentConfig(hidden=(16, 8), epochs=8, patience=8, fairness=fairness,
                               fairness_weight=5.0)
        model, _ = train_student(sex_only, config, seed=0, positive=tiny_run.positive_index)
        with torch.no_grad():
            p = torch.softmax(model(x_hold), dim=1)[:, tiny_run.positive_index].numpy()
        return float(abs(p[female].mean() - p[~female].mean()))

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        plain, fair = gap("none"), gap("dp")
    finally:
        torch.set_num_threads(threads)
    assert plain > 0.05, plain  # the teacher's labels do differ by sex on Adult
    assert fair < plain / 2, (plain, fair)


@pytest.mark.parametrize(("change", "error", "match"), [
    ({"target": "nope"}, SchemaError, "target column 'nope'"),
    ({"sensitive": ("nope",)}, SchemaError, "sensitive column"),
    ({"generator": "no_such_generator"}, UnknownPluginError, "no_such_generator"),
])
def test_bad_input_is_a_typed_error(adult_split: tuple[pd.DataFrame, pd.DataFrame],
                                    change: dict[str, Any], error: type[Exception],
                                    match: str, tiny_config: Any) -> None:
    train, holdout = adult_split
    with pytest.raises(error, match=match):
        distill(train, holdout, tiny_config(**change))


def test_one_class_target_and_bad_config_are_refused(
        adult_split: tuple[pd.DataFrame, pd.DataFrame], tiny_config: Any) -> None:
    train, holdout = adult_split
    one = train[train["class"] == train["class"].iloc[0]]
    with pytest.raises(SchemaError, match="has 1 class"):
        distill(one, holdout, tiny_config())
    with pytest.raises(ParameterError, match="prune="):
        tiny_config(prune=1.0)
    with pytest.raises(ParameterError, match="hidden="):
        StudentConfig(hidden=(0,))


def test_multiclass_target_distils_and_reports_macro_auc(
        adult_split: tuple[pd.DataFrame, pd.DataFrame], tiny_config: Any) -> None:
    train, holdout = adult_split
    result = distill(train, holdout, tiny_config(target="relationship", sensitive=("sex",),
                                                 prune=0.0, transfer_rows=2000))
    report = result.report_dict()
    assert len(report["classes"]) == train["relationship"].nunique()
    assert report["positive_class"] == train["relationship"].value_counts().idxmin()
    assert report["teacher"]["roc_auc"] > 0.75  # macro one-vs-rest
    assert report["student"]["roc_auc"] > 0.55
    import torch

    logits = result.shipped(torch.zeros(2, result.transfer.x.shape[1]))
    assert logits.shape == (2, len(report["classes"]))


def test_continuous_target_is_refused(adult_split: tuple[pd.DataFrame, pd.DataFrame],
                                      tiny_config: Any) -> None:
    train, holdout = adult_split
    with pytest.raises(SchemaError, match="bin a continuous target"):
        distill(train, holdout, tiny_config(target="final_weight", sensitive=()))

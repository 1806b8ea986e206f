"""Provenance in reports: `evaluate` finds the run that made the synthetic file by its SHA-256
and embeds generator, parameters, ε/δ, run id and dataset fingerprint in JSON and HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import synthguard
from synthguard.cli import main
from synthguard.data import train_holdout_split, write_table
from synthguard.evaluation.provenance import Provenance, provenance_for_file
from synthguard.ledger.runstore import RunStore

COLS = ["age", "hours_per_week", "sex", "race", "class"]


@pytest.fixture
def split(adult_small: pd.DataFrame, tmp_path: Path) -> dict[str, Path]:
    parts = train_holdout_split(adult_small[COLS].iloc[:900], holdout_fraction=0.3, stratify="class", seed=0)
    return {"train": write_table(parts.train, tmp_path / "train.csv"),
            "holdout": write_table(parts.holdout, tmp_path / "holdout.csv")}


def _runs() -> list[dict]:
    return RunStore().list(limit=10)


def test_cli_evaluate_embeds_the_producing_run(split: dict[str, Path], tmp_path: Path) -> None:
    synthetic = tmp_path / "syn.csv"
    assert main(["generate", "--data", str(split["train"]), "--generator", "gaussian_copula",
                 "--rows", "300", "--seed", "4", "--out", str(synthetic)]) == 0
    generate = _runs()[0]
    out = tmp_path / "report.json"
    assert main(["evaluate", "--real", str(split["train"]), "--synthetic", str(synthetic), "--holdout",
                 str(split["holdout"]), "--target", "class", "--out", str(out)]) == 0
    prov = json.loads(out.read_text())["provenance"]
    assert prov["run_id"] == generate["run_id"] and prov["generator"] == "gaussian_copula"
    assert prov["dataset_fingerprint"] == generate["dataset_sha256"] and prov["seed"] == 4
    assert prov["artifact_sha256"] == generate["outputs"]["synthetic"]
    assert prov["epsilon"] is None and prov["synthguard_version"] == synthguard.__version__
    assert _runs()[0]["inputs"]["synthetic_run"] == generate["run_id"]
    html = tmp_path / "report.html"
    assert main(["evaluate", "--real", str(split["train"]), "--synthetic", str(synthetic), "--holdout",
                 str(split["holdout"]), "--out", str(html)]) == 0
    page = html.read_text()
    assert "Provenance" in page and generate["run_id"] in page and "gaussian_copula" in page


def test_a_changed_file_has_no_provenance(split: dict[str, Path], tmp_path: Path) -> None:
    synthetic = tmp_path / "syn.csv"
    assert main(["generate", "--data", str(split["train"]), "--generator", "gaussian_copula", "--rows", "200",
                 "--out", str(synthetic)]) == 0
    assert provenance_for_file(synthetic) is not None
    with synthetic.open("a") as handle:  # edited after the run: no longer the run's output
        handle.write(synthetic.read_text().splitlines()[1] + "\n")
    assert provenance_for_file(synthetic) is None
    out = tmp_path / "report.html"
    assert main(["evaluate", "--real", str(split["train"]), "--synthetic", str(synthetic), "--holdout",
                 str(split["holdout"]), "--out", str(out)]) == 0
    assert "Unknown: no recorded run produced this synthetic table" in out.read_text()


def test_dp_run_provenance_carries_epsilon(split: dict[str, Path], tmp_path: Path) -> None:
    bounds = tmp_path / "bounds.json"
    bounds.write_text(json.dumps({"age": [17, 90], "hours_per_week": [1, 99]}))
    synthetic = tmp_path / "dp.csv"
    assert main(["generate", "--data", str(split["train"]), "--generator", "mst", "--epsilon", "2",
                 "--bounds", str(bounds), "--rows", "200", "--out", str(synthetic)]) == 0
    prov = provenance_for_file(synthetic)
    assert prov is not None and prov.generator == "mst" and prov.epsilon == pytest.approx(2.0)
    assert prov.delta is not None and 0 < prov.delta < 1 and prov.accountant
    assert prov.params["epsilon"] == 2.0 and "bounds" in prov.params
    frame = prov.to_frame()
    assert frame.loc["ε spent", "value"] == "2.0" and frame.loc["run id", "value"] == prov.run_id


def test_python_evaluate_and_synthesize_carry_provenance(split: dict[str, Path], tmp_path: Path) -> None:
    synthetic = tmp_path / "syn.parquet"
    assert main(["generate", "--data", str(split["train"]), "--generator", "gaussian_copula", "--rows", "200",
                 "--out", str(synthetic)]) == 0
    report = synthguard.evaluate(split["train"], synthetic, split["holdout"], target="class")
    assert report.provenance is not None and report.provenance.run_id == _runs()[0]["run_id"]
    assert report.to_dict()["provenance"]["generator"] == "gaussian_copula"
    given = synthguard.evaluate(split["train"], pd.read_parquet(synthetic), split["holdout"],
                                provenance=Provenance(generator="mine", epsilon=3.0))
    assert given.provenance == Provenance.from_dict(given.to_dict()["provenance"])
    assert given.provenance is not None and given.provenance.generator == "mine"
    assert "mine" in given.html()
    result = synthguard.synthesize(pd.read_csv(split["train"]), generator="gaussian_copula", target="class",
                                   seed=2)
    assert result.report is not None and result.report.provenance is not None
    assert result.report.provenance.generator == "gaussian_copula" and result.report.provenance.seed == 2
    assert len(result.report.provenance.dataset_fingerprint or "") == 64

"""`synthguard generate --condition/--rebalance/--constraints`: output, bad specs, DP spend."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.ledger import RunStore
from synthguard.ledger.budget import BudgetLedger


@pytest.fixture(scope="module")
def train(adult_small: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    cols = ["age", "education", "education_num", "race", "sex", "hours_per_week", "class"]
    path = tmp_path_factory.mktemp("cond") / "train.csv"
    adult_small[cols].iloc[:800].to_csv(path, index=False)
    return path


def _write_constraints(folder: Path, constraints: list[dict[str, object]]) -> Path:
    path = folder / "constraints.json"
    path.write_text(json.dumps({"constraints": constraints}), encoding="utf-8")
    return path


def test_generate_with_conditions_rebalance_and_constraints(train: Path, tmp_path: Path) -> None:
    spec = _write_constraints(tmp_path, [
        {"type": "inequality", "low": "education_num", "high": "age"},
        {"type": "fixed_combinations", "columns": ["education", "education_num"]},
        {"type": "value_set", "column": "race", "values": ["White", "Black"]}])
    out = tmp_path / "out.csv"
    assert main(["generate", "--data", str(train), "--rows", "600", "--seed", "2", "--out", str(out),
                 "--condition", "sex=Female", "--condition", "age=25..50", "--rebalance", "class=0.5,0.5",
                 "--constraints", str(spec)]) == 0
    frame = pd.read_csv(out)
    real = pd.read_csv(train)
    assert len(frame) == 600 and (frame["sex"] == "Female").all() and frame["age"].between(25, 50).all()
    assert (frame["class"] == ">50K").sum() == 300
    assert (frame["education_num"] <= frame["age"]).all() and frame["race"].isin(["White", "Black"]).all()
    seen = set(zip(real["education"], real["education_num"], strict=True))
    assert set(zip(frame["education"], frame["education_num"], strict=True)) <= seen
    record = RunStore().list(limit=1)[0]
    assert record["params"]["sampling"]["conditions"] == ["sex=Female", "age=25.0..50.0"]


@pytest.mark.parametrize(("flags", "column"), [
    (["--condition", "gender=Female"], "gender"),
    (["--condition", "sex=Femal"], "sex"),
    (["--condition", "age=50..40"], "age"),
    (["--condition", "race=White", "--rebalance", "race=White:0.5,Black:0.5"], "race"),
    (["--rebalance", "class=0.2,0.3,0.5"], "class"),
    (["--rebalance", "hours=0.5,0.5"], "hours"),
    (["--condition", "age=20..30", "--constraints", "{range}"], "age"),
])
def test_bad_specs_exit_2_with_one_line_naming_the_column(train: Path, tmp_path: Path, flags: list[str],
                                                          column: str, capsys: pytest.CaptureFixture[str]) -> None:
    rng = _write_constraints(tmp_path, [{"type": "range", "column": "age", "low": 40, "high": 60}])
    flags = [str(rng) if f == "{range}" else f for f in flags]
    out = tmp_path / "out.csv"
    assert main(["generate", "--data", str(train), "--rows", "50", "--out", str(out), *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("synthguard: error:") and repr(column) in err[0]
    assert not out.exists()
    assert RunStore().list(limit=5) == []  # refused before any run started


def test_dp_constraints_spend_no_epsilon(train: Path, tmp_path: Path) -> None:
    dp = ["--generator", "aim", "--epsilon", "1", "--delta", "1e-5", "--param", "rounds=3",
          "--param", "iters=20", "--param", "final_iters=40", "--param", "max_bins=8",
          "--param", "estimate_bounds=true"]
    plain, cond = tmp_path / "plain.csv", tmp_path / "cond.csv"
    assert main(["generate", "--data", str(train), "--rows", "200", "--out", str(plain), *dp]) == 0
    learned = _write_constraints(tmp_path, [{"type": "fixed_combinations", "columns": ["education", "race"]}])
    assert main(["generate", "--data", str(train), "--rows", "200", "--out", str(cond), *dp,
                 "--constraints", str(learned)]) == 2  # would read the data: refused for DP
    declared = _write_constraints(tmp_path, [{"type": "range", "column": "age", "low": 20, "high": 60},
                                             {"type": "rounding", "column": "hours_per_week", "decimals": -1}])
    assert main(["generate", "--data", str(train), "--rows", "200", "--out", str(cond), *dp,
                 "--condition", "sex=Male", "--rebalance", "class=0.5,0.5", "--constraints", str(declared)]) == 0
    frame = pd.read_csv(cond)
    assert (frame["sex"] == "Male").all() and frame["age"].between(20, 60).all()
    assert (frame["hours_per_week"] % 10 == 0).all()
    runs = [r for r in RunStore().list(limit=10) if r["status"] == "ok"]
    with_spec, without = runs[0], runs[1]
    keys = ("epsilon", "delta", "rho")
    assert [with_spec["privacy"][k] for k in keys] == [without["privacy"][k] for k in keys]
    assert any("no ε" in item for item in with_spec["privacy"]["public"])
    assert not any("no ε" in item for item in without["privacy"]["public"])
    ledger = BudgetLedger()  # the budget belongs to the dataset the training table resolves to
    spends = ledger.spends(ledger.key_for(pd.read_csv(train), register=False))
    assert len(spends) == 2 and spends[0].epsilon == spends[1].epsilon == 1.0


def test_dp_declared_combinations_are_modelled_at_fit(train: Path, tmp_path: Path) -> None:
    """A fixed combination with its allowed list is public: AIM models it as one attribute
    (stated in the guarantee), so every row already holds an allowed pair."""
    from synthguard.data import load_table

    adult = load_table("adult")
    allowed = sorted({(e, int(n)) for e, n in zip(adult["education"], adult["education_num"],
                                                  strict=True)}, key=lambda p: p[1])
    declared = _write_constraints(tmp_path, [{"type": "fixed_combinations",
                                              "columns": ["education", "education_num"],
                                              "allowed": [list(p) for p in allowed]}])
    out = tmp_path / "fused.csv"
    assert main(["generate", "--data", str(train), "--rows", "300", "--out", str(out),
                 "--generator", "aim", "--epsilon", "1", "--delta", "1e-5", "--param", "rounds=3",
                 "--param", "iters=20", "--param", "final_iters=40", "--param", "max_bins=8",
                 "--param", "estimate_bounds=true", "--constraints", str(declared)]) == 0
    frame = pd.read_csv(out)
    assert set(zip(frame["education"], frame["education_num"], strict=True)) <= set(allowed)
    run = next(r for r in RunStore().list(limit=5) if r["status"] == "ok")
    assert any("fixed combinations of education, education_num" in item
               for item in run["privacy"]["public"])

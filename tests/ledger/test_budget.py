"""The budget ledger: refuses overruns before fitting, spends nothing on refusal/failure,
composes fits. Real MST (mbi) fits on a small table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.errors import BudgetExceededError, ParameterError
from synthguard.generators.dp.mst import MSTGenerator
from synthguard.ledger import RunStore
from synthguard.ledger.accounting import cdp_rho
from synthguard.ledger.budget import BudgetLedger, run_dp_fit

BOUNDS = {"age": [18, 80]}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 300
    age = rng.integers(18, 81, n)
    return pd.DataFrame({"age": age, "flag": np.where(age > 45, "old", "young"),
                         "colour": rng.choice(["r", "g"], n)})


def test_reserve_refuse_and_release(tmp_path: Path) -> None:
    ledger = BudgetLedger(RunStore(tmp_path / "s.sqlite"))
    ledger.set_budget("abc", epsilon=1.0, delta=1e-6)
    rho = cdp_rho(0.8, 1e-6)  # two of these compose (in ρ) to ε ≈ 1.15 > 1
    first = ledger.check_and_reserve("abc", epsilon=0.8, delta=1e-6, rho=rho, generator="aim",
                                     mechanism="AIM", accountant="zCDP")
    with pytest.raises(BudgetExceededError, match=r"left ε=0\.[0-9]+") as err:
        ledger.check_and_reserve("abc", epsilon=0.8, delta=1e-6, rho=rho, generator="aim",
                                 mechanism="AIM", accountant="zCDP")
    assert "Nothing was spent" in str(err.value)
    assert len(ledger.spends("abc")) == 1  # the refusal wrote nothing
    ledger.release(first)
    assert ledger.spends("abc") == []
    with pytest.raises(ParameterError):
        ledger.check_and_reserve("abc", epsilon=0, delta=1e-6, rho=None, generator="x",
                                 mechanism="x", accountant="RDP")


def test_sequential_refusal_says_what_is_left(tmp_path: Path) -> None:
    ledger = BudgetLedger(RunStore(tmp_path / "s.sqlite"))
    ledger.set_budget("d", epsilon=2.0, delta=1e-5)
    r = ledger.check_and_reserve("d", epsilon=1.5, delta=1e-6, rho=None, generator="dpgan",
                                 mechanism="DP-SGD", accountant="RDP")
    assert r.status == "reserved"
    with pytest.raises(BudgetExceededError, match=r"epsilon=0\.5 or less"):
        ledger.check_and_reserve("d", epsilon=1.0, delta=1e-6, rho=None, generator="dpgan",
                                 mechanism="DP-SGD", accountant="RDP")


def test_run_dp_fit_records_composes_and_refuses(table: pd.DataFrame, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "s.sqlite")
    ledger = BudgetLedger(store)
    sha = ledger.key_for(table)
    ledger.set_budget(sha, epsilon=1.3, delta=1e-6)
    spend = run_dp_fit(MSTGenerator(epsilon=1.0, delta=1e-6, bounds=BOUNDS, iters=100),
                       table, store=store, seed=0)
    assert spend.epsilon == 1.0  # ε recorded == ε asked
    rows = ledger.spends(sha)
    assert [(r.status, r.epsilon, r.rho) for r in rows] == [("spent", 1.0, spend.rho)]
    assert spend.rho == pytest.approx(cdp_rho(1.0, 1e-6))

    # a second fit of ε=0.3 fits only because zCDP runs compose in ρ (1 + 0.3 > 1.3)
    run_dp_fit(MSTGenerator(epsilon=0.3, delta=1e-6, bounds=BOUNDS, iters=100), table,
               store=store, seed=1)
    status = ledger.status(sha)
    assert status.spent.rho == pytest.approx(cdp_rho(1.0, 1e-6) + cdp_rho(0.3, 1e-6))
    assert status.spent.epsilon < 1.3  # tighter than adding ε
    assert status.remaining_epsilon == pytest.approx(1.3 - status.spent.epsilon)

    # overrun: refused before the data is read; nothing spent
    with pytest.raises(BudgetExceededError):
        run_dp_fit(MSTGenerator(epsilon=1.0, delta=1e-6, bounds=BOUNDS), table, store=store)
    assert len(ledger.spends(sha)) == 2

    # a failing fit (numeric column without bounds) releases its reservation
    with pytest.raises(ParameterError, match="age"):
        run_dp_fit(MSTGenerator(epsilon=0.01, delta=1e-6), table, store=store)
    assert len(ledger.spends(sha)) == 2


def _cli_files(table: pd.DataFrame, tmp_path: Path) -> tuple[Path, Path, Path]:
    """The table as CSV, a bounds file for its numeric column, and an output path."""
    data = tmp_path / "t.csv"
    table.to_csv(data, index=False)
    bounds = tmp_path / "b.json"
    bounds.write_text('{"age": [18, 80]}')
    return data, bounds, tmp_path / "out.csv"


def test_budget_cli_and_generate_refusal(table: pd.DataFrame, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data, bounds, out = _cli_files(table, tmp_path)
    assert main(["budget", "set", str(data), "--epsilon", "0.5", "--delta", "1e-6"]) == 0
    common = ["generate", "--data", str(data), "--generator", "mst", "--rows", "50",
              "--bounds", str(bounds), "--out", str(out)]
    # overrun: exit 2, nothing written, nothing spent
    assert main([*common, "--epsilon", "1", "--delta", "1e-6"]) == 2
    assert "would be exceeded" in capsys.readouterr().err
    assert not out.exists()
    # bad ε, δ ≥ 1/n, missing bounds: exit 2, nothing written
    assert main([*common, "--epsilon", "0", "--delta", "1e-6"]) == 2
    assert main([*common, "--epsilon", "0.1", "--delta", "0.01"]) == 2
    assert main(["generate", "--data", str(data), "--generator", "mst", "--rows", "50",
                 "--out", str(out), "--epsilon", "0.1", "--delta", "1e-6"]) == 2
    assert not out.exists()
    capsys.readouterr()
    assert main(["budget", "show", str(data), "--json"]) == 0
    import json

    shown = json.loads(capsys.readouterr().out)
    assert shown["spends"] == [] and shown["remaining"]["epsilon"] == pytest.approx(0.5)


def test_generate_spends_and_show_lists_the_run(table: pd.DataFrame, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    import json

    data, bounds, out = _cli_files(table, tmp_path)
    assert main(["budget", "set", str(data), "--epsilon", "1.2", "--delta", "1e-6"]) == 0
    assert main(["generate", "--data", str(data), "--generator", "mst", "--rows", "40",
                 "--bounds", str(bounds), "--out", str(out), "--epsilon", "1",
                 "--delta", "1e-6", "--param", "iters=100"]) == 0
    assert len(pd.read_csv(out)) == 40
    capsys.readouterr()
    assert main(["budget", "show", str(data), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    (spend,) = shown["spends"]
    assert (spend["status"], spend["epsilon"], spend["generator"]) == ("spent", 1.0, "mst")
    record = RunStore().get(spend["run_id"])  # the generate run carries the guarantee
    assert record is not None and record["privacy"]["epsilon"] == 1.0
    assert "categorical value sets" in record["privacy"]["public"]
    assert 0 < shown["remaining"]["epsilon"] < 0.2
    assert main(["budget", "show", str(data)]) == 0
    text = capsys.readouterr().out
    assert "remaining" in text and "zCDP" in text

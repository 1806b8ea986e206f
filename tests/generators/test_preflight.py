"""Pre-job checks: ε, δ, public bounds and the budget, refused before anything runs, with typed
errors in Python terms; nothing written to the ledger."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import synthguard
from synthguard.cli import main
from synthguard.data import write_table
from synthguard.data.builtin import source_schema
from synthguard.errors import BudgetExceededError, ParameterError
from synthguard.generators import create_generator
from synthguard.generators.preflight import preflight, preflight_problems
from synthguard.ledger.budget import BudgetLedger
from synthguard.ledger.runstore import RunStore

COLS = ["age", "hours_per_week", "sex", "race", "class"]
BOUNDS = {"age": [17, 90], "hours_per_week": [1, 99]}


@pytest.fixture
def frame(adult_small: pd.DataFrame) -> pd.DataFrame:
    return adult_small[COLS].iloc[:400].reset_index(drop=True)


def test_a_good_job_passes_and_says_what_it_will_use(frame: pd.DataFrame) -> None:
    checked = preflight("mst", frame, params={"epsilon": 1.0, "bounds": BOUNDS})
    assert checked.dp and checked.epsilon == 1.0 and checked.rows == 400
    assert checked.delta == pytest.approx(1 / 400**2)
    assert dict(checked.bounds) == {"age": (17.0, 90.0), "hours_per_week": (1.0, 99.0)}
    assert set(checked.bounds_source.values()) == {"user"} and checked.remaining_epsilon is None
    assert not preflight("gaussian_copula", frame).dp


def test_builtin_schema_bounds_count(frame: pd.DataFrame) -> None:
    checked = preflight("aim", frame, schema=source_schema(frame, "adult"))
    assert set(checked.bounds_source.values()) == {"schema"}
    assert checked.bounds["age"] == (17.0, 90.0)


@pytest.mark.parametrize(("params", "message"), [
    ({"epsilon": 0}, r"^epsilon=0 must be a finite number > 0$"),
    ({"epsilon": float("inf")}, r"^epsilon=inf must be"),
    ({"epsilon": 1.0, "delta": 1.5}, r"^delta=1\.5 must be in \(0, 1\)$"),
    ({"epsilon": 1.0, "delta": 0.01, "bounds": BOUNDS}, r"^delta=0\.01 must be smaller than 1/n = 0\.0025"),
    ({"epsilon": 1.0}, r"numeric column\(s\) \['age', 'hours_per_week'\] have no public bounds.*bounds="),
])
def test_bad_input_is_a_typed_error_in_python_terms(frame: pd.DataFrame, params: dict, message: str) -> None:
    with pytest.raises(ParameterError, match=message) as caught:
        preflight("mst", frame, params=params)
    assert "--" not in str(caught.value)


def test_every_problem_is_listed(frame: pd.DataFrame) -> None:
    problems = preflight_problems("aim", frame, params={"epsilon": 1.0, "delta": 0.01})
    texts = [str(p) for p in problems]
    assert len(texts) == 2 and "1/n" in texts[0] and "no public bounds" in texts[1]
    assert preflight_problems("aim", frame, params={"epsilon": 1.0, "estimate_bounds": True}) == []


def test_budget_is_checked_without_spending(frame: pd.DataFrame) -> None:
    store = RunStore()
    ledger = BudgetLedger(store)
    key = ledger.key_for(frame)
    ledger.set_budget(key, epsilon=0.5, delta=1e-5)
    with pytest.raises(BudgetExceededError, match=r"asks ε=1.*ask for epsilon=0\.\d+ or less") as caught:
        preflight("mst", frame, params={"epsilon": 1.0, "bounds": BOUNDS}, store=store)
    assert "--" not in str(caught.value)
    checked = preflight("mst", frame, params={"epsilon": 0.3, "bounds": BOUNDS}, store=store)
    assert checked.budget_key == key and checked.remaining_epsilon == pytest.approx(0.5)
    assert ledger.status(key).spends == ()  # nothing reserved


def test_pii_columns_are_the_pii_policys_not_a_bounds_problem(frame: pd.DataFrame) -> None:
    with_email = frame.assign(email=[f"person{i}@example.org" for i in range(len(frame))])
    assert preflight_problems("mst", with_email, params={"epsilon": 1.0, "bounds": BOUNDS}) == []
    # bounds naming a column that is not there are refused, as the fit would
    problems = preflight_problems("mst", frame, params={"epsilon": 1.0, "bounds": {**BOUNDS, "x": [0, 1]}})
    assert len(problems) == 1 and "not in the table" in str(problems[0])


def test_cli_and_python_refuse_before_the_fit(frame: pd.DataFrame, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    data = write_table(frame, tmp_path / "t.csv")
    out = tmp_path / "o.csv"
    assert main(["generate", "--data", str(data), "--generator", "mst", "--epsilon", "1",
                 "--rows", "10", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--bounds FILE of" in err and not out.exists()
    assert RunStore().list(command="generate") == []  # refused before a run was recorded
    with pytest.raises(ParameterError, match="no public bounds"):
        synthguard.synthesize(frame, generator="mst", params={"epsilon": 1.0})
    assert create_generator("mst", epsilon=1.0).caps.dp

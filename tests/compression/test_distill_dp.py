"""The DP-SGD teacher: trained through opacus, its ε charged to the dataset's ledger budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synthguard.compression import TeacherConfig, distill
from synthguard.errors import BudgetExceededError
from synthguard.ledger import RunStore
from synthguard.ledger.budget import DPLedger


def test_dp_teacher_spend_is_recorded_and_budget_enforced(
        tmp_path: Path, adult_split: tuple[pd.DataFrame, pd.DataFrame], tiny_config: Any
) -> None:
    from synthguard.ledger.budget import BudgetLedger

    train, holdout = adult_split
    store = RunStore(tmp_path / "runs.sqlite")
    sha = BudgetLedger(store).key_for(train)
    config = tiny_config(teacher="dp-mlp", sensitive=(), prune=0.0, transfer_rows=1500,
                         teacher_config=TeacherConfig(hidden=(32, 16), epochs=2, epsilon=2.0))
    result = distill(train, holdout, config,
                     ledger=DPLedger(store=store))
    spent = result.teacher_privacy
    assert spent is not None and 0 < spent.epsilon <= 2.0 * 1.01
    assert result.report_dict()["privacy"]["teacher"]["epsilon"] == spent.epsilon
    spends = BudgetLedger(store).spends(sha)
    assert len(spends) == 1 and abs(spends[0].epsilon - spent.epsilon) < 1e-9

    BudgetLedger(store).set_budget(sha, epsilon=3.0, delta=1e-4)
    with pytest.raises(BudgetExceededError):
        distill(train, holdout, config,
                ledger=DPLedger(store=store))
    assert len(BudgetLedger(store).spends(sha)) == 1

"""Charge a DP teacher's ε to the dataset's budget in the ledger (check, reserve, fit, record).

The teacher's DP-SGD training is the only place real rows meet a DP mechanism in a
distillation run, so it goes through the same :func:`run_dp_fit` protocol as DP generators:
refused before training when the budget cannot afford it, recorded with the accountant's ε.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pandas as pd

from synthguard.compression.teachers import Teacher
from synthguard.generators.base import PrivacySpend
from synthguard.ledger.budget import DPLedger
from synthguard.progress import ProgressCallback


class _TeacherAsDPFit:
    """Adapts a DP teacher to the ledger's ``DPGenerator`` protocol."""

    def __init__(self, teacher: Teacher, fit: Callable[[], None]) -> None:
        self.name = f"teacher:{teacher.name}"
        self._teacher, self._fit = teacher, fit

    def planned_spend(self, n_rows: int) -> PrivacySpend:
        cfg = self._teacher.config
        delta = cfg.delta if cfg.delta is not None else 1.0 / (10 * n_rows)
        return PrivacySpend(epsilon=cfg.epsilon, delta=delta, mechanism="DP-SGD (opacus)",
                            accountant="RDP")

    def fit(self, data: Any, *, schema: Any = None, seed: int = 0,
            progress: ProgressCallback | None = None) -> Any:
        self._fit()
        return self

    def privacy_spent(self) -> PrivacySpend | None:
        return self._teacher.privacy_spent()


def ledger_dp_fit(ledger: DPLedger | None = None) -> Callable[..., None]:
    """A ``dp_teacher_fit`` callback for :func:`distill` that goes through the budget ledger
    (``ledger``: store, run and source dataset; default: the user's store)."""
    from synthguard.ledger.budget import run_dp_fit

    ledger = ledger or DPLedger()

    def wrapped(teacher: Teacher, frame: pd.DataFrame, fit: Callable[[], None]) -> None:
        run_dp_fit(cast(Any, _TeacherAsDPFit(teacher, fit)), frame, store=ledger.store,
                   run_id=ledger.run_id, source=ledger.source, label=ledger.label)

    return wrapped

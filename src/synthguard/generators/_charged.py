"""The base of every DP generator's ``fit``: the privacy ledger is charged by the fit itself.

So ``create_generator("aim").fit(df)`` in plain Python charges the dataset's budget in the
default run store exactly as ``synthguard generate`` does, and is refused (before the data is
read) when the budget cannot afford it. Pass ``ledger=DPLedger(store=..., run_id=...,
source=...)`` to charge another store, tie the spend to a run record, or also charge the
loaded dataset a split came from. Subclasses implement ``_fit_private`` (the mechanism) and
``planned_spend`` (validated before any reservation).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from synthguard.errors import InputError
from synthguard.generators.base import Generator, PrivacySpend
from synthguard.progress import ProgressCallback

if TYPE_CHECKING:
    from typing import Self

    from synthguard.ledger.budget import DPLedger


class LedgerChargedGenerator(Generator):
    """A DP generator: ``fit`` = check budget -> reserve -> ``_fit_private`` -> record."""

    charges_ledger: ClassVar[bool] = True

    def fit(self, data: Any, *, schema: Any = None, seed: int = 0,
            progress: ProgressCallback | None = None,
            ledger: DPLedger | None = None) -> Self:
        from synthguard.ledger.budget import charge_dp_fit

        frame = self._ledger_table(data)
        planned = self.planned_spend(len(frame))  # validates ε/δ before anything is reserved

        def fit() -> PrivacySpend | None:
            self._fit_private(data, schema=schema, seed=seed, progress=progress)
            return self.privacy_spent()

        charge_dp_fit(name=self.name, planned=planned, data=frame, fit=fit, ledger=ledger,
                      seed=seed)
        return self

    def _ledger_table(self, data: Any) -> pd.DataFrame:
        """The table whose dataset pays (the training data as a DataFrame)."""
        if not isinstance(data, pd.DataFrame):
            raise InputError(f"{self.name} fits a pandas DataFrame")
        return data

    @abstractmethod
    def planned_spend(self, n_rows: int) -> PrivacySpend:
        """The spend a fit on ``n_rows`` rows will at most report, checked before fitting."""

    @abstractmethod
    def _fit_private(self, data: Any, *, schema: Any = None, seed: int = 0,
                     progress: ProgressCallback | None = None) -> None:
        """The mechanism itself; sets what ``privacy_spent`` returns."""

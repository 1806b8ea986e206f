"""Per-dataset privacy budgets and the spends charged against them, in the run store.

A DP fit is charged against the dataset's fingerprint (SHA-256 of its canonical form, so a
budget follows the data, not the file). The protocol, used by ``synthguard generate`` via
:func:`run_dp_fit`:

1. ``check_and_reserve`` — in one SQLite transaction: compose what is already spent or
   reserved with the planned spend; if it would exceed the budget, raise
   :class:`BudgetExceededError` saying what is left, and write nothing. Otherwise insert a
   *reservation* row. This happens before the generator reads the table.
2. the fit runs;
3. ``record_spend`` turns the reservation into a spend with the generator's reported
   guarantee; on failure ``release`` deletes the reservation (nothing was released to anyone,
   so nothing is spent).

A reservation left by a killed process stays counted (conservative) and is shown as such.
Composition rules are in :mod:`synthguard.ledger.accounting` and are stated in every answer.
"""

from __future__ import annotations

import json
import logging
import math
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import pandas as pd

from synthguard.errors import BudgetExceededError, ParameterError, SynthguardError
from synthguard.ledger.accounting import (
    Composition,
    SpendEntry,
    cdp_rho,
    compose,
    fits_budget,
)
from synthguard.ledger.runstore import RunStore
from synthguard.progress import ProgressCallback

log = logging.getLogger(__name__)

_BUDGET_SCHEMA = """
CREATE TABLE IF NOT EXISTS dp_budgets (
    dataset_sha256 TEXT PRIMARY KEY,
    epsilon REAL NOT NULL,
    delta REAL NOT NULL,
    created TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS dp_spends (
    spend_id TEXT PRIMARY KEY,
    dataset_sha256 TEXT NOT NULL,
    run_id TEXT NOT NULL,
    created TEXT NOT NULL,
    status TEXT NOT NULL,
    generator TEXT NOT NULL,
    mechanism TEXT NOT NULL,
    accountant TEXT NOT NULL,
    epsilon REAL NOT NULL,
    delta REAL NOT NULL,
    rho REAL,
    detail_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS dp_spends_dataset ON dp_spends(dataset_sha256);
"""

RESERVED = "reserved"
SPENT = "spent"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _ensure_tables(conn: sqlite3.Connection) -> None:
    for statement in _BUDGET_SCHEMA.strip().split(";"):
        if statement.strip():
            conn.execute(statement)


@dataclass(frozen=True)
class Budget:
    """The (ε, δ) a dataset may spend in total."""

    dataset_sha256: str
    epsilon: float
    delta: float
    created: str
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"dataset_sha256": self.dataset_sha256, "epsilon": self.epsilon,
                "delta": self.delta, "created": self.created, "note": self.note}


@dataclass(frozen=True)
class Spend:
    """One row of the ledger: a reservation or a recorded spend."""

    spend_id: str
    dataset_sha256: str
    run_id: str
    created: str
    status: str
    generator: str
    mechanism: str
    accountant: str
    epsilon: float
    delta: float
    rho: float | None
    detail: dict[str, Any] = field(default_factory=dict)

    def entry(self) -> SpendEntry:
        return SpendEntry(self.epsilon, self.delta, self.rho)

    def to_dict(self) -> dict[str, Any]:
        return {"spend_id": self.spend_id, "run_id": self.run_id, "created": self.created,
                "status": self.status, "generator": self.generator,
                "mechanism": self.mechanism, "accountant": self.accountant,
                "epsilon": self.epsilon, "delta": self.delta, "rho": self.rho,
                "detail": self.detail}


@dataclass(frozen=True)
class BudgetStatus:
    """What ``synthguard budget show`` prints: budget, composed spend, what is left."""

    dataset_sha256: str
    budget: Budget | None
    spent: Composition
    spends: tuple[Spend, ...]
    remaining_epsilon: float | None  # at the budget's δ; None without a budget
    remaining_delta: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset_sha256": self.dataset_sha256,
            "budget": self.budget.to_dict() if self.budget else None,
            "spent": self.spent.to_dict(),
            "remaining": None if self.budget is None else {
                "epsilon": self.remaining_epsilon, "delta": self.remaining_delta},
            "spends": [s.to_dict() for s in self.spends],
        }


class _SpendLike(Protocol):
    """What the ledger reads from a generator's PrivacySpend (no model import needed)."""

    epsilon: float
    delta: float
    mechanism: str
    accountant: str
    rho: float | None

    def to_dict(self) -> dict[str, Any]: ...


class BudgetLedger:
    """Budgets and spends of the run store; tables created on first use."""

    def __init__(self, store: RunStore | None = None) -> None:
        self.store = store or RunStore()
        with self.store.connect() as conn:
            _ensure_tables(conn)

    # -- budgets ----------------------------------------------------------------------
    def set_budget(self, dataset_sha256: str, *, epsilon: float, delta: float,
                   note: str = "") -> Budget:
        """Set (or replace) the total budget of a dataset. Lowering it below what is already
        spent is allowed (the dataset is then exhausted) and said by :meth:`status`."""
        _check_eps_delta(epsilon, delta, what="budget")
        budget = Budget(dataset_sha256, float(epsilon), float(delta), _now(), note)
        with self.store.connect() as conn:
            conn.execute("INSERT OR REPLACE INTO dp_budgets VALUES (?,?,?,?,?)",
                         (dataset_sha256, budget.epsilon, budget.delta, budget.created, note))
        return budget

    def get_budget(self, dataset_sha256: str,
                   conn: sqlite3.Connection | None = None) -> Budget | None:
        sql = "SELECT * FROM dp_budgets WHERE dataset_sha256 = ?"
        if conn is None:
            with self.store.connect() as own:
                row = own.execute(sql, (dataset_sha256,)).fetchone()
        else:
            row = conn.execute(sql, (dataset_sha256,)).fetchone()
        if row is None:
            return None
        return Budget(row["dataset_sha256"], row["epsilon"], row["delta"], row["created"],
                      row["note"])

    # -- spends -----------------------------------------------------------------------
    def spends(self, dataset_sha256: str,
               conn: sqlite3.Connection | None = None) -> list[Spend]:
        sql = "SELECT * FROM dp_spends WHERE dataset_sha256 = ? ORDER BY created, rowid"
        if conn is None:
            with self.store.connect() as own:
                rows = own.execute(sql, (dataset_sha256,)).fetchall()
        else:
            rows = conn.execute(sql, (dataset_sha256,)).fetchall()
        return [Spend(r["spend_id"], r["dataset_sha256"], r["run_id"], r["created"],
                      r["status"], r["generator"], r["mechanism"], r["accountant"],
                      r["epsilon"], r["delta"], r["rho"], json.loads(r["detail_json"]))
                for r in rows]

    def status(self, dataset_sha256: str) -> BudgetStatus:
        with self.store.connect() as conn:
            budget = self.get_budget(dataset_sha256, conn)
            spends = self.spends(dataset_sha256, conn)
        entries = [s.entry() for s in spends]
        if budget is None:
            return BudgetStatus(dataset_sha256, None, compose(entries), tuple(spends), None, None)
        total = compose(entries, delta_budget=budget.delta)
        left_eps = max(0.0, budget.epsilon - total.epsilon) if math.isfinite(
            total.epsilon) else 0.0
        left_delta = max(0.0, budget.delta - total.delta)
        return BudgetStatus(dataset_sha256, budget, total, tuple(spends), left_eps, left_delta)

    def check_and_reserve(
        self, dataset_sha256: str, *, epsilon: float, delta: float, rho: float | None,
        generator: str, mechanism: str, accountant: str, run_id: str = "",
        detail: dict[str, Any] | None = None,
    ) -> Spend:
        """Reserve a planned spend, or raise :class:`BudgetExceededError` writing nothing.

        ``rho`` is the zCDP parameter for zCDP mechanisms (they compose in ρ), else None.
        """
        _check_eps_delta(epsilon, delta, what="fit")
        planned = SpendEntry(float(epsilon), float(delta), None if rho is None else float(rho))
        spend = Spend(uuid.uuid4().hex[:12], dataset_sha256, run_id or "-", _now(), RESERVED,
                      generator, mechanism, accountant, planned.epsilon, planned.delta,
                      planned.rho, dict(detail or {}))
        with self.store.connect() as conn:  # BEGIN IMMEDIATE: check and insert atomically
            budget = self.get_budget(dataset_sha256, conn)
            existing = [s.entry() for s in self.spends(dataset_sha256, conn)]
            if budget is not None:
                ok, total = fits_budget([*existing, planned], epsilon=budget.epsilon,
                                        delta=budget.delta)
                if not ok:
                    raise BudgetExceededError(
                        _refusal(budget, existing, planned, total, dataset_sha256))
            conn.execute(
                "INSERT INTO dp_spends VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (spend.spend_id, dataset_sha256, spend.run_id, spend.created, RESERVED,
                 generator, mechanism, accountant, spend.epsilon, spend.delta, spend.rho,
                 json.dumps(spend.detail, sort_keys=True, default=str)),
            )
        return spend

    def record_spend(self, reservation: Spend, spent: _SpendLike, *,
                     run_id: str | None = None) -> Spend:
        """Replace a reservation by the guarantee the fit reports (the data was used)."""
        if spent.epsilon > reservation.epsilon * (1 + 1e-6) + 1e-9:
            log.warning("fit reported ε=%.6g above its reservation ε=%.6g; recording the "
                        "reported value", spent.epsilon, reservation.epsilon)
        detail = {**reservation.detail, "guarantee": spent.to_dict()}
        with self.store.connect() as conn:
            conn.execute(
                "UPDATE dp_spends SET status=?, mechanism=?, accountant=?, epsilon=?, delta=?, "
                "rho=?, detail_json=?, run_id=? WHERE spend_id=?",
                (SPENT, spent.mechanism, spent.accountant, float(spent.epsilon),
                 float(spent.delta), None if spent.rho is None else float(spent.rho),
                 json.dumps(detail, sort_keys=True, default=str),
                 run_id or reservation.run_id, reservation.spend_id),
            )
        return Spend(reservation.spend_id, reservation.dataset_sha256,
                     run_id or reservation.run_id, reservation.created, SPENT, reservation.generator,
                     spent.mechanism, spent.accountant, float(spent.epsilon),
                     float(spent.delta), spent.rho, detail)

    def release(self, reservation: Spend) -> None:
        """Delete a reservation whose fit failed before releasing anything."""
        with self.store.connect() as conn:
            conn.execute("DELETE FROM dp_spends WHERE spend_id=? AND status=?",
                         (reservation.spend_id, RESERVED))


def _check_eps_delta(epsilon: float, delta: float, *, what: str) -> None:
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
        raise ParameterError(f"{what}: --epsilon must be a finite number > 0, got {epsilon!r}")
    if not (isinstance(delta, int | float) and 0 < delta < 1):
        raise ParameterError(f"{what}: --delta must be in (0, 1), got {delta!r}")


def _refusal(budget: Budget, existing: Sequence[SpendEntry], planned: SpendEntry,
             total: Composition, sha: str) -> str:
    before = compose(existing, delta_budget=budget.delta)
    left_eps = max(0.0, budget.epsilon - before.epsilon) if math.isfinite(before.epsilon) else 0
    left_delta = max(0.0, budget.delta - before.delta)
    most = max_affordable_epsilon(existing, planned, budget)
    advice = (f"ask for --epsilon {most:.4g} or less at this δ" if most > 0
              else "this dataset's budget is exhausted")
    return (
        f"privacy budget of dataset {sha[:12]}… would be exceeded: budget ε={budget.epsilon:g}, "
        f"δ={budget.delta:g}; already spent ε={before.epsilon:.4g}, δ={before.delta:.3g} over "
        f"{len(existing)} run(s) ({before.method}); left ε={left_eps:.4g}, δ={left_delta:.3g}; "
        f"this fit asks ε={planned.epsilon:g}, δ={planned.delta:g} (total would be "
        f"ε={total.epsilon:.4g}, δ={total.delta:.3g}). Nothing was spent: {advice}, or raise "
        f"the budget with `synthguard budget set`."
    )


def max_affordable_epsilon(existing: Sequence[SpendEntry], planned: SpendEntry,
                           budget: Budget) -> float:
    """Largest ε a fit like ``planned`` (same δ and accountant kind) could still ask for."""
    def fits(eps: float) -> bool:
        rho = cdp_rho(eps, planned.delta) if planned.rho is not None else None
        ok, _ = fits_budget([*existing, SpendEntry(eps, planned.delta, rho)],
                            epsilon=budget.epsilon, delta=budget.delta)
        return ok

    lo, hi = 0.0, budget.epsilon
    if not fits(1e-9):
        return 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return lo


# -- the check -> fit -> record helper used by `synthguard generate` ----------------------


class DPGenerator(Protocol):
    """What :func:`run_dp_fit` needs from a DP generator (see ``generators.dp``)."""

    name: str

    def planned_spend(self, n_rows: int) -> _SpendLike: ...

    def fit(self, data: Any, *, schema: Any = None, seed: int = 0,
            progress: ProgressCallback | None = None) -> Any: ...

    def privacy_spent(self) -> _SpendLike | None: ...


def run_dp_fit(
    generator: DPGenerator, frame: pd.DataFrame, *, store: RunStore | None = None,
    schema: Any = None, seed: int = 0, progress: ProgressCallback | None = None,
    run_id: str = "", dataset_sha256: str | None = None,
) -> _SpendLike:
    """Check the budget, reserve, fit, record: the only way the CLI fits a DP generator.

    Validation of ε/δ/bounds happens in ``planned_spend`` (before anything is reserved);
    a refusal raises :class:`BudgetExceededError` with nothing spent; a failing fit releases
    its reservation. Returns the recorded guarantee.
    """
    from synthguard.data.loading import table_fingerprint

    planned = generator.planned_spend(len(frame))
    sha = dataset_sha256 or table_fingerprint(frame)
    ledger = BudgetLedger(store)
    reservation = ledger.check_and_reserve(
        sha, epsilon=planned.epsilon, delta=planned.delta, rho=planned.rho,
        generator=generator.name, mechanism=planned.mechanism, accountant=planned.accountant,
        run_id=run_id, detail={"planned": planned.to_dict(), "seed": seed},
    )
    try:
        generator.fit(frame, schema=schema, seed=seed, progress=progress)
        spent = generator.privacy_spent()
        if spent is None:
            raise SynthguardError(
                f"generator {generator.name!r} declares dp=True but reported no privacy "
                "spend; the ledger refuses it")
    except BaseException:
        ledger.release(reservation)
        raise
    ledger.record_spend(reservation, spent, run_id=run_id or None)
    return spent


__all__ = [
    "Budget",
    "BudgetLedger",
    "BudgetStatus",
    "DPGenerator",
    "Spend",
    "max_affordable_epsilon",
    "run_dp_fit",
]

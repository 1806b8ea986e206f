"""Per-dataset privacy budgets and the spends charged against them, in the run store.

A DP fit is charged against the *dataset* it reads, identified by the rules of
:mod:`synthguard.ledger.identity`: an order/format/dtype-independent fingerprint, and
near-copy matching (a row dropped, a column added or dropped, a split) against the datasets
the ledger already knows, so a budget follows the people in the data, not the file. Every
DP fit goes through :func:`charge_dp_fit` — the DP generators' own ``fit`` calls it, and so do
:func:`run_dp_fit` (CLI, app) and distillation's DP teacher:

1. in one SQLite transaction: settle stale reservations, find the dataset(s) the table is
   (registering it when it is new), compose what each has spent or reserved with the planned
   spend; if any budget would be exceeded, raise :class:`BudgetExceededError` saying what is
   left, and write nothing. Otherwise insert a *reservation* per dataset (with this process's
   pid). This happens before the generator reads the table.
2. the fit runs;
3. the reservation becomes a spend with the generator's reported guarantee. An ordinary
   error deletes it (no model was returned, so nothing was released); an interrupt
   (KeyboardInterrupt/SystemExit, which SIGTERM becomes in the CLI) settles it as spent at the
   planned guarantee (``interrupted``): noise may already have been drawn from the data.

A reservation whose process is gone (killed) is settled as spent the next time the ledger
is opened on the same host, and shown as such. Budgets cannot be set below what is spent.
Composition rules are in :mod:`synthguard.ledger.accounting` and are stated in every answer.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import sqlite3
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import pandas as pd

from synthguard.errors import BudgetExceededError, ParameterError, SynthguardError
from synthguard.ledger.accounting import (
    Composition,
    SpendEntry,
    cdp_rho,
    compose,
    fits_budget,
)
from synthguard.ledger.identity import (
    COVERED,
    DatasetIdentity,
    Match,
    Sketch,
    TableRows,
    match,
)
from synthguard.ledger.runstore import RunStore, pid_alive
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
CREATE TABLE IF NOT EXISTS dp_datasets (
    dataset_sha256 TEXT PRIMARY KEY,
    columns_json TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    sketch TEXT NOT NULL,
    leave_one_out_json TEXT NOT NULL,
    created TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT ''
);
"""

RESERVED = "reserved"
SPENT = "spent"
_HOST = socket.gethostname()


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

    @property
    def label(self) -> str:
        """``reserved``, ``spent``, or ``spent (interrupted)`` / ``spent (stale: ...)``."""
        settled = self.detail.get("settled")
        return f"{self.status} ({settled})" if settled else self.status

    def to_dict(self) -> dict[str, Any]:
        return {"spend_id": self.spend_id, "run_id": self.run_id, "created": self.created,
                "status": self.label, "generator": self.generator,
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

    @property
    def epsilon(self) -> float: ...
    @property
    def delta(self) -> float: ...
    @property
    def mechanism(self) -> str: ...
    @property
    def accountant(self) -> str: ...
    @property
    def rho(self) -> float | None: ...

    def to_dict(self) -> dict[str, Any]: ...


_T = TypeVar("_T", bound=_SpendLike)


class BudgetLedger:
    """Budgets, datasets and spends of the run store; tables created on first use.

    Opening a ledger settles reservations of processes that are gone (see module docstring).
    """

    def __init__(self, store: RunStore | None = None) -> None:
        self.store = store or RunStore()
        with self.store.connect() as conn:
            _ensure_tables(conn)
            self._settle_stale(conn)

    # -- datasets ---------------------------------------------------------------------
    def datasets(self, conn: sqlite3.Connection | None = None) -> list[DatasetIdentity]:
        """Every dataset the ledger knows (fingerprint, columns, size, sketches)."""
        sql = "SELECT * FROM dp_datasets ORDER BY created, rowid"
        if conn is None:
            with self.store.connect() as own:
                rows = own.execute(sql).fetchall()
        else:
            rows = conn.execute(sql).fetchall()
        out = []
        for r in rows:
            loo = {c: Sketch.from_hex(h, r["n_rows"])
                   for c, h in json.loads(r["leave_one_out_json"]).items()}
            out.append(DatasetIdentity(r["dataset_sha256"], tuple(json.loads(r["columns_json"])),
                                       r["n_rows"], Sketch.from_hex(r["sketch"], r["n_rows"]), loo))
        return out

    def matches(self, data: pd.DataFrame | TableRows,
                conn: sqlite3.Connection | None = None) -> list[Match]:
        """Known datasets ``data`` is (or is a near-copy of), best first; see ledger.identity."""
        rows = data if isinstance(data, TableRows) else TableRows(data)
        found = [m for d in self.datasets(conn) if (m := match(rows, d)) is not None]
        return sorted(found, key=lambda m: (-m.inside, -m.jaccard))

    def _resolve(self, rows: TableRows, conn: sqlite3.Connection, *, register: bool,
                 label: str) -> list[Match]:
        found = self.matches(rows, conn)
        if register and not any(m.inside >= COVERED for m in found):
            ident = rows.identity()
            conn.execute(
                "INSERT OR IGNORE INTO dp_datasets VALUES (?,?,?,?,?,?,?)",
                (ident.fingerprint, json.dumps(list(ident.columns)), ident.n_rows,
                 ident.sketch.to_hex(),
                 json.dumps({c: s.to_hex() for c, s in ident.leave_one_out.items()}),
                 _now(), label))
            found.insert(0, Match(ident.fingerprint, "new dataset", 1.0, 1.0, 1.0,
                                  len(ident.columns)))
        return found

    def resolve(self, data: pd.DataFrame | TableRows, *, register: bool = True,
                label: str = "") -> list[Match]:
        """The dataset(s) ``data`` belongs to, registering it when no known one covers it."""
        rows = data if isinstance(data, TableRows) else TableRows(data)
        with self.store.connect() as conn:
            return self._resolve(rows, conn, register=register, label=label)

    def key_for(self, data: pd.DataFrame | TableRows, *, register: bool = True,
                label: str = "") -> str:
        """The budget key of ``data``: the known dataset that best covers it (a new one if
        none does and ``register``; else its own fingerprint)."""
        rows = data if isinstance(data, TableRows) else TableRows(data)
        found = self.resolve(rows, register=register, label=label)
        covering = [m for m in found if m.inside >= COVERED]
        return covering[0].dataset_sha256 if covering else rows.fingerprint()

    # -- budgets ----------------------------------------------------------------------
    def set_budget(self, dataset_sha256: str, *, epsilon: float, delta: float,
                   note: str = "") -> Budget:
        """Set (or replace) the total budget of a dataset. A budget below what the dataset
        has already spent is refused (:class:`ParameterError`) and nothing changes."""
        return self.set_budgets([dataset_sha256], epsilon=epsilon, delta=delta, note=note)[0]

    def set_budgets(self, keys: Sequence[str], *, epsilon: float, delta: float,
                    note: str = "") -> list[Budget]:
        """Set the same total budget on several datasets in one transaction (the tables of a
        relational dataset: an entity-level DP fit charges every one of them). Refused for
        all, nothing changed, if any has already spent more."""
        _check_eps_delta(epsilon, delta, what="budget")
        if not keys:
            raise ParameterError("no dataset to set a budget on")
        budgets = [Budget(key, float(epsilon), float(delta), _now(), note) for key in keys]
        with self.store.connect() as conn:
            self._settle_stale(conn)
            for key in keys:
                spends = self.spends(key, conn)
                if not spends:
                    continue
                ok, total = fits_budget([s.entry() for s in spends], epsilon=float(epsilon),
                                        delta=float(delta))
                if not ok:
                    raise ParameterError(
                        f"cannot set the budget of dataset {key[:12]}… to "
                        f"ε={epsilon:g}, δ={delta:g}: it has already spent ε={total.epsilon:.4g}, "
                        f"δ={total.delta:.3g} over {len(spends)} run(s) ({total.method}); a "
                        f"budget cannot be set below what is spent (at δ={delta:g} give "
                        f"epsilon={total.epsilon:.4g} or more)")
            for budget in budgets:
                conn.execute("INSERT OR REPLACE INTO dp_budgets VALUES (?,?,?,?,?)",
                             (budget.dataset_sha256, budget.epsilon, budget.delta, budget.created,
                              note))
        return budgets

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
        return [_spend_of(r) for r in rows]

    def status(self, dataset_sha256: str) -> BudgetStatus:
        with self.store.connect() as conn:
            self._settle_stale(conn)
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

    def check_affordable(self, dataset_sha256: str, *, epsilon: float, delta: float,
                         rho: float | None) -> BudgetStatus:
        """Raise :class:`BudgetExceededError` (the message a fit would get) when a spend of
        (ε, δ) would exceed the dataset's budget; write nothing. Returns the current status."""
        planned = _planned_entry(epsilon, delta, rho)
        status = self.status(dataset_sha256)
        if status.budget is not None:
            existing = [s.entry() for s in status.spends]
            ok, total = fits_budget([*existing, planned], epsilon=status.budget.epsilon,
                                    delta=status.budget.delta)
            if not ok:
                raise BudgetExceededError(_refusal(status.budget, existing, planned, total,
                                                   dataset_sha256))
        return status

    def check_and_reserve(
        self, dataset_sha256: str, *, epsilon: float, delta: float, rho: float | None,
        generator: str, mechanism: str, accountant: str, run_id: str = "",
        detail: dict[str, Any] | None = None,
    ) -> Spend:
        """Reserve a planned spend on one dataset key, or raise :class:`BudgetExceededError`
        writing nothing. ``rho`` is the zCDP parameter for zCDP mechanisms, else None."""
        planned = _planned_entry(epsilon, delta, rho)
        with self.store.connect() as conn:  # BEGIN IMMEDIATE: check and insert atomically
            self._settle_stale(conn)
            return self._reserve(conn, [dataset_sha256], planned, generator=generator,
                                 mechanism=mechanism, accountant=accountant, run_id=run_id,
                                 detail=detail)[0]

    def reserve_for(
        self, rows: TableRows, *, epsilon: float, delta: float, rho: float | None,
        generator: str, mechanism: str, accountant: str, run_id: str = "",
        detail: dict[str, Any] | None = None, label: str = "",
        also: Sequence[TableRows] = (),
    ) -> list[Spend]:
        """Find (or register) the dataset(s) of ``rows`` — and of each table in ``also``, such
        as the loaded dataset a split came from — and reserve the planned spend on every one,
        in one transaction; refuse (writing nothing) if any budget would be exceeded."""
        planned = _planned_entry(epsilon, delta, rho)
        with self.store.connect() as conn:
            self._settle_stale(conn)
            keys: list[str] = []
            matched: list[dict[str, Any]] = []
            for table in (*also, rows):  # the source first, so a split then matches it
                for m in self._resolve(table, conn, register=True, label=label):
                    if m.dataset_sha256 not in keys:
                        keys.append(m.dataset_sha256)
                        matched.append(m.to_dict())
            return self._reserve(conn, keys, planned, generator=generator, mechanism=mechanism,
                                 accountant=accountant, run_id=run_id,
                                 detail={**(detail or {}), "matched": matched})

    def _reserve(self, conn: sqlite3.Connection, keys: Sequence[str], planned: SpendEntry, *,
                 generator: str, mechanism: str, accountant: str, run_id: str,
                 detail: dict[str, Any] | None) -> list[Spend]:
        for key in keys:
            budget = self.get_budget(key, conn)
            existing = [s.entry() for s in self.spends(key, conn)]
            if budget is not None:
                ok, total = fits_budget([*existing, planned], epsilon=budget.epsilon,
                                        delta=budget.delta)
                if not ok:
                    raise BudgetExceededError(_refusal(budget, existing, planned, total, key))
        out = []
        for key in keys:
            spend = Spend(uuid.uuid4().hex[:12], key, run_id or "-", _now(), RESERVED,
                          generator, mechanism, accountant, planned.epsilon, planned.delta,
                          planned.rho, {**(detail or {}), "pid": os.getpid(), "host": _HOST})
            conn.execute(
                "INSERT INTO dp_spends VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (spend.spend_id, key, spend.run_id, spend.created, RESERVED,
                 generator, mechanism, accountant, spend.epsilon, spend.delta, spend.rho,
                 json.dumps(spend.detail, sort_keys=True, default=str)),
            )
            out.append(spend)
        return out

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

    def settle(self, reservation: Spend, *, reason: str) -> None:
        """Count a reservation as spent at its planned guarantee (an interrupted fit)."""
        with self.store.connect() as conn:
            self._settle_row(conn, reservation.spend_id, reservation.detail, reason)

    @staticmethod
    def _settle_row(conn: sqlite3.Connection, spend_id: str, detail: dict[str, Any],
                    reason: str) -> None:
        conn.execute("UPDATE dp_spends SET status=?, detail_json=? WHERE spend_id=? AND status=?",
                     (SPENT, json.dumps({**detail, "settled": reason}, sort_keys=True,
                                        default=str), spend_id, RESERVED))

    def _settle_stale(self, conn: sqlite3.Connection) -> None:
        """Reservations of processes that are gone (same host) become spent (conservative)."""
        rows = conn.execute("SELECT spend_id, detail_json FROM dp_spends WHERE status=?",
                            (RESERVED,)).fetchall()
        for r in rows:
            detail = json.loads(r["detail_json"])
            pid = detail.get("pid")
            if (isinstance(pid, int) and detail.get("host") == _HOST and pid != os.getpid()
                    and not pid_alive(pid)):
                log.warning("reservation %s of process %d, which is gone, counted as spent",
                            r["spend_id"], pid)
                self._settle_row(conn, r["spend_id"], detail,
                                 f"stale: process {pid} is gone, counted as spent")


def _spend_of(r: sqlite3.Row) -> Spend:
    return Spend(r["spend_id"], r["dataset_sha256"], r["run_id"], r["created"], r["status"],
                 r["generator"], r["mechanism"], r["accountant"], r["epsilon"], r["delta"],
                 r["rho"], json.loads(r["detail_json"]))


def _planned_entry(epsilon: float, delta: float, rho: float | None) -> SpendEntry:
    _check_eps_delta(epsilon, delta, what="fit")
    return SpendEntry(float(epsilon), float(delta), None if rho is None else float(rho))


def _check_eps_delta(epsilon: float, delta: float, *, what: str) -> None:
    if not (isinstance(epsilon, int | float) and math.isfinite(epsilon) and epsilon > 0):
        raise ParameterError(f"{what}: epsilon={epsilon!r} must be a finite number > 0")
    if not (isinstance(delta, int | float) and 0 < delta < 1):
        raise ParameterError(f"{what}: delta={delta!r} must be in (0, 1)")


def _refusal(budget: Budget, existing: Sequence[SpendEntry], planned: SpendEntry,
             total: Composition, sha: str) -> str:
    before = compose(existing, delta_budget=budget.delta)
    left_eps = max(0.0, budget.epsilon - before.epsilon) if math.isfinite(before.epsilon) else 0
    left_delta = max(0.0, budget.delta - before.delta)
    most = max_affordable_epsilon(existing, planned, budget)
    advice = (f"ask for epsilon={most:.4g} or less at this δ" if most > 0
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


# -- the one path every DP fit takes ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DPLedger:
    """Where a DP fit is charged (pass it as ``fit(..., ledger=DPLedger(...))``).

    ``store``: the run store (default: the user's, ``$SYNTHGUARD_STORE``); ``run_id``: the run
    record the spend belongs to; ``source``: the loaded dataset the fitted table came from
    (a split, a sample): it is charged *as well as* whatever the fitted table itself matches,
    never instead of it; ``label``: shown for a newly registered dataset (a file name).
    """

    store: RunStore | None = None
    run_id: str = ""
    source: pd.DataFrame | None = None
    label: str = ""


def charge_dp_fit(*, name: str, planned: _SpendLike, data: pd.DataFrame,
                  fit: Callable[[], _SpendLike | None], ledger: DPLedger | None = None,
                  seed: int | None = None) -> _SpendLike:
    """Check the budget(s), reserve, run ``fit``, record what it reports (see module doc).

    ``planned`` was validated by the caller before any data is read; a refusal raises
    :class:`BudgetExceededError` with nothing spent and ``fit`` never called.
    """
    ledger = ledger or DPLedger()
    rows = TableRows(data)
    also = (TableRows(ledger.source),) if ledger.source is not None else ()
    book = BudgetLedger(ledger.store)
    reservations = book.reserve_for(
        rows, also=also, epsilon=planned.epsilon, delta=planned.delta, rho=planned.rho,
        generator=name, mechanism=planned.mechanism, accountant=planned.accountant,
        run_id=ledger.run_id, detail={"planned": planned.to_dict(), "seed": seed},
        label=ledger.label)
    return spend_reserved(book, reservations, fit, name=name, run_id=ledger.run_id)


def spend_reserved(book: BudgetLedger, reservations: Sequence[Spend],
                   fit: Callable[[], _T | None], *, name: str, run_id: str) -> _T:
    """Run ``fit`` against reservations already made and settle them: record what it reports;
    on an interrupt count them as spent (noise may have been drawn); on any other failure
    release them. A DP fit that reports no spend is refused."""
    try:
        spent = fit()
        if spent is None:
            raise SynthguardError(
                f"generator {name!r} declares dp=True but reported no privacy spend; the "
                "ledger refuses it")
    except (KeyboardInterrupt, SystemExit):
        for r in reservations:  # noise may have been drawn: count it (conservative)
            book.settle(r, reason="interrupted")
        raise
    except BaseException:
        for r in reservations:
            book.release(r)
        raise
    for r in reservations:
        book.record_spend(r, spent, run_id=run_id or None)
    return spent


class DPGenerator(Protocol):
    """What :func:`run_dp_fit` needs from a DP fit that does not charge the ledger itself
    (distillation's DP teacher); DP generators charge it in their own ``fit``."""

    name: str

    def planned_spend(self, n_rows: int) -> _SpendLike: ...

    def fit(self, data: Any, *, schema: Any = None, seed: int = 0,
            progress: ProgressCallback | None = None) -> Any: ...

    def privacy_spent(self) -> _SpendLike | None: ...


def run_dp_fit(
    generator: DPGenerator, frame: pd.DataFrame, *, store: RunStore | None = None,
    schema: Any = None, seed: int = 0, progress: ProgressCallback | None = None,
    run_id: str = "", source: pd.DataFrame | None = None, label: str = "",
) -> _SpendLike:
    """Fit a DP generator (or teacher) with the ledger charged exactly once; return the
    recorded guarantee. ``source``: the loaded dataset ``frame`` was split/sampled from.

    Generators whose own ``fit`` charges the ledger (``charges_ledger``) get the ledger
    passed in; other DP fits are wrapped by :func:`charge_dp_fit` here.
    """
    ledger = DPLedger(store=store, run_id=run_id, source=source, label=label)
    if getattr(generator, "charges_ledger", False):
        generator.fit(frame, schema=schema, seed=seed, progress=progress,
                      ledger=ledger)  # type: ignore[call-arg]
        spent = generator.privacy_spent()
        assert spent is not None  # charge_dp_fit refused a fit without one
        return spent
    planned = generator.planned_spend(len(frame))

    def fit() -> _SpendLike | None:
        generator.fit(frame, schema=schema, seed=seed, progress=progress)
        return generator.privacy_spent()

    return charge_dp_fit(name=generator.name, planned=planned, data=frame, fit=fit,
                         ledger=ledger, seed=seed)


__all__ = [
    "Budget",
    "BudgetLedger",
    "BudgetStatus",
    "DPGenerator",
    "DPLedger",
    "Spend",
    "charge_dp_fit",
    "max_affordable_epsilon",
    "run_dp_fit",
]

"""Checks before a generator job starts: ε, δ, public bounds and the privacy budget.

A DP fit refuses bad input itself, but only once it runs: after a split, a schema inference,
maybe a minute of a queue. :func:`preflight` asks the same questions up front, with the same
rules and the same typed errors, worded in Python terms (``epsilon=``, ``bounds=``), so the
CLI (which maps them to its flags) and the app (which maps them to its widgets) can refuse a
job before anything starts:

- ε > 0 and finite, 0 < δ < 1/n (δ ≥ 1/n allows publishing a whole record);
- a public bound for every numeric column of a DP generator (from ``bounds=`` or the schema,
  e.g. a built-in dataset's documented bounds), unless ``estimate_bounds=True``;
- the dataset's budget in the ledger has room for the planned (ε, δ).

:func:`preflight_problems` returns every problem (for a form); :func:`preflight` raises the
first and otherwise returns what the job will use (:class:`Preflight`). Nothing is written:
no budget is reserved, no dataset registered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from synthguard.data.schema import Schema
from synthguard.errors import ParameterError, SynthguardError
from synthguard.generators.base import Generator


@dataclass(frozen=True)
class Preflight:
    """What a checked job will use."""

    generator: str
    dp: bool
    rows: int
    epsilon: float | None = None
    delta: float | None = None  # resolved: the given δ, or the default 1/n²
    bounds: Mapping[str, tuple[float, float] | None] = field(default_factory=dict)  # None: DP-estimated
    bounds_source: Mapping[str, str] = field(default_factory=dict)  # user | schema | dp-estimated
    budget_key: str | None = None  # the ledger's dataset key
    remaining_epsilon: float | None = None  # before this job; None without a budget

    def to_dict(self) -> dict[str, Any]:
        return {"generator": self.generator, "dp": self.dp, "rows": self.rows,
                "epsilon": self.epsilon, "delta": self.delta,
                "bounds": {c: None if b is None else list(b) for c, b in self.bounds.items()},
                "bounds_source": dict(self.bounds_source), "budget_key": self.budget_key,
                "remaining_epsilon": self.remaining_epsilon}


def _generator(generator: Generator | str, params: Mapping[str, Any] | None) -> Generator:
    if isinstance(generator, Generator):
        if params:
            raise ParameterError("params= applies to a generator given by name, not to an instance")
        return generator
    from synthguard.generators.registry import create_generator

    return create_generator(generator, **dict(params or {}))


def _check(generator: Generator | str, frame: pd.DataFrame, *, params: Mapping[str, Any] | None,
           schema: Schema | None, store: Any, budget: bool, source: pd.DataFrame | None,
           problems: list[SynthguardError]) -> Preflight | None:
    def attempt(step: Any) -> Any:
        try:
            return step()
        except SynthguardError as exc:
            problems.append(exc)
            return None

    model = attempt(lambda: _generator(generator, params))  # ε, δ ranges: the params' own checks
    if model is None:
        return None
    rows = len(frame)
    if not model.caps.dp:
        return Preflight(model.name, False, rows)
    delta = attempt(lambda: model.resolve_delta(rows)) if hasattr(model, "resolve_delta") else None
    bounds: dict[str, tuple[float, float] | None] = {}
    sources: dict[str, str] = {}
    if hasattr(model, "plan"):
        from synthguard.data.schema import ColumnKind, infer_schema

        full = schema or infer_schema(frame)
        # PII and free-text columns are the PII policy's (faked or dropped before the fit):
        # planned as categorical here, so they neither fail the plan nor need bounds
        relaxed = full.restricted({c: replace(spec, kind=ColumnKind.CATEGORICAL)
                                   if spec.kind in (ColumnKind.PII, ColumnKind.TEXT) else spec
                                   for c, spec in full.columns.items()})
        plans = attempt(lambda: model.plan(frame, relaxed))
        for p in plans or []:
            if p.kind == "numeric":
                bounds[p.name] = p.bounds
                sources[p.name] = p.bounds_source
    key = remaining = None
    if budget and delta is not None:
        from synthguard.ledger.budget import BudgetLedger

        ledger = BudgetLedger(store)
        key = ledger.key_for(source if source is not None else frame, register=False)
        planned = attempt(lambda: model.planned_spend(rows))
        if planned is not None:
            status = attempt(lambda: ledger.check_affordable(
                key, epsilon=planned.epsilon, delta=planned.delta, rho=planned.rho))
            if status is None:  # refused: the status without this job
                status = ledger.status(key)
            remaining = status.remaining_epsilon
    epsilon = getattr(model.params, "epsilon", None)
    return Preflight(model.name, True, rows, epsilon, delta, bounds, sources, key, remaining)


def preflight_problems(generator: Generator | str, frame: pd.DataFrame, *,
                       params: Mapping[str, Any] | None = None, schema: Schema | None = None,
                       store: Any = None, budget: bool = True,
                       source: pd.DataFrame | None = None) -> list[SynthguardError]:
    """Every problem a job of ``generator`` on ``frame`` would meet, as typed errors (empty
    when it can start). ``generator`` is a registry name (with ``params``) or an instance;
    ``schema`` carries public bounds (e.g. ``source_schema(frame, "adult")``); ``store`` is
    the run store holding the budget ledger (default: the user's); ``source``: the loaded
    table ``frame`` was split from (its budget is the one charged)."""
    problems: list[SynthguardError] = []
    _check(generator, frame, params=params, schema=schema, store=store, budget=budget,
           source=source, problems=problems)
    return problems


def preflight(generator: Generator | str, frame: pd.DataFrame, *,
              params: Mapping[str, Any] | None = None, schema: Schema | None = None,
              store: Any = None, budget: bool = True,
              source: pd.DataFrame | None = None) -> Preflight:
    """Check a job before it starts (see the module doc); raise the first problem
    (:class:`ParameterError`, :class:`SchemaError` or :class:`BudgetExceededError`)."""
    problems: list[SynthguardError] = []
    result = _check(generator, frame, params=params, schema=schema, store=store, budget=budget,
                    source=source, problems=problems)
    if problems:
        raise problems[0]
    assert result is not None
    return result


__all__ = ["Preflight", "preflight", "preflight_problems"]

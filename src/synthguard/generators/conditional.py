"""Conditional sampling, rebalancing and constraints for every tabular generator.

One layer on the generator protocol, so any registered generator (and any added later)
gets it: :class:`ConditionalSampler` wraps a fitted generator and a checked
:class:`~synthguard.generators.conditions.SamplingSpec`. Each block of the seeded row
stream (:mod:`synthguard.generators.streaming`) is filled by drawing batches from the
generator, applying the transforms (rounding, clipping, snapping to a value set) and keeping
the rows that meet every condition and constraint (rejection sampling), until the block's
quota per rebalanced group is met. Batches are sized from the acceptance rate seen so far;
when a group's rate falls below ``min_acceptance`` the sampler stops with an error naming
the conditions instead of running for ever. A generator whose capabilities say
``conditional`` and that offers ``sample_conditioned(n, *, seed, fixed)`` is asked for rows
with the fixed values directly (the filter still checks every row).

Rebalanced groups are interleaved (group ``g``'s ``i``-th row sits at position
``(i + 1/2) / quota_g``), so every prefix of a block, and so any row count, holds each
group's share within one row. Streamed output stays identical for any chunk size.

For a DP generator this is post-processing of the fitted model with user-given (public)
rules: no ε is spent and the ledger entry of the fit is unchanged; the spend reported adds
the spec to what was treated as public.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.schema import Schema
from synthguard.errors import ParameterError
from synthguard.generators.base import Capabilities, Generator, PrivacySpend, check_rows
from synthguard.generators.conditions import (
    Between,
    Condition,
    Constraint,
    Domain,
    Fixed,
    FixedCombinations,
    Inequality,
    Range,
    Rebalance,
    Rounding,
    SamplingSpec,
    ValueSet,
    _combination_keys,
    _float_key,
    _floats,
    build_spec,
    value_keys,
)
from synthguard.generators.streaming import BLOCK_ROWS
from synthguard.progress import ProgressCallback, report

DEFAULT_MIN_ACCEPTANCE = 0.002  # below this share of generated rows kept, stop with an error
_MIN_BATCH = 512
_MAX_BATCH = 200_000
_PILOT = 2_000  # rows drawn before an acceptance rate is trusted
PUBLIC_NOTE = ("sampling conditions, rebalancing shares and constraints (given by the user, "
               "applied to samples of the fitted model: post-processing, no ε)")


def _seed(seed: int, block: int, attempt: int) -> int:
    state = np.random.SeedSequence([int(seed), int(block), int(attempt), 7]).generate_state(1)[0]
    return int(state) % (2**31 - 1)


class ConditionalSampler:
    """A fitted generator plus a checked spec; samples like a generator (``sample``,
    ``sample_chunk``), so :func:`~synthguard.generators.streaming.sample_to_file` streams it."""

    def __init__(self, generator: Generator, spec: SamplingSpec, *, domain: Domain,
                 min_acceptance: float = DEFAULT_MIN_ACCEPTANCE) -> None:
        if generator.caps.modality != "tabular":
            raise ParameterError(f"conditions apply to tabular generators; {generator.name!r} is "
                                 f"{generator.caps.modality}")
        if not 0 < min_acceptance < 1:
            raise ParameterError(f"min_acceptance must be in (0, 1), got {min_acceptance!r}")
        if spec.learns_from_data():
            raise ParameterError("resolve the spec against the training data first "
                                 "(SamplingSpec.resolve(domain, data=...))")
        self.generator = generator
        self.spec = spec
        self.domain = domain
        self.min_acceptance = float(min_acceptance)
        self.name = generator.name
        self._groups = _groups(spec.rebalance)

    @property
    def caps(self) -> Capabilities:
        return self.generator.caps

    def privacy_spent(self) -> PrivacySpend | None:
        spend = self.generator.privacy_spent()
        if spend is None or self.spec.empty:
            return spend
        return replace(spend, public=(*spend.public, PUBLIC_NOTE))

    # --------------------------------------------------------------- sampling
    def sample(self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None) -> pd.DataFrame:
        """``n`` rows meeting the spec, block by block as the streamed writer draws them
        (whole blocks are the same rows; a last partial block is drawn at its own size,
        so a small ``n`` does not cost a whole block)."""
        check_rows(n)
        parts = []
        for block, start in enumerate(range(0, n, BLOCK_ROWS)):
            size = min(BLOCK_ROWS, n - start)
            parts.append(self.sample_chunk(size, seed=seed, chunk_index=block))
            report(progress, f"sample {self.name} (conditioned)", start + size, n)
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]

    def sample_chunk(self, size: int, *, seed: int, chunk_index: int) -> pd.DataFrame:
        """``size`` rows meeting the spec, drawn from a stream keyed by ``(seed, chunk_index)``."""
        quotas = _quotas(size, self._groups)
        kept: list[list[pd.DataFrame]] = [[] for _ in quotas]
        have = np.zeros(len(quotas), dtype=np.int64)
        seen = np.zeros(len(quotas), dtype=np.int64)
        drawn = attempt = 0
        while (have < quotas).any():
            batch = self._draw(quotas - have, seen, drawn, seed=seed, block=chunk_index, attempt=attempt)
            attempt += 1
            drawn += len(batch)
            batch = self.transform(batch)
            ok = self.accepts(batch)
            group = self.group_of(batch)
            for g in np.flatnonzero(have < quotas):
                rows = np.flatnonzero(ok & (group == g))
                seen[g] += rows.size
                take = rows[: int(quotas[g] - have[g])]
                if take.size:
                    kept[g].append(batch.iloc[take])
                    have[g] += take.size
            self._check_rate(quotas, have, seen, drawn)
        return _interleave(kept, quotas, batch.columns)

    def _draw(self, missing: np.ndarray, seen: np.ndarray, drawn: int, *, seed: int, block: int,
              attempt: int) -> pd.DataFrame:
        rates = np.where(seen > 0, seen / max(drawn, 1), 1.0 if drawn == 0 else 1.0 / drawn)
        need = max(float(m) / max(float(r), self.min_acceptance) for m, r in zip(missing, rates, strict=True) if m > 0)
        size = int(min(max(need * 1.15 + 32, _MIN_BATCH), _MAX_BATCH))
        sub_seed = _seed(seed, block, attempt)
        fixed = self._fixed_values()
        native = getattr(self.generator, "sample_conditioned", None)
        if self.caps.conditional and fixed and callable(native):
            frame = native(size, seed=sub_seed, fixed=fixed)
        else:
            frame = self.generator.sample(size, seed=sub_seed)
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise ParameterError(f"generator {self.name!r} returned no rows")
        return frame.reset_index(drop=True)

    def _fixed_values(self) -> dict[str, Any]:
        """Columns every condition pins to exactly one value (for native conditioning)."""
        out: dict[str, Any] = {}
        for cond in self.spec.conditions:
            if isinstance(cond, Fixed) and len(cond.values) == 1:
                out[cond.column] = cond.values[0]
        return out

    def _check_rate(self, quotas: np.ndarray, have: np.ndarray, seen: np.ndarray, drawn: int) -> None:
        if drawn < max(_PILOT, int(10 / self.min_acceptance)):
            return  # ~10 expected hits at the threshold before a rate is judged
        for g in np.flatnonzero(have < quotas):
            rate = seen[g] / drawn
            if rate < self.min_acceptance:
                group = self._groups[g][0] if self._groups else ""
                what = self.spec.describe() + (f" (group {group})" if group else "")
                raise ParameterError(
                    f"only {rate:.3%} of the rows {self.name} generates meet {what} (below "
                    f"min_acceptance {self.min_acceptance:.3%} after {drawn:,} rows): widen the "
                    "conditions, drop a constraint, or lower min_acceptance=")

    # ------------------------------------------------------------ row checks
    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Apply rounding, clipping and snapping (before the row checks)."""
        out = frame
        for con in self.spec.constraints:
            if isinstance(con, Rounding) and con.column in out:
                out = _with(out, con.column, _round(out[con.column], con.decimals))
            elif isinstance(con, Range) and con.handling == "clip" and con.column in out:
                out = _with(out, con.column, _clip(out[con.column], con, self.domain.columns[con.column].kind))
            elif isinstance(con, ValueSet) and con.handling == "snap" and con.column in out:
                out = _with(out, con.column, _snap(out[con.column], con.values))
        return out

    def accepts(self, frame: pd.DataFrame) -> np.ndarray:
        """Rows meeting every condition and constraint."""
        ok = np.ones(len(frame), dtype=bool)
        for item in (*self.spec.conditions, *self.spec.constraints):
            ok &= self._holds(item, frame)
        return ok

    def group_of(self, frame: pd.DataFrame) -> np.ndarray:
        """Index of each row's rebalanced group (-1: none); 0 for all rows without rebalancing."""
        if not self._groups:
            return np.zeros(len(frame), dtype=np.int64)
        index = {key: g for g, (_, key, _) in enumerate(self._groups)}
        parts = [self._keys(frame, reb.column) for reb in self.spec.rebalance]
        joined = parts[0].astype(str)
        for p in parts[1:]:
            joined = np.char.add(np.char.add(joined, "\x1f"), p.astype(str))
        return np.array([index.get(k, -1) for k in joined], dtype=np.int64)

    def _keys(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        kind = self.domain.columns[column].kind
        if kind == "datetime":
            return np.array([_float_key(v) for v in _floats(frame[column], kind)], dtype=object)
        return value_keys(frame[column], numeric=kind == "numeric")

    def _holds(self, item: Condition | Constraint, frame: pd.DataFrame) -> np.ndarray:
        if isinstance(item, Fixed | ValueSet):
            if isinstance(item, ValueSet) and item.handling == "snap":
                return np.ones(len(frame), dtype=bool)
            keys = {_float_key(v) if isinstance(v, float) else str(v) for v in item.values}
            return np.isin(self._keys(frame, item.column), list(keys))
        if isinstance(item, Between | Range):
            values = _floats(frame[item.column], self.domain.columns[item.column].kind)
            ok = np.isfinite(values)
            if item.low is not None:
                ok &= values >= float(item.low) - _tol(float(item.low))
            if item.high is not None:
                ok &= values <= float(item.high) + _tol(float(item.high))
            return np.asarray(ok, dtype=bool)
        if isinstance(item, Inequality):
            a = _floats(frame[item.low], self.domain.columns[item.low].kind)
            b = _floats(frame[item.high], self.domain.columns[item.high].kind)
            present = np.isfinite(a) & np.isfinite(b)
            holds = (a < b) if item.strict else (a <= b)
            return np.asarray(~present | holds, dtype=bool)
        if isinstance(item, FixedCombinations):
            assert item.allowed is not None
            allowed = ["\x1f".join(_float_key(v) if isinstance(v, float) else str(v) for v in c) for c in item.allowed]
            joint = _combination_keys(frame, [self.domain.columns[c] for c in item.columns])
            return np.asarray(np.isin(joint, allowed), dtype=bool)
        return np.ones(len(frame), dtype=bool)  # Rounding: a transform only


# ------------------------------------------------------------------ helpers


def _number(value: Any) -> Any:
    """A numeric column's constraint value as a number when it reads as one ("13" -> 13.0)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _tol(value: float) -> float:
    return 1e-9 * max(1.0, abs(value))


def _with(frame: pd.DataFrame, column: str, values: pd.Series) -> pd.DataFrame:
    out = frame.copy(deep=False)
    out[column] = values
    return out


def _round(series: pd.Series, decimals: int | None) -> pd.Series:
    if decimals is None or (decimals >= 0 and pd.api.types.is_integer_dtype(series)):
        return series
    out = pd.to_numeric(series, errors="coerce").round(decimals)
    return out.astype(series.dtype) if pd.api.types.is_integer_dtype(series) else out


def _clip(series: pd.Series, con: Range, kind: str) -> pd.Series:
    if kind == "datetime":
        low = None if con.low is None else pd.Timestamp(int(con.low))
        high = None if con.high is None else pd.Timestamp(int(con.high))
        return pd.to_datetime(series).clip(low, high)  # type: ignore[arg-type]
    out = pd.to_numeric(series, errors="coerce").clip(con.low, con.high)
    if pd.api.types.is_integer_dtype(series):
        return out.round().astype(series.dtype)  # type: ignore[no-any-return]
    return out


def _snap(series: pd.Series, values: tuple[Any, ...]) -> pd.Series:
    allowed = np.sort(np.asarray([float(v) for v in values]))
    x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    idx = np.clip(np.searchsorted(allowed, x), 1, max(allowed.size - 1, 1))
    if allowed.size == 1:
        snapped = np.full_like(x, allowed[0])
    else:
        left, right = allowed[idx - 1], allowed[idx]
        snapped = np.where(np.abs(x - left) <= np.abs(right - x), left, right)
    snapped[~np.isfinite(x)] = np.nan
    out = pd.Series(snapped, index=series.index)
    if pd.api.types.is_integer_dtype(series) and np.isfinite(snapped).all() and np.all(allowed == np.round(allowed)):
        return out.astype(series.dtype)
    return out


def _groups(rebalance: tuple[Rebalance, ...]) -> list[tuple[str, str, float]]:
    """(label, key, share) of each joint group of the rebalanced columns (product of shares)."""
    groups: list[tuple[str, str, float]] = [("", "", 1.0)]
    if not rebalance:
        return []
    for reb in rebalance:
        assert reb.values is not None
        nxt = []
        for label, key, share in groups:
            for value, s in zip(reb.values, reb.shares, strict=True):
                k = _float_key(value) if isinstance(value, float) else str(value)
                lab = f"{reb.column}={value:g}" if isinstance(value, float) else f"{reb.column}={value}"
                nxt.append((f"{label}, {lab}" if label else lab, f"{key}\x1f{k}" if key else k, share * s))
        groups = nxt
    return groups


def _quotas(size: int, groups: list[tuple[str, str, float]]) -> np.ndarray:
    """Rows per group: largest remainders of ``size * share`` (sum exactly ``size``)."""
    if not groups:
        return np.array([size], dtype=np.int64)
    exact = np.array([size * share for _, _, share in groups])
    quotas = np.floor(exact).astype(np.int64)
    rest = size - int(quotas.sum())
    order = np.argsort(-(exact - quotas), kind="stable")
    quotas[order[:rest]] += 1
    return np.asarray(quotas, dtype=np.int64)


def _interleave(kept: list[list[pd.DataFrame]], quotas: np.ndarray, columns: pd.Index) -> pd.DataFrame:
    frames = [pd.concat(parts, ignore_index=True) if parts else None for parts in kept]
    present = [f for f in frames if f is not None]
    if not present:
        return pd.DataFrame(columns=columns)
    if len(quotas) == 1:
        assert frames[0] is not None
        return frames[0].reset_index(drop=True)
    table = pd.concat(present, ignore_index=True)
    positions = np.concatenate([(np.arange(q) + 0.5) / q for q in quotas if q > 0])
    tiebreak = np.concatenate([np.full(q, g) for g, q in enumerate(quotas) if q > 0])
    order = np.lexsort((tiebreak, positions))
    return table.iloc[order].reset_index(drop=True)


# ---------------------------------------------------------------- entry points


def domain_for(generator: Generator, data: pd.DataFrame | None, schema: Schema | None = None,
               *, seed: int = 0) -> Domain:
    """The domain conditions are checked against: from the training table (public parts only
    for a DP generator: categorical value sets and given bounds), or, without a table, the
    kinds of a pilot sample of the generator (no value sets or bounds)."""
    if data is not None:
        bounds: dict[str, tuple[float, float]] = {}
        raw = getattr(generator.params, "bounds", None)
        if generator.caps.dp and raw is not None:
            from synthguard.generators.dp._discretise import load_bounds

            bounds = load_bounds(raw)
        return Domain.from_table(data, schema, public_only=generator.caps.dp, public_bounds=bounds)
    return Domain.from_kinds(generator.sample(_PILOT, seed=_seed(seed, -1, 0)))


def conditional_sampler(generator: Generator, spec: SamplingSpec, *, data: pd.DataFrame | None = None,
                        schema: Schema | None = None, min_acceptance: float = DEFAULT_MIN_ACCEPTANCE,
                        seed: int = 0) -> ConditionalSampler:
    """Check ``spec`` (against ``data``'s domain when given) and wrap ``generator``."""
    domain = domain_for(generator, data, schema, seed=seed)
    resolved = spec.resolve(domain, data=None if generator.caps.dp else data, dp=generator.caps.dp)
    return ConditionalSampler(generator, resolved, domain=domain, min_acceptance=min_acceptance)


def sample_conditional(generator: Generator, n: int, *, seed: int = 0,
                       conditions: Iterable[str | Condition] = (),
                       rebalance: Iterable[str | Rebalance] = (),
                       constraints: Iterable[Constraint] | str | Path | None = None,
                       data: pd.DataFrame | None = None, schema: Schema | None = None,
                       min_acceptance: float = DEFAULT_MIN_ACCEPTANCE,
                       progress: ProgressCallback | None = None) -> pd.DataFrame:
    """``n`` rows of a fitted ``generator`` meeting ``conditions`` (``"sex=Female"``,
    ``"age=30..40"`` or :class:`Fixed`/:class:`Between`), with ``rebalance`` shares
    (``"class=0.5,0.5"``) and ``constraints`` (objects or a JSON/YAML file).

    ``data`` (the training table) lets value sets and ranges be checked up front and lets
    non-DP generators learn fixed combinations/decimals from it.
    """
    spec = build_spec(conditions=conditions, rebalance=rebalance, constraints=constraints)
    sampler = conditional_sampler(generator, spec, data=data, schema=schema,
                                  min_acceptance=min_acceptance, seed=seed)
    return sampler.sample(n, seed=seed, progress=progress)


__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_MIN_ACCEPTANCE",
    "ConditionalSampler",
    "conditional_sampler",
    "domain_for",
    "sample_conditional",
]


def schema_with_combinations(schema: Schema, spec: SamplingSpec) -> Schema:
    """``schema`` plus the spec's fixed combinations that list their ``allowed`` values, as
    public metadata (``Schema.fixed_combinations``): the marginal DP generators then model
    each as one attribute at fit time, so no ε goes to impossible cells (the filter still
    checks every sampled row). A combination sharing a column with one the schema already
    declares is left to the filter."""
    taken = {c for combo in schema.fixed_combinations for c in combo.columns}
    extra = []
    for con in spec.constraints:
        if not isinstance(con, FixedCombinations) or con.allowed is None:
            continue
        if taken & set(con.columns) or not all(c in schema.columns for c in con.columns):
            continue
        taken |= set(con.columns)
        numeric = [schema.columns[c].kind == "numeric" for c in con.columns]
        allowed = [[_number(v) if num else v for v, num in zip(combo, numeric, strict=True)]
                   for combo in con.allowed]
        extra.append({"columns": list(con.columns), "allowed": allowed,
                      "source": "constraints (given by the user)"})
    if not extra:
        return schema
    from synthguard.data.schema import apply_overrides

    return apply_overrides(schema, {"fixed_combinations": [
        c.to_dict() for c in schema.fixed_combinations] + extra})

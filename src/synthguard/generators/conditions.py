"""What a conditioned sample must satisfy: conditions, rebalancing shares and constraints.

Typed frozen dataclasses, built in Python, parsed from CLI strings (``sex=Female``,
``age=30..40``, ``class=0.5,0.5``) or from a JSON/YAML file, and checked against a
:class:`Domain` (column kinds, value sets, bounds) before anything is fitted or sampled:
an unknown column, a value outside the column's value set, an empty range or an impossible
combination is a :class:`~synthguard.errors.SchemaError`/:class:`ParameterError` naming the
column. :mod:`synthguard.generators.conditional` applies a checked spec to any generator.

Everything here is *public metadata* for a DP generator: it is given by the user, never
learned from the data, except the two constraints that say so (``FixedCombinations`` and
``Rounding`` without explicit values learn from the training table) which are refused for DP
generators.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.schema import ColumnKind, Schema, infer_schema
from synthguard.errors import ParameterError, SchemaError

MAX_LEVELS = 50  # numeric columns with at most this many values also get a value set
_NAN_KEY = "\x00nan"

# ----------------------------------------------------------------------------- domain


@dataclass(frozen=True)
class ColumnDomain:
    """What may be said about one column without looking at generated rows."""

    name: str
    kind: str  # "numeric" | "datetime" | "categorical"
    integer: bool = False
    levels: tuple[str, ...] | None = None  # value set as keys (see :func:`value_keys`)
    low: float | None = None  # bounds (data min/max, or public bounds for DP)
    high: float | None = None

    @property
    def ordered(self) -> bool:
        return self.kind in ("numeric", "datetime")


@dataclass(frozen=True)
class Domain:
    """Column name -> :class:`ColumnDomain` for the columns a condition may name."""

    columns: dict[str, ColumnDomain] = field(default_factory=dict)

    @classmethod
    def from_table(cls, frame: pd.DataFrame, schema: Schema | None = None, *,
                   public_only: bool = False,
                   public_bounds: Mapping[str, tuple[float, float]] | None = None) -> Domain:
        """The domain of ``frame``. ``public_only`` (DP generators): categorical value sets
        (public for every DP generator here) and only the *given* numeric bounds, never the
        data's min/max or numeric value sets."""
        schema = schema or infer_schema(frame)
        bounds = dict(public_bounds or {})
        out: dict[str, ColumnDomain] = {}
        for name in frame.columns:
            spec = schema.columns.get(str(name))
            if spec is None or spec.kind in (ColumnKind.ID, ColumnKind.TEXT, ColumnKind.PII):
                continue
            series = frame[name]
            if spec.kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
                kind = "datetime" if spec.kind is ColumnKind.DATETIME else "numeric"
                values = _floats(series, kind)
                finite = values[np.isfinite(values)]
                low = high = None
                levels = None
                given = bounds.get(str(name)) or spec.bounds
                if given is not None:
                    low, high = float(given[0]), float(given[1])
                elif not public_only and finite.size:
                    low, high = float(finite.min()), float(finite.max())
                if not public_only and kind == "numeric":
                    unique = np.unique(finite)
                    if unique.size <= MAX_LEVELS:
                        levels = tuple(sorted(_float_key(v) for v in unique))
                out[str(name)] = ColumnDomain(str(name), kind, integer=bool(spec.integer),
                                              levels=levels, low=low, high=high)
            else:
                numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
                keys = value_keys(series.dropna(), numeric=numeric)
                out[str(name)] = ColumnDomain(str(name), "numeric" if numeric else "categorical",
                                              integer=numeric, levels=tuple(sorted(set(keys))))
        return cls(out)

    @classmethod
    def from_kinds(cls, frame: pd.DataFrame) -> Domain:
        """Kinds only (no value sets or bounds), e.g. from a generated sample."""
        full = cls.from_table(frame, public_only=True)
        return cls({k: replace(v, levels=None, low=None, high=None) for k, v in full.columns.items()})

    def column(self, name: str, role: str) -> ColumnDomain:
        if name not in self.columns:
            known = ", ".join(self.columns)
            raise SchemaError(f"{role} names unknown column {name!r}; columns: {known}")
        return self.columns[name]


def _floats(series: pd.Series, kind: str) -> np.ndarray:
    if kind == "datetime":
        values = pd.to_datetime(series, errors="coerce")
        out = values.astype("int64").to_numpy(dtype=float)
        out[values.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _float_key(value: float) -> str:
    return _NAN_KEY if not math.isfinite(value) else repr(float(value))


def value_keys(series: pd.Series, *, numeric: bool) -> np.ndarray:
    """Comparable text keys: numbers as ``repr(float)`` (so 1, 1.0 and "1" agree), other
    values as ``str``; missing values as one key of their own."""
    if numeric:
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        return np.array([_float_key(v) for v in values], dtype=object)
    keys = series.astype(str).to_numpy(dtype=object)
    keys[series.isna().to_numpy()] = _NAN_KEY
    return keys


def _as_value(column: ColumnDomain, raw: Any, role: str) -> float | str:
    """A user-given value as the column's comparable form (a float or a text key)."""
    if column.ordered:
        number = _number(column, raw)
        if number is None:
            what = "a date/time" if column.kind == "datetime" else "a number"
            raise ParameterError(f"{role}: column {column.name!r} is {column.kind}; {raw!r} is not {what}")
        return number
    return str(raw)


def _number(column: ColumnDomain, raw: Any) -> float | None:
    if column.kind == "datetime":
        try:
            stamp = pd.Timestamp(raw)
        except (ValueError, TypeError):
            return None
        return None if pd.isna(stamp) else float(stamp.value)
    if isinstance(raw, bool):
        return float(raw)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


# ------------------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Fixed:
    """``column`` takes one of ``values`` (``sex=Female``; ``race=A|B``)."""

    column: str
    values: tuple[Any, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.values, tuple):
            object.__setattr__(self, "values", tuple(self.values) if isinstance(self.values, list)
                               else (self.values,))
        if not self.values:
            raise ParameterError(f"condition on {self.column!r} lists no value")

    def text(self) -> str:
        return f"{self.column}=" + "|".join(str(v) for v in self.values)


@dataclass(frozen=True)
class Between:
    """``low <= column <= high`` (either end may be open): ``age=30..40``, ``age=65..``."""

    column: str
    low: Any = None
    high: Any = None

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ParameterError(f"range on {self.column!r} needs a low or a high end")

    def text(self) -> str:
        return f"{self.column}={'' if self.low is None else self.low}..{'' if self.high is None else self.high}"


Condition = Fixed | Between


@dataclass(frozen=True)
class Rebalance:
    """Shares of ``column``'s values in the output (``class=0.5,0.5``; ``sex=Female:0.5,Male:0.5``).

    ``values`` None: the shares follow the column's value set in sorted order.
    """

    column: str
    shares: tuple[float, ...]
    values: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "shares", tuple(float(s) for s in self.shares))
        if self.values is not None:
            object.__setattr__(self, "values", tuple(self.values))
            if len(self.values) != len(self.shares):
                raise ParameterError(f"rebalance of {self.column!r}: {len(self.values)} values "
                                     f"but {len(self.shares)} shares")
        if not self.shares or any(not math.isfinite(s) or s < 0 for s in self.shares):
            raise ParameterError(f"rebalance of {self.column!r}: shares must be numbers >= 0")
        total = sum(self.shares)
        if abs(total - 1) > 0.01 and abs(total - 100) > 1:
            raise ParameterError(f"rebalance of {self.column!r}: shares sum to {total:g}, not 1 (or 100)")
        object.__setattr__(self, "shares", tuple(s / total for s in self.shares))

    def text(self) -> str:
        if self.values is None:
            return f"{self.column}=" + ",".join(f"{s:g}" for s in self.shares)
        return f"{self.column}=" + ",".join(f"{v}:{s:g}" for v, s in zip(self.values, self.shares, strict=True))


# ------------------------------------------------------------------------ constraints


@dataclass(frozen=True)
class FixedCombinations:
    """Only these combinations of ``columns`` may occur; ``allowed`` None: the combinations
    seen in the training table (not for DP generators: that would read the data)."""

    columns: tuple[str, ...]
    allowed: tuple[tuple[Any, ...], ...] | None = None
    kind: str = field(default="fixed_combinations", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))
        if len(self.columns) < 2 or len(set(self.columns)) != len(self.columns):
            raise ParameterError(f"fixed_combinations needs two or more distinct columns, got {list(self.columns)}")
        if self.allowed is not None:
            allowed = tuple(tuple(c) for c in self.allowed)
            if not allowed or any(len(c) != len(self.columns) for c in allowed):
                raise ParameterError(f"fixed_combinations of {list(self.columns)}: each allowed "
                                     f"combination must have {len(self.columns)} values")
            object.__setattr__(self, "allowed", allowed)


@dataclass(frozen=True)
class Inequality:
    """``low_column <= high_column`` (``<`` when strict) wherever both are present."""

    low: str
    high: str
    strict: bool = False
    kind: str = field(default="inequality", init=False)


@dataclass(frozen=True)
class Range:
    """``low <= column <= high``; out-of-range rows are rejected (or clipped)."""

    column: str
    low: Any = None
    high: Any = None
    handling: str = "reject"  # "reject" | "clip"
    kind: str = field(default="range", init=False)

    def __post_init__(self) -> None:
        if self.handling not in ("reject", "clip"):
            raise ParameterError(f"range of {self.column!r}: handling must be reject or clip")
        if self.low is None and self.high is None:
            raise ParameterError(f"range of {self.column!r} needs low or high")


@dataclass(frozen=True)
class ValueSet:
    """``column`` only takes ``values``; other rows are rejected (or, for a numeric
    column, snapped to the nearest allowed value)."""

    column: str
    values: tuple[Any, ...]
    handling: str = "reject"  # "reject" | "snap"
    kind: str = field(default="value_set", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))
        if not self.values:
            raise ParameterError(f"value_set of {self.column!r} is empty")
        if self.handling not in ("reject", "snap"):
            raise ParameterError(f"value_set of {self.column!r}: handling must be reject or snap")


@dataclass(frozen=True)
class Rounding:
    """Round ``column`` to ``decimals`` places; None: as many as the training values
    have (not for DP generators)."""

    column: str
    decimals: int | None = None
    kind: str = field(default="rounding", init=False)

    def __post_init__(self) -> None:
        if self.decimals is not None and (isinstance(self.decimals, bool) or not isinstance(self.decimals, int)
                                          or not -6 <= self.decimals <= 12):
            raise ParameterError(f"rounding of {self.column!r}: decimals must be an integer in [-6, 12]")


Constraint = FixedCombinations | Inequality | Range | ValueSet | Rounding
_CONSTRAINTS: dict[str, type[Any]] = {c.__name__: c for c in (FixedCombinations, Inequality, Range, ValueSet, Rounding)}
_CONSTRAINT_KINDS = {"fixed_combinations": FixedCombinations, "inequality": Inequality, "range": Range,
                     "value_set": ValueSet, "rounding": Rounding}


def _fields(item: Any) -> dict[str, Any]:
    from dataclasses import asdict

    out = asdict(item)
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in out.items()}


# ------------------------------------------------------------------------------ spec


@dataclass(frozen=True)
class SamplingSpec:
    """Conditions (every row), rebalancing shares (the output) and constraints (every row)."""

    conditions: tuple[Condition, ...] = ()
    rebalance: tuple[Rebalance, ...] = ()
    constraints: tuple[Constraint, ...] = ()

    def __post_init__(self) -> None:
        for name in ("conditions", "rebalance", "constraints"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def empty(self) -> bool:
        return not (self.conditions or self.rebalance or self.constraints)

    def merged(self, other: SamplingSpec) -> SamplingSpec:
        return SamplingSpec(self.conditions + other.conditions, self.rebalance + other.rebalance,
                            self.constraints + other.constraints)

    def learns_from_data(self) -> list[str]:
        """Constraints that would read the training table (refused for DP generators)."""
        out = []
        for c in self.constraints:
            if isinstance(c, FixedCombinations) and c.allowed is None:
                out.append(f"fixed_combinations of {list(c.columns)} without 'allowed'")
            elif isinstance(c, Rounding) and c.decimals is None:
                out.append(f"rounding of {c.column!r} without 'decimals'")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "conditions": [c.text() for c in self.conditions],
            "rebalance": [r.text() for r in self.rebalance],
            "constraints": [{k: v for k, v in _fields(c).items() if k != "kind"} | {"type": c.kind}
                            for c in self.constraints],
        }

    def describe(self) -> str:
        parts = [c.text() for c in self.conditions] + [f"rebalance {r.text()}" for r in self.rebalance]
        parts += [c.kind for c in self.constraints]
        return "; ".join(parts)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], *, source: str = "spec") -> SamplingSpec:
        unknown = sorted(set(raw) - {"conditions", "rebalance", "constraints"})
        if unknown:
            raise ParameterError(f"{source}: unknown key(s) {unknown}; use conditions, rebalance, constraints")
        conditions = _conditions_from(raw.get("conditions") or [], source)
        rebalance = _rebalance_from(raw.get("rebalance") or [], source)
        constraints = tuple(_constraint_from(item, source) for item in raw.get("constraints") or [])
        return cls(conditions, rebalance, constraints)

    # ---------------------------------------------------------------- checking
    def resolve(self, domain: Domain, *, data: pd.DataFrame | None = None, dp: bool = False) -> SamplingSpec:
        """Check every column, value and range against ``domain``; fill the parts learned
        from ``data`` (non-DP only). Raises an error naming the column on a bad spec."""
        if dp and self.learns_from_data():
            raise ParameterError(
                "constraint(s) " + "; ".join(self.learns_from_data()) + " would learn from the "
                "training data, which a DP generator may not read outside its budget: declare "
                "the allowed combinations / decimals explicitly (public metadata costs no ε)")
        conditions = tuple(_check_condition(c, domain) for c in self.conditions)
        rebalance = tuple(_check_rebalance(r, domain) for r in self.rebalance)
        if len({r.column for r in rebalance}) != len(rebalance):
            raise ParameterError("rebalance names a column twice")
        constraints = tuple(_check_constraint(c, domain, data) for c in self.constraints)
        spec = SamplingSpec(conditions, rebalance, constraints)
        _check_feasible(spec, domain)
        return spec


def _conditions_from(raw: Any, source: str) -> tuple[Condition, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, Mapping):
        out: list[Condition] = []
        for column, value in raw.items():
            if isinstance(value, Mapping) and set(value) == {"between"} and len(value["between"]) == 2:
                out.append(Between(str(column), *value["between"]))
            elif isinstance(value, Mapping) and set(value) == {"in"}:
                out.append(Fixed(str(column), tuple(value["in"])))
            elif isinstance(value, Mapping):
                raise ParameterError(f"{source}: condition on {column!r} must be a value, "
                                     '{"between": [low, high]} or {"in": [values]}')
            elif isinstance(value, str):
                out.append(parse_condition(f"{column}={value}"))
            else:
                out.append(Fixed(str(column), (value,)))
        return tuple(out)
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return tuple(parse_condition(x) for x in raw)
    raise ParameterError(f"{source}: 'conditions' must map column -> value or list 'COL=VALUE' strings")


def _rebalance_from(raw: Any, source: str) -> tuple[Rebalance, ...]:
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, Mapping):
        out = []
        for column, shares in raw.items():
            if isinstance(shares, Mapping):
                out.append(Rebalance(str(column), tuple(float(s) for s in shares.values()), tuple(shares)))
            elif isinstance(shares, list):
                out.append(Rebalance(str(column), tuple(float(s) for s in shares)))
            else:
                out.append(parse_rebalance(f"{column}={shares}"))
        return tuple(out)
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return tuple(parse_rebalance(x) for x in raw)
    raise ParameterError(f"{source}: 'rebalance' must map column -> shares or list 'COL=SHARES' strings")


def _constraint_from(item: Any, source: str) -> Constraint:
    if not isinstance(item, Mapping) or "type" not in item:
        raise ParameterError(f"{source}: each constraint is an object with a 'type' "
                             f"({', '.join(_CONSTRAINT_KINDS)})")
    kind = str(item["type"])
    cls = _CONSTRAINT_KINDS.get(kind)
    if cls is None:
        raise ParameterError(f"{source}: unknown constraint type {kind!r}; known: {', '.join(_CONSTRAINT_KINDS)}")
    args = {k: v for k, v in item.items() if k != "type"}
    try:
        return cls(**args)  # type: ignore[no-any-return]
    except TypeError as exc:
        raise ParameterError(f"{source}: constraint {kind}: {exc}") from None


# --------------------------------------------------------------------------- parsing


def parse_condition(text: str) -> Condition:
    """``COL=VALUE``, ``COL=A|B`` (any of), ``COL=LOW..HIGH`` (inclusive; an end may be empty)."""
    column, sep, value = str(text).partition("=")
    column = column.strip()
    if not sep or not column:
        raise ParameterError(f"condition {text!r} must look like COL=VALUE, COL=A|B or COL=LOW..HIGH")
    if ".." in value and "|" not in value:
        low, _, high = value.partition("..")
        low, high = low.strip(), high.strip()
        if not low and not high:
            raise ParameterError(f"condition {text!r}: range of {column!r} needs a low or a high end")
        return Between(column, _maybe_number(low) if low else None, _maybe_number(high) if high else None)
    return Fixed(column, tuple(v for v in value.split("|")))


def _maybe_number(text: str) -> Any:
    try:
        return float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        return text


def parse_rebalance(text: str) -> Rebalance:
    """``COL=0.5,0.5`` (over the value set in sorted order) or ``COL=A:0.5,B:0.5``."""
    column, sep, value = str(text).partition("=")
    column = column.strip()
    if not sep or not column or not value.strip():
        raise ParameterError(f"rebalance {text!r} must look like COL=0.5,0.5 or COL=A:0.5,B:0.5")
    parts = [p.strip() for p in value.split(",")]
    try:
        if all(":" in p for p in parts):
            pairs = [p.rpartition(":") for p in parts]
            return Rebalance(column, tuple(float(s) for _, _, s in pairs), tuple(v for v, _, _ in pairs))
        return Rebalance(column, tuple(float(p) for p in parts))
    except ValueError:
        raise ParameterError(f"rebalance {text!r}: shares of {column!r} must be numbers") from None


def load_spec(path: str | Path) -> SamplingSpec:
    """Read a spec file (``.json``, ``.yaml``/``.yml``): conditions, rebalance, constraints."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"constraints file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            raw = yaml.safe_load(text)
        else:
            raw = json.loads(text)
    except Exception as exc:  # both parsers' errors become one line naming the file
        raise ParameterError(f"constraints file {str(path)!r} cannot be parsed: {type(exc).__name__}") from None
    if isinstance(raw, list):
        raw = {"constraints": raw}
    if not isinstance(raw, Mapping):
        raise ParameterError(f"constraints file {str(path)!r} must hold an object or a list of constraints")
    return SamplingSpec.from_dict(raw, source=f"constraints file {path.name!r}")


def build_spec(*, conditions: Iterable[str | Condition] = (), rebalance: Iterable[str | Rebalance] = (),
               constraints: Iterable[Constraint] | str | Path | None = None) -> SamplingSpec:
    """One spec from CLI-style strings and/or objects (and an optional spec file)."""
    conds = tuple(parse_condition(c) if isinstance(c, str) else c for c in conditions)
    rebal = tuple(parse_rebalance(r) if isinstance(r, str) else r for r in rebalance)
    spec = SamplingSpec(conds, rebal)
    if isinstance(constraints, str | Path):
        spec = spec.merged(load_spec(constraints))
    elif constraints is not None:
        spec = spec.merged(SamplingSpec(constraints=tuple(constraints)))
    return spec


# -------------------------------------------------------------------------- checking


def _require_levels(column: ColumnDomain, values: Sequence[float | str], role: str) -> None:
    if column.levels is None:
        return
    keys = [_float_key(v) if isinstance(v, float) else v for v in values]
    missing = [k for k in keys if k not in column.levels]
    if missing:
        raise ParameterError(f"{role}: column {column.name!r} has no value {_show(missing[0])} "
                             f"(its value set has {len(column.levels)} values)")


def _show(key: str) -> str:
    return repr(float(key)) if _is_float_key(key) else repr(key)


def _is_float_key(key: str) -> bool:
    try:
        float(key)
    except ValueError:
        return False
    return True


def _check_in_bounds(column: ColumnDomain, low: float | None, high: float | None, role: str) -> None:
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if lo > hi:
        raise ParameterError(f"{role}: range of {column.name!r} is empty (low > high)")
    if column.low is not None and column.high is not None and (hi < column.low or lo > column.high):
        raise ParameterError(f"{role}: range of {column.name!r} lies outside the column's range")


def _check_condition(cond: Condition, domain: Domain) -> Condition:
    column = domain.column(cond.column, "condition")
    role = f"condition {cond.text()}"
    if isinstance(cond, Between):
        if not column.ordered:
            raise ParameterError(f"{role}: column {column.name!r} is categorical; a range needs a "
                                 "numeric or datetime column (use COL=A|B)")
        low = None if cond.low is None else _as_value(column, cond.low, role)
        high = None if cond.high is None else _as_value(column, cond.high, role)
        _check_in_bounds(column, low, high, role)  # type: ignore[arg-type]
        return Between(cond.column, low, high)
    values = tuple(_as_value(column, v, role) for v in cond.values)
    if column.kind == "numeric" and column.integer:
        bad = [v for v in values if isinstance(v, float) and v != round(v)]
        if bad:
            raise ParameterError(f"{role}: column {column.name!r} holds integers; {bad[0]:g} never occurs")
    _require_levels(column, values, role)
    if column.ordered and column.levels is None:
        for v in values:
            _check_in_bounds(column, v, v, role)  # type: ignore[arg-type]
    return Fixed(cond.column, values)


def _check_rebalance(reb: Rebalance, domain: Domain) -> Rebalance:
    column = domain.column(reb.column, "rebalance")
    role = f"rebalance {reb.text()}"
    if reb.values is None:
        if column.levels is None:
            raise ParameterError(f"{role}: column {column.name!r} has no known value set; give "
                                 "VALUE:SHARE pairs, e.g. A:0.5,B:0.5")
        if len(column.levels) != len(reb.shares):
            raise ParameterError(f"{role}: column {column.name!r} has {len(column.levels)} values "
                                 f"(sorted order) but {len(reb.shares)} shares were given; or give VALUE:SHARE pairs")
        values: tuple[Any, ...] = tuple(float(k) if column.ordered else k for k in column.levels)
    else:
        values = tuple(_as_value(column, v, role) for v in reb.values)
        _require_levels(column, values, role)
    keys = [_float_key(v) if isinstance(v, float) else v for v in values]
    if len(set(keys)) != len(keys):
        raise ParameterError(f"{role}: a value of {column.name!r} is listed twice")
    return Rebalance(reb.column, reb.shares, values)


def _check_constraint(con: Constraint, domain: Domain, data: pd.DataFrame | None) -> Constraint:
    if isinstance(con, Inequality):
        role = f"inequality {con.low} <= {con.high}"
        for name in (con.low, con.high):
            if not domain.column(name, "constraint inequality").ordered:
                raise ParameterError(f"{role}: column {name!r} is not numeric or datetime")
        if con.low == con.high:
            raise ParameterError(f"{role}: compares column {con.low!r} with itself")
        return con
    if isinstance(con, Range):
        column = domain.column(con.column, "constraint range")
        role = f"constraint range of {con.column!r}"
        if not column.ordered:
            raise ParameterError(f"{role}: column {con.column!r} is not numeric or datetime")
        low = None if con.low is None else _as_value(column, con.low, role)
        high = None if con.high is None else _as_value(column, con.high, role)
        _check_in_bounds(column, low, high, role)  # type: ignore[arg-type]
        return Range(con.column, low, high, con.handling)
    if isinstance(con, ValueSet):
        column = domain.column(con.column, "constraint value_set")
        role = f"constraint value_set of {con.column!r}"
        values = tuple(_as_value(column, v, role) for v in con.values)
        if con.handling == "snap" and not column.ordered:
            raise ParameterError(f"{role}: snap needs a numeric column; {con.column!r} is categorical")
        if column.levels is not None:
            keys = {_float_key(v) if isinstance(v, float) else v for v in values}
            if not keys & set(column.levels) and con.handling == "reject":
                raise ParameterError(f"{role}: none of its values occurs in column {con.column!r}")
        return ValueSet(con.column, values, con.handling)
    if isinstance(con, Rounding):
        column = domain.column(con.column, "constraint rounding")
        if column.kind != "numeric":
            raise ParameterError(f"constraint rounding: column {con.column!r} is not numeric")
        if con.decimals is None:
            if data is None:
                return con
            return Rounding(con.column, _decimals(data[con.column]))
        return con
    assert isinstance(con, FixedCombinations)
    columns = [domain.column(c, "constraint fixed_combinations") for c in con.columns]
    if con.allowed is None:
        if data is None:
            return con
        seen = sorted({str(k) for k in _combination_keys(data, columns)})
        return FixedCombinations(con.columns, tuple(tuple(k.split("\x1f")) for k in seen))
    allowed = tuple(tuple(_NAN_KEY if v is None or v == _NAN_KEY else _as_value(c, v, "constraint fixed_combinations")
                          for c, v in zip(columns, combo, strict=True))
                    for combo in con.allowed)
    return FixedCombinations(con.columns, allowed)


def _decimals(series: pd.Series) -> int:
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    for d in range(0, 7):
        if np.allclose(values, np.round(values, d), rtol=0, atol=1e-9 * max(1.0, float(np.abs(values).max(initial=0)))):
            return d
    return 12


def _combination_keys(frame: pd.DataFrame, columns: Sequence[ColumnDomain]) -> np.ndarray:
    parts = [value_keys(frame[c.name], numeric=c.kind == "numeric") if c.kind != "datetime"
             else np.array([_float_key(v) for v in _floats(frame[c.name], "datetime")], dtype=object)
             for c in columns]
    out = parts[0].astype(str)
    for p in parts[1:]:
        out = np.char.add(np.char.add(out, "\x1f"), p.astype(str))
    return out.astype(object)


def _check_feasible(spec: SamplingSpec, domain: Domain) -> None:
    """Contradictions visible without sampling: disjoint ranges, excluded fixed values,
    rebalanced values a condition excludes, inequalities the ranges make impossible."""
    lows: dict[str, float] = {}
    highs: dict[str, float] = {}
    for item in (*spec.conditions, *spec.constraints):
        if isinstance(item, Between | Range) and domain.columns[item.column].ordered:
            if item.low is not None:
                lows[item.column] = max(lows.get(item.column, -math.inf), float(item.low))
            if item.high is not None:
                highs[item.column] = min(highs.get(item.column, math.inf), float(item.high))
    for column in set(lows) | set(highs):
        if lows.get(column, -math.inf) > highs.get(column, math.inf):
            raise ParameterError(f"the ranges given for column {column!r} do not overlap: no row can meet them")
    allowed: dict[str, set[str]] = {}
    for item in (*spec.conditions, *spec.constraints):
        if isinstance(item, Fixed) or (isinstance(item, ValueSet) and item.handling == "reject"):
            keys = {_float_key(v) if isinstance(v, float) else v for v in item.values}
            if domain.columns[item.column].ordered:
                keys = {k for k in keys if lows.get(item.column, -math.inf) <= float(k) <= highs.get(item.column, math.inf)}
            allowed[item.column] = allowed[item.column] & keys if item.column in allowed else keys
            if not allowed[item.column]:
                raise ParameterError(f"the conditions/constraints on column {item.column!r} exclude every value")
    for reb in spec.rebalance:
        assert reb.values is not None
        for value, share in zip(reb.values, reb.shares, strict=True):
            key = _float_key(value) if isinstance(value, float) else value
            excluded = (reb.column in allowed and key not in allowed[reb.column]) or (
                isinstance(value, float) and not lows.get(reb.column, -math.inf) <= value <= highs.get(reb.column, math.inf))
            if share > 0 and excluded:
                raise ParameterError(f"rebalance asks for value {_show(key)} of column {reb.column!r}, "
                                     "which the conditions/constraints exclude")
    for con in spec.constraints:
        if isinstance(con, Inequality):
            known_low, known_high = domain.columns[con.low].low, domain.columns[con.high].high
            a_low = max(lows.get(con.low, -math.inf), -math.inf if known_low is None else known_low)
            b_high = min(highs.get(con.high, math.inf), math.inf if known_high is None else known_high)
            if a_low > b_high or (con.strict and a_low >= b_high):
                raise ParameterError(f"constraint {con.low} <= {con.high} cannot hold with the ranges "
                                     f"given for {con.low!r} and {con.high!r}")
        if isinstance(con, FixedCombinations) and con.allowed is not None:
            combos = [tuple(_float_key(v) if isinstance(v, float) else str(v) for v in c) for c in con.allowed]
            for i, name in enumerate(con.columns):
                if name in allowed:
                    combos = [c for c in combos if c[i] in allowed[name]]
            if not combos:
                raise ParameterError(f"no allowed combination of {list(con.columns)} meets the "
                                     f"conditions on column(s) {[c for c in con.columns if c in allowed]}")

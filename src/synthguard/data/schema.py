"""Column kinds inferred on top of SDV's ``Metadata``, overridable by a JSON file.

SDV's detection gives sdtypes (numerical, categorical, datetime, id, PII types such as
email); we map them to a short list of kinds every part of synthguard understands and add
what SDV does not say: free-text columns (long, mostly unique strings) and public bounds for
numeric columns when the user states them (DP generators need bounds that do not leak), and
a numeric column's public value set (``values``, at most 256) and ``decimals``, which DP
generators keep at no privacy cost, and ``ranges_by``: the range a numeric column takes for
each value of a categorical column it defines (e.g. age for each age band; a coding rule from
the documentation, never read off the data), which DP generators keep when decoding.

Table-level public metadata: ``fixed_combinations``, the only combinations a group of columns
may take (``{"columns": [...], "allowed": [[...], ...], "source": "..."}``; e.g. Adult's
documented education ↔ education_num coding). The marginal DP generators (AIM, MST) model
such a group as one attribute whose values are the allowed combinations, so no ε is spent on
impossible cells and no sampled row breaks the rule.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard.data.column_names import name_pii_entity
from synthguard.errors import SchemaError

TABLE_NAME = "table"
MAX_PUBLIC_VALUES = 256  # largest public value set of a numeric column (metadata "values")
MAX_COMBINATIONS = 4096  # largest allowed list of a public fixed combination

_PII_SDTYPES = {
    "email", "phone_number", "ssn", "credit_card_number", "name", "first_name", "last_name",
    "address", "street_address", "postcode", "ipv4_address", "ipv6_address", "iban",
    "license_plate", "url", "company",
}


class ColumnKind(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    DATETIME = "datetime"
    ID = "id"
    TEXT = "text"
    PII = "pii"


@dataclass(frozen=True)
class ColumnSpec:
    """What synthguard knows about one column."""

    kind: ColumnKind
    sdtype: str
    pii_type: str | None = None
    bounds: tuple[float, float] | None = None
    integer: bool = False
    # public metadata, only ever given (--metadata), never inferred from the data:
    values: tuple[float, ...] | None = None  # a numeric column's value set (<= MAX_PUBLIC_VALUES)
    decimals: int | None = None  # decimals a numeric column is recorded with
    # (categorical column, ((its value, low, high), ...)): this column's range per value
    ranges_by: tuple[str, tuple[tuple[str, float, float], ...]] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind"] = self.kind.value
        if self.bounds is not None:
            out["bounds"] = list(self.bounds)
        for key in ("values", "decimals", "ranges_by"):  # absent unless given
            if out[key] is None:
                del out[key]
            elif key == "values":
                out[key] = list(out[key])
        if self.ranges_by is not None:
            column, ranges = self.ranges_by
            out["ranges_by"] = {column: {v: [lo, hi] for v, lo, hi in ranges}}
        return out


@dataclass(frozen=True)
class Combination:
    """Public metadata: ``columns`` only ever take one of the ``allowed`` tuples (numbers for
    numeric columns, text/None for categorical ones); ``source`` says where the rule is
    documented. Never inferred from the data."""

    columns: tuple[str, ...]
    allowed: tuple[tuple[Any, ...], ...]
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"columns": list(self.columns),
                               "allowed": [list(c) for c in self.allowed]}
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Schema:
    """Column name -> :class:`ColumnSpec`, in table order, plus public fixed combinations."""

    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    fixed_combinations: tuple[Combination, ...] = ()

    def restricted(self, columns: dict[str, ColumnSpec]) -> Schema:
        """A schema of ``columns`` (a subset or re-kinded copy of this one's), keeping the
        fixed combinations whose columns are all still there."""
        return Schema(columns, tuple(c for c in self.fixed_combinations
                                     if all(m in columns for m in c.columns)))

    def names(self, *kinds: ColumnKind) -> list[str]:
        return [name for name, spec in self.columns.items() if not kinds or spec.kind in kinds]

    @property
    def numeric(self) -> list[str]:
        return self.names(ColumnKind.NUMERIC)

    @property
    def categorical(self) -> list[str]:
        return self.names(ColumnKind.CATEGORICAL)

    @property
    def pii(self) -> list[str]:
        return self.names(ColumnKind.PII)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"columns": {name: spec.to_dict()
                                           for name, spec in self.columns.items()}}
        if self.fixed_combinations:
            out["fixed_combinations"] = [c.to_dict() for c in self.fixed_combinations]
        return out

    def to_sdv_metadata(self) -> Any:
        """An SDV ``Metadata`` for one table named ``table`` that agrees with this schema."""
        from sdv.metadata import Metadata

        columns: dict[str, dict[str, Any]] = {}
        for name, spec in self.columns.items():
            if spec.kind is ColumnKind.NUMERIC:
                columns[name] = {"sdtype": "numerical"}
            elif spec.kind is ColumnKind.DATETIME:
                columns[name] = {"sdtype": "datetime"}
            elif spec.kind is ColumnKind.ID:
                columns[name] = {"sdtype": "id"}
            elif spec.kind is ColumnKind.PII and spec.sdtype not in ("categorical", "unknown"):
                columns[name] = {"sdtype": spec.sdtype, "pii": True}
            else:
                columns[name] = {"sdtype": "categorical"}
        return Metadata.load_from_dict(
            {"tables": {TABLE_NAME: {"columns": columns}}, "relationships": [],
             "METADATA_SPEC_VERSION": "V1"}
        )

    def require(self, frame: pd.DataFrame) -> None:
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise SchemaError(f"columns {missing} of the schema are not in the table")


def _id_name(lowered: str) -> bool:
    """Column names that announce a key: ``id``, ``user_id``, ``PatientID``, ``record_key``."""
    return lowered == "id" or lowered.endswith(("_id", "id", "_key", "_uuid", "uuid"))


def _looks_like_text(series: pd.Series) -> bool:
    values = series.dropna().astype(str)
    if values.empty:
        return False
    return bool(values.str.len().mean() > 40 and values.str.contains(" ").mean() > 0.5)


def _sdv_sdtypes(frame: pd.DataFrame) -> dict[str, str]:
    try:
        from sdv.metadata import Metadata

        metadata = Metadata.detect_from_dataframes({TABLE_NAME: frame})
        cols = metadata.to_dict()["tables"][TABLE_NAME]["columns"]
        return {name: str(spec.get("sdtype", "categorical")) for name, spec in cols.items()}
    except Exception:  # SDV detection is a hint; fall back to dtype rules
        return {}


def infer_schema(frame: pd.DataFrame, *, overrides: str | Path | dict[str, Any] | None = None) -> Schema:
    """Infer column kinds of ``frame`` and apply ``overrides`` (a JSON file path or dict)."""
    sdtypes = _sdv_sdtypes(frame)
    columns: dict[str, ColumnSpec] = {}
    n_rows = len(frame)
    for name in frame.columns:
        series = frame[name]
        sdtype = sdtypes.get(name, "unknown")
        lowered = str(name).lower()
        nunique = series.nunique(dropna=True)
        if pd.api.types.is_bool_dtype(series):
            spec = ColumnSpec(ColumnKind.CATEGORICAL, "boolean")
        elif pd.api.types.is_numeric_dtype(series):
            integer = bool(pd.api.types.is_integer_dtype(series) or
                           (series.dropna() % 1 == 0).all())
            if integer and nunique == n_rows and n_rows > 50 and _id_name(lowered):
                spec = ColumnSpec(ColumnKind.ID, "id")
            elif nunique <= 2:
                spec = ColumnSpec(ColumnKind.CATEGORICAL, "categorical")
            else:
                spec = ColumnSpec(ColumnKind.NUMERIC, "numerical", integer=integer)
        elif pd.api.types.is_datetime64_any_dtype(series) or sdtype == "datetime":
            spec = ColumnSpec(ColumnKind.DATETIME, "datetime")
        elif sdtype in _PII_SDTYPES:
            spec = ColumnSpec(ColumnKind.PII, sdtype, pii_type=sdtype)
        elif nunique == n_rows and n_rows > 50 and (_id_name(lowered) or sdtype == "id"):
            spec = ColumnSpec(ColumnKind.ID, "id")
        elif _looks_like_text(series):
            spec = ColumnSpec(ColumnKind.TEXT, "text")
        elif name_pii_entity(str(name)) is not None and nunique > 0.5 * max(n_rows, 1):
            # the same word-based reading of the name as the redaction scan (data.column_names)
            spec = ColumnSpec(ColumnKind.PII, "unknown", pii_type="unknown")
        else:
            spec = ColumnSpec(ColumnKind.CATEGORICAL, "categorical")
        columns[str(name)] = spec
    schema = Schema(columns)
    if overrides is not None:
        schema = apply_overrides(schema, overrides)
    return schema


def apply_overrides(schema: Schema, overrides: str | Path | dict[str, Any]) -> Schema:
    """Apply a JSON override: ``{"columns": {"age": {"kind": "numeric", "bounds": [17, 90]}}}``.

    SDV metadata JSON (``{"tables": {name: {"columns": {col: {"sdtype": ...}}}}}``) is
    accepted as well.
    """
    if not isinstance(overrides, dict):
        path = Path(overrides)
        if not path.exists():
            raise SchemaError(f"metadata file {str(path)!r} does not exist")
        try:
            overrides = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SchemaError(f"metadata file {str(path)!r} is not valid JSON: {exc}") from None
    assert isinstance(overrides, dict)
    if "tables" in overrides:
        tables = overrides["tables"]
        if not tables:
            raise SchemaError("metadata file has no tables")
        first = next(iter(tables.values()))
        raw = {c: {"kind": _kind_from_sdtype(s.get("sdtype", "categorical"))}
               for c, s in first.get("columns", {}).items()}
    else:
        raw = overrides.get("columns", {})
    if not isinstance(raw, dict):
        raise SchemaError('metadata "columns" must be an object mapping column -> settings')
    columns = dict(schema.columns)
    for name, settings in raw.items():
        if name not in columns:
            raise SchemaError(
                f"metadata names column {name!r}, which is not in the table; columns: {list(columns)}"
            )
        spec = columns[name]
        kind = settings.get("kind", spec.kind.value)
        try:
            kind_enum = ColumnKind(kind)
        except ValueError:
            allowed = [k.value for k in ColumnKind]
            raise SchemaError(f"column {name!r}: unknown kind {kind!r}; use one of {allowed}") from None
        bounds = settings.get("bounds", spec.bounds)
        if bounds is not None:
            if len(bounds) != 2 or float(bounds[0]) >= float(bounds[1]):
                raise SchemaError(f"column {name!r}: bounds must be [low, high] with low < high")
            bounds = (float(bounds[0]), float(bounds[1]))
        values = settings.get("values", spec.values)
        if values is not None:
            values = public_values(f"column {name!r}", values)
        decimals = settings.get("decimals", spec.decimals)
        if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int)
                                     or not 0 <= decimals <= 12):
            raise SchemaError(f"column {name!r}: decimals must be an integer in [0, 12]")
        ranges_by = spec.ranges_by
        if "ranges_by" in settings:
            ranges_by = _ranges_by(name, settings["ranges_by"], columns)
        columns[name] = replace(
            spec, kind=kind_enum, bounds=bounds, values=values, decimals=decimals,
            ranges_by=ranges_by,
            sdtype=settings.get("sdtype", _sdtype_for(kind_enum, spec.sdtype)),
            pii_type=settings.get("pii_type", spec.pii_type),
        )
    combos = schema.fixed_combinations
    if "fixed_combinations" in overrides:
        combos = _combinations(overrides["fixed_combinations"], columns)
    return Schema(columns, combos)


def public_values(where: str, values: Any) -> tuple[float, ...]:
    """A numeric column's public value set: finite numbers, at most MAX_PUBLIC_VALUES, sorted
    and unique (shared by single-table schemas and relational metadata; ``where`` names the
    column in the error)."""
    try:
        out = tuple(sorted({float(v) for v in values}))
    except (TypeError, ValueError):
        raise SchemaError(f"{where}: values must be a list of numbers") from None
    if not out or not all(math.isfinite(v) for v in out):
        raise SchemaError(f"{where}: values must be a non-empty list of finite numbers")
    if len(out) > MAX_PUBLIC_VALUES:
        raise SchemaError(f"{where}: {len(out)} values given, at most {MAX_PUBLIC_VALUES}; "
                          "give bounds instead")
    return out


def _ranges_by(name: str, raw: Any, columns: dict[str, ColumnSpec]) -> tuple[
        str, tuple[tuple[str, float, float], ...]] | None:
    """``{"age_cat": {"Less than 25": [18, 24], ...}}``: the range of column ``name`` for
    each value of one other column (values as text)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or len(raw) != 1:
        raise SchemaError(f"column {name!r}: ranges_by must be {{\"column\": {{value: [low, "
                          "high], ...}}}} naming one other column")
    (column, ranges), = raw.items()
    if column not in columns or column == name:
        raise SchemaError(f"column {name!r}: ranges_by names column {column!r}, which is not "
                          "another column of the table")
    if not isinstance(ranges, dict) or not ranges:
        raise SchemaError(f"column {name!r}: ranges_by[{column!r}] must map values to [low, high]")
    out: list[tuple[str, float, float]] = []
    for value, pair in ranges.items():
        try:
            low, high = float(pair[0]), float(pair[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise SchemaError(f"column {name!r}: ranges_by range of {value!r} must be "
                              "[low, high]") from None
        if len(pair) != 2 or not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise SchemaError(f"column {name!r}: ranges_by range of {value!r} must be finite "
                              "[low, high] with low <= high")
        out.append((str(value), low, high))
    return (str(column), tuple(out))


def _combinations(raw: Any, columns: dict[str, ColumnSpec]) -> tuple[Combination, ...]:
    """Metadata ``fixed_combinations``: a list of ``{"columns", "allowed", "source"}``; a
    column may belong to one group only; numeric columns' values must be numbers."""
    if not isinstance(raw, list):
        raise SchemaError('metadata "fixed_combinations" must be a list of {"columns": [...], '
                          '"allowed": [[...], ...]}')
    out: list[Combination] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("columns"), list):
            raise SchemaError('each fixed combination needs "columns" (a list) and "allowed"')
        cols = tuple(str(c) for c in item["columns"])
        where = f"fixed combination of {list(cols)}"
        if len(cols) < 2 or len(set(cols)) != len(cols):
            raise SchemaError(f"{where}: needs two or more distinct columns")
        missing = [c for c in cols if c not in columns]
        if missing:
            raise SchemaError(f"{where}: column(s) {missing} are not in the table")
        twice = sorted(seen & set(cols))
        if twice:
            raise SchemaError(f"{where}: column(s) {twice} are already in another fixed "
                              "combination; merge the two into one")
        seen |= set(cols)
        allowed = item.get("allowed")
        if not isinstance(allowed, list) or not allowed:
            raise SchemaError(f"{where}: \"allowed\" must be a non-empty list of combinations "
                              "(public; never read off the data)")
        if len(allowed) > MAX_COMBINATIONS:
            raise SchemaError(f"{where}: {len(allowed)} combinations, at most {MAX_COMBINATIONS}")
        combos: list[tuple[Any, ...]] = []
        for combo in allowed:
            if not isinstance(combo, list | tuple) or len(combo) != len(cols):
                raise SchemaError(f"{where}: each allowed combination must list "
                                  f"{len(cols)} values")
            values = []
            for c, v in zip(cols, combo, strict=True):
                if columns[c].kind is ColumnKind.NUMERIC:
                    ok = (not isinstance(v, bool) and isinstance(v, int | float)
                          and math.isfinite(float(v)))
                    if not ok:
                        raise SchemaError(f"{where}: value {v!r} of numeric column {c!r} "
                                          "must be a finite number")
                    v = float(v)
                elif v is not None and not isinstance(v, str | int | float | bool):
                    raise SchemaError(f"{where}: value {v!r} of column {c!r} must be a "
                                      "number, text or null")
                values.append(v)
            combos.append(tuple(values))
        if len(set(combos)) != len(combos):
            raise SchemaError(f"{where}: an allowed combination is listed twice")
        out.append(Combination(cols, tuple(combos), str(item.get("source", ""))))
    return tuple(out)


def _kind_from_sdtype(sdtype: str) -> str:
    mapping = {"numerical": "numeric", "categorical": "categorical", "boolean": "categorical",
               "datetime": "datetime", "id": "id"}
    return mapping.get(sdtype, "pii")


def _sdtype_for(kind: ColumnKind, previous: str) -> str:
    return {ColumnKind.NUMERIC: "numerical", ColumnKind.CATEGORICAL: "categorical",
            ColumnKind.DATETIME: "datetime", ColumnKind.ID: "id"}.get(kind, previous)

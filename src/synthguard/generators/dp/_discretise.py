"""Turning a mixed table into small integer domains without leaking through the bins.

Marginal-based DP synthesis needs every column discrete. Numeric columns are cut with bounds
that do not come from the data: from the schema / a bounds file (public), or, if the user
allows it, from a DP log-scale histogram. Inside the bounds a DP *adaptive histogram* (a
16-ary tree, refined where the noisy counts say there is mass) gives

* the coarse bin edges used by the model (equal noisy mass, so a spike such as "capital
  gain = 0" becomes its own bin), and
* the within-bin distribution used when decoding (fine leaves, drawn by their noisy counts),

both paid for by a stated share ρ of the zCDP budget. Everything after the noisy counts is
post-processing.

A numeric column with a *public value set* (metadata ``values``, at most 256) is cut into one
leaf per value (one noisy histogram) and decodes to those values only, never to a value in
between. A float column is rounded to its public ``decimals``; without them, the decimals are
estimated with DP (one more unit-sensitivity histogram: how many rows need 0, 1, ... 6
decimals) inside the same discretisation share. Categorical value sets are taken from the schema/data and are treated as
public (as in the AIM and MST papers); this is stated in the guarantee.

Columns tied by a public fixed combination (schema ``fixed_combinations``, e.g. education ↔
education_num) may be *fused* (``plan_columns(..., fuse=True)``, the marginal generators):
one attribute whose values are the allowed combinations (:class:`FusedCodec`). A row whose
values are not an allowed combination counts in the allowed one that agrees on most columns
(a fixed function of the row, so every marginal keeps sensitivity 1); decoding yields allowed
combinations only. Fused numeric columns need no bounds and no histogram.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.schema import ColumnKind, ColumnSpec, Combination, Schema, infer_schema
from synthguard.errors import ParameterError, SchemaError
from synthguard.generators.dp._shape import (
    SMOOTHINGS,
    draw_heaped,
    shape_fit,
    smooth_within_bins,
)

BRANCH = 16
FLOAT_DEPTH = 3
NULL_LABEL = "__null__"


def load_bounds(spec: str | Path | dict[str, Any] | None) -> dict[str, tuple[float, float]]:
    """Bounds from a dict or a JSON file ``{"age": [17, 90], ...}`` (also accepts
    ``{"columns": {"age": {"bounds": [17, 90]}}}``, the metadata override format)."""
    if spec is None:
        return {}
    raw: Any = spec
    if not isinstance(spec, dict):
        path = Path(spec)
        if not path.is_file():
            raise ParameterError(f"bounds file {str(path)!r} does not exist")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ParameterError(f"bounds file {str(path)!r} is not valid JSON: {exc}") from None
    if isinstance(raw, dict) and "columns" in raw and isinstance(raw["columns"], dict):
        raw = {k: v.get("bounds") for k, v in raw["columns"].items()
               if isinstance(v, dict) and v.get("bounds") is not None}
    if not isinstance(raw, dict):
        raise ParameterError("bounds must map column -> [low, high]")
    out: dict[str, tuple[float, float]] = {}
    for name, pair in raw.items():
        try:
            low, high = float(pair[0]), float(pair[1])
        except (TypeError, ValueError, IndexError, KeyError):
            raise ParameterError(f"bounds of column {name!r} must be [low, high]") from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ParameterError(f"bounds of column {name!r} must be finite with low < high")
        out[str(name)] = (low, high)
    return out


@dataclass
class NumericCodec:
    """Bins of one numeric column: fine leaves with noisy counts, grouped into coarse bins."""

    low: float
    high: float
    integer: bool
    leaf_edges: list[float]  # len = n_leaves + 1, increasing
    leaf_weights: list[float]  # noisy counts clipped at 0 (post-processing)
    bin_of_leaf: list[int]  # coarse bin index of each leaf
    has_null: bool
    bounds_source: str  # "schema" | "user" | "dp-estimated" | "values"
    leaf_values: list[float] | None = None  # public value set: leaf i decodes to value i
    decimals: int | None = None  # float columns: rounded to this many decimals on decode
    leaf_noisy: list[float] | None = None  # raw noisy leaf counts (fit time only, not saved)
    # public metadata: {"column": categorical column, "ranges": {its value: [low, high]}}
    ranges_by: dict[str, Any] | None = None
    heaping: list[float] | None = None  # integer columns: ratio per roundness class (_shape)

    @property
    def n_bins(self) -> int:
        return max(self.bin_of_leaf) + 1 + (1 if self.has_null else 0)

    def encode(self, values: pd.Series) -> np.ndarray:
        x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        null = np.isnan(x)
        upper = self.high + 1 if self.integer else self.high
        clipped = np.clip(np.nan_to_num(x, nan=self.low), self.low, upper - 1e-9 * max(
            1.0, abs(upper)))
        if self.integer:
            clipped = np.floor(clipped)
        edges = np.asarray(self.leaf_edges)
        leaf = np.clip(np.searchsorted(edges, clipped, side="right") - 1, 0, len(edges) - 2)
        codes = np.asarray(self.bin_of_leaf)[leaf]
        if self.has_null:
            codes = np.where(null, max(self.bin_of_leaf) + 1, codes)
        return np.asarray(codes, dtype=np.int64)

    def decode(self, codes: np.ndarray, rng: np.random.Generator,
               limits: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Values for coarse-bin ``codes``: a leaf drawn by its weight, then a value in it.
        ``limits`` (per-row low and high, from a linked categorical column's public ranges)
        restrict the draw to the part of the bin inside them; when no part of the bin is
        inside them (the model sampled an impossible pair), to the leaves of the whole column
        that are. A bin whose leaves all have zero weight is drawn uniformly: the model put
        the row there (a zero-weight bin decoded from the whole column instead measured
        COMPAS quality 0.937 against 0.969)."""
        bins = np.asarray(self.bin_of_leaf)
        out = np.full(len(codes), np.nan)
        everything = np.arange(bins.size)
        for b in range(max(self.bin_of_leaf) + 1):
            rows = np.flatnonzero(codes == b)
            if rows.size == 0:
                continue
            leaves = np.flatnonzero(bins == b)
            if limits is None:
                out[rows] = self._draw(leaves, rows.size, rng, -np.inf, np.inf)
                continue
            low, high = limits[0][rows], limits[1][rows]
            pairs = np.unique(np.stack([low, high], axis=1), axis=0)
            for lo, hi in pairs:
                sel = rows[(low == lo) & (high == hi)]
                inside = leaves if self._overlap(leaves, lo, hi).sum() > 0 else everything
                out[sel] = self._draw(inside, sel.size, rng, lo, hi)
        if self.decimals is not None and self.leaf_values is None and not self.integer:
            out = np.clip(np.round(out, self.decimals), self.low, self.high)
        return out

    def _overlap(self, leaves: np.ndarray, lo: float, hi: float) -> np.ndarray:
        """Share of each leaf's values that lie in [lo, hi] (its value, its integers, or its
        length)."""
        edges = np.asarray(self.leaf_edges)
        a, b = edges[leaves], edges[leaves + 1]
        if self.leaf_values is not None:
            v = np.asarray(self.leaf_values)[leaves]
            hit: np.ndarray = ((v >= lo) & (v <= hi)).astype(float)
            return hit
        if self.integer:
            first, last = np.maximum(a, np.ceil(lo)), np.minimum(b - 1, np.floor(hi))
            inside = np.clip(last - first + 1, 0, None)
            return np.asarray(inside / np.maximum(b - a, 1), dtype=float)
        inside = np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0, None)
        return np.asarray(inside / np.maximum(b - a, 1e-300), dtype=float)

    def _draw(self, leaves: np.ndarray, n: int, rng: np.random.Generator, lo: float,
              hi: float) -> np.ndarray:
        """``n`` values from ``leaves`` (chosen by weight × share inside [lo, hi]), each drawn
        uniformly over its leaf's part inside [lo, hi]."""
        edges = np.asarray(self.leaf_edges)
        share = self._overlap(leaves, lo, hi)
        if share.sum() <= 0:  # the range misses these leaves entirely: ignore it
            share, lo, hi = np.ones(leaves.size), -np.inf, np.inf
        w = np.asarray(self.leaf_weights, dtype=float)[leaves] * share
        w = w / w.sum() if w.sum() > 0 else share / share.sum()
        chosen = leaves[rng.choice(len(leaves), size=n, p=w)]
        if self.leaf_values is not None:
            values: np.ndarray = np.asarray(self.leaf_values, dtype=float)[chosen]
            return values
        a, b = edges[chosen], edges[chosen + 1]
        if self.integer:
            first, last = np.maximum(a, np.ceil(lo)), np.minimum(b - 1, np.floor(hi))
            if self.heaping is not None:
                return draw_heaped(first, last, self.heaping, rng)
            return np.asarray(np.floor(first + rng.random(n) * (last - first + 1)), dtype=float)
        a, b = np.maximum(a, lo), np.minimum(b, hi)
        return np.asarray(a + rng.random(n) * (b - a), dtype=float)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("leaf_noisy", None)
        return out

    def bin_measurement(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The coarse bins' noisy counts the discretisation already paid for: per bin, the
        sum of its leaves' raw noisy counts and how many leaves it sums (noise σ·√m); None
        when the column has nulls (their count was not measured) or the counts are gone."""
        if self.leaf_noisy is None or self.has_null:
            return None
        bins = np.asarray(self.bin_of_leaf)
        noisy = np.asarray(self.leaf_noisy, dtype=float)
        if not np.isfinite(noisy).all():
            return None
        size = int(bins.max()) + 1
        return (np.bincount(bins, weights=noisy, minlength=size),
                np.bincount(bins, minlength=size).astype(float))


@dataclass
class CategoricalCodec:
    """Values of one categorical column (public value set; nulls are a value)."""

    values: list[Any]
    dtype: str

    @property
    def n_bins(self) -> int:
        return len(self.values)

    @property
    def keys(self) -> list[str]:
        """Each value's key, in code order (how values are matched: JSON of the value, or
        the null label)."""
        return [_value_key(v) for v in self.values]

    def encode(self, series: pd.Series) -> np.ndarray:
        index = {k: i for i, k in enumerate(self.keys)}
        mapped = [index.get(_value_key(v), -1) for v in series.tolist()]
        codes = np.asarray(mapped, dtype=np.int64)
        if (codes < 0).any():  # value not in the public set: map to the most common slot 0
            codes[codes < 0] = 0
        return codes

    def decode(self, codes: np.ndarray) -> list[Any]:
        return [None if _isnull(self.values[c]) else self.values[c] for c in codes]

    def to_dict(self) -> dict[str, Any]:
        return {"values": [None if _isnull(v) else _plain(v) for v in self.values],
                "dtype": self.dtype}


@dataclass
class FusedCodec:
    """Columns tied by a public fixed combination, modelled as one attribute: code i is the
    i-th allowed combination (public metadata)."""

    columns: list[str]
    allowed: list[list[Any]]  # public combinations, one value per column (numbers for numeric)
    numeric: list[bool]  # per column: numeric (values compared as numbers) or categorical
    dtypes: list[str]  # per column: the training column's dtype, kept on decode

    @property
    def n_bins(self) -> int:
        return len(self.allowed)

    def _keys(self, column: int, values: list[Any]) -> list[Any]:
        if self.numeric[column]:
            out: list[Any] = []
            for v in values:
                try:
                    x = float(v)
                except (TypeError, ValueError):
                    x = math.nan
                out.append(None if math.isnan(x) else x)
            return out
        return [None if _isnull(v) else str(_plain(v)) for v in values]

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        """Index of each row's combination; a row outside the allowed list goes to the
        allowed combination that agrees on most columns (the first such)."""
        table = [self._keys(j, [row[j] for row in self.allowed]) for j in range(len(self.columns))]
        index = {combo: i for i, combo in enumerate(zip(*table, strict=True))}
        rows = list(zip(*(self._keys(j, frame[c].tolist()) for j, c in enumerate(self.columns)),
                        strict=True))
        codes = np.asarray([index.get(r, -1) for r in rows], dtype=np.int64)
        for i in np.flatnonzero(codes < 0):
            agree = np.zeros(len(self.allowed), dtype=np.int64)
            for j, keys in enumerate(table):
                agree += np.asarray([k == rows[i][j] for k in keys], dtype=np.int64)
            codes[i] = int(np.argmax(agree))
        return codes

    def decode(self, codes: np.ndarray) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for j, c in enumerate(self.columns):
            values = [row[j] for row in self.allowed]
            if self.numeric[j]:
                x = np.asarray(values, dtype=float)[codes]
                integer = self.dtypes[j].startswith(("int", "Int", "uint"))
                out[c] = x.astype(np.int64) if integer and np.all(x == np.round(x)) else x
                continue
            out[c] = _typed([values[k] for k in codes], self.dtypes[j])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"columns": self.columns, "allowed": self.allowed, "numeric": self.numeric,
                "dtypes": self.dtypes}


def _typed(values: list[Any], dtype: str) -> Any:
    """Decoded categorical values in the training column's dtype: nullable boolean for
    ``bool``, the numeric dtype when no value is null, objects otherwise."""
    series = pd.Series(values, dtype="object")
    if dtype == "bool":
        return series.astype("boolean")
    if dtype.startswith(("int", "float")) and not series.isna().any():
        series = series.astype(np.dtype(dtype))
    return series.to_numpy()


def _isnull(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


def _value_key(v: Any) -> str:
    """How a categorical value is matched: the null label, or its JSON key."""
    return NULL_LABEL if _isnull(v) else _key(v)


def _key(v: Any) -> str:
    return json.dumps(_plain(v))


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


@dataclass
class TableCodec:
    """Every column's codec, in table order; ID columns are re-numbered on decode."""

    columns: list[str]
    numeric: dict[str, NumericCodec] = field(default_factory=dict)
    categorical: dict[str, CategoricalCodec] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    rho_used: float = 0.0
    notes: list[str] = field(default_factory=list)
    sigma: float = 0.0  # noise σ of the discretisation's histograms (fit time only, not saved)
    fused: dict[str, FusedCodec] = field(default_factory=dict)  # attribute -> fused columns

    @property
    def modelled(self) -> list[str]:
        """The model's attributes in table order: columns, a fused group at its first column."""
        first = {f.columns[0]: name for name, f in self.fused.items()}
        members = {c for f in self.fused.values() for c in f.columns}
        out = []
        for c in self.columns:
            if c in first:
                out.append(first[c])
            elif c not in self.ids and c not in members:
                out.append(c)
        return out

    def domain_sizes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.modelled:
            codec: NumericCodec | CategoricalCodec | FusedCodec = (
                self.fused[c] if c in self.fused else
                self.numeric[c] if c in self.numeric else self.categorical[c])
            out[c] = codec.n_bins
        return out

    def encode(self, frame: pd.DataFrame) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for c in self.modelled:
            if c in self.fused:
                out[c] = self.fused[c].encode(frame)
                continue
            codec: NumericCodec | CategoricalCodec = (
                self.numeric[c] if c in self.numeric else self.categorical[c])
            out[c] = codec.encode(frame[c])
        return out

    def decode(self, codes: dict[str, np.ndarray], n: int,
               rng: np.random.Generator) -> pd.DataFrame:
        """Categorical and fused columns first: a numeric column with public ``ranges_by``
        draws its values inside the range of the linked value each row already has."""
        data: dict[str, Any] = {}
        for name, fused in self.fused.items():
            data.update(fused.decode(np.asarray(codes[name], dtype=np.int64)[:n]))
        for c in self.columns:
            if c in self.ids:
                data[c] = np.arange(n, dtype=np.int64)
            elif c in self.categorical:
                cat = self.categorical[c]
                data[c] = _typed(cat.decode(codes[c]), cat.dtype)
        for c in self.columns:
            if c not in self.numeric:
                continue
            codec = self.numeric[c]
            values = codec.decode(codes[c], rng, self._limits(codec, data, n))
            if codec.integer and not np.isnan(values).any():
                data[c] = values.astype(np.int64)
            elif codec.integer:
                data[c] = pd.array(np.where(np.isnan(values), 0, values).astype(np.int64),
                                   dtype="Int64")
                data[c][np.isnan(values)] = pd.NA
            else:
                data[c] = values
        return pd.DataFrame(data, columns=self.columns)

    def _limits(self, codec: NumericCodec, data: dict[str, Any],
                n: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Per-row [low, high] of a numeric column from its linked categorical's decoded
        values (a categorical column, or one inside a fused group)."""
        link = codec.ranges_by
        if not link or link["column"] not in data or link["column"] in self.numeric:
            return None
        ranges = link["ranges"]
        index, uniques = pd.factorize(pd.Series(list(data[link["column"]])[:n], dtype="object"))
        low = np.full(len(uniques) + 1, -np.inf)  # last slot: null (factorize's -1)
        high = np.full(len(uniques) + 1, np.inf)
        for i, value in enumerate([*uniques, None]):
            key = None if _isnull(value) else str(_plain(value))
            if key in ranges:
                low[i], high[i] = ranges[key]
        return low[index], high[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": self.columns,
            "numeric": {k: v.to_dict() for k, v in self.numeric.items()},
            "categorical": {k: v.to_dict() for k, v in self.categorical.items()},
            "ids": self.ids, "rho_used": self.rho_used, "notes": self.notes,
            "fused": {k: v.to_dict() for k, v in self.fused.items()},
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TableCodec:
        return cls(
            columns=list(raw["columns"]),
            numeric={k: NumericCodec(**v) for k, v in raw["numeric"].items()},
            categorical={k: CategoricalCodec(values=list(v["values"]), dtype=v["dtype"])
                         for k, v in raw["categorical"].items()},
            ids=list(raw["ids"]), rho_used=float(raw["rho_used"]), notes=list(raw["notes"]),
            fused={k: FusedCodec(**v) for k, v in raw.get("fused", {}).items()},
        )


# -- planning (no data) and fitting (DP) ---------------------------------------------------


@dataclass(frozen=True)
class ColumnPlan:
    name: str
    kind: str  # "numeric" | "categorical" | "id"
    bounds: tuple[float, float] | None
    bounds_source: str
    integer: bool
    depth: int  # tree levels measured (numeric only)
    values: tuple[float, ...] | None = None  # public value set (metadata), at most 256
    decimals: int | None = None  # public decimals (metadata)
    ranges_by: tuple[str, tuple[tuple[str, float, float], ...]] | None = None  # metadata

    @property
    def measures_decimals(self) -> bool:
        """A float column without public decimals or values: its decimals cost a histogram."""
        return (self.kind == "numeric" and not self.integer and self.values is None
                and self.decimals is None)


def plan_columns(frame: pd.DataFrame, schema: Schema | None,
                 bounds: dict[str, tuple[float, float]], *, estimate_bounds: bool,
                 fuse: bool = False) -> list[ColumnPlan]:
    """Decide each column's treatment; raise a typed error for what cannot be modelled.
    ``fuse``: columns of the schema's public fixed combinations are planned as ``"fused"``
    (one attribute per combination, no histogram, see :func:`fused_codecs`)."""
    schema = schema or infer_schema(frame)
    unknown = sorted(set(bounds) - set(frame.columns))
    if unknown:
        raise ParameterError(f"bounds given for column(s) {unknown} not in the table")
    fused = {c for combo in fused_combinations(frame, schema) for c in combo.columns} if fuse \
        else set()
    plans: list[ColumnPlan] = []
    missing: list[str] = []
    for name in frame.columns:
        spec = schema.columns.get(str(name))
        kind = spec.kind if spec is not None else ColumnKind.CATEGORICAL
        if str(name) in fused:
            plans.append(ColumnPlan(str(name), "fused", None, "metadata", False, 0))
            continue
        if kind in (ColumnKind.TEXT, ColumnKind.PII):
            raise SchemaError(
                f"column {name!r} is {kind.value}: DP generators model tabular columns only; "
                "drop it or redact it first (or mark it categorical in schema=)")
        if kind is ColumnKind.DATETIME:
            raise SchemaError(
                f"column {name!r} is a datetime: convert it to a number (e.g. days since an "
                "epoch) with public bounds, or mark it categorical in schema=")
        if kind is ColumnKind.ID:
            plans.append(ColumnPlan(str(name), "id", None, "", False, 0))
            continue
        if kind is ColumnKind.CATEGORICAL:
            plans.append(ColumnPlan(str(name), "categorical", None, "", False, 0))
            continue
        integer = bool(spec.integer) if spec is not None else False
        values = spec.values if spec is not None else None
        decimals = spec.decimals if spec is not None else None
        if values is not None:
            given = bounds.get(str(name)) or (spec.bounds if spec is not None else None)
            if given is not None:
                values = tuple(v for v in values if given[0] <= v <= given[1])
                if not values:
                    raise ParameterError(f"column {name!r}: no value of its public value set "
                                         f"lies within its bounds {list(given)}")
            integer = all(float(v).is_integer() for v in values)
            low, high = min(values), max(values)
            plans.append(ColumnPlan(str(name), "numeric", (low, high if high > low else low + 1),
                                    "values", integer, 1, values, decimals,
                                    _linked(str(name), spec, schema)))
            continue
        if name in bounds:
            b: tuple[float, float] | None = bounds[str(name)]
            source = "user"
        elif spec is not None and spec.bounds is not None:
            b, source = spec.bounds, "schema"
        elif estimate_bounds:
            b, source = None, "dp-estimated"
        else:
            missing.append(str(name))
            continue
        plans.append(ColumnPlan(str(name), "numeric", b, source, integer, 0, None, decimals,
                                _linked(str(name), spec, schema)))
    if missing:
        raise ParameterError(
            f"numeric column(s) {missing} have no public bounds; a DP generator cannot take "
            "them from the data. Give them with bounds={\"col\": [low, high]} or as column bounds "
            "in schema=, or set estimate_bounds=True to spend part of the budget on them")
    return [_with_depth(p) for p in plans]


def fused_combinations(frame: pd.DataFrame, schema: Schema) -> list[Combination]:
    """The schema's fixed combinations whose columns are all in ``frame``, checked: their
    columns must be categorical or numeric."""
    present = {str(c) for c in frame.columns}
    out = []
    for combo in schema.fixed_combinations:
        if not all(c in present for c in combo.columns):
            continue
        for c in combo.columns:
            spec = schema.columns.get(c)
            if spec is not None and spec.kind not in (ColumnKind.CATEGORICAL, ColumnKind.NUMERIC):
                raise SchemaError(f"column {c!r} of the fixed combination {list(combo.columns)} "
                                  f"is {spec.kind.value}: only categorical and numeric columns "
                                  "can be fused")
        out.append(combo)
    return out


def fused_codecs(frame: pd.DataFrame, schema: Schema,
                 taken: list[str]) -> dict[str, FusedCodec]:
    """One :class:`FusedCodec` per public fixed combination of ``frame``'s columns (metadata
    only: the allowed list, the columns' kinds and dtypes; no row is read). ``taken``: names
    an attribute may not have (the table's columns)."""
    out: dict[str, FusedCodec] = {}
    for combo in fused_combinations(frame, schema):
        name = "+".join(combo.columns)
        while name in taken or name in out:
            name += "+"
        numeric = [schema.columns[c].kind is ColumnKind.NUMERIC for c in combo.columns]
        dtypes = ["bool" if pd.api.types.is_bool_dtype(frame[c]) else str(frame[c].dtype)
                  for c in combo.columns]
        out[name] = FusedCodec(list(combo.columns), [[_plain(v) for v in row]
                                                     for row in combo.allowed], numeric, dtypes)
    return out


def _linked(name: str, spec: ColumnSpec | None, schema: Schema) -> tuple[
        str, tuple[tuple[str, float, float], ...]] | None:
    """The public ``ranges_by`` of a numeric column, if its linked column is categorical."""
    link = spec.ranges_by if spec is not None else None
    if link is None:
        return None
    other = schema.columns.get(link[0])
    if other is None or other.kind is not ColumnKind.CATEGORICAL:
        raise ParameterError(f"column {name!r}: ranges_by names {link[0]!r}, which is not a "
                             "categorical column of the table")
    return link


def _with_depth(plan: ColumnPlan) -> ColumnPlan:
    if plan.kind != "numeric" or plan.values is not None:
        return plan
    if plan.bounds is None:
        depth = FLOAT_DEPTH + 1
    elif plan.integer:
        width = plan.bounds[1] - plan.bounds[0] + 1
        depth = max(1, math.ceil(math.log(max(width, 2)) / math.log(BRANCH) - 1e-9))
    else:
        depth = FLOAT_DEPTH
    return ColumnPlan(plan.name, plan.kind, plan.bounds, plan.bounds_source, plan.integer, depth,
                      plan.values, plan.decimals, plan.ranges_by)


def histogram_measurements(plans: list[ColumnPlan]) -> int:
    """How many unit-sensitivity histograms the discretisation measures (bounds + levels)."""
    total = 0
    for p in plans:
        if p.kind == "numeric":
            total += p.depth + (1 if p.bounds is None else 0) + (1 if p.measures_decimals else 0)
    return total


def fit_codec(frame: pd.DataFrame, plans: list[ColumnPlan], *, rho: float,
              max_bins: int, rng: np.random.Generator, min_bin_mass: float = 0.0,
              smoothing: str = "bins", schema: Schema | None = None,
              derived: dict[str, NumericCodec] | None = None) -> TableCodec:
    """Build the table codec, spending exactly ``rho`` (zCDP) on numeric columns' histograms.

    ``derived``: codecs of numeric columns known from already-released DP outputs (e.g. a
    child table's copy of its parent's columns, from the parent's fitted model): no histogram
    is measured for them (post-processing, no ρ); their leaves are regrouped into coarse bins
    here (``max_bins``, ``min_bin_mass``) and decode as given.

    A coarse bin holds about 1/``max_bins`` of the noisy mass, and at least ``min_bin_mass``
    (a mechanism whose marginals are noisy asks for bins its noise does not drown).

    Each histogram has L2 sensitivity 1 (a record is in one cell), so ``k`` histograms with
    Gaussian noise σ cost k/(2σ²); σ is set so that the total is ``rho``. ``smoothing``
    chooses how the leaf counts are denoised for decoding (:mod:`._shape`; no ε).
    """
    if smoothing not in SMOOTHINGS:
        raise ParameterError(f"smoothing must be one of {list(SMOOTHINGS)}, got {smoothing!r}")
    codec = TableCodec(columns=[str(c) for c in frame.columns])
    derived = derived or {}
    k = histogram_measurements([p for p in plans if p.name not in derived])
    sigma = math.sqrt(k / (2.0 * rho)) if k else 0.0
    if any(p.kind == "fused" for p in plans):
        codec.fused = fused_codecs(frame, schema or infer_schema(frame), codec.columns)
    for p in plans:
        series = frame[p.name]
        if p.kind == "fused":
            continue
        if p.kind == "id":
            codec.ids.append(p.name)
        elif p.kind == "categorical":
            values = sorted({_key(v): _plain(v) for v in series.dropna().unique()}.items())
            vals: list[Any] = [v for _, v in values]
            if series.isna().any():
                vals.append(None)
            if not vals:
                vals = [None]
            dtype = "bool" if pd.api.types.is_bool_dtype(series) else str(series.dtype)
            codec.categorical[p.name] = CategoricalCodec(vals, dtype)
        else:
            x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
            has_null = bool(np.isnan(x).any())
            x = x[~np.isnan(x)]
            bounds = p.bounds
            if p.name in derived:
                codec.numeric[p.name] = regrouped(derived[p.name], max_bins, min_bin_mass)
                codec.notes.append(f"bins of {p.name!r} derived from released outputs (no ρ)")
                continue
            if p.values is not None:
                codec.numeric[p.name] = _value_histogram(x, p.values, p.integer, sigma, max_bins,
                                                         has_null, rng, min_bin_mass)
                codec.numeric[p.name].ranges_by = _link_dict(p)
                continue
            if bounds is None:
                bounds = dp_range(x, sigma, rng, integer=p.integer)
                codec.notes.append(f"bounds of {p.name!r} estimated with DP: {list(bounds)}")
            codec.numeric[p.name] = _adaptive_histogram(
                x, bounds, p.integer, p.depth, sigma, max_bins, has_null, p.bounds_source, rng,
                min_bin_mass, smoothing)
            decimals = p.decimals
            if p.measures_decimals:
                decimals = _dp_decimals(x, sigma, rng)
                codec.notes.append(f"decimals of {p.name!r} estimated with DP: {decimals}")
            codec.numeric[p.name].decimals = decimals
            codec.numeric[p.name].ranges_by = _link_dict(p)
    codec.rho_used = rho if k else 0.0
    codec.sigma = sigma
    return codec


def regrouped(codec: NumericCodec, max_bins: int, min_bin_mass: float) -> NumericCodec:
    """A copy of ``codec`` (leaves, leaf weights, decoding) with its leaves regrouped into
    coarse bins of about equal weight for another table (post-processing of its weights);
    no raw noisy counts (the copy paid for none) and no link to another column."""
    bins = equal_mass_groups([max(0.0, float(w)) for w in codec.leaf_weights], max_bins,
                             min_bin_mass)
    return dataclasses.replace(codec, bin_of_leaf=bins, leaf_noisy=None, ranges_by=None,
                               bounds_source="derived")


def _link_dict(plan: ColumnPlan) -> dict[str, Any] | None:
    if plan.ranges_by is None:
        return None
    column, ranges = plan.ranges_by
    return {"column": column, "ranges": {v: [lo, hi] for v, lo, hi in ranges}}


def signed_powers(base: float, count: int) -> np.ndarray:
    """Bucket edges -base^(count-1) .. -1, 0, 1 .. base^(count-1): the signed powers that
    :func:`dp_range` measures a column's range over."""
    powers = [base ** e for e in range(count)]
    return np.array([-p for p in reversed(powers)] + [0.0] + powers)


def dp_range(x: np.ndarray, sigma: float, rng: np.random.Generator, *, integer: bool,
             base: float = 2.0, edges: np.ndarray | None = None,
             certain: float = 5.0, run_sigmas: float = 1.0,
             second_run: float | None = None) -> tuple[float, float]:
    """The range of one numeric column from one unit-sensitivity measurement: a noisy
    histogram over signed powers of ``base`` (or the given ``edges``), then post-processing.

    Shared by the single-table DP generators and the relational one (one rule, one test).
    The range is the contiguous run of buckets with the largest total of (noisy count − σ)
    (maximum subarray: a bucket of pure noise adds −σ on average, so mass spread over
    neighbouring buckets adds up even when no single bucket clears the noise, which is what
    makes a few hundred rows at a small budget usable; ``run_sigmas`` σ per bucket instead of 1
    makes a bucket of pure noise next to the data join the run less often, at the price of a
    thin tail), widened to every bucket whose noisy
    count clears ``certain``·σ (a spike far from the bulk, e.g. a column's zeros, which a run
    would not bridge). "Outermost bucket over 3σ" alone returned [0, 1] or ±2^35 ranges at
    small budgets: over ~100 buckets a 3σ false positive is likely; at 5σ it is negligible.

    ``second_run`` (off by default): also widened to the best run on either side of the
    chosen one whose total gain clears this many σ (a column of both signs: its negative and
    positive masses are two runs apart by the empty buckets around 0, tiny on a linear scale,
    and only the luckier one won; a run of pure noise clears 3σ with probability ~1e-4)."""
    if edges is None:
        edges = signed_powers(base, math.ceil(63 * math.log(2) / math.log(base)))
    counts = np.histogram(np.clip(x, edges[0], edges[-1]), bins=edges)[0].astype(float)
    noisy = counts + rng.normal(0, sigma, size=counts.shape)
    gain = noisy - run_sigmas * sigma
    _, first, last = _best_run(gain)
    if second_run is not None:
        left, right = _best_run(gain[:first]), _best_run(gain[last + 1:])
        if left[0] > second_run * sigma:
            first = left[1]
        if right[0] > second_run * sigma:
            last = last + 1 + right[2]
    sure = np.flatnonzero(noisy > certain * sigma)
    if sure.size:
        first, last = min(first, int(sure[0])), max(last, int(sure[-1]))
    lo, hi = float(edges[first]), float(edges[last + 1])
    if integer:
        hi -= 1
    return lo, max(hi, lo + 1)


def _best_run(gain: np.ndarray) -> tuple[float, int, int]:
    """(total, first, last) of the contiguous run with the largest total (Kadane); total
    −inf for an empty array."""
    if gain.size == 0:
        return -np.inf, 0, -1
    best, first, last, run, start = -np.inf, int(np.argmax(gain)), int(np.argmax(gain)), 0.0, 0
    for i, g in enumerate(gain):
        if run <= 0:
            run, start = g, i
        else:
            run += g
        if run > best:
            best, first, last = run, start, i
    return float(best), first, last


MAX_DECIMALS = 6


def _dp_decimals(x: np.ndarray, sigma: float, rng: np.random.Generator,
                 coverage: float = 0.99) -> int:
    """Decimals of a float column from one unit-sensitivity histogram (a row is in exactly
    one cell: the fewest decimals, 0..6, that represent it): the smallest d such that the
    noisy count of rows needing more than d decimals is within ``1 - coverage`` of the noisy
    total plus two noise standard deviations; 6 when the noise hides everything."""
    need = np.full(x.shape, MAX_DECIMALS, dtype=np.int64)
    scale = np.maximum(1.0, np.abs(x))
    for d in range(MAX_DECIMALS, -1, -1):
        need[np.abs(x - np.round(x, d)) <= 1e-9 * scale] = d
    counts = np.bincount(need, minlength=MAX_DECIMALS + 1).astype(float)
    noisy = counts + rng.normal(0, sigma, size=counts.shape)
    total = noisy.sum()
    if total <= 3 * sigma * math.sqrt(counts.size):
        return MAX_DECIMALS
    for d in range(MAX_DECIMALS):
        tail = noisy[d + 1:]
        if tail.sum() <= (1 - coverage) * total + 2 * sigma * math.sqrt(tail.size):
            return d
    return MAX_DECIMALS


def _value_histogram(x: np.ndarray, values: tuple[float, ...], integer: bool, sigma: float,
                     max_bins: int, has_null: bool, rng: np.random.Generator,
                     min_bin_mass: float = 0.0) -> NumericCodec:
    """One leaf per public value (edges at the midpoints), one noisy histogram."""
    vals = np.asarray(sorted(values), dtype=float)
    top = vals[-1] + 1.0 if (integer or vals.size == 1) else vals[-1]
    edges = np.concatenate([[vals[0]], (vals[:-1] + vals[1:]) / 2.0, [top]])
    inner = np.clip(x, vals[0], vals[-1])
    leaf = np.clip(np.searchsorted(edges, inner, side="right") - 1, 0, vals.size - 1)
    counts = np.bincount(leaf, minlength=vals.size).astype(float)
    noisy = counts + rng.normal(0, sigma, size=counts.shape)
    weights = np.maximum(noisy, 0.0).tolist()
    return NumericCodec(low=float(vals[0]), high=float(vals[-1]), integer=integer,
                        leaf_edges=edges.tolist(), leaf_weights=weights,
                        leaf_noisy=noisy.tolist(),
                        bin_of_leaf=equal_mass_groups(weights, max_bins, min_bin_mass), has_null=has_null,
                        bounds_source="values", leaf_values=vals.tolist())


def _adaptive_histogram(
    x: np.ndarray, bounds: tuple[float, float], integer: bool, depth: int, sigma: float,
    max_bins: int, has_null: bool, source: str, rng: np.random.Generator,
    min_bin_mass: float = 0.0, smoothing: str = "bins",
) -> NumericCodec:
    low, high = bounds
    if integer:
        low, high = math.floor(low), math.floor(high)
        top = high + 1.0
        x = np.floor(np.clip(x, low, high))
    else:
        top = high
        x = np.clip(x, low, high)
    threshold = 3.0 * sigma
    # leaves: (lo, hi, noisy count, node); start with the root, refine `depth` times; every
    # measured cell is a node of the tree (its noisy count and its children, for consistency)
    nodes_y: list[float] = [math.inf]  # the root is not measured
    children: list[list[int]] = [[]]
    leaves: list[tuple[float, float, float, int]] = [(float(low), float(top), math.inf, 0)]
    for _level in range(depth):
        refined: list[tuple[float, float, float, int]] = []
        # every record falls in exactly one cell of this level: one unit-sensitivity histogram
        for lo, hi, count, node in leaves:
            splittable = (hi - lo) > 1.0 if integer else True
            if count <= threshold or not splittable:
                refined.append((lo, hi, count, node))
                continue
            cuts = _cuts(lo, hi, integer)
            inside = x[(x >= lo) & ((x < hi) if hi < top else (x <= hi))]
            hist = np.histogram(inside, bins=cuts)[0].astype(float)
            noisy = hist + rng.normal(0, sigma, size=hist.shape)
            for a, b, c in zip(cuts[:-1], cuts[1:], noisy, strict=True):
                children[node].append(len(nodes_y))
                nodes_y.append(float(c))
                children.append([])
                refined.append((float(a), float(b), float(c), len(nodes_y) - 1))
        leaves = refined
    edges = [leaves[0][0]] + [hi for _, hi, _, _ in leaves]
    leaf_counts = [c for _, _, c, _ in leaves]
    heaping: list[float] | None = None
    if smoothing == "shape":
        # the counts of every level, made consistent (post-processing): a refined cell's own
        # count is not thrown away when its children are measured
        counts, var = tree_consistent(nodes_y, children, [n for _, _, _, n in leaves], sigma)
        weights = [max(0.0, c) if math.isfinite(c) else 1.0 for c in counts]
        bins = equal_mass_groups(weights, max_bins, min_bin_mass)
        smooth, ratios = shape_fit(edges, counts, sigma, integer=integer, var=var)
        heaping = ratios if integer else None
    else:
        weights = [max(0.0, c) if math.isfinite(c) else 1.0 for c in leaf_counts]
        bins = equal_mass_groups(weights, max_bins, min_bin_mass)
        smooth = smooth_within_bins(edges, weights, bins, sigma, integer)
    return NumericCodec(low=float(low), high=float(high), integer=integer, leaf_edges=edges,
                        leaf_weights=smooth,
                        bin_of_leaf=bins, has_null=has_null, bounds_source=source,
                        leaf_noisy=leaf_counts, heaping=heaping)


def tree_consistent(y: list[float], children: list[list[int]], leaves: list[int],
                    sigma: float) -> tuple[list[float], list[float]]:
    """Leaf counts of a hierarchical histogram using every level's noisy counts (Hay et al.
    2010, "Boosting the accuracy of differentially private histograms through consistency"):
    the best linear unbiased estimate under Gaussian noise σ on every measured node, by one
    pass up (a node's count combined with the sum of its children's, weighted by inverse
    variance) and one pass down (the children's estimates moved to sum to their parent's,
    each in proportion to its variance). Also each leaf's variance after the update.
    Post-processing of counts already paid for. ``y[0]`` is the root (``inf``: unmeasured)."""
    n = len(y)
    z = np.zeros(n)
    v = np.zeros(n)
    for node in range(n - 1, -1, -1):  # children always come after their parent
        kids = children[node]
        own = math.isfinite(y[node])
        if not kids:
            z[node], v[node] = (y[node], sigma**2) if own else (0.0, math.inf)
            continue
        s, vs = float(z[kids].sum()), float(v[kids].sum())
        if own and vs > 0:
            v[node] = 1.0 / (1.0 / sigma**2 + 1.0 / vs)
            z[node] = v[node] * (y[node] / sigma**2 + s / vs)
        else:
            z[node], v[node] = s, vs
    h, hv = z.copy(), v.copy()
    for node in range(n):
        kids = children[node]
        if not kids:
            continue
        vs = float(v[kids].sum())
        if not (vs > 0 and math.isfinite(vs)):
            continue
        share = v[kids] / vs
        h[kids] = z[kids] + (h[node] - z[kids].sum()) * share
        hv[kids] = v[kids] - v[kids] ** 2 / vs + share**2 * hv[node]
    return [float(h[i]) for i in leaves], [float(hv[i]) for i in leaves]


def _cuts(lo: float, hi: float, integer: bool) -> np.ndarray:
    """Edges of the ``BRANCH`` children of the cell [lo, hi) (integer edges if integer)."""
    if integer:
        return np.asarray(np.unique(np.round(np.linspace(lo, hi, BRANCH + 1))), dtype=float)
    return np.linspace(lo, hi, BRANCH + 1)


def equal_mass_groups(weights: list[float], max_bins: int, min_mass: float = 0.0) -> list[int]:
    """Contiguous groups of leaves with about equal noisy mass, at least ``min_mass`` each
    (a heavy leaf stands alone; a light last group joins the one before)."""
    total = sum(weights)
    n = len(weights)
    if total <= 0 or (n <= max_bins and min_mass <= 0):
        return list(range(n)) if n <= max_bins else [i * max_bins // n for i in range(n)]
    target = max(total / max_bins, min_mass)
    groups: list[int] = []
    current, mass = 0, 0.0
    for i, w in enumerate(weights):
        if mass > 0 and mass + w > target * 1.5 and current < max_bins - 1:
            current += 1
            mass = 0.0
        groups.append(current)
        mass += w
        if mass >= target and current < max_bins - 1 and i < n - 1:
            current += 1
            mass = 0.0
    last = groups[-1]
    if last > 0 and min_mass > 0 and sum(
            w for w, g in zip(weights, groups, strict=True) if g == last) < target / 2:
        groups = [g if g < last else last - 1 for g in groups]
    # drop empty trailing index gaps (groups are contiguous and start at 0)
    remap = {g: j for j, g in enumerate(sorted(set(groups)))}
    return [remap[g] for g in groups]

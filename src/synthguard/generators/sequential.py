"""``sequential_trees``: each column drawn from a decision tree over all columns before it.

Why: a copula and a sparse network keep pairwise structure, but a real-vs-synthetic
classifier sees combinations of three and more columns. Here the joint distribution is
factorised as ``p(x1) p(x2 | x1) ... p(xd | x1..xd-1)`` and every factor is a CART tree
(synthpop's CART method): the tree partitions the rows by the previous columns into leaves
of at least ``min_leaf`` training rows, and a synthetic value is drawn from the class counts
of the leaf its synthetic prefix falls into. Fitting is one tree per column (seconds on
Adult), sampling is a vectorised walk down each tree.

Coding of a column as a tree *target*:

* categorical: its levels (missing values are a level of their own);
* numeric/datetime: ``bins`` equal-mass bins of the column's uniform ranks (ties broken at
  random so a spike such as ``capital_gain = 0`` fills the bins it needs), missing values a
  bin of their own. A drawn bin is decoded through the column's quantile function on a
  fixed grid (never the raw rows): a column with few distinct values is decoded with the
  inverted empirical CDF, so only values that occur come out; a continuous one is
  interpolated and rounded to the decimals the column shows.

Each column has a small *bag* of trees (``trees``, default 5), each grown on a random 70 %
of the rows and filled with all of them; a synthetic row is drawn from one tree of the bag
picked at random. The bag smooths the leaves, so fewer synthetic rows copy a real one on
small low-cardinality tables (COMPAS: 19 % -> 9 % exact copies, the real holdout's own rate
being 8.6 %) at the same fidelity (benchmarks/tabular_vs_argn.py).

A discrete numeric column (at most ``quantiles`` distinct values) is decoded through its
exact empirical CDF, so its whole value set comes out, tails included.

As a tree *feature* a column is its value (numeric/datetime, missing as a value below the
minimum) or its level code. The first column is drawn from its marginal; columns are
ordered by a mutual-information network (the most informative first).

Privacy: a leaf holds at least ``min_leaf`` rows, so no draw is a single record's value; the
model stores trees (split thresholds, sparse leaf counts) and quantile grids as JSON,
nothing pickled and no raw rows. It is not differentially private: use ``aim``/``mst`` for a
guarantee.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard._threads import model_threads
from synthguard.data.schema import ColumnKind, Schema, infer_schema
from synthguard.errors import NotFittedError, ParameterError
from synthguard.generators.base import Capabilities, ChunkedGenerator, GeneratorParams
from synthguard.generators.copula import _as_float, _greedy_network, _plain, _uniform_ranks
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report

_MODEL_FILE = "sequential_trees.json"
_FORMAT = 2  # 2: a list of trees per column (format 1: one tree, still read)


@dataclass(frozen=True)
class SequentialParams(GeneratorParams):
    min_leaf: int = 20  # training rows per tree leaf at least (privacy and smoothing)
    bins: int = 50  # equal-mass bins of a numeric column as a tree target
    quantiles: int = 1000  # points of each numeric column's quantile grid
    max_categories: int = 1000  # rarer levels are drawn as the most frequent level
    max_depth: int | None = None  # tree depth cap (None: grow until leaves hit min_leaf)
    trees: int = 5  # trees per column (>1: each grown on a random subsample, one drawn per row)
    subsample: float = 0.7  # share of rows that grows each tree when trees > 1
    batch_size: int = 100_000  # rows sampled per chunk

    def __post_init__(self) -> None:
        if self.min_leaf < 1:
            raise ParameterError("min_leaf must be >= 1")
        if not 2 <= self.bins <= 1000:
            raise ParameterError("bins must be in [2, 1000]")
        if self.quantiles < 10:
            raise ParameterError("quantiles must be >= 10")
        if self.max_categories < 2:
            raise ParameterError("max_categories must be >= 2")
        if self.max_depth is not None and self.max_depth < 1:
            raise ParameterError("max_depth must be >= 1 or None")
        if self.batch_size <= 0:
            raise ParameterError("batch_size must be positive")
        if not 1 <= self.trees <= 100:
            raise ParameterError("trees must be in [1, 100]")
        if not 0.0 < self.subsample <= 1.0:
            raise ParameterError("subsample must be in (0, 1]")


def _decimals(values: np.ndarray) -> int:
    """Decimals a float column shows (0-6), read from a sample of its finite values."""
    finite = values[np.isfinite(values)][:5000]
    for d in range(7):
        if np.allclose(finite, np.round(finite, d), rtol=0, atol=1e-9 * max(1.0, float(np.abs(finite).max(initial=0)))):
            return d
    return 6


@dataclass
class _Tree:
    """One fitted CART tree as plain arrays, walked with numpy (no sklearn at sample time)."""

    left: np.ndarray  # child index or -1 at a leaf
    right: np.ndarray
    feature: np.ndarray  # index into the column's feature list
    threshold: np.ndarray  # go left when float32(x) <= threshold (sklearn's rule)
    leaf_start: np.ndarray  # per node: offset into classes/cum (leaves only)
    leaf_end: np.ndarray  # per node: end offset of its entries (leaves only)
    leaf_total: np.ndarray  # per node: rows in the leaf
    classes: np.ndarray  # sparse leaf counts: class of each entry
    cum: np.ndarray  # cumulative counts over entries (global)

    def leaves(self, x: np.ndarray) -> np.ndarray:
        node = np.zeros(x.shape[0], dtype=np.int64)
        if self.left.size == 1:
            return node
        x32 = x.astype(np.float32).astype(np.float64)
        rows = np.arange(x.shape[0])
        active = self.left[node] >= 0
        while active.any():
            idx = rows[active]
            cur = node[idx]
            go_left = x32[idx, self.feature[cur]] <= self.threshold[cur]
            node[idx] = np.where(go_left, self.left[cur], self.right[cur])
            active[idx] = self.left[node[idx]] >= 0
        return node

    def draw(self, x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        leaf = self.leaves(x)
        start = self.leaf_start[leaf]
        base = np.where(start > 0, self.cum[np.maximum(start - 1, 0)], 0.0)
        target = base + rng.random(x.shape[0]) * self.leaf_total[leaf]
        entry = np.searchsorted(self.cum, target, side="right")
        entry = np.clip(entry, start, self.leaf_end[leaf] - 1)  # floating-point guard
        drawn: np.ndarray = self.classes[entry]
        return drawn

    def to_dict(self) -> dict[str, Any]:
        leaf = self.left < 0
        return {
            "left": self.left.tolist(), "right": self.right.tolist(),
            "feature": self.feature.tolist(), "threshold": self.threshold.tolist(),
            "leaves": np.flatnonzero(leaf).tolist(),
            "classes": self.classes.tolist(),
            "counts": np.diff(np.concatenate([[0.0], self.cum])).astype(np.int64).tolist(),
            "sizes": _leaf_sizes(self).tolist(),
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> _Tree:
        left = np.asarray(raw["left"], dtype=np.int64)
        counts = np.asarray(raw["counts"], dtype=np.float64)
        sizes = np.asarray(raw["sizes"], dtype=np.int64)
        leaves = np.asarray(raw["leaves"], dtype=np.int64)
        return _build(left, np.asarray(raw["right"], dtype=np.int64),
                      np.asarray(raw["feature"], dtype=np.int64),
                      np.asarray(raw["threshold"], dtype=np.float64), leaves, sizes,
                      np.asarray(raw["classes"], dtype=np.int64), counts)


def _leaf_sizes(tree: _Tree) -> np.ndarray:
    """Entries per leaf (in leaf order) of the sparse count lists."""
    leaves = np.flatnonzero(tree.left < 0)
    sizes: np.ndarray = tree.leaf_end[leaves] - tree.leaf_start[leaves]
    return sizes


def _build(left: np.ndarray, right: np.ndarray, feature: np.ndarray, threshold: np.ndarray,
           leaves: np.ndarray, sizes: np.ndarray, classes: np.ndarray, counts: np.ndarray) -> _Tree:
    nodes = left.size
    leaf_start = np.zeros(nodes, dtype=np.int64)
    leaf_total = np.zeros(nodes, dtype=np.float64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    leaf_start[leaves] = offsets[:-1]
    leaf_end = np.zeros(nodes, dtype=np.int64)
    leaf_end[leaves] = offsets[1:]
    cum = np.cumsum(counts)
    totals = np.add.reduceat(counts, offsets[:-1]) if counts.size else np.zeros(leaves.size)
    leaf_total[leaves] = totals
    return _Tree(left, right, np.maximum(feature, 0), threshold, leaf_start, leaf_end, leaf_total,
                 classes, cum)


def _fit_tree(x: np.ndarray, y: np.ndarray, *, min_leaf: int, max_depth: int | None,
              seed: int, grow: np.ndarray | None = None) -> _Tree:
    """One CART tree; ``grow`` (row indices) grows its splits, every row fills its leaves.

    Leaves hold at least ``min_leaf`` of the growing rows, so at least as many of all rows.
    """
    if x.shape[1] == 0:
        left = right = np.array([-1])
        feature, threshold = np.array([0]), np.array([0.0])
        leaf_of_row = np.zeros(y.size, dtype=np.int64)
    else:
        from sklearn.tree import DecisionTreeClassifier

        model = DecisionTreeClassifier(min_samples_leaf=min_leaf, max_depth=max_depth,
                                       random_state=seed)
        rows = slice(None) if grow is None else grow
        model.fit(x[rows].astype(np.float32), y[rows])
        tree = model.tree_
        left, right = tree.children_left.astype(np.int64), tree.children_right.astype(np.int64)
        feature, threshold = tree.feature.astype(np.int64), tree.threshold.astype(np.float64)
        leaf_of_row = model.apply(x.astype(np.float32)).astype(np.int64)
    classes_count = int(y.max()) + 1
    pairs, counts = np.unique(leaf_of_row * classes_count + y, return_counts=True)
    leaf_ids, classes = pairs // classes_count, pairs % classes_count
    leaves = np.flatnonzero(left < 0)
    sizes = np.bincount(np.searchsorted(leaves, leaf_ids), minlength=leaves.size)
    return _build(left, right, feature, threshold, leaves, sizes, classes.astype(np.int64),
                  counts.astype(np.float64))


@register_generator
class SequentialTrees(ChunkedGenerator):
    """Column-by-column CART synthesis (synthpop-style), JSON model."""

    name = "sequential_trees"
    summary = ("each column drawn from a CART tree over the columns before it (min leaf "
               "size, quantile-grid decoding); best joint structure, JSON model")
    caps = Capabilities(modality="tabular", dp=False, seeded=True)
    Params = SequentialParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._model: dict[str, Any] | None = None
        self._trees: list[list[_Tree]] = []  # per column: one tree or a bag of them

    @property
    def p(self) -> SequentialParams:
        assert isinstance(self.params, SequentialParams)
        return self.params

    # ------------------------------------------------------------------ fit
    def fit(self, data: pd.DataFrame, *, schema: Schema | None = None, seed: int = 0,
            progress: ProgressCallback | None = None) -> SequentialTrees:
        if not isinstance(data, pd.DataFrame) or data.empty:
            raise ParameterError("sequential_trees needs a non-empty table to fit")
        schema = schema or infer_schema(data)
        rng = np.random.default_rng(seed)
        n = len(data)
        bins = int(min(self.p.bins, max(2, n // max(self.p.min_leaf, 1))))
        specs: list[dict[str, Any]] = []
        targets: list[np.ndarray] = []
        features: list[np.ndarray] = []
        coarse: list[np.ndarray] = []
        for name in data.columns:
            spec = schema.columns[str(name)]
            if spec.kind is ColumnKind.ID:
                continue
            series = data[name]
            if spec.kind in (ColumnKind.NUMERIC, ColumnKind.DATETIME):
                is_dt = spec.kind is ColumnKind.DATETIME
                values = _as_float(series, is_dt)
                finite = values[~np.isnan(values)]
                distinct = int(np.unique(finite).size) if finite.size else 0
                discrete = distinct <= self.p.quantiles
                levels = np.linspace(0, 1, self.p.quantiles + 1)
                if finite.size:
                    grid = (np.quantile(finite, levels, method="inverted_cdf") if discrete
                            else np.quantile(finite, levels, method="linear"))
                else:
                    grid = np.zeros(self.p.quantiles + 1)
                u = _uniform_ranks(values, rng)
                code = np.where(np.isnan(u), bins,
                                np.minimum((np.nan_to_num(u) * bins).astype(int), bins - 1))
                low = float(finite.min()) if finite.size else 0.0
                feature = np.where(np.isnan(values), low - 1.0 - abs(low), values)
                spec_: dict[str, Any] = {}
                if discrete and finite.size:
                    # the exact empirical CDF of a discrete column: its whole value set, tails
                    # included (a quantile grid would never reach its largest value)
                    support, counts_ = np.unique(finite, return_counts=True)
                    spec_ = {"values": support.tolist(),
                             "cdf": (np.cumsum(counts_) / finite.size).tolist()}
                specs.append({
                    **spec_,
                    "name": str(name), "kind": "datetime" if is_dt else "numeric",
                    "grid": grid.tolist(), "discrete": discrete, "size": bins + 1,
                    "dtype": str(series.dtype), "integer": bool(spec.integer or is_dt),
                    "decimals": 0 if (spec.integer or is_dt) else _decimals(finite),
                    "missing_feature": float(low - 1.0 - abs(low)),
                    "tz": _timezone(series) if is_dt else "",
                })
                targets.append(code.astype(np.int64))
                features.append(feature)
                coarse.append(np.minimum(code, bins) // max(1, bins // 10))
            else:
                keys = series.astype(object).where(series.notna(), None)
                counts = keys.map(_plain).value_counts(dropna=False)
                levels_ = [None if (isinstance(v, float) and np.isnan(v)) else _plain(v)
                           for v in counts.index][: self.p.max_categories]
                lookup = {v: i for i, v in enumerate(levels_)}
                code = np.fromiter((lookup.get(_plain(v), 0) for v in keys), dtype=np.int64, count=n)
                specs.append({"name": str(name), "kind": "categorical", "levels": levels_,
                              "size": len(levels_), "dtype": str(series.dtype)})
                targets.append(code)
                features.append(code.astype(np.float64))
                coarse.append(np.minimum(code, 20))
        total = len(specs) + 1
        report(progress, "fit sequential_trees", 0, total)
        sizes = [int(c.max()) + 1 if c.size else 1 for c in coarse]
        order, _ = _greedy_network(coarse, sizes, max_parents=1, max_cells=0)
        x = np.column_stack(features) if features else np.zeros((n, 0))
        trees: list[list[_Tree]] = [[] for _ in specs]
        grow_size = max(1, round(self.p.subsample * n))
        with model_threads():
            for step, j in enumerate(order):
                previous = order[:step]
                for k in range(self.p.trees):
                    grow = (None if self.p.trees == 1
                            else np.sort(rng.choice(n, grow_size, replace=False)))
                    trees[j].append(_fit_tree(x[:, previous], targets[j], min_leaf=self.p.min_leaf,
                                              max_depth=self.p.max_depth,
                                              seed=seed + step + 7919 * k, grow=grow))
                report(progress, "fit sequential_trees", step + 1, total)
        self._trees = trees
        self._model = {
            "format": _FORMAT,
            "columns": [str(c) for c in data.columns],
            "ids": [str(c) for c in data.columns if schema.columns[str(c)].kind is ColumnKind.ID],
            "bins": bins,
            "specs": specs,
            "order": order,
        }
        self.record_fit(data)
        report(progress, "fit sequential_trees", total, total)
        return self

    # --------------------------------------------------------------- sample
    def sample_chunk(self, size: int, *, seed: int, chunk_index: int) -> pd.DataFrame:
        """One chunk from a random stream keyed by ``(seed, chunk_index)`` (see streaming.py)."""
        model = self.fitted_model()
        rng = np.random.default_rng([seed, chunk_index])
        specs = model["specs"]
        order = model["order"]
        bins = model["bins"]
        x = np.zeros((size, len(specs)))
        values: list[Any] = [None] * len(specs)
        for step, j in enumerate(order):
            code = _draw(self._trees[j], x[:, :step], rng)
            spec = specs[j]
            if spec["kind"] == "categorical":
                values[j] = code
                x[:, step] = code
            else:
                decoded = _decode_numeric(spec, code, bins, rng)
                values[j] = decoded
                x[:, step] = np.where(np.isnan(decoded), spec["missing_feature"], decoded)
        out: dict[str, Any] = {}
        for j, spec in enumerate(specs):
            out[spec["name"]] = _to_series(spec, values[j])
        for name in model["ids"]:
            out[name] = np.arange(size, dtype=np.int64) + chunk_index * self.p.batch_size
        frame = pd.DataFrame(out)
        ordered: pd.DataFrame = frame.loc[:, model["columns"]]
        return ordered

    # ------------------------------------------------------------ save/load
    def save_files(self, folder: Path) -> None:
        if self._model is None:
            raise NotFittedError("cannot save an unfitted sequential_trees")
        payload = dict(self._model, trees=[[t.to_dict() for t in bag] for bag in self._trees])
        (folder / _MODEL_FILE).write_text(json.dumps(payload, default=_plain), encoding="utf-8")

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> SequentialTrees:
        generator = cls(params)
        raw = json.loads((folder / _MODEL_FILE).read_text(encoding="utf-8"))
        if raw.get("format") not in (1, _FORMAT):
            raise ParameterError(f"sequential_trees model format {raw.get('format')!r} is not {_FORMAT}")
        bags = raw.pop("trees")
        if raw["format"] == 1:  # one tree per column
            bags = [[tree] for tree in bags]
        generator._trees = [[_Tree.from_dict(t) for t in bag] for bag in bags]
        raw["format"] = _FORMAT
        generator._model = raw
        return generator


def _draw(bag: list[_Tree], x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Codes for the rows of ``x``: each row from one tree of the bag, picked at random."""
    if len(bag) == 1:
        return bag[0].draw(x, rng)
    pick = rng.integers(len(bag), size=x.shape[0])
    code = np.zeros(x.shape[0], dtype=np.int64)
    for k, tree in enumerate(bag):
        rows = np.flatnonzero(pick == k)
        if rows.size:
            code[rows] = tree.draw(x[rows], rng)
    return code


def _timezone(series: pd.Series) -> str:
    tz = getattr(series.dtype, "tz", None)
    return str(tz) if tz is not None else ""


def _decode_numeric(spec: dict[str, Any], code: np.ndarray, bins: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Bin codes -> values through the column's quantile grid (missing bin -> NaN)."""
    grid = np.asarray(spec["grid"], dtype=np.float64)
    q = grid.size - 1
    level = (np.minimum(code, bins - 1) + rng.random(code.size)) / bins
    if spec["discrete"] and "cdf" in spec:
        # inverted empirical CDF: only values that occur come out, each at its real share
        support = np.asarray(spec["values"], dtype=np.float64)
        cdf = np.asarray(spec["cdf"], dtype=np.float64)
        values = support[np.minimum(np.searchsorted(cdf, level, side="left"), support.size - 1)]
    elif spec["discrete"]:
        # inverted CDF: the grid holds only values that occur, so none other comes out
        values = grid[np.minimum((level * q).astype(np.int64), q)]
    else:
        values = np.interp(level, np.linspace(0, 1, q + 1), grid)
        values = np.round(values, int(spec["decimals"]))
        values = np.clip(values, grid[0], grid[-1])
    return np.where(code >= bins, np.nan, values)


def _to_series(spec: dict[str, Any], value: np.ndarray) -> Any:
    if spec["kind"] == "categorical":
        levels = np.empty(len(spec["levels"]), dtype=object)
        levels[:] = spec["levels"]
        series: Any = pd.Series(levels[value])
        if spec["dtype"] == "bool":
            series = series.astype(bool)
        elif spec["dtype"].startswith(("int", "float", "Int", "Float")):
            series = pd.to_numeric(series)
        return series
    if spec["kind"] == "datetime":
        out = pd.to_datetime(np.round(value), unit="ns")
        return out.tz_localize("UTC").tz_convert(spec["tz"]) if spec.get("tz") else out
    if spec["integer"] and not np.isnan(value).any() and spec["dtype"].startswith(("int", "Int")):
        return np.round(value).astype(np.int64)
    return value

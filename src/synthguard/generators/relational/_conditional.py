"""A conditional version of ``gaussian_copula``: target columns given context columns.

The same three pieces as :mod:`synthguard.generators.copula` (quantile-grid marginals, a
Bayesian-network skeleton over coarse codes grown by mutual information, a Gaussian copula on
within-bin positions), except that the network starts from *context* columns that are given at
sampling time (a child's parent attributes, its rank among its siblings, the number of
siblings): a target column may take context columns as its parents, so children are drawn
from P(child | parent). With no context it is the single-table model. Plain JSON state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from synthguard.generators._stratified import stratified_within
from synthguard.generators.copula import (
    _correlation,
    _greedy_network,
    _joint_code,
    _plain,
    _uniform_ranks,
)

MAX_LEVELS = 1000
GRID = 100  # quantile points of a continuous context column's empirical CDF
# a parent configuration's rows are drawn stratified within it only if at least this many
# training rows back its conditional frequencies (MIMIC, 100 patients, 30 % held out: share
# of synthetic entities closer to train than holdout 0.57 at 10 vs 0.64 with no floor, 0.59
# with no stratification within configurations)
MIN_STRATUM_ROWS = 10


def _numeric(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _level_key(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return str(value)
    return _plain(value)


def _code_categorical(series: pd.Series, levels: list[Any]) -> np.ndarray:
    lookup = {v: i for i, v in enumerate(levels)}
    keys = series.astype(object).where(series.notna(), None)
    return np.fromiter((lookup.get(_level_key(v), 0) for v in keys), dtype=np.int64, count=len(series))


def _levels(series: pd.Series, limit: int = MAX_LEVELS) -> list[Any]:
    keys = series.astype(object).where(series.notna(), None).map(_level_key)
    counts = keys.value_counts(dropna=False)
    return [None if (isinstance(v, float) and np.isnan(v)) else v for v in counts.index][:limit]


class ContextCodec:
    """Coarse codes of one context column (numeric: quantile edges; categorical: levels)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    @classmethod
    def fit(cls, name: str, series: pd.Series, numeric: bool, bins: int) -> ContextCodec:
        if numeric:
            values = _numeric(series)
            finite = values[~np.isnan(values)]
            distinct = np.unique(finite)
            spec: dict[str, Any] = {"name": name, "kind": "numeric"}
            if distinct.size <= bins + 1:  # few values (a rank, a count): one code per value
                edges = (distinct[:-1] + distinct[1:]) / 2
            else:
                edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
                # continuous: its empirical CDF, for the position inside its code's bin
                spec["grid"] = np.quantile(finite, np.linspace(0, 1, GRID + 1)).tolist()
            spec.update(edges=edges.tolist(), size=len(edges) + 2)
            return cls(spec)
        levels = _levels(series, 200)
        return cls({"name": name, "kind": "categorical", "levels": levels, "size": len(levels)})

    @property
    def size(self) -> int:
        return int(self.spec["size"])

    @property
    def continuous(self) -> bool:
        return "grid" in self.spec

    def position(self, series: pd.Series) -> np.ndarray:
        """Where each value lies inside its code's bin, in (0, 1) by the fitted empirical CDF
        (0.5 for a missing value): the context's share of the Gaussian copula."""
        values = _numeric(series)
        grid = np.asarray(self.spec["grid"])
        levels = np.linspace(0, 1, grid.size)
        cdf = np.interp(values, grid, levels)
        edges = np.asarray(self.spec["edges"])
        bounds = np.concatenate([[0.0], np.interp(edges, grid, levels), [1.0]])
        code = np.searchsorted(edges, values, side="right")
        code = np.where(np.isnan(values), 0, code)
        lo, hi = bounds[code], bounds[code + 1]
        out = np.where(hi > lo, (cdf - lo) / np.where(hi > lo, hi - lo, 1.0), 0.5)
        return np.clip(np.where(np.isnan(values), 0.5, out), 1e-6, 1 - 1e-6)

    def encode(self, series: pd.Series) -> np.ndarray:
        if self.spec["kind"] == "numeric":
            values = _numeric(series)
            code = np.searchsorted(np.asarray(self.spec["edges"]), values, side="right")
            return np.where(np.isnan(values), self.size - 1, code).astype(np.int64)
        return _code_categorical(series, self.spec["levels"])


class ConditionalCopula:
    """Fit ``targets`` given ``context``; sample targets for given context rows."""

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.state = state or {}

    def fit(self, targets: pd.DataFrame, kinds: dict[str, str], *,
            context: pd.DataFrame | None = None, context_numeric: set[str] | None = None,
            seed: int = 0, bins: int = 20, quantiles: int = 200, max_parents: int = 3,
            ) -> ConditionalCopula:
        """``kinds``: target column -> ``numeric`` | ``integer`` | ``categorical``."""
        rng = np.random.default_rng(seed)
        n = len(targets)
        bins = int(min(bins, max(2, n // 10)))
        ctx = context if context is not None else pd.DataFrame(index=targets.index)
        ctx_codecs = [ContextCodec.fit(str(c), ctx[c], c in (context_numeric or set()), min(bins, 10))
                      for c in ctx.columns]
        codes = [codec.encode(ctx[codec.spec["name"]]) for codec in ctx_codecs]
        sizes = [codec.size for codec in ctx_codecs]
        specs: list[dict[str, Any]] = []
        positions: list[np.ndarray] = []
        for name in targets.columns:
            kind = kinds[str(name)]
            series = targets[name]
            if kind in ("numeric", "integer"):
                values = _numeric(series)
                finite = values[~np.isnan(values)]
                grid = np.quantile(finite, np.linspace(0, 1, quantiles + 1)) if finite.size else np.zeros(2)
                u = _uniform_ranks(values, rng)
                code = np.where(np.isnan(u), bins, np.minimum((np.nan_to_num(u) * bins).astype(int), bins - 1))
                position = np.where(np.isnan(u), 0.5, np.nan_to_num(u) * bins - code)
                specs.append({"name": str(name), "kind": kind, "grid": grid.tolist(), "size": bins + 1})
                codes.append(code.astype(np.int64))
                sizes.append(bins + 1)
                positions.append(np.clip(position, 1e-6, 1 - 1e-6))
            else:
                levels = _levels(series)
                specs.append({"name": str(name), "kind": "categorical", "levels": levels,
                              "size": len(levels), "dtype": str(series.dtype)})
                codes.append(_code_categorical(series, levels))
                sizes.append(max(len(levels), 1))
        n_ctx = len(ctx_codecs)
        max_cells = max(500, n // 4)
        order, parents = _greedy_network(codes, sizes, max_parents=max_parents, max_cells=max_cells,
                                         n_context=n_ctx) if specs else ([], [])
        tables = {}
        for j in order:
            members = parents[j]
            rows = int(np.prod([sizes[m] for m in members])) if members else 1
            joint = _joint_code(codes, sizes, tuple(members), n) * sizes[j] + codes[j]
            tables[str(j)] = np.bincount(joint, minlength=rows * sizes[j]).reshape(rows, sizes[j]).tolist()
        # continuous context columns (a parent's amounts and times) join the copula, so a child's
        # values follow its parent's inside their coarse bins too (MIMIC: an admission's time
        # is its patient's birth date plus an age; within-bin independence smeared it by years)
        linked = [i for i, c in enumerate(ctx_codecs) if c.continuous] if positions else []
        ctx_positions = [ctx_codecs[i].position(ctx[ctx_codecs[i].spec["name"]]) for i in linked]
        stacked = ctx_positions + positions
        z = stats.norm.ppf(np.column_stack(stacked)) if stacked else np.zeros((n, 0))
        self.state = {
            "context": [c.spec for c in ctx_codecs], "specs": specs, "bins": bins,
            "order": order, "parents": [list(p) for p in parents], "tables": tables,
            "numeric": [n_ctx + i for i, s in enumerate(specs) if s["kind"] != "categorical"],
            "corr": _correlation(z).tolist(), "linked": linked,
        }
        return self

    def sample(self, size: int, rng: np.random.Generator, *,
               context: pd.DataFrame | None = None) -> pd.DataFrame:
        state = self.state
        ctx_codecs = [ContextCodec(spec) for spec in state["context"]]
        n_ctx = len(ctx_codecs)
        codes: list[np.ndarray | None] = [None] * (n_ctx + len(state["specs"]))
        sizes = [c.size for c in ctx_codecs] + [s["size"] for s in state["specs"]]
        for i, codec in enumerate(ctx_codecs):
            assert context is not None
            codes[i] = codec.encode(context[codec.spec["name"]].reset_index(drop=True))
        for j in state["order"]:
            members = tuple(state["parents"][j])
            table = np.asarray(state["tables"][str(j)], dtype=float)
            marginal = table.sum(axis=0)
            rows = table.sum(axis=1, keepdims=True)
            cond = np.where(rows > 0, table / np.maximum(rows, 1), marginal / max(marginal.sum(), 1))
            cum = np.cumsum(cond, axis=1)
            parent_code = _joint_code(codes, sizes, members, size)  # type: ignore[arg-type]
            # stratified within each parent configuration backed by enough training rows;
            # the rest (a configuration seen in one or two patients) together, as before
            backed = rows[:, 0] >= MIN_STRATUM_ROWS
            u = stratified_within(np.where(backed[parent_code], parent_code, -1), rng) \
                if members else _stratified(size, rng)
            codes[j] = np.minimum((cum[parent_code] < u[:, None]).sum(axis=1), table.shape[1] - 1)
        numeric = state["numeric"]
        if numeric:
            within = stats.norm.cdf(_conditional_normal(
                np.asarray(state["corr"]), [ctx_codecs[i] for i in state.get("linked", [])],
                context, size, len(numeric), rng))
        out: dict[str, Any] = {}
        bins = state["bins"]
        for i, spec in enumerate(state["specs"]):
            j = n_ctx + i
            code = codes[j]
            assert code is not None
            if spec["kind"] == "categorical":
                levels = np.empty(len(spec["levels"]), dtype=object)
                levels[:] = spec["levels"]
                series: Any = pd.Series(levels[code]) if len(levels) else pd.Series([None] * size)
                if spec["dtype"] == "bool":
                    series = series.astype(bool)
                elif spec["dtype"].startswith(("int", "float")):
                    series = pd.to_numeric(series)
                out[spec["name"]] = series
                continue
            grid = np.asarray(spec["grid"])
            level = (np.minimum(code, bins - 1) + within[:, numeric.index(j)]) / bins
            values = np.interp(level, np.linspace(0, 1, grid.size), grid)
            if spec["kind"] == "integer":
                values = np.round(values)
            values[code == bins] = np.nan
            out[spec["name"]] = values
        return pd.DataFrame(out, index=pd.RangeIndex(size))


def _stratified(size: int, rng: np.random.Generator) -> np.ndarray:
    """Uniforms one per stratum [i/size, (i+1)/size), in random order: a column's codes then
    follow its (conditional) frequencies with far less sampling noise than independent draws
    (MIMIC's 128 admissions over ~127 diagnoses: independent draws miss a third of them)."""
    return (rng.permutation(size) + rng.random(size)) / max(size, 1)  # type: ignore[no-any-return]


def _conditional_normal(corr: np.ndarray, linked: list[ContextCodec], context: pd.DataFrame | None,
                        size: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """``k`` target normals per row, given the linked context columns' normals (the first
    ``len(linked)`` rows/columns of ``corr``): z_t | z_c ~ N(A z_c, S_tt − A S_ct)."""
    c = len(linked)
    if c == 0:
        return rng.standard_normal((size, k)) @ np.linalg.cholesky(corr).T  # type: ignore[no-any-return]
    assert context is not None
    zc = stats.norm.ppf(np.column_stack([codec.position(context[codec.spec["name"]].reset_index(drop=True))
                                         for codec in linked]))
    s_cc, s_tc, s_tt = corr[:c, :c], corr[c:, :c], corr[c:, c:]
    a = np.linalg.solve(s_cc, s_tc.T).T
    cond = s_tt - a @ s_tc.T
    cond = (cond + cond.T) / 2
    eigval, eigvec = np.linalg.eigh(cond)
    root = eigvec * np.sqrt(np.clip(eigval, 1e-9, None))
    return zc @ a.T + rng.standard_normal((size, k)) @ root.T  # type: ignore[no-any-return]

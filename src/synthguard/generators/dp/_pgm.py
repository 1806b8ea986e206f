"""Thin layer over Private-PGM (``mbi`` 2.0): measuring, estimating, sampling, saving.

mbi ships the estimation engine (graphical model fitted to noisy marginals); the mechanisms
(AIM, MST) that decide what to measure are ours. Sampling is ours too (:func:`sample_model`):
mbi's draws from NumPy's global RNG and orders parents by a set's hash order; ours takes a
seeded ``Generator``: same seed, same rows in every process, no global RNG touched. Models
are saved as JSON + ``.npz`` arrays (``allow_pickle=False``): no pickle anywhere.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jax

jax.config.update("jax_enable_x64", True)  # mbi recommends float64; set before importing it

import mbi  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from mbi import junction_tree  # noqa: E402
from mbi.estimation import MirrorDescent  # noqa: E402
from mbi.marginal_loss import WeightedQuery  # noqa: E402

from synthguard.generators._stratified import stratified_within  # noqa: E402

Clique = tuple[str, ...]


def release_compiled() -> None:
    """Drop JAX's compiled Private-PGM programs once a fit is done. Every fit compiles its own
    (its domain's shapes) and JAX keeps them all: each ``hierarchical_dp`` fit on the toy bank
    added ~3,600 memory mappings to the process, so after ~17 fits a long-lived process (the
    app, a notebook, a sweep) crossed Linux's default ``vm.max_map_count`` (65,530) and died
    with "LLVM ERROR: Unable to allocate section memory". With this call after each fit the
    count stays flat (1,473 after four fits)."""
    jax.clear_caches()


def make_domain(sizes: dict[str, int]) -> mbi.Domain:
    return mbi.Domain(list(sizes), [int(v) for v in sizes.values()])


def make_dataset(codes: dict[str, np.ndarray], domain: mbi.Domain) -> mbi.Dataset:
    return mbi.Dataset({c: codes[c] for c in domain.attributes}, domain)


def marginal(data: mbi.Dataset, clique: Clique) -> np.ndarray:
    return np.asarray(data.project(clique).datavector(), dtype=float)


def measure(data: mbi.Dataset, clique: Clique, sigma: float,
            rng: np.random.Generator) -> mbi.LinearMeasurement:
    """Gaussian mechanism on one marginal (L2 sensitivity 1 under add/remove)."""
    x = marginal(data, clique)
    y = x + rng.normal(0.0, sigma, size=x.size)
    return mbi.LinearMeasurement(y, clique, stddev=float(sigma))


@dataclasses.dataclass(frozen=True, eq=False)
class GroupedQuery:
    """Sums of groups of a marginal's cells (a coarser view of the same clique): cell ``i``
    of the clique's data vector adds to group ``index[i]``. A record falls in one group, so
    the grouped marginal keeps L2 sensitivity 1; its ‖Q‖² is the largest group's size."""

    index: np.ndarray
    size: int

    def __call__(self, f: Any) -> jax.Array:
        return jax.ops.segment_sum(f.datavector(), jax.numpy.asarray(self.index),
                                   num_segments=self.size)

    def op_norm_sq(self) -> float:
        return float(np.bincount(self.index).max())

    def __hash__(self) -> int:  # identity, as mbi's WeightedQuery (static under JAX tracing)
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


def group_index(groups: Sequence[np.ndarray]) -> tuple[np.ndarray, int]:
    """The group of every cell of a clique (cells in the data vector's order) when the k-th
    column's value ``v`` falls in group ``groups[k][v]``, and the number of groups."""
    sizes = [int(g.max()) + 1 for g in groups]
    grids = np.meshgrid(*groups, indexing="ij")
    index = np.ravel_multi_index([g.ravel() for g in grids], sizes).astype(np.int64)
    return index, int(np.prod(sizes))


def measure_grouped(data: mbi.Dataset, clique: Clique, groups: Sequence[np.ndarray],
                    sigma: float, rng: np.random.Generator) -> mbi.LinearMeasurement:
    """Gaussian mechanism on a coarsened marginal: ``groups[k][v]`` is the group of value
    ``v`` of the clique's k-th column; the model keeps the full clique and learns the finer
    structure from its other measurements (sensitivity 1, as :func:`measure`)."""
    index, size = group_index(groups)
    x = np.bincount(index, weights=marginal(data, clique), minlength=size)
    y = x + rng.normal(0.0, sigma, size=size)
    return mbi.LinearMeasurement(y, clique, stddev=float(sigma),
                                 query=GroupedQuery(index, size))


def bin_measurements(codec: Any) -> list[mbi.LinearMeasurement]:
    """The numeric columns' 1-way marginals over their coarse bins, from the noisy leaf counts
    the discretisation measured (post-processing, no further ε). A bin summing m leaves has
    noise σ·√m; scaling its row by 1/√m (as MST's compressed cells) gives every row noise σ."""
    out: list[mbi.LinearMeasurement] = []
    if codec.sigma <= 0:
        return out
    for name, numeric in codec.numeric.items():
        if name in codec.ids:
            continue
        found = numeric.bin_measurement()
        if found is None:
            continue
        sums, leaves = found
        scale = 1.0 / np.sqrt(leaves)
        out.append(mbi.LinearMeasurement(sums * scale, (name,), stddev=float(codec.sigma),
                                         query=WeightedQuery(scale)))
    return out


def estimate(domain: mbi.Domain, measurements: list[mbi.LinearMeasurement], *, iters: int,
             warm_start: mbi.MarkovRandomField | None = None,
             callback: Callable[[Any], None] | None = None) -> mbi.MarkovRandomField:
    model = MirrorDescent().estimate(domain, measurements, iters=iters,
                                     warm_start=warm_start, callback_fn=callback)
    assert isinstance(model, mbi.MarkovRandomField)
    return model


def project(model: mbi.MarkovRandomField, clique: Clique) -> np.ndarray:
    return np.asarray(model.project(clique).datavector(), dtype=float)


def model_cells(domain: mbi.Domain, cliques: Sequence[Clique]) -> int:
    """Cells of the junction tree a model over ``cliques`` would hold (its memory/time)."""
    if not cliques:
        return 0
    jtree, _ = junction_tree.make_junction_tree(domain, [tuple(c) for c in cliques])
    return int(sum(domain.size(cl) for cl in junction_tree.maximal_cliques(jtree)))


def exponential_mechanism(scores: np.ndarray, epsilon: float, sensitivity: float,
                          rng: np.random.Generator) -> int:
    """Index drawn with probability ∝ exp(ε q / (2Δ)); ε²/8-zCDP."""
    q = np.asarray(scores, dtype=float)
    q = q - q.max()
    logits = 0.5 * epsilon / sensitivity * q
    p = np.exp(logits - logits.max())
    p /= p.sum()
    return int(rng.choice(q.size, p=p))


def spanning_tree(data: mbi.Dataset, reference: NumpyModel, rho: float,
                  rng: np.random.Generator) -> list[tuple[str, str]]:
    """A maximum spanning tree over column pairs, chosen privately (MST's step 2).

    Kruskal's algorithm where each of the d−1 edges is drawn with the exponential mechanism
    among the pairs joining two components, scored by how badly ``reference`` (a model fitted
    to noisy measurements only, so public) explains the pair: the L1 distance of its marginal
    to the data's (sensitivity 1). The d−1 picks share ``rho`` (each ε²/8-zCDP).
    """
    cols = list(reference.domain.attributes)
    if len(cols) < 2:
        return []
    pairs = list(itertools.combinations(cols, 2))
    weights = np.array([l1(marginal(data, p), reference.marginal(p)) for p in pairs])
    picks = len(cols) - 1
    eps_pick = math.sqrt(8.0 * rho / picks)
    component = {c: i for i, c in enumerate(cols)}
    chosen: list[tuple[str, str]] = []
    for _ in range(picks):
        open_idx = [i for i, (a, b) in enumerate(pairs) if component[a] != component[b]]
        pick = open_idx[exponential_mechanism(weights[open_idx], eps_pick, 1.0, rng)]
        a, b = pairs[pick]
        chosen.append((a, b))
        old, new = component[b], component[a]
        for c in cols:
            if component[c] == old:
                component[c] = new
    return chosen


def sample_model(model: mbi.MarkovRandomField, n: int, seed: int) -> dict[str, np.ndarray]:
    """``n`` rows of codes from the model; the same seed gives the same rows in every process.

    mbi's own ``synthetic_data`` orders a column's parents by iterating a Python set of
    column names, which follows ``PYTHONHASHSEED``: the same seed gave other rows in another
    process (measured: identical fitted models, different relational samples). This draws
    the same way (the junction tree's elimination order reversed; each column from its
    conditional given the columns already drawn that share a clique with it; randomised
    rounding: within each parent configuration the uniforms are stratified, so the counts
    follow the model's conditional as closely as whole rows allow) with parents in the
    domain's column order and its own seeded ``Generator``: no global RNG touched."""
    rng = np.random.default_rng(seed % (2**32))
    domain = model.domain
    jtree, elimination = junction_tree.make_junction_tree(domain, [tuple(c) for c in model.cliques])
    cliques = [set(c) for c in jtree.nodes]
    marginals = mbi.marginal_oracles.message_passing_stable(
        model.potentials.expand(list(jtree.nodes)), model.total)
    rank = {a: i for i, a in enumerate(domain.attributes)}
    data: dict[str, np.ndarray] = {}
    for col in reversed(elimination):
        near = set().union(*(cl for cl in cliques if col in cl))
        parents = sorted((a for a in data if a in near), key=rank.__getitem__)
        table = np.asarray(marginals.project((*parents, col)).datavector(flatten=False),
                           dtype=np.float64)
        table = np.clip(table.reshape(-1, domain[col]), 0.0, None)
        if parents:
            keys = np.ravel_multi_index([data[a] for a in parents],
                                        [domain[a] for a in parents])
        else:
            keys = np.zeros(n, dtype=np.int64)
        data[col] = _draw_conditional(table, keys, rng)
    return {c: data[c].astype(np.int64) for c in domain.attributes}


def _draw_conditional(table: np.ndarray, keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One code per row from row ``keys[i]`` of ``table`` (unnormalised counts), by uniforms
    stratified within each key, so a key's m draws hit each value about m·p times. A key
    whose row sums to zero draws uniformly."""
    out = np.zeros(keys.size, dtype=np.int64)
    if keys.size == 0:
        return out
    u = stratified_within(keys, rng)
    levels = table.shape[1]
    order = np.argsort(keys, kind="stable")
    uniq, starts = np.unique(keys[order], return_index=True)
    for key, rows in zip(uniq, np.split(order, starts[1:]), strict=True):
        row = table[key]
        total = row.sum()
        cdf = np.cumsum(row) / total if total > 0 else np.arange(1, levels + 1) / levels
        out[rows] = np.minimum(np.searchsorted(cdf, u[rows], side="right"), levels - 1)
    return out


# -- persistence (JSON + npz, no pickle) --------------------------------------------------


def save_model(model: mbi.MarkovRandomField, folder: Path, stem: str = "model") -> None:
    domain = model.domain
    arrays: dict[str, np.ndarray] = {}
    pot_cliques = [list(c) for c in model.potentials.cliques]
    mar_cliques = [list(c) for c in model.marginals.cliques]
    for i, cl in enumerate(model.potentials.cliques):
        arrays[f"pot_{i}"] = np.asarray(model.potentials[cl].values)
    for i, cl in enumerate(model.marginals.cliques):
        arrays[f"mar_{i}"] = np.asarray(model.marginals[cl].values)
    meta = {"attributes": list(domain.attributes), "shape": list(domain.shape),
            "total": float(model.total), "potential_cliques": pot_cliques,
            "marginal_cliques": mar_cliques}
    (folder / f"{stem}.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    with open(folder / f"{stem}.npz", "wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]


def load_model(folder: Path, stem: str = "model") -> mbi.MarkovRandomField:
    meta = json.loads((folder / f"{stem}.json").read_text(encoding="utf-8"))
    domain = mbi.Domain(meta["attributes"], meta["shape"])
    with np.load(folder / f"{stem}.npz", allow_pickle=False) as npz:
        def vector(prefix: str, cliques: list[list[str]]) -> mbi.CliqueVector:
            tables = {}
            for i, cl in enumerate(cliques):
                key = tuple(cl)
                tables[key] = mbi.Factor(domain.project(key), jax.numpy.asarray(
                    npz[f"{prefix}_{i}"]))
            return mbi.CliqueVector(domain, [tuple(c) for c in cliques], tables)

        potentials = vector("pot", meta["potential_cliques"])
        marginals = vector("mar", meta["marginal_cliques"])
    return mbi.MarkovRandomField(potentials=potentials, marginals=marginals,
                                 total=float(meta["total"]))


def l1(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(np.asarray(a) - np.asarray(b)).sum())


SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


# -- exact marginals in NumPy (no JIT compile per query) ----------------------------------


def _contract(operands: Sequence[tuple[np.ndarray, Sequence[str]]],
              out: Sequence[str]) -> np.ndarray:
    """``np.einsum`` over arrays whose axes are named by attributes (labels renumbered per
    call, so any number of columns fits einsum's label limit)."""
    labels: dict[str, int] = {}
    args: list[Any] = []
    for values, attrs in operands:
        args.extend([values, [labels.setdefault(a, len(labels)) for a in attrs]])
    for a in out:
        labels.setdefault(a, len(labels))
    return np.asarray(np.einsum(*args, [labels[a] for a in out], optimize="greedy"))


class NumpyModel:
    """Exact marginals of a fitted model in NumPy, for many queries per round.

    The potentials are calibrated once on the model's junction tree (two passes of
    sum-product messages between its maximal cliques, normalised as they go). A query inside
    one maximal clique sums its belief; any other query contracts the beliefs of the smallest
    subtree joining cliques that hold its columns, divided by their separators' beliefs
    (the model's joint on that subtree). Exact, bounded by the junction tree's clique sizes,
    and free of the per-shape XLA compilation that makes ``MarkovRandomField.project`` slow
    on CPU. (Contracting all potentials per query, as before, built intermediates far larger
    than the junction tree once the model held loops: one round's ~100 queries took minutes
    on Adult; docs/dp.md, "Fourth pass".)
    """

    def __init__(self, model: mbi.MarkovRandomField) -> None:
        self.domain = model.domain
        self.total = float(model.total)
        domain = self.domain
        cliques = [tuple(cl) for cl in model.potentials.cliques]
        jtree, _ = junction_tree.make_junction_tree(domain, cliques)
        self.nodes: list[Clique] = [tuple(c) for c in jtree.nodes]
        self.tree = jtree
        log_pot = {c: np.zeros(domain.project(c).shape) for c in self.nodes}
        for cl in cliques:
            factor = model.potentials[cl]
            attrs = tuple(factor.domain.attributes)
            home = min((c for c in self.nodes if set(attrs) <= set(c)), key=domain.size)
            values = np.asarray(factor.values, dtype=float)
            ordered = [a for a in home if a in attrs]
            values = np.transpose(values, [attrs.index(a) for a in ordered])
            shape = [domain[a] if a in attrs else 1 for a in home]
            log_pot[home] = log_pot[home] + values.reshape(shape)
        self.beliefs = self._calibrate({c: np.exp(v - v.max()) for c, v in log_pot.items()})
        # which tree of the junction forest each maximal clique is in (columns in different
        # trees are independent under the model)
        self.component = {c: i for i, comp in enumerate(nx.connected_components(jtree))
                          for c in comp}
        self._cache: dict[Clique, np.ndarray] = {}

    def _calibrate(self, pot: dict[Clique, np.ndarray]) -> dict[Clique, np.ndarray]:
        """Normalised beliefs (probabilities) of every maximal clique: Shafer-Shenoy on each
        tree of the (possibly disconnected) junction forest, messages normalised to sum 1."""
        messages: dict[tuple[Clique, Clique], np.ndarray] = {}

        def send(src: Clique, dst: Clique) -> None:
            sep = [a for a in src if a in dst]
            operands: list[tuple[np.ndarray, Sequence[str]]] = [(pot[src], src)]
            operands += [(messages[(k, src)], [a for a in k if a in src])
                         for k in self.tree.neighbors(src) if k != dst]
            msg = _contract(operands, sep)
            messages[(src, dst)] = msg / max(float(msg.sum()), 1e-300)

        for component in nx.connected_components(self.tree):
            root = min(component)
            order = list(nx.dfs_preorder_nodes(self.tree, root))
            parent = dict(nx.dfs_predecessors(self.tree, root))
            for node in reversed(order):  # leaves first
                if node in parent:
                    send(node, parent[node])
            for node in order:  # root first
                if node in parent:
                    send(parent[node], node)
        beliefs: dict[Clique, np.ndarray] = {}
        for node in self.nodes:
            operands: list[tuple[np.ndarray, Sequence[str]]] = [(pot[node], node)]
            operands += [(messages[(k, node)], [a for a in k if a in node])
                         for k in self.tree.neighbors(node)]
            belief = _contract(operands, node)
            beliefs[node] = belief / max(float(belief.sum()), 1e-300)
        return beliefs

    def _joint(self, clique: Clique) -> np.ndarray:
        """Probabilities over ``clique`` (axes in clique order) within one tree."""
        holders = [[c for c in self.nodes if a in c] for a in clique]
        inside = [c for c in holders[0] if all(c in h for h in holders[1:])]
        if inside:
            home = min(inside, key=self.domain.size)
            return _contract([(self.beliefs[home], home)], clique)
        best: set[Clique] | None = None
        for start in holders[0]:
            span = {start}
            for h in holders[1:]:
                paths: list[list[Clique]] = [nx.shortest_path(self.tree, start, c) for c in h]
                span.update(paths[min(range(len(paths)), key=lambda i: len(paths[i]))])
            if best is None or self._cells(span) < self._cells(best):
                best = span
        assert best is not None
        operands: list[tuple[np.ndarray, Sequence[str]]] = [(self.beliefs[c], c) for c in best]
        for u, v in self.tree.subgraph(best).edges():
            sep = [a for a in u if a in v]
            sep_p = _contract([(self.beliefs[u], u)], sep)
            inverse = np.divide(1.0, sep_p, out=np.zeros_like(sep_p), where=sep_p > 0)
            operands.append((inverse, sep))
        return _contract(operands, clique)

    def _cells(self, nodes: set[Clique]) -> int:
        return sum(self.domain.size(c) for c in nodes)

    def marginal(self, clique: Clique) -> np.ndarray:
        """Marginal counts over ``clique`` (flattened in clique order), summing to total."""
        key = tuple(clique)
        if key in self._cache:
            return self._cache[key]
        parts: dict[int, list[str]] = {}
        for a in key:
            node = next(c for c in self.nodes if a in c)
            parts.setdefault(self.component[node], []).append(a)
        operands = [(self._joint(tuple(attrs)), attrs) for attrs in parts.values()]
        result = _contract(operands, key)  # columns in different trees are independent
        flat = np.asarray(result, dtype=float).reshape(-1)
        flat = flat * (self.total / flat.sum())
        self._cache[key] = flat
        return np.asarray(flat)

"""MST (McKenna, Miklau & Sheldon 2021, "Winning the NIST Contest: A scalable and general
approach to differentially private synthetic data").

ρ is split in thirds: (1) all 1-way marginals with the Gaussian mechanism, after which
values whose noisy count is below 3σ are merged (domain compression, post-processing);
(2) a maximum spanning tree over column pairs, chosen edge by edge with the exponential
mechanism on how badly the independent model explains each pair (Kruskal, d−1 picks);
(3) the chosen 2-way marginals with the Gaussian mechanism. Private-PGM fits a graphical
model to all measurements and samples from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mbi
import numpy as np
from mbi.marginal_loss import WeightedQuery

from synthguard.generators.base import Capabilities
from synthguard.generators.dp import _pgm
from synthguard.generators.dp._base import DPParams
from synthguard.generators.dp._marginal import MarginalDPGenerator, RunResult
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report


@dataclass(frozen=True)
class MSTParams(DPParams):
    """MST parameters: Private-PGM iterations for the final model."""

    iters: int = 2000


@register_generator
class MSTGenerator(MarginalDPGenerator):
    """Marginal-based DP synthesis on a maximum spanning tree of column pairs."""

    name = "mst"
    summary = "MST: zCDP spanning tree of 2-way marginals + Private-PGM (McKenna et al. 2021)"
    caps = Capabilities(dp=True, mechanism="MST (Gaussian + exponential mechanism, zCDP)",
                        accountant="zCDP", seeded=True, pickled=False)
    Params = MSTParams
    mechanism_name = "MST, 3 equal ρ parts: 1-way, tree selection, 2-way"

    def _run(self, data: Any, domain: Any, rho: float, rng: np.random.Generator,
             progress: ProgressCallback | None) -> RunResult:
        assert isinstance(self.params, MSTParams)
        cols = list(domain.attributes)
        d = len(cols)
        part = rho / 3.0
        # (1) 1-way marginals: d measurements sharing L2 sensitivity 1 -> each σ·√d
        sigma1 = math.sqrt(d / (2.0 * part))
        oneway = [_pgm.measure(data, (c,), sigma1, rng) for c in cols]
        report(progress, "mst", 1, 4)
        keep: dict[str, list[int]] = {}
        new_sizes: dict[str, int] = {}
        for c, m in zip(cols, oneway, strict=True):
            y = np.asarray(m.noisy_measurement)
            sup = np.flatnonzero(y >= 3.0 * sigma1)
            keep[c] = sup.tolist()
            new_sizes[c] = len(sup) + (1 if len(sup) < y.size else 0)
        cdomain = _pgm.make_domain(new_sizes)
        codes = {c: _compress(np.asarray(data.data[c]), keep[c], domain[c]) for c in cols}
        cdata = _pgm.make_dataset(codes, cdomain)
        log1 = [_compress_measurement(m, keep[m.clique[0]], sigma1) for m in oneway]
        # (2) spanning tree: d-1 exponential-mechanism picks sharing `part`
        chosen: list[tuple[str, str]] = []
        if d > 1:
            independent = _pgm.NumpyModel(_pgm.estimate(cdomain, log1, iters=500))
            chosen = _pgm.spanning_tree(cdata, independent, part, rng)
        report(progress, "mst", 2, 4)
        # (3) the chosen 2-way marginals: d-1 measurements sharing `part`
        log2 = []
        if chosen:
            sigma2 = math.sqrt(len(chosen) / (2.0 * part))
            log2 = [_pgm.measure(cdata, pair, sigma2, rng) for pair in chosen]
        report(progress, "mst", 3, 4)
        model = _pgm.estimate(cdomain, log1 + log2, iters=self.params.iters)
        report(progress, "mst", 4, 4)
        self._keep = {c: [int(v) for v in keep[c]] for c in cols}
        self._orig_sizes = {c: int(domain[c]) for c in cols}
        used = part * (3 if d > 1 else 1)
        return RunResult(model, used, [tuple(p) for p in chosen], 3)

    def _fit_private(self, data: Any, *, schema: Any = None, seed: int = 0,
                     progress: ProgressCallback | None = None) -> None:
        super()._fit_private(data, schema=schema, seed=seed, progress=progress)
        self._info["compress_keep"] = self._keep
        self._info["original_sizes"] = self._orig_sizes

    def _postprocess_codes(self, codes: dict[str, np.ndarray],
                           rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Undo domain compression: a merged value becomes one of its members, uniformly."""
        out = {}
        for c, v in codes.items():
            keep = np.asarray(self._info["compress_keep"][c], dtype=np.int64)
            size = int(self._info["original_sizes"][c])
            rest = np.setdiff1d(np.arange(size), keep)
            mapped = np.empty(len(v), dtype=np.int64)
            inside = v < len(keep)
            mapped[inside] = keep[v[inside]]
            if (~inside).any():
                mapped[~inside] = rng.choice(rest, size=int((~inside).sum()))
            out[c] = mapped
        return out


def _compress(values: np.ndarray, keep: list[int], size: int) -> np.ndarray:
    lookup = np.full(size, len(keep), dtype=np.int64)
    lookup[np.asarray(keep, dtype=np.int64)] = np.arange(len(keep))
    return np.asarray(lookup[values], dtype=np.int64)


def _compress_measurement(m: mbi.LinearMeasurement, keep: list[int],
                          sigma: float) -> mbi.LinearMeasurement:
    """Re-express a 1-way measurement over the compressed domain with the same σ (the merged
    cell's sum of m noisy counts is scaled by 1/√m, as in the MST reference code)."""
    y = np.asarray(m.noisy_measurement)
    if len(keep) == y.size:
        return m
    rest = np.setdiff1d(np.arange(y.size), keep)
    scale = 1.0 / math.sqrt(len(rest))
    y2 = np.append(y[keep], y[rest].sum() * scale)
    w = np.ones(y2.size)
    w[-1] = scale
    return mbi.LinearMeasurement(y2, m.clique, stddev=float(sigma), query=WeightedQuery(w))

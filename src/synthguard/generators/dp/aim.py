"""AIM (McKenna, Mullins, Sheldon & Miklau 2022, "AIM: An Adaptive and Iterative Mechanism
for Differentially Private Synthetic Data").

Workload: all ``degree``-way marginals (or a given list). Candidates are the workload's
downward closure, weighted by their overlap with it. AIM first measures every 1-way marginal,
then repeats: pick the candidate the current model answers worst (exponential mechanism on
weight × (L1 error − expected noise), restricted to cliques that keep the model under a size
limit growing with the budget spent), measure it with the Gaussian mechanism, refit the
Private-PGM model warm-started; when a new measurement barely changes the model, halve σ and
double ε (annealing). Budget: ρ-zCDP; per round ε²/8 (selection) + 1/(2σ²) (measurement);
the last round spends exactly what is left.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from mbi.clique_utils import downward_closure

from synthguard.errors import ParameterError
from synthguard.generators.base import Capabilities
from synthguard.generators.dp import _pgm
from synthguard.generators.dp._base import DPParams
from synthguard.generators.dp._marginal import MarginalDPGenerator, RunResult
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report

ALPHA = 0.9  # share of each round's ρ for the measurement (rest: selection), as in the paper
# The paper's T = 16·d starts with a very large σ and takes ~100+ rounds on Adult, each a
# Private-PGM refit (an XLA compile on CPU). T = 3·d starts with better measurements and
# anneals in ~12 rounds; on Adult at ε=1 it reaches quality 0.98 (docs/dp.md).
ROUNDS_PER_COLUMN = 3


@dataclass(frozen=True)
class AIMParams(DPParams):
    """AIM parameters (workload, model size limit, rounds, estimation iterations)."""

    degree: int = 2  # workload = all marginals of this many columns
    workload: tuple[tuple[str, ...], ...] | None = None  # explicit workload overrides degree
    max_cells: int = 1_000_000  # junction-tree cells the final model may hold
    rounds: int | None = None  # T in the paper (16·d there); default 3·d, see docs/dp.md
    iters: int = 150  # Private-PGM iterations per round (warm-started)
    final_iters: int = 1000

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.degree, int) or not 1 <= self.degree <= 3:
            raise ParameterError(f"degree must be 1, 2 or 3, got {self.degree!r}")
        if not isinstance(self.max_cells, int) or self.max_cells < 1000:
            raise ParameterError(f"max_cells must be an integer >= 1000, got {self.max_cells!r}")
        if self.rounds is not None and self.rounds < 1:
            raise ParameterError("rounds must be >= 1")
        if self.iters < 1 or self.final_iters < 1:
            raise ParameterError("iters and final_iters must be >= 1")
        if self.workload is not None:
            object.__setattr__(self, "workload",
                               tuple(tuple(str(c) for c in cl) for cl in self.workload))


@register_generator
class AIMGenerator(MarginalDPGenerator):
    """Adaptive, workload-aware marginal selection with annealing; Private-PGM model."""

    name = "aim"
    summary = "AIM: adaptive zCDP marginal selection + Private-PGM (McKenna et al. 2022)"
    caps = Capabilities(dp=True, mechanism="AIM (Gaussian + exponential mechanism, zCDP)",
                        accountant="zCDP", seeded=True, pickled=False)
    Params = AIMParams
    mechanism_name = "AIM (1-way init, adaptive rounds with annealing)"

    def _run(self, data: Any, domain: Any, rho: float, rng: np.random.Generator,
             progress: ProgressCallback | None) -> RunResult:
        params = self.params
        assert isinstance(params, AIMParams)
        cols = list(domain.attributes)
        workload = self._workload(cols)
        candidates = _candidates(workload)
        answers = {cl: _pgm.marginal(data, cl) for cl in candidates}
        rounds = params.rounds or ROUNDS_PER_COLUMN * len(cols)
        sigma = math.sqrt(rounds / (2 * ALPHA * rho))
        epsilon = math.sqrt(8 * (1 - ALPHA) * rho / rounds)
        oneway = [(c,) for c in cols]
        if len(oneway) * 0.5 / sigma**2 > rho:  # tiny budgets: spend all ρ on 1-ways
            sigma = math.sqrt(len(oneway) / (2 * rho))
        measurements = [_pgm.measure(data, cl, sigma, rng) for cl in oneway]
        rho_used = len(oneway) * 0.5 / sigma**2
        model = _pgm.estimate(domain, measurements, iters=params.iters)
        measured: list[tuple[str, ...]] = list(oneway)
        t = 0
        terminate = rho - rho_used <= 1e-12 * rho
        report(progress, "aim: budget spent (ρ)", rho_used, rho)
        while not terminate:
            t += 1
            if rho - rho_used < 2 * (0.5 / sigma**2 + epsilon**2 / 8):
                remaining = rho - rho_used
                sigma = math.sqrt(1 / (2 * ALPHA * remaining))
                epsilon = math.sqrt(8 * (1 - ALPHA) * remaining)
                terminate = True
            rho_used += epsilon**2 / 8 + 0.5 / sigma**2
            size_limit = params.max_cells * rho_used / rho
            allowed = _filter(candidates, domain, list(model.cliques), size_limit)
            np_model = _pgm.NumpyModel(model)
            chosen = _worst_approximated(allowed, answers, np_model, domain, epsilon, sigma,
                                         rng)
            measurements.append(_pgm.measure(data, chosen, sigma, rng))
            measured.append(chosen)
            before = np_model.marginal(chosen)
            model = _pgm.estimate(domain, measurements, iters=params.iters, warm_start=model)
            after = _pgm.NumpyModel(model).marginal(chosen)
            if _pgm.l1(after, before) <= sigma * _pgm.SQRT_2_OVER_PI * domain.size(chosen):
                sigma /= 2
                epsilon *= 2
            report(progress, "aim: budget spent (ρ)", min(rho_used, rho), rho)
        model = _pgm.estimate(domain, measurements, iters=params.final_iters, warm_start=model)
        selected = [cl for cl in measured if len(cl) > 1]
        return RunResult(model, min(rho_used, rho), selected, t)

    def _workload(self, cols: list[str]) -> list[tuple[str, ...]]:
        params = self.params
        assert isinstance(params, AIMParams)
        if params.workload is not None:
            unknown = sorted({c for cl in params.workload for c in cl} - set(cols))
            if unknown:
                raise ParameterError(f"workload names column(s) {unknown} not modelled; "
                                     f"columns: {cols}")
            return [tuple(cl) for cl in params.workload]
        degree = min(params.degree, len(cols))
        return list(itertools.combinations(cols, degree))


def _candidates(workload: list[tuple[str, ...]]) -> dict[tuple[str, ...], float]:
    """Downward closure of the workload, each weighted by its overlap with the workload."""
    return {tuple(cl): float(sum(len(set(cl) & set(w)) for w in workload))
            for cl in downward_closure(workload)}


def _filter(candidates: dict[tuple[str, ...], float], domain: Any,
            cliques: list[tuple[str, ...]], size_limit: float) -> dict[tuple[str, ...], float]:
    """Candidates already inside the model, or that keep it under ``size_limit`` cells."""
    free = set(downward_closure(cliques))
    out: dict[tuple[str, ...], float] = {}
    for cl, weight in candidates.items():
        if cl in free or _pgm.model_cells(domain, [*cliques, cl]) <= size_limit:
            out[cl] = weight
    if not out:  # never empty: the 1-way marginals are always in the model
        out = {cl: w for cl, w in candidates.items() if len(cl) == 1}
    return out


def _worst_approximated(candidates: dict[tuple[str, ...], float],
                        answers: dict[tuple[str, ...], np.ndarray], model: _pgm.NumpyModel,
                        domain: Any, epsilon: float, sigma: float,
                        rng: np.random.Generator) -> tuple[str, ...]:
    """Exponential mechanism on weight × (L1 error − expected L1 of the noise)."""
    keys = list(candidates)
    scores = np.empty(len(keys))
    for i, cl in enumerate(keys):
        bias = _pgm.SQRT_2_OVER_PI * sigma * domain.size(cl)
        scores[i] = candidates[cl] * (_pgm.l1(answers[cl], model.marginal(cl)) - bias)
    sensitivity = max(abs(candidates[cl]) for cl in keys)
    return keys[_pgm.exponential_mechanism(scores, epsilon, sensitivity, rng)]

"""AIM (McKenna, Mullins, Sheldon & Miklau 2022, "AIM: An Adaptive and Iterative Mechanism
for Differentially Private Synthetic Data").

Workload: all ``degree``-way marginals (or a given list). Candidates are the workload's
downward closure, weighted by their overlap with it. The paper first measures every 1-way
marginal (``init="oneway"``); by default AIM here starts from an MST-style tree instead
(``init="tree"``: 1-ways, a privately chosen spanning tree of pairs, its 2-ways, possibly on
merged numeric bins; see ``_initial``), because at ε = 1 the paper's start anneals after 8–11
pairs and leaves columns independent (docs/dp.md). Then it repeats: pick the candidate the
current model answers worst (exponential mechanism on weight × (L1 error − expected noise),
restricted to cliques that keep the model under a size
limit growing with the budget spent), measure it with the Gaussian mechanism, refit the
Private-PGM model warm-started; when a new measurement barely changes the model, halve σ and
double ε (annealing). Budget: ρ-zCDP; per round ε²/8 (selection) + 1/(2σ²) (measurement);
the last round spends exactly what is left.
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass
from typing import Any

import mbi
import numpy as np
from mbi.clique_utils import downward_closure

from synthguard.errors import ParameterError
from synthguard.generators.base import Capabilities
from synthguard.generators.dp import _pgm
from synthguard.generators.dp._base import DPParams
from synthguard.generators.dp._discretise import equal_mass_groups
from synthguard.generators.dp._marginal import MarginalDPGenerator, RunResult
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report

LOG = logging.getLogger(__name__)
ALPHA = 0.9  # share of each round's ρ for the measurement (rest: selection), as in the paper
# The paper's T = 16·d starts with a very large σ and takes ~100+ rounds on Adult, each a
# Private-PGM refit (an XLA compile on CPU). T = 3·d starts with better measurements and
# anneals in ~12 rounds; on Adult at ε=1 it reaches quality 0.98 (docs/dp.md).
ROUNDS_PER_COLUMN = 3
# init="tree": shares of its ρ for the 1-way marginals, the tree selection, the tree's pairs
TREE_SPLIT = (0.2, 0.2, 0.6)


@dataclass(frozen=True)
class AIMParams(DPParams):
    """AIM parameters (workload, model size limit, rounds, estimation iterations)."""

    degree: int = 2  # workload = all marginals of this many columns
    workload: tuple[tuple[str, ...], ...] | None = None  # explicit workload overrides degree
    max_cells: int = 1_000_000  # junction-tree cells the final model may hold
    rounds: int | None = None  # T in the paper (16·d there); default 3·d, see docs/dp.md
    iters: int = 150  # Private-PGM iterations per round (warm-started)
    final_iters: int = 1000
    max_bins: int = 16  # AIM's own default (32 for MST/DP-GAN): measured in docs/dp.md
    smoothing: str = "shape"  # whole-column piecewise-unimodal decoding (MST/DP-GAN: "bins")
    init: str = "tree"  # "tree": MST-style start (see AIMGenerator._initial); "oneway": paper
    tree_share: float = 0.5  # share of the mechanism's ρ the tree start spends
    tree_split: tuple[float, float, float] = TREE_SPLIT  # of it: 1-ways, tree selection, pairs
    reuse_bins: bool = True  # the model also fits the bin counts the discretisation paid for
    cell_sigmas: float = 3.0  # tree pairs: coarsen numeric codes to cells of ≥ this many σ
    bin_sigmas: float = 0.0  # least mass of a numeric coarse bin, in σ of the tree's pairs
    # adaptive rounds: a candidate with numeric columns may also be measured with each of them
    # merged into 1/2, 1/4 ... 1/2^coarse_levels as many bins (see _Resolution); 0: the paper
    coarse_levels: int = 0
    # init="tree": a column whose 1-way shares are known from released outputs (hierarchical_dp:
    # a child's copies of its parent's columns) is not measured again; its shares, scaled to
    # the noisy total of the measured 1-ways, stand in at their σ (post-processing), so the
    # other 1-ways share r1 among fewer columns. A single-table fit has no such column (nor
    # hierarchical_dp's unless context_codecs=True). Toy bank, 600 clients, ε=1, seeds 0-4
    # (context bins from the parent in both): mean 0.805 → 0.815, floor 0.790 → 0.801
    prior_oneways: bool = True
    # the numeric histograms' share of ρ (DPParams: 0.1 for MST/DP-GAN): at 0.2 Adult's
    # detection AUC fell 0.705/0.713/0.703 -> 0.689/0.689/0.695, COMPAS unchanged (docs/dp.md)
    discretisation_share: float = 0.2

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
        if self.init not in ("tree", "oneway"):
            raise ParameterError(f"init must be 'tree' or 'oneway', got {self.init!r}")
        split = tuple(self.tree_split) if isinstance(self.tree_split, list | tuple) else ()
        if len(split) != 3 or not all(isinstance(x, int | float) and not isinstance(x, bool)
                                      and x > 0 for x in split) or abs(sum(split) - 1) > 1e-9:
            raise ParameterError(f"tree_split must be 3 shares > 0 summing to 1, "
                                 f"got {self.tree_split!r}")
        object.__setattr__(self, "tree_split", tuple(float(x) for x in split))
        if not 0 < self.tree_share < 1:
            raise ParameterError(f"tree_share must be in (0, 1), got {self.tree_share!r}")
        for name in ("cell_sigmas", "bin_sigmas"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    math.isfinite(value) and value >= 0):
                raise ParameterError(f"{name} must be a finite number >= 0, got {value!r}")
        if isinstance(self.coarse_levels, bool) or not isinstance(self.coarse_levels, int) or not (
                0 <= self.coarse_levels <= 6):
            raise ParameterError(f"coarse_levels must be an integer in 0..6, "
                                 f"got {self.coarse_levels!r}")
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
    mechanism_name = "AIM (MST-style tree or 1-way start, adaptive rounds with annealing)"

    def _run(self, data: Any, domain: Any, rho: float, rng: np.random.Generator,
             progress: ProgressCallback | None) -> RunResult:
        params = self.params
        assert isinstance(params, AIMParams)
        cols = list(domain.attributes)
        workload = self._workload(cols)
        candidates = _candidates(workload)
        answers = {cl: _pgm.marginal(data, cl) for cl in candidates}
        measurements, measured, rho_used = self._initial(data, domain, rho, rng)
        # the paper sizes the rounds on the whole ρ; after a tree start, on what is left
        per_round = (rho if params.init == "oneway" else max(rho - rho_used, 0.0)) / (
            params.rounds or ROUNDS_PER_COLUMN * len(cols))
        sigma = math.sqrt(1 / (2 * ALPHA * per_round)) if per_round > 0 else math.inf
        epsilon = math.sqrt(8 * (1 - ALPHA) * per_round)
        model = _pgm.estimate(domain, measurements, iters=params.iters)
        np_model = _pgm.NumpyModel(model)  # the current model's marginals, one per refit
        views = _views(candidates, domain, self._ordered, np_model, params.coarse_levels)
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
            chosen = _worst_approximated([v for v in views if v.clique in allowed], allowed,
                                         answers, np_model, epsilon, sigma, rng)
            if chosen.groups is None:
                measurements.append(_pgm.measure(data, chosen.clique, sigma, rng))
            else:
                measurements.append(_pgm.measure_grouped(data, chosen.clique, chosen.groups,
                                                         sigma, rng))
            measured.append(chosen.clique)
            before = chosen.view(np_model.marginal(chosen.clique))
            model = _pgm.estimate(domain, measurements, iters=params.iters, warm_start=model)
            np_model = _pgm.NumpyModel(model)
            after = chosen.view(np_model.marginal(chosen.clique))
            if LOG.isEnabledFor(logging.DEBUG):  # model_cells builds a junction tree
                LOG.debug("aim round %d: %s in %d cells (σ %.1f), model %d cells", t,
                          chosen.clique, chosen.size, sigma,
                          _pgm.model_cells(domain, list(model.cliques)))
            if _pgm.l1(after, before) <= sigma * _pgm.SQRT_2_OVER_PI * chosen.size:
                sigma /= 2
                epsilon *= 2
            report(progress, "aim: budget spent (ρ)", min(rho_used, rho), rho)
        model = _pgm.estimate(domain, measurements, iters=params.final_iters, warm_start=model)
        selected = [cl for cl in measured if len(cl) > 1]
        return RunResult(model, min(rho_used, rho), selected, t)

    def min_bin_mass(self, n_columns: int, rho: float) -> float:
        """``bin_sigmas`` × the noise σ of the tree start's 2-way marginals: a small table's
        numeric columns get fewer, heavier coarse bins, so that a pair's cells are not
        drowned by its noise (the shape inside a bin is decoded from the fine leaves)."""
        params = self.params
        assert isinstance(params, AIMParams)
        if params.init != "tree" or n_columns < 2 or params.bin_sigmas <= 0:
            return 0.0
        r2 = params.tree_split[2] * params.tree_share * rho
        return params.bin_sigmas * math.sqrt((n_columns - 1) / (2 * r2))

    def _initial(self, data: Any, domain: Any, rho: float, rng: np.random.Generator) -> tuple[
            list[Any], list[tuple[str, ...]], float]:
        """The first measurements and the ρ they spend.

        ``init="oneway"`` (the paper): every 1-way marginal at the σ of a round. ``"tree"``:
        ``tree_share`` of ρ buys an MST-style start: the 1-way marginals, a spanning tree of
        column pairs chosen privately against the independent model they give, and the tree's
        2-way marginals (in the ratio ``TREE_SPLIT``), so that every column is tied to another
        before the adaptive rounds spend the rest on what the tree explains worst.
        """
        params = self.params
        assert isinstance(params, AIMParams)
        cols = list(domain.attributes)
        oneway = [(c,) for c in cols]
        paid = list(self._paid) if params.reuse_bins else []
        if params.init == "tree" and len(cols) > 1:
            part = params.tree_share * rho
            r1, r_sel, r2 = (share * part for share in params.tree_split)
            known = {c: v for c, v in self._priors.items() if c in cols} \
                if params.prior_oneways else {}
            if len(known) == len(cols):
                known = {}  # nothing to scale the shares by
            measured1 = [cl for cl in oneway if cl[0] not in known]
            sigma1 = math.sqrt(len(measured1) / (2 * r1))
            first = [_pgm.measure(data, cl, sigma1, rng) for cl in measured1]
            total = float(np.mean([np.sum(m.noisy_measurement) for m in first]))
            first += [mbi.LinearMeasurement(total * share, (c,), stddev=float(sigma1))
                      for c, share in known.items()]
            independent = _pgm.NumpyModel(_pgm.estimate(domain, first + paid,
                                                        iters=params.iters))
            tree = _pgm.spanning_tree(data, independent, r_sel, rng)
            sigma2 = math.sqrt(len(tree) / (2 * r2))
            masses = {m.clique[0]: np.maximum(np.asarray(m.noisy_measurement), 0.0)
                      for m in first}
            second = []
            for pair in tree:
                groups = None
                if params.cell_sigmas > 0:
                    max_cells = total / (params.cell_sigmas * sigma2)
                    groups = self._pair_groups(pair, domain, masses, max_cells)
                if groups is None:
                    second.append(_pgm.measure(data, pair, sigma2, rng))
                else:
                    second.append(_pgm.measure_grouped(data, pair, groups, sigma2, rng))
            return paid + first + second, [*oneway, *tree], part
        rounds = params.rounds or ROUNDS_PER_COLUMN * len(cols)
        sigma = math.sqrt(rounds / (2 * ALPHA * rho))
        if len(oneway) * 0.5 / sigma**2 > rho:  # tiny budgets: spend all ρ on 1-ways
            sigma = math.sqrt(len(oneway) / (2 * rho))
        first = [_pgm.measure(data, cl, sigma, rng) for cl in oneway]
        return paid + first, list(oneway), len(oneway) * 0.5 / sigma**2

    def _pair_groups(self, pair: tuple[str, str], domain: Any, masses: dict[str, np.ndarray],
                     max_cells: float) -> list[np.ndarray] | None:
        """Coarser codes for measuring ``pair`` when its cells would be drowned by noise.

        While the pair has more than ``max_cells`` cells (noisy total / (cell_sigmas·σ)),
        the ordered (numeric) column with the most groups halves them, into adjacent bins of
        about equal noisy mass (the 1-way measurements: post-processing); categorical
        columns keep their values. None: measure the full pair.
        """
        sizes = {a: int(domain[a]) for a in pair}
        target = dict(sizes)
        while math.prod(target.values()) > max_cells:
            shrinkable = [a for a in pair if a in self._ordered and target[a] > 2]
            if not shrinkable:
                break
            a = max(shrinkable, key=lambda c: target[c])
            target[a] = max(2, target[a] // 2)
        if target == sizes:
            return None
        return [np.asarray(equal_mass_groups(masses[a].tolist(), target[a]), dtype=np.int64)
                if target[a] < sizes[a] else np.arange(sizes[a]) for a in pair]

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


@dataclass(frozen=True, eq=False)
class _View:
    """A candidate clique as a round may measure it: its full marginal (``index`` None) or
    a coarser view, the sums of groups of its cells (some numeric columns' adjacent bins
    merged; ``groups[k][v]``: group of value ``v`` of the k-th column, ``index[i]``: group
    of the clique's cell ``i``). A record falls in one group: sensitivity 1 either way."""

    clique: tuple[str, ...]
    groups: tuple[np.ndarray, ...] | None
    index: np.ndarray | None
    size: int

    def view(self, counts: np.ndarray) -> np.ndarray:
        if self.index is None:
            return counts
        return np.bincount(self.index, weights=counts, minlength=self.size)


def _views(candidates: dict[tuple[str, ...], float], domain: Any, ordered: set[str],
           model: _pgm.NumpyModel, levels: int) -> list[_View]:
    """Every candidate at full resolution and, for ``levels`` > 0, with each of its numeric
    (ordered) columns also merged into 1/2, 1/4 ... 1/2^levels as many groups of adjacent
    bins of about equal mass under ``model`` (fitted to noisy measurements only, so the
    groups are post-processing). A pair of a numeric column with 16 bins and a categorical
    one with 16 values measured at σ carries noise of 0.8·σ·256 in L1, more than most of
    what it could teach the model at ε = 1 (AIM's score then never picks it); its view with
    4 age groups costs a quarter of that and still carries the coarse dependence."""
    out: list[_View] = []
    for cl in candidates:
        out.append(_View(cl, None, None, domain.size(cl)))
        if levels <= 0 or len(cl) < 2:
            continue
        options: list[list[np.ndarray]] = []
        for a in cl:
            full = np.arange(int(domain[a]))
            opts = [full]
            if a in ordered:
                mass = np.maximum(model.marginal((a,)), 0.0).tolist()
                for level in range(1, levels + 1):
                    target = int(domain[a]) >> level
                    if target < 2:
                        break
                    grouped = np.asarray(equal_mass_groups(mass, target), dtype=np.int64)
                    if grouped.max() + 1 < opts[-1].max() + 1:
                        opts.append(grouped)
            options.append(opts)
        for combo in itertools.product(*options):
            if all(g is o[0] for g, o in zip(combo, options, strict=True)):
                continue  # the full view, already in
            index, size = _pgm.group_index(list(combo))
            out.append(_View(cl, tuple(combo), index, size))
    return out


def _worst_approximated(views: list[_View], weights: dict[tuple[str, ...], float],
                        answers: dict[tuple[str, ...], np.ndarray], model: _pgm.NumpyModel,
                        epsilon: float, sigma: float, rng: np.random.Generator) -> _View:
    """Exponential mechanism on weight × (L1 error − expected L1 of the noise), over the
    views of the allowed candidates (the L1 error of a view moves by at most 1 when one
    record is added or removed, as the full marginal's)."""
    scores = np.empty(len(views))
    for i, v in enumerate(views):
        bias = _pgm.SQRT_2_OVER_PI * sigma * v.size
        error = _pgm.l1(v.view(answers[v.clique]), v.view(model.marginal(v.clique)))
        scores[i] = weights[v.clique] * (error - bias)
    sensitivity = max(abs(weights[v.clique]) for v in views)
    return views[_pgm.exponential_mechanism(scores, epsilon, sensitivity, rng)]

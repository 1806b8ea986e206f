"""Decoding weights of a numeric column's fine leaves, with the noise of their counts taken out.

The discretisation measures every leaf count with Gaussian noise σ. Where true counts are small
against σ (a survey weight's tails, the rarer hours of work), decoding by the raw noisy counts
draws a lumpy shape with values no one has; a detector sees that at once. Two smoothings, both
post-processing of counts already paid for (no ε):

* ``"bins"`` (MST, DP-GAN): inside each coarse bin, the better of an increasing and a
  decreasing step density (:func:`smooth_within_bins`).
* ``"shape"`` (AIM's default): across the whole column, a density made of as few unimodal
  pieces as the counts justify (:func:`shape_fit`): least squares on the counts, each piece
  beyond the first costing max(10, 4·ln L) σ² of squared error for L leaves (a second hump
  in the middle of a column must explain that many noise variances to be kept; on pure
  noise, 10σ² still let 4–9 false humps through at L = 300, 4·ln L let none through in
  simulation), refitted without the leaves that stand more than ``spike_sigmas`` σ above it;
  those keep their noisy count as point masses (heaped values such as 40 hours a week or a
  common capital-gain amount).
"""

from __future__ import annotations

import numpy as np

SMOOTHINGS = ("bins", "shape")
SPIKE_SIGMAS = 3.0  # a leaf this many σ above the fitted shape is a spike (kept as measured)
MODE_PENALTY = 10.0  # least σ² of squared error an extra unimodal piece must save
MODE_PENALTY_PER_LOG_LEAF = 4.0  # ... and 4·ln(leaves) σ² when that is more
MAX_SHAPE_LEAVES = 400  # above this the exact segmentation is O(L³) too slow: pre-pooled


HEAP_DIVISORS = (10, 5, 4, 2, 1)  # roundness classes of integers, roundest first
HEAP_PRIOR = 2.0  # members' worth of "no heaping" a class's ratio is shrunk with
MAX_HEAP_DRAWS = 200  # draw_heaped: rejection rounds before a draw is kept as it is
MAX_REFITS = 12  # alternations of density, heaping ratios and spikes (they settle in a few)
MIN_RATIO = 0.05  # a class never vanishes (its leaves' density stays defined)


def shape_fit(edges: list[float], counts: list[float], sigma: float, *, integer: bool = False,
              penalty: float | None = None, spike_sigmas: float = SPIKE_SIGMAS,
              var: list[float] | None = None) -> tuple[list[float], list[float]]:
    """Leaf weights of a column and its heaping ratios: a piecewise-unimodal density fitted
    to the noisy ``counts`` of the leaves between ``edges``, spikes kept at their noisy counts
    (see module doc).

    Integer columns: people report round numbers (hours 40, 45, 50; 24 or 32 a week), so an
    integer's expected count is the smooth density times the ratio of its roundness class
    (multiple of 10, of 5, of 4, of 2, other; a fixed, data-independent grouping). The ratios
    are estimated from the one-integer leaves (:func:`_heap_ratios`), alternating with the
    density; a wider leaf's expected count
    is the density times the sum of its integers' ratios, and :meth:`NumericCodec.decode`
    draws inside it by the ratios, so heaps the histogram never refined down to (70 or 80
    hours) come back. Returns ratios ``[1.0] * 5`` for float columns.

    ``var``: each count's noise variance when not σ² (counts made consistent across the
    levels of the histogram tree, :func:`tree_consistent`): the fit weights each count by
    σ² / var and a spike stands ``spike_sigmas`` of its own standard deviation above it.
    """
    c = np.asarray(counts, dtype=float)
    e = np.asarray(edges, dtype=float)
    width = np.diff(e)
    ratios = np.ones(len(HEAP_DIVISORS))
    if c.size < 3 or sigma <= 0 or not np.isfinite(c).all():
        return ([float(v) for v in np.maximum(np.nan_to_num(c, nan=0.0, posinf=0.0), 0.0)],
                ratios.tolist())
    if penalty is None:
        penalty = max(MODE_PENALTY, MODE_PENALTY_PER_LOG_LEAF * float(np.log(c.size)))
    rel = np.ones(c.size) if var is None else np.clip(np.asarray(var, dtype=float) / sigma**2,
                                                       1e-6, None)
    members = (class_counts(e[:-1], e[1:]) if integer
               else np.outer(width, np.eye(len(HEAP_DIVISORS))[-1]))
    unit = integer & (width == 1)
    # a single spike could pass for a piece of its own: spikes are first found against one
    # unimodal piece, then the pieces are fitted without them and the spikes re-checked
    spike = np.zeros(c.size, dtype=bool)
    fit = np.zeros(c.size)
    for step in range(MAX_REFITS):
        keep = ~spike
        span = members @ ratios  # a leaf's expected count per unit of density
        cost = np.inf if step == 0 else penalty * sigma**2
        density = _fill(_segmented_unimodal(c[keep], span[keep], cost, rel[keep]), keep,
                        span) / span
        before = ratios
        if integer and unit.any():
            ratios = _heap_ratios(c / sigma, density / sigma, members, unit)
        fit = density * (members @ ratios)
        new = c > fit + spike_sigmas * sigma * np.sqrt(rel)
        if step > 0 and np.array_equal(new, spike) and np.allclose(ratios, before, rtol=0.01):
            break
        spike = new
    out = np.where(spike, np.maximum(c, 0.0), fit)
    return [float(v) for v in out], [float(r) for r in ratios]


def _heap_ratios(c: np.ndarray, density: np.ndarray, members: np.ndarray,
                 use: np.ndarray) -> np.ndarray:
    """Each class's ratio of count to density over the one-integer leaves ``use`` (counts and
    densities in σ units): the median of the log ratios over the members whose density is at
    least σ/2 (robust to the few huge heaps such as 40 hours, which the fit keeps as spikes),
    shrunk towards 1 by m / (m + ``HEAP_PRIOR``) for m members; 1 for the plain integers."""
    out = np.ones(len(HEAP_DIVISORS))
    cls = np.argmax(members > 0, axis=1)
    for k in range(len(HEAP_DIVISORS) - 1):
        sel = use & (cls == k) & (density >= 0.5)
        m = int(sel.sum())
        if m == 0:
            continue
        logs = np.log(np.maximum(c[sel], 0.5) / density[sel])
        out[k] = max(float(np.exp(np.median(logs) * m / (m + HEAP_PRIOR))), MIN_RATIO)
    return out


def class_counts(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How many integers of [low, high) fall in each roundness class (``HEAP_DIVISORS``: a
    multiple of 10; of 5, not 10; of 4, not 10; of 2, not 4 or 10; the rest), per leaf."""
    lo, hi = np.ceil(low), np.ceil(high)  # integers lo .. hi - 1

    def mult(d: int) -> np.ndarray:
        return np.asarray(np.floor((hi - 1) / d) - np.floor((lo - 1) / d), dtype=float)

    m10, m5, m4, m2, m20 = mult(10), mult(5), mult(4), mult(2), mult(20)
    by = np.stack([m10, m5 - m10, m4 - m20, m2 - m4 - m10 + m20], axis=1)
    rest = (hi - lo) - by.sum(axis=1)
    return np.asarray(np.concatenate([by, rest[:, None]], axis=1), dtype=float)


def heap_class(values: np.ndarray) -> np.ndarray:
    """The roundness class (index into ``HEAP_DIVISORS``) of each integer."""
    v = np.asarray(values, dtype=np.int64)
    return np.asarray(np.select([v % 10 == 0, v % 5 == 0, v % 4 == 0, v % 2 == 0],
                                [0, 1, 2, 3], default=4), dtype=np.int64)


def draw_heaped(first: np.ndarray, last: np.ndarray, ratios: list[float],
                rng: np.random.Generator) -> np.ndarray:
    """One integer in each [first, last], drawn with probability proportional to its
    roundness class's ratio (a class first, by its members × ratio, then a member)."""
    weights = class_counts(first, last + 1) * np.asarray(ratios)
    cum = np.cumsum(weights, axis=1)
    pick = (rng.random(first.size) * cum[:, -1])[:, None]
    cls = np.minimum(np.sum(cum <= pick, axis=1), len(HEAP_DIVISORS) - 1)
    out = np.full(first.size, np.nan)
    todo = np.arange(first.size)
    for attempt in range(MAX_HEAP_DRAWS + 1):
        if not todo.size:
            break
        d = np.asarray(HEAP_DIVISORS)[cls[todo]]
        lo, hi = np.ceil(first[todo] / d), np.floor(last[todo] / d)
        x = d * np.floor(lo + rng.random(todo.size) * (hi - lo + 1))
        # beyond 2^53 a float holds only even integers: a class such as "odd" can never be
        # drawn, so after MAX_HEAP_DRAWS rounds the rest keep their last draw (this loop ran
        # forever on a range estimated at ~10^16)
        ok = (heap_class(x) == cls[todo]) | (attempt == MAX_HEAP_DRAWS)
        out[todo[ok]] = x[ok]
        todo = todo[~ok]
    return out


def _fill(density: np.ndarray, keep: np.ndarray, width: np.ndarray) -> np.ndarray:
    """Counts of every leaf from the densities fitted to the kept ones: a dropped leaf (a
    spike) gets the density interpolated between its kept neighbours as its base."""
    full = np.full(keep.size, np.nan)
    full[keep] = density
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return np.zeros(keep.size)
    left = np.interp(np.arange(keep.size), idx, density, left=density[0], right=density[-1])
    full = np.where(keep, full, left)
    return np.asarray(np.maximum(full, 0.0) * width, dtype=float)


def _segmented_unimodal(counts: np.ndarray, width: np.ndarray, penalty: float,
                        var: np.ndarray | None = None) -> np.ndarray:
    """Densities (count / width) of the best piecewise-unimodal fit: least squares on the
    counts, each weighted by 1 / its noise variance ``var`` (1: counts in units of σ; in
    density terms the weights are width² / var), plus ``penalty`` per piece beyond the
    first."""
    n = counts.size
    if n == 0:
        return np.zeros(0)
    var = np.ones(n) if var is None else var
    y = counts / width
    w = width**2 / var
    if n > MAX_SHAPE_LEAVES:  # pool neighbours until small enough (deep trees)
        groups = np.arange(n) * MAX_SHAPE_LEAVES // n
        pooled = _segmented_unimodal(np.bincount(groups, weights=counts),
                                     np.bincount(groups, weights=width), penalty,
                                     np.bincount(groups, weights=var))
        return pooled[groups]
    inc = _prefix_errors(y, w)  # inc[a, e]: SSE of the increasing fit on [a, e)
    dec = _prefix_errors(y[::-1], w[::-1])[::-1, ::-1].T  # dec[s, b]: decreasing fit on [s, b)
    # unimodal[a, b] = min over the turning point s of inc[a, s] + dec[s, b]
    unimodal = np.full((n + 1, n + 1), np.inf)
    turn = np.zeros((n + 1, n + 1), dtype=np.int64)
    for a in range(n):
        total = inc[a, :, None] + dec  # [s, b]
        total[:a] = np.inf
        turn[a] = np.argmin(total, axis=0)
        unimodal[a] = total[turn[a], np.arange(n + 1)]
    if not np.isfinite(penalty):  # one piece
        s = int(turn[0, n])
        one = np.concatenate([_isotonic(y[:s], w[:s]), _isotonic(y[s:][::-1], w[s:][::-1])[::-1]])
        return np.asarray(np.maximum(one, 0.0), dtype=float)
    best = np.full(n + 1, np.inf)
    best[0] = -penalty  # the first piece is free
    start = np.zeros(n + 1, dtype=np.int64)
    for b in range(1, n + 1):
        cost = best[:b] + unimodal[:b, b] + penalty
        start[b] = int(np.argmin(cost))
        best[b] = cost[start[b]]
    out = np.zeros(n)
    b = n
    while b > 0:
        a = int(start[b])
        s = int(turn[a, b])
        out[a:s] = _isotonic(y[a:s], w[a:s])
        out[s:b] = _isotonic(y[s:b][::-1], w[s:b][::-1])[::-1]
        b = a
    return np.maximum(out, 0.0)


def _prefix_errors(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``err[a, e]``: weighted SSE of the increasing (isotonic) fit to ``y[a:e]``, for all
    a ≤ e (pool-adjacent-violators run once from every start; inf below the diagonal)."""
    n = y.size
    err = np.full((n + 1, n + 1), np.inf)
    for a in range(n + 1):
        err[a, a] = 0.0
        sw: list[float] = []
        swy: list[float] = []
        syy = 0.0  # SSE of the fit = Σ w y² − Σ over blocks (Σ w y)² / Σ w
        pooled = 0.0
        for e in range(a, n):
            bw, bwy = float(w[e]), float(w[e] * y[e])
            syy += float(w[e] * y[e] ** 2)
            while sw and swy[-1] / sw[-1] > bwy / bw:
                u, v = sw.pop(), swy.pop()
                pooled -= v * v / u
                bw += u
                bwy += v
            sw.append(bw)
            swy.append(bwy)
            pooled += bwy * bwy / bw
            err[a, e + 1] = max(syy - pooled, 0.0)
    return err


def _isotonic(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted increasing least-squares fit (pool adjacent violators)."""
    blocks: list[list[float]] = []  # [Σw, Σwy, length]
    for yi, wi in zip(y.tolist(), w.tolist(), strict=True):
        blocks.append([wi, wi * yi, 1])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][0] > blocks[-1][1] / blocks[-1][0]:
            last = blocks.pop()
            blocks[-1] = [blocks[-1][0] + last[0], blocks[-1][1] + last[1],
                          blocks[-1][2] + last[2]]
    return np.concatenate([np.full(int(k), s / u) for u, s, k in blocks]) if blocks else y


def smooth_within_bins(edges: list[float], weights: list[float], bins: list[int],
                       sigma: float, integer: bool) -> list[float]:
    """Leaf weights for decoding inside each coarse bin, with the noise smoothed out.

    Inside each bin the leaf densities (count / width) are fitted by a monotone step function
    (isotonic regression, weighted by width, the direction that fits better), and a leaf
    whose noisy count stands more than 3σ above the fit keeps its count (a real spike, e.g.
    a common capital-gain amount). Leaves of one integer value keep their counts (the
    histogram refined down to them because their parent held data: heaping such as 40 or
    48 hours a week is real). Post-processing.
    """
    w = np.asarray(weights, dtype=float)
    width = np.diff(np.asarray(edges, dtype=float))
    group = np.asarray(bins)
    out = w.copy()
    for b in np.unique(group):
        idx = np.flatnonzero(group == b)
        if idx.size < 3 or w[idx].sum() <= 0:
            continue
        spike = np.zeros(idx.size, dtype=bool)
        for _ in range(2):  # fit, then refit without the spikes the first fit revealed
            best = _monotone_fit(w[idx], width[idx], ~spike)
            spike = w[idx] > best + SPIKE_SIGMAS * sigma
        kept = np.where(spike, w[idx], best)
        if integer:
            kept = np.where(width[idx] <= 1, w[idx], kept)
        out[idx] = kept
    return [float(v) for v in out]


def _monotone_fit(counts: np.ndarray, width: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Counts of the better (least squares over ``use``) of the increasing and decreasing
    step densities fitted to ``counts`` / ``width``, weighted by width."""
    from sklearn.isotonic import IsotonicRegression

    x = np.arange(counts.size)
    best: np.ndarray | None = None
    for increasing in (True, False):
        model = IsotonicRegression(increasing=increasing, y_min=0.0, out_of_bounds="clip")
        model.fit(x[use], counts[use] / width[use], sample_weight=width[use])
        fit = model.predict(x) * width
        if best is None or np.sum(((fit - counts) ** 2)[use]) < np.sum(((best - counts) ** 2)[use]):
            best = fit
    assert best is not None
    return best

"""Empirical privacy audit: a lower bound on ε from attacking outputs, beside the claimed ε.

Two neighbouring tables: D0 and D1 = D0 + one *canary* record that is an outlier (a numeric
value near the top of its public bounds where no other record lives, and a rare category
combination). Each DP generator is fitted ``runs`` times on each table (fresh seeds) and
sampled; the attack counts synthetic rows that look like the canary. The threshold on that
count is chosen on the first half of the runs, and its TPR/FPR are measured on the other
half with Clopper-Pearson 95 % intervals. Any (ε, δ)-DP mechanism satisfies
TPR ≤ e^ε·FPR + δ and 1−FPR ≤ e^ε·(1−TPR) + δ, so

    ε_lb = max( ln((TPR_lo − δ) / FPR_hi), ln((1 − FPR_hi − δ) / (1 − TPR_lo)) )

is a lower bound holding with ≥ 95 % confidence. It must never exceed the claimed ε; a
non-private control (``copy_leaky``) shows the attack has teeth.

    .venv/bin/python benchmarks/dp_audit.py                      # mst, aim, dpgan; 100 runs
    .venv/bin/python benchmarks/dp_audit.py --generators mst --runs 40 --epsilon 2
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta

from synthguard.data.schema import ColumnKind, ColumnSpec, Schema
from synthguard.generators import create_generator, get_generator

BOUNDS = {"x": [0, 100]}
CANARY = {"x": 97, "a": "a3", "b": "b3"}


def neighbouring_tables(n: int = 300, seed: int = 0, *,
                        numeric: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """D0 (no record in the canary's region) and D1 = D0 + the canary. Without ``numeric``
    the table is categorical only (stable domain: fastest, used by the test)."""
    rng = np.random.default_rng(seed)
    a = rng.choice(["a0", "a1", "a2", "a3"], n, p=[0.35, 0.35, 0.2, 0.1])
    b = np.where(a == "a3", rng.choice(["b0", "b1"], n), rng.choice(["b0", "b1", "b2", "b3"], n))
    x = np.clip(rng.normal(20, 6, n).round(), 0, 50).astype(int)
    d0 = pd.DataFrame({"x": x, "a": a, "b": b})
    d1 = pd.concat([d0, pd.DataFrame([CANARY])], ignore_index=True)
    if not numeric:
        return d0.drop(columns="x"), d1.drop(columns="x")
    return d0, d1


SCHEMA = Schema({
    "x": ColumnSpec(ColumnKind.NUMERIC, "numerical", bounds=(0.0, 100.0), integer=True),
    "a": ColumnSpec(ColumnKind.CATEGORICAL, "categorical"),
    "b": ColumnSpec(ColumnKind.CATEGORICAL, "categorical"),
})


def canary_score(synth: pd.DataFrame) -> float:
    """How canary-like the output is: rows in the canary's cell (a3, b3) or x region > 75."""
    near_x = (pd.to_numeric(synth["x"], errors="coerce") > 75 if "x" in synth
              else pd.Series(False, index=synth.index))
    cell = (synth["a"] == CANARY["a"]) & (synth["b"] == CANARY["b"])
    return float(near_x.sum() + cell.sum())


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    lo = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lo, hi


def epsilon_lower_bound(scores0: np.ndarray, scores1: np.ndarray, *, delta: float,
                        alpha: float = 0.05) -> tuple[float, dict[str, Any]]:
    """Choose the threshold on the first half, bound ε with the second half."""
    h0, h1 = len(scores0) // 2, len(scores1) // 2
    sel0, ev0, sel1, ev1 = scores0[:h0], scores0[h0:], scores1[:h1], scores1[h1:]
    best_t, best_gap = math.inf, -1.0
    for t in np.unique(np.concatenate([sel0, sel1])):
        gap = float((sel1 >= t).mean() - (sel0 >= t).mean())
        if gap > best_gap:
            best_t, best_gap = float(t), gap
    tp, fp = int((ev1 >= best_t).sum()), int((ev0 >= best_t).sum())
    lb = bound_from_counts(tp, len(ev1), fp, len(ev0), delta=delta, alpha=alpha)
    return lb, {"threshold": best_t, "tpr": tp / len(ev1), "fpr": fp / len(ev0)}


def bound_from_counts(tp: int, n1: int, fp: int, n0: int, *, delta: float,
                      alpha: float = 0.05) -> float:
    """ε lower bound from a test's hits on D1 (tp of n1) and on D0 (fp of n0).

    Each ratio uses the pessimistic end of each interval: the numerator's lower end and the
    denominator's upper end (TPR_lo / FPR_hi; (1 − FPR_hi) / (1 − TPR_lo)).
    """
    tpr_lo, _ = clopper_pearson(tp, n1, alpha)
    _, fpr_hi = clopper_pearson(fp, n0, alpha)
    cands = [0.0]
    if tpr_lo - delta > 0 and fpr_hi > 0:
        cands.append(math.log((tpr_lo - delta) / fpr_hi))
    tnr_lo, fnr_hi = 1 - fpr_hi, 1 - tpr_lo  # P[D0 output outside S] ≥, P[D1 outside S] ≤
    if tnr_lo - delta > 0 and fnr_hi > 0:
        cands.append(math.log((tnr_lo - delta) / fnr_hi))
    return max(cands)


@dataclass(frozen=True)
class AuditResult:
    generator: str
    claimed_epsilon: float | None
    delta: float
    epsilon_lb: float
    tpr: float
    fpr: float
    runs: int
    seconds: float


def audit(name: str, *, epsilon: float, delta: float, runs: int, rows: int = 300,
          sample_rows: int | None = None, params: dict[str, Any] | None = None,
          seed: int = 0, numeric: bool = True) -> AuditResult:
    d0, d1 = neighbouring_tables(rows, seed, numeric=numeric)
    schema = Schema({c: s for c, s in SCHEMA.columns.items() if c in d0.columns})
    sample_rows = sample_rows or len(d0)
    kwargs: dict[str, Any] = dict(params or {})
    dp = get_generator(name).caps.dp
    if dp:
        kwargs.update(epsilon=epsilon, delta=delta, bounds=BOUNDS if numeric else None)
    start = time.perf_counter()
    scores: dict[int, list[float]] = {0: [], 1: []}
    for r in range(runs):
        for which, table in ((0, d0), (1, d1)):
            gen = create_generator(name, **kwargs)
            gen.fit(table, schema=schema, seed=seed * 100_003 + 2 * r + which)
            scores[which].append(canary_score(gen.sample(sample_rows, seed=r)))
    lb, info = epsilon_lower_bound(np.asarray(scores[0]), np.asarray(scores[1]), delta=delta)
    claimed = epsilon if dp else None
    return AuditResult(name, claimed, delta, lb, info["tpr"], info["fpr"], runs,
                       time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--generators", nargs="+", default=["mst", "aim", "dpgan"])
    ap.add_argument("--epsilon", type=float, default=1.0)
    ap.add_argument("--delta", type=float, default=1e-5)
    ap.add_argument("--runs", type=int, default=100, help="fits per table")
    ap.add_argument("--no-control", action="store_true", help="skip the copy_leaky control")
    args = ap.parse_args(argv)
    fast = {"aim": {"rounds": 6, "iters": 50, "final_iters": 200},
            "mst": {"iters": 200}, "dpgan": {"epochs": 2, "hidden": 32},
            "copy_leaky": {"copied_share": 1.0}}
    print(f"{'generator':12} {'claimed ε':>9} {'ε lower bound':>13} {'TPR':>6} {'FPR':>6} "
          f"{'runs':>5} {'s':>7}  verdict")
    names = list(args.generators) + ([] if args.no_control else ["copy_leaky"])
    failed = False
    for name in names:
        res = audit(name, epsilon=args.epsilon, delta=args.delta, runs=args.runs,
                    params=fast.get(name))
        claimed = "none" if res.claimed_epsilon is None else f"{res.claimed_epsilon:g}"
        if res.claimed_epsilon is None:
            verdict = "control (not DP): a high bound shows the attack works"
        elif res.epsilon_lb <= res.claimed_epsilon:
            verdict = "ok (lower bound ≤ claim)"
        else:
            verdict = "VIOLATION"
            failed = True
        print(f"{name:12} {claimed:>9} {res.epsilon_lb:13.3f} {res.tpr:6.2f} {res.fpr:6.2f} "
              f"{res.runs:5d} {res.seconds:7.1f}  {verdict}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    # its DP fits are experiments on public data: they charge a throwaway privacy ledger,
    # not the user's budgets (every DP fit charges a ledger; SYNTHGUARD_STORE overrides)
    import os
    import tempfile

    os.environ.setdefault("SYNTHGUARD_STORE", os.path.join(tempfile.mkdtemp(), "bench.sqlite"))
    sys.exit(main())

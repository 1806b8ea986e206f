"""Utility of the DP generators against ε, beside the non-private reference.

For each generator and ε: fit on the 70 % train split (stratified on the target), sample as
many rows, and report the quality score (SDMetrics-compatible, vs the train split), the
TSTR/TRTR ROC-AUC ratio on the 30 % holdout, the fit time, and the ratio of the quality to
the non-private ``gaussian_copula`` measured in the same run.

    .venv/bin/python benchmarks/dp_utility.py                       # Adult, full table
    .venv/bin/python benchmarks/dp_utility.py --generators aim --epsilons 1 0.3
    .venv/bin/python benchmarks/dp_utility.py --data other.csv --target y [--bounds b.json]

Without bounds for a numeric column the DP generators estimate them with DP
(``estimate_bounds=True``, paid from the same ε). Adult uses its documented public bounds
(``synthguard.data.builtin.public_bounds("adult")``, shipped in adult.metadata.json with the
source of each), never a data maximum.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard.data import infer_schema, load_table, train_holdout_split
from synthguard.data.builtin import is_builtin, public_bounds
from synthguard.evaluation.fidelity import quality_score
from synthguard.evaluation.utility import utility
from synthguard.generators import create_generator

DP_GENERATORS = ("aim", "mst", "dpgan")


def run_one(name: str, train: pd.DataFrame, holdout: pd.DataFrame, *, target: str,
            epsilon: float | None, delta: float, bounds: dict[str, Any] | None, seed: int,
            schema: Any, extra: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = dict(extra.get(name, {}))
    if epsilon is not None:
        params.update(epsilon=epsilon, delta=delta)
        if bounds:
            params["bounds"] = bounds
        else:
            params["estimate_bounds"] = True
    gen = create_generator(name, **params)
    start = time.perf_counter()
    gen.fit(train, schema=schema, seed=seed)
    fit_s = time.perf_counter() - start
    synth = gen.sample(len(train), seed=seed)
    quality = quality_score(train, synth, schema=schema).score
    util = utility(train, synth, holdout, target=target, seed=seed)
    spend = gen.privacy_spent()
    return {"generator": name, "epsilon": epsilon, "quality": quality,
            "tstr_auc": util["tstr"].get("roc_auc"), "trtr_auc": util["trtr"].get("roc_auc"),
            "tstr_trtr": util["tstr_trtr_ratio"], "fit_s": fit_s,
            "eps_reported": spend.epsilon if spend else None}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--data", default="adult")
    ap.add_argument("--target", default="class")
    ap.add_argument("--epsilons", type=float, nargs="+", default=[0.1, 0.3, 1.0, 3.0, 10.0])
    ap.add_argument("--delta", type=float, default=1e-6)
    ap.add_argument("--generators", nargs="+", default=list(DP_GENERATORS))
    ap.add_argument("--bounds", help="JSON {column: [low, high]} (default: Adult's public "
                    "ranges for adult, else DP-estimated bounds)")
    ap.add_argument("--rows", type=int, help="subsample the table to this many rows first")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--params", default="{}", help='JSON {"aim": {"max_cells": 1e5}, ...}')
    ap.add_argument("--json", help="also write the rows as JSON here")
    args = ap.parse_args(argv)

    frame = load_table(args.data)
    if args.rows:
        frame = frame.sample(min(args.rows, len(frame)), random_state=args.seed)
    bounds: dict[str, Any] | None
    if args.bounds:
        bounds = json.loads(Path(args.bounds).read_text(encoding="utf-8"))
    elif is_builtin(args.data):
        bounds = {c: list(b) for c, b in public_bounds(args.data).items()} or None
    else:
        bounds = None
    split = train_holdout_split(frame, holdout_fraction=0.3, stratify=args.target,
                                seed=args.seed)
    train = split.train.reset_index(drop=True)
    holdout = split.holdout.reset_index(drop=True)
    schema = infer_schema(train)
    extra = json.loads(args.params)

    rows = [run_one("gaussian_copula", train, holdout, target=args.target, epsilon=None,
                    delta=args.delta, bounds=None, seed=args.seed, schema=schema, extra=extra)]
    ref = rows[0]
    print(f"data={args.data} train={len(train)} holdout={len(holdout)} δ={args.delta:g}",
          file=sys.stderr)
    header = (f"{'generator':16} {'ε':>6} {'quality':>8} {'q/ref':>6} {'TSTR AUC':>9} "
              f"{'TRTR AUC':>9} {'TSTR/TRTR':>9} {'fit s':>7}")
    print(header)

    def show(r: dict[str, Any]) -> None:
        eps = "—" if r["epsilon"] is None else f"{r['epsilon']:g}"
        print(f"{r['generator']:16} {eps:>6} {r['quality']:8.4f} "
              f"{r['quality'] / ref['quality']:6.3f} {r['tstr_auc'] or float('nan'):9.4f} "
              f"{r['trtr_auc'] or float('nan'):9.4f} {r['tstr_trtr'] or float('nan'):9.4f} "
              f"{r['fit_s']:7.1f}", flush=True)

    show(ref)
    for name in args.generators:
        for eps in args.epsilons:
            row = run_one(name, train, holdout, target=args.target, epsilon=eps,
                          delta=args.delta, bounds=bounds, seed=args.seed, schema=schema,
                          extra=extra)
            rows.append(row)
            show(row)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    # its DP fits are experiments on public data: they charge a throwaway privacy ledger,
    # not the user's budgets (every DP fit charges a ledger; SYNTHGUARD_STORE overrides)
    import os
    import tempfile

    os.environ.setdefault("SYNTHGUARD_STORE", os.path.join(tempfile.mkdtemp(), "bench.sqlite"))
    sys.exit(main())

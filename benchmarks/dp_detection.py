"""Joint structure of the DP generators at a given ε: the judge of ``tabular_vs_argn.py``.

Same tables, splits (70/30, seeded, stratified on the target), public bounds and public value
sets as ``benchmarks/tabular_vs_argn.py --aim``, and the same judge (``benchmarks/_judge.py``:
SDMetrics quality, HGB real-vs-synthetic detection AUC over 5 folds, HGB TSTR/TRTR on the
holdout), but every fit runs in this process and reports its wall-clock fit seconds, so
variants of one generator are quick to compare. ``--columns`` adds the detection AUC of a
detector that sees one column alone (which columns give the synthetic rows away by their
marginal; the rest of the full AUC is joint structure).

    nice -n 10 env PYTHONPATH=src .venv/bin/python benchmarks/dp_detection.py \\
        [--tables adult compas] [--generator aim] [--epsilon 1] [--param KEY=VALUE ...]

Only the train split is fitted and judged against; the holdout is used by TSTR alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main(argv: list[str] | None = None) -> int:
    from _judge import detection_auc, judge
    from synthguard.data import infer_schema, train_holdout_split
    from synthguard.generators import create_generator
    from tabular_vs_argn import TARGETS, dp_bounds, load, public_metadata

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--tables", nargs="+", default=["adult", "compas"], choices=list(TARGETS))
    ap.add_argument("--generator", default="aim")
    ap.add_argument("--epsilon", type=float, default=1.0)
    ap.add_argument("--delta", type=float, default=1e-6)
    ap.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                    help="generator parameter (JSON value), repeatable")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--columns", action="store_true", help="also per-column detection AUCs")
    ap.add_argument("--data-dir", type=Path,
                    default=Path(tempfile.gettempdir()) / "synthguard-benchmark-data")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--save", type=Path, help="also write each synthetic table here (Parquet)")
    args = ap.parse_args(argv)
    extra = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.param)}

    rows: list[dict[str, Any]] = []
    for table in args.tables:
        frame = load(table, args.data_dir)
        target = TARGETS[table]
        split = train_holdout_split(frame, holdout_fraction=0.3, stratify=target, seed=args.seed)
        train, holdout = split.train.reset_index(drop=True), split.holdout.reset_index(drop=True)
        schema = infer_schema(train, overrides=public_metadata(table))
        params = {"epsilon": args.epsilon, "delta": args.delta, "bounds": dp_bounds(table),
                  **extra}
        generator = create_generator(args.generator, **params)
        start = time.perf_counter()
        generator.fit(train, schema=schema, seed=args.seed)
        fit_s = time.perf_counter() - start
        synthetic = generator.sample(len(train), seed=args.seed)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            synthetic.to_parquet(args.save / f"{table}-{args.generator}.parquet", index=False)
        scores = judge(train, holdout, synthetic, target=target, seed=args.seed)
        spend = generator.privacy_spent()
        info = generator.describe().get("model", {})
        row = {"table": table, "generator": args.generator, "params": extra, **scores,
               "fit_seconds": fit_s, "epsilon_reported": spend.epsilon if spend else None,
               "rounds": info.get("rounds"), "cliques": info.get("cliques")}
        print(f"{table:7s} {args.generator} ε={args.epsilon:g} {extra}: quality "
              f"{scores['quality']:.3f}  det AUC {scores['detection_auc']:.3f}  TSTR/TRTR "
              f"{scores['tstr_trtr']:.3f}  fit {fit_s:.0f} s  rounds {row['rounds']}",
              flush=True)
        if args.columns:
            row["column_auc"] = {c: detection_auc(train[[c]], synthetic[[c]], seed=args.seed)
                                 for c in train.columns}
            print("   per column: " + ", ".join(f"{c} {a:.2f}"
                                                for c, a in row["column_auc"].items()))
        rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    # experiments on public data: charge a throwaway privacy ledger, not the user's budgets
    os.environ.setdefault("SYNTHGUARD_STORE", os.path.join(tempfile.mkdtemp(), "bench.sqlite"))
    sys.exit(main())

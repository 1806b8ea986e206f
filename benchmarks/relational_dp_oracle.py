"""Where a ``hierarchical_dp`` run loses quality: numeric marginals or everything else.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/relational_dp_oracle.py [--datasets bank2]
        [--customers 600] [--seeds 0,1,2,3] [--epsilon 1] [--dp-params '{"max_bins": 6}']

For each seed: fit ``hierarchical_dp`` (charged to a throw-away run store), sample as
``relational_vs_hma.py`` does (seed + 1), and score it with :func:`multi_table_quality`. Then
score it again with the numeric (and datetime) columns of one scope given the *real* marginal:
every synthetic value is replaced by the real quantile at its rank among the synthetic
values (the synthetic row order, the joint ranks and every other column kept; the real null
share kept). The scopes are all numeric columns, each table's, and each column's; the gain
over the run's own score is what a perfect 1-way marginal of that scope would add.

A diagnostic, not a generator: it reads the real data after the fit, so nothing it prints is a
DP release. It answers "is this run bounded by its numeric histograms and ranges, or by the
dependencies its models keep?" (2026-12-06, bank2 at 600 clients: see docs/relational.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relational_vs_hma import datasets
from synthguard.data.relational import RelationalData
from synthguard.evaluation import relational as rel
from synthguard.generators.relational import create_relational_generator


def real_marginal(real: pd.Series, synthetic: pd.Series) -> pd.Series:
    """``synthetic`` with the real marginal: the value of rank k among the synthetic rows
    becomes the real quantile (k + ½)/m; the top real-null-share of ranks (NaN ranks last)
    become null."""
    values = real.dropna().sort_values().reset_index(drop=True)
    m = len(synthetic)
    if values.empty or m == 0:
        return synthetic
    key = pd.to_numeric(synthetic, errors="coerce") if synthetic.dtype.kind != "M" \
        else synthetic.astype("int64").where(synthetic.notna())
    ranks = key.rank(method="first", na_option="bottom").to_numpy() - 1
    quantile = (ranks + 0.5) / m
    non_null = 1.0 - float(real.isna().mean())
    index = np.minimum((quantile / max(non_null, 1e-12) * len(values)).astype(int), len(values) - 1)
    out: pd.Series = values.iloc[index].reset_index(drop=True)
    out[quantile >= non_null] = None
    out.index = synthetic.index
    return out


def scored(data: RelationalData, synthetic: dict[str, pd.DataFrame],
           columns: list[tuple[str, str]]) -> float:
    fixed = {t: frame.copy() for t, frame in synthetic.items()}
    for table, column in columns:
        fixed[table][column] = real_marginal(data.tables[table][column], fixed[table][column])
    return float(rel.multi_table_quality(data.tables, fixed, data.metadata)["quality_score"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="bank2")
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--seeds", default="0,1,2,3")
    parser.add_argument("--epsilon", type=float, default=1.0)
    parser.add_argument("--dp-params", default="{}")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from synthguard.ledger import RunStore
    from synthguard.ledger.budget import DPLedger

    for name, data in datasets(args.datasets.split(","), args.customers).items():
        meta = data.metadata
        numeric = [(t, c) for t in meta.tables for c, kind in rel._scored(meta, t).items()
                   if kind in rel._CONTINUOUS]
        scopes = {"all numeric": numeric,
                  **{f"table {t}": [x for x in numeric if x[0] == t] for t in meta.tables},
                  **{f"{t}.{c}": [(t, c)] for t, c in numeric}}
        gains: dict[str, list[float]] = {scope: [] for scope in scopes}
        base: list[float] = []
        for seed in (int(s) for s in args.seeds.split(",")):
            generator = create_relational_generator("hierarchical_dp", epsilon=args.epsilon,
                                                    **json.loads(args.dp_params))
            with tempfile.TemporaryDirectory() as folder:
                ledger = DPLedger(store=RunStore(Path(folder) / "runs.sqlite"))
                generator.fit(data, seed=seed, ledger=ledger)  # type: ignore[call-arg]
            synthetic = generator.sample(seed=seed + 1)
            own = scored(data, synthetic, [])
            base.append(own)
            for scope, columns in scopes.items():
                if columns:
                    gains[scope].append(scored(data, synthetic, columns) - own)
            print(json.dumps({"dataset": name, "seed": seed, "quality": round(own, 4)}), flush=True)
        print(f"{name}: quality mean {np.mean(base):.3f} over seeds {args.seeds}; "
              "mean gain with the real marginal of:")
        for scope, values in sorted(gains.items(), key=lambda kv: -float(np.mean(kv[1] or [0]))):
            if values:
                print(f"  {scope:<32} {np.mean(values):+.3f}  (per seed "
                      + " / ".join(f"{v:+.3f}" for v in values) + ")")


if __name__ == "__main__":
    main()

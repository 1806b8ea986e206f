"""Foundation benchmarks, all measured in one run on this machine.

1. gaussian_copula vs SDV's stock GaussianCopulaSynthesizer: quality score and fit+sample time
   on Adult (70/30 split) and on the mixed tables that ship with installed packages.
2. Our quality-score evaluation time vs SDMetrics' QualityReport on Adult (same data).
3. Sampling rows/s: our gaussian_copula vs SDV's own ``sample()``.

Run: ``.venv/bin/python benchmarks/foundation.py [--rows 200000]``; ``--quick`` (what ``make
bench`` runs) keeps the same comparisons on Adult only, 5,000 training rows and 20,000 sampled
rows (16 s of CPU; 4 min wall on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard.data import infer_schema, load_table, train_holdout_split
from synthguard.evaluation import quality_score
from synthguard.generators import create_generator

warnings.filterwarnings("ignore")
SITE = Path(pd.__file__).resolve().parents[1]
QUICK_TRAIN_ROWS = 5_000  # --quick: training rows (70 % of a seeded Adult sample)
QUICK_SAMPLE_ROWS = 20_000  # --quick: rows for the sampling-speed test


def mixed_tables(*, quick: bool = False) -> dict[str, pd.DataFrame]:
    tables = {"adult": load_table("adult")}
    if quick:
        return {"adult": tables["adult"].sample(n=QUICK_TRAIN_ROWS * 10 // 7, random_state=0)}
    extra = {
        "student_placements": (SITE / "sdmetrics/demos/single_table/student_placements_real.csv",
                               {"parse_dates": ["start_date", "end_date"]}),
        "tips": (SITE / "plotly/package_data/datasets/tips.csv.gz", {}),
        "gapminder": (SITE / "plotly/package_data/datasets/gapminder.csv.gz", {}),
    }
    for name, (path, kwargs) in extra.items():
        if path.exists():
            tables[name] = pd.read_csv(path, **kwargs)  # type: ignore[arg-type]
    return tables


def timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=None,
                        help="rows for the sampling-speed test (default 200,000; --quick 20,000)")
    parser.add_argument("--quick", action="store_true",
                        help=f"Adult only, {QUICK_TRAIN_ROWS:,} training rows (what `make bench` runs)")
    args = parser.parse_args()
    if args.rows is None:
        args.rows = QUICK_SAMPLE_ROWS if args.quick else 200_000

    print("== quality and fit+sample time: gaussian_copula vs SDV GaussianCopula (beta) ==")
    print(f"{'table':20s} {'rows':>6s} {'ours_q':>7s} {'sdv_q':>7s} {'ours_s':>7s} {'sdv_s':>7s} {'time_ratio':>10s}")
    for name, frame in mixed_tables(quick=args.quick).items():
        split = train_holdout_split(frame, seed=0)
        schema = infer_schema(split.train)
        row = {}
        for gen in ("gaussian_copula", "sdv_gaussian_copula"):
            def run(g: str = gen, train: pd.DataFrame = split.train, sch: Any = schema) -> pd.DataFrame:
                model = create_generator(g).fit(train, schema=sch, seed=0)
                return model.sample(len(train), seed=1)
            synthetic, seconds = timed(run)
            row[gen] = (quality_score(split.train, synthetic, schema=schema).score, seconds)
        (q1, t1), (q2, t2) = row["gaussian_copula"], row["sdv_gaussian_copula"]
        print(f"{name:20s} {len(split.train):6d} {q1:7.3f} {q2:7.3f} {t1:7.2f} {t2:7.2f} {t1 / t2:10.2f}")

    print("\n== evaluation time: quality_score vs SDMetrics QualityReport (Adult) ==")
    from sdmetrics.reports.single_table import QualityReport
    from sdv.metadata import Metadata

    adult = mixed_tables(quick=True)["adult"] if args.quick else load_table("adult")
    split = train_holdout_split(adult, stratify="class", seed=0)
    synthetic = create_generator("gaussian_copula").fit(split.train, seed=0).sample(len(split.train), seed=1)
    ours, t_ours = timed(lambda: quality_score(split.train, synthetic).score)
    metadata = Metadata.detect_from_dataframes({"t": split.train}).to_dict()["tables"]["t"]

    def sdmetrics_score() -> float:
        report = QualityReport()
        report.generate(split.train, synthetic, metadata, verbose=False)
        return float(report.get_score())

    theirs, t_theirs = timed(sdmetrics_score)
    print(f"ours {ours:.4f} in {t_ours:.2f}s; SDMetrics {theirs:.4f} in {t_theirs:.2f}s; "
          f"time ratio ours/SDMetrics {t_ours / t_theirs:.2f}; |diff| {abs(ours - theirs):.4f}")

    print(f"\n== sampling speed ({args.rows:,} rows, Adult) ==")
    ours_model = create_generator("gaussian_copula").fit(split.train, seed=0)
    sdv_model = create_generator("sdv_gaussian_copula").fit(split.train, seed=0)
    _, t_ours = timed(lambda: ours_model.sample(args.rows, seed=0))
    _, t_sdv = timed(lambda: sdv_model.sample(args.rows, seed=0))
    print(f"ours {args.rows / t_ours:,.0f} rows/s; SDV sample() {args.rows / t_sdv:,.0f} rows/s; "
          f"ratio {t_sdv / t_ours:.2f}x")


if __name__ == "__main__":
    main()

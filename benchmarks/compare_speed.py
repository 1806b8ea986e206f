"""Compare-page speed: the app's evaluation tasks for N artifacts (plus the real baseline) of the
5,000-row Adult sample, run by the app's own job runner, wall-clock seconds.

    .venv/bin/python benchmarks/compare_speed.py [--artifacts 5] [--workers 2]

Target (issue 18): 5 artifacts in <= 60 s on 2 cores, idle machine. Prints the load average
so a figure taken on a busy machine can be read as such.
"""

from __future__ import annotations

import argparse
import os
import time

from synthguard.apps import _tasks
from synthguard.apps._jobs import JobRunner
from synthguard.data import infer_schema, load_table, train_holdout_split
from synthguard.generators import create_generator

ATTACKS = ("dcr", "dcr_ratio", "domias", "exact_match", "attribute_inference")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", type=int, default=5)
    parser.add_argument("--workers", type=int, default=None, help="job-runner workers (default: the app's)")
    args = parser.parse_args()
    frame = load_table("adult").sample(5000, random_state=0).reset_index(drop=True)
    split = train_holdout_split(frame, stratify="class", seed=0)
    schema = infer_schema(split.train)
    generator = create_generator("gaussian_copula").fit(split.train, schema=schema, seed=0)
    tables = {"real train (baseline)": split.train}
    tables.update({f"artifact-{i}": generator.sample(len(split.train), seed=i) for i in range(args.artifacts)})
    runner = JobRunner() if args.workers is None else JobRunner(workers=args.workers)
    started = time.perf_counter()
    jobs = [runner.submit(name, name, _tasks.compare, name=name, train=split.train, holdout=split.holdout,
                          synthetic=table, schema=schema, target="class", sensitive=("sex", "race"),
                          attacks=ATTACKS, seed=0) for name, table in tables.items()]
    for job in jobs:
        job.wait()
        assert job.error is None, job.error
    seconds = time.perf_counter() - started
    print(f"compare: {args.artifacts} artifacts + baseline of the 5,000-row sample in {seconds:.1f} s "
          f"({runner.workers} workers; load average {os.getloadavg()[0]:.1f}); target <= 60 s")


if __name__ == "__main__":
    main()

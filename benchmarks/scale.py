"""Scale: streamed generation and redaction, local vs Ray, against SDV's chunked sampling.

Run:   .venv/bin/python benchmarks/scale.py            (1M and 10M rows, 200k documents)
Quick: .venv/bin/python benchmarks/scale.py --quick    (200k rows, 2k documents)
Pick:  --rows 1000000 --docs 20000 --workers 1 2 --skip-ray --skip-sdv --skip-redact --skip-generate

Every case runs in its own subprocess so peak RSS is that case's alone:
  * local cases: the process's own high-water mark (VmHWM, exact);
  * Ray cases: the largest sum of RSS over the driver and all its descendants (raylet, GCS,
    workers), sampled every 0.2 s, so an upper-ish bound (shared pages count twice).
Throughput counts the sampling/redaction call only (fit, model load and Ray start-up are
reported separately). Generation writes Parquet (ours) and SDV writes its own CSV through
``sample(num_rows, batch_size=..., output_folder_path=...)``, SDV 2.0's chunked mode, with a
GaussianCopulaSynthesizer fitted on Adult. The machine is shared: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BATCH = 100_000  # rows per chunk for both us and SDV


# ------------------------------------------------------------- measurement


def _tree_rss(root: int) -> int:
    """Sum of RSS (bytes) over ``root`` and its descendants, from /proc."""
    total, stack, seen = 0, [root], set()
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return total


class _TreeMonitor:
    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _tree_rss(os.getpid()))


def _cpu() -> float:
    """CPU seconds of this process (all threads): robust to a busy machine, unlike wall time."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _own_peak() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


# ------------------------------------------------------------------- cases


def _case_generate(args: argparse.Namespace) -> dict[str, Any]:
    from synthguard._engine import Engine
    from synthguard.data import load_table
    from synthguard.generators.copula import GaussianCopula  # the library call, no other plug-ins
    from synthguard.generators.streaming import sample_to_file

    monitor = _TreeMonitor() if args.engine == "ray" else None
    t0 = time.perf_counter()
    generator = GaussianCopula().fit(load_table("adult"), seed=0)
    fit = time.perf_counter() - t0
    engine = Engine(kind=args.engine, workers=args.workers)
    out = Path(args.tmp) / "ours.parquet"
    with _session(engine) as startup:
        t0, c0 = time.perf_counter(), _cpu()
        summary = sample_to_file(generator, args.rows, out, seed=0, chunk_rows=BATCH, engine=engine)
        seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    peak = monitor.stop() if monitor else _own_peak()
    return {"rows": summary.rows, "seconds": seconds, "fit_seconds": fit, "startup_seconds": startup,
            "peak_rss": peak, "bytes": out.stat().st_size, "cpu_seconds": None if engine.is_ray else cpu}


def _case_sdv(args: argparse.Namespace) -> dict[str, Any]:
    import logging

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from sdv.single_table import GaussianCopulaSynthesizer

    from synthguard.data import infer_schema, load_table

    frame = load_table("adult")
    t0 = time.perf_counter()
    synth = GaussianCopulaSynthesizer(infer_schema(frame).to_sdv_metadata())
    synth.fit({"table": frame})
    fit = time.perf_counter() - t0
    folder = Path(args.tmp) / "sdv"
    t0, c0 = time.perf_counter(), _cpu()
    synth.sample(num_rows=args.rows, batch_size=BATCH, output_folder_path=str(folder))
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    written = sum(p.stat().st_size for p in folder.iterdir())
    return {"rows": args.rows, "seconds": seconds, "fit_seconds": fit, "startup_seconds": 0.0,
            "peak_rss": _own_peak(), "bytes": written, "cpu_seconds": cpu}


def _case_redact(args: argparse.Namespace) -> dict[str, Any]:
    from synthguard._engine import Engine
    from synthguard.redaction import RedactionEngine
    from synthguard.redaction.batch import redact_file

    monitor = _TreeMonitor() if args.engine == "ray" else None
    src = Path(args.corpus)
    t0 = time.perf_counter()
    engine = RedactionEngine(operator="surrogate", workers=args.workers if args.engine == "local" else 1)
    engine.analyze(["warm-up"])
    load = time.perf_counter() - t0
    runner = Engine(kind=args.engine, workers=args.workers)
    out = Path(args.tmp) / "redacted.jsonl"
    with _session(runner) as startup:
        t0 = time.perf_counter()
        if runner.is_ray:
            from synthguard.redaction._ray import redact_path_ray

            summary = redact_path_ray(src, out, runner=runner, engine=engine)
        else:
            summary = redact_file(src, out, engine=engine)
        seconds = time.perf_counter() - t0
    peak = monitor.stop() if monitor else _tree_rss_peak_local()
    return {"rows": summary.documents, "seconds": seconds, "fit_seconds": load,
            "startup_seconds": startup, "peak_rss": peak, "bytes": out.stat().st_size}


def _tree_rss_peak_local() -> int:
    """Local redaction forks worker processes: report the parent's and children's peaks."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return _own_peak() + children


@contextlib.contextmanager
def _session(engine: Any) -> Iterator[float]:
    """Run the block inside a Ray session when ``engine`` is Ray; yields the start-up seconds."""
    from synthguard._engine import ray_session

    start = time.perf_counter()
    with ray_session(engine) if engine.is_ray else contextlib.nullcontext():
        yield time.perf_counter() - start


CASES = {"generate": _case_generate, "sdv": _case_sdv, "redact": _case_redact}


# ------------------------------------------------------------------ driver


def _run_case(case: str, *, rows: int, engine: str = "local", workers: int = 1,
              corpus: str = "", timeout: float = 3600) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sg-scale-") as tmp:
        cmd = [sys.executable, __file__, "--case", case, "--rows", str(rows), "--engine", engine,
               "--workers", str(workers), "--tmp", tmp, "--corpus", corpus]
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "SYNTHGUARD_MODEL_THREADS": "1"}
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
        if proc.returncode != 0:
            return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
        return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _make_corpus(path: Path, n: int) -> None:
    from synthguard.redaction.corpus import make_labelled_corpus

    with open(path, "w", encoding="utf-8") as handle:
        for i, doc in enumerate(make_labelled_corpus(n, seed=1)):
            handle.write(json.dumps({"id": i, "text": doc.text}) + "\n")


def _gib(n: float) -> str:
    return f"{n / 2**30:.2f} GiB"


def _line(label: str, r: dict[str, Any], unit: str) -> str:
    if "error" in r:
        return f"  {label:<28} ERROR {r['error']}"
    rate = r["rows"] / r["seconds"] if r["seconds"] > 0 else 0.0
    cpu = r.get("cpu_seconds")
    per_cpu = f", {r['rows'] / cpu:,.0f} {unit} per CPU-s" if cpu else ""
    return (f"  {label:<28} {rate:>10,.0f} {unit}/s  peak RSS {_gib(r['peak_rss']):>10}  "
            f"({r['seconds']:.1f} s wall{per_cpu}; setup {r['fit_seconds']:.1f} s, "
            f"start-up {r['startup_seconds']:.1f} s)")


def _rate(r: dict[str, Any]) -> float:
    return r["rows"] / r["seconds"] if "error" not in r and r["seconds"] > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200k rows, 2k documents")
    parser.add_argument("--rows", type=int, nargs="+", help="generated rows (default 1M and 10M)")
    parser.add_argument("--docs", type=int, help="corpus documents (default 200k)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="Ray worker counts")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-sdv", action="store_true")
    parser.add_argument("--skip-redact", action="store_true")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="local", help=argparse.SUPPRESS)
    parser.add_argument("--tmp", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process: one measurement, JSON on the last stdout line
        warnings.filterwarnings("ignore")
        args.rows = args.rows[0]
        args.workers = args.workers[0]
        print(json.dumps(CASES[args.case](args)))
        return
    rows_list = args.rows or ([200_000] if args.quick else [1_000_000, 10_000_000])
    docs = args.docs or (2_000 if args.quick else 200_000)
    print(f"synthguard scale benchmark on {os.cpu_count()} CPUs (shared machine: compare ratios)")
    for rows in [] if args.skip_generate else rows_list:
        print(f"\ngenerate {rows:,} rows of Adult's schema (gaussian_copula, Parquet, {BATCH:,}-row chunks)")
        ours = _run_case("generate", rows=rows)
        print(_line("ours, local engine", ours, "rows"))
        if not args.skip_sdv:
            sdv = _run_case("sdv", rows=rows)
            print(_line("SDV 2.0 chunked sample (CSV)", sdv, "rows"))
            if "error" not in sdv and "error" not in ours:
                cpu = (f", CPU-time ratio SDV/ours {sdv['cpu_seconds'] / ours['cpu_seconds']:.2f}x"
                       if sdv.get("cpu_seconds") and ours.get("cpu_seconds") else "")
                print(f"  -> ours/SDV throughput {_rate(ours) / _rate(sdv):.2f}x, "
                      f"peak RSS ours/SDV {ours['peak_rss'] / sdv['peak_rss']:.2f}x{cpu}")
        if not args.skip_ray:
            for w in args.workers:
                ray = _run_case("generate", rows=rows, engine="ray", workers=w)
                print(_line(f"ours, Ray engine, {w} worker(s)", ray, "rows"))
                if "error" not in ray:
                    print(f"  -> local/Ray({w}) throughput {_rate(ours) / _rate(ray):.2f}x")
    if not args.skip_redact:
        with tempfile.TemporaryDirectory(prefix="sg-corpus-") as tmp:
            corpus = Path(tmp) / "corpus.jsonl"
            _make_corpus(corpus, docs)
            print(f"\nredact a {docs:,}-document corpus (JSONL, surrogate operator)")
            local: dict[int, dict[str, Any]] = {}
            for w in args.workers:
                local[w] = _run_case("redact", rows=docs, workers=w, corpus=str(corpus))
                print(_line(f"local engine, {w} process(es)", local[w], "docs"))
            if not args.skip_ray:
                for w in args.workers:
                    ray = _run_case("redact", rows=docs, engine="ray", workers=w, corpus=str(corpus))
                    print(_line(f"Ray engine, {w} actor(s)", ray, "docs"))
                    if "error" not in ray:
                        print(f"  -> local({w})/Ray({w}) throughput {_rate(local[w]) / _rate(ray):.2f}x")


if __name__ == "__main__":
    main()

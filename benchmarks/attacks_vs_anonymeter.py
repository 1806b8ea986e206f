"""Our attacks vs Anonymeter 1.1 on the same data and seeds: figures, agreement, time.

Anonymeter pins numpy<1.27, so it runs in its own venv (built here on first use with
``python3 -m venv`` + ``pip install anonymeter pyarrow``) through a subprocess on Parquet
files, and reports back JSON. Both tools see the same train (ori), holdout (control) and
synthetic tables; targets are all train/holdout rows, so linkability and inference differ
only by tie-breaking and the random baseline, singling out by its random queries.

Two synthetic tables: a gaussian copula (clean) and ``copy_leaky`` with half of its rows
copied from train. The second part shows why the attack set has more than Anonymeter's
three: on the half-copied table they barely move, our membership and reproduction attacks
flag it.

    .venv/bin/python benchmarks/attacks_vs_anonymeter.py [--rows 8000] [--scale 100000]

Prints our figure, Anonymeter's, whether ours lies in Anonymeter's 95 % CI, both times and
the ratio (timings on a shared machine are noisy; both are measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from synthguard.data import load_table
from synthguard.evaluation.attacks import AttackOptions
from synthguard.evaluation.attacks.inference import AttributeInferenceAttack
from synthguard.evaluation.attacks.linkability import LinkabilityAttack
from synthguard.evaluation.attacks.singling_out import SinglingOutAttack
from synthguard.evaluation.leakage import evaluate_leakage
from synthguard.generators import create_generator

sys.path.insert(0, str(Path(__file__).resolve().parent))  # shared helpers, also when loaded by path
from _venvs import rival_venv

warnings.filterwarnings("ignore")
RUNNER = Path(__file__).with_name("_anonymeter_runner.py")
DEFAULT_VENV = Path(os.environ.get("SYNTHGUARD_ANONYMETER_VENV",
                                   Path(tempfile.gettempdir()) / "synthguard-anonymeter-venv"))
LINK_COLS = (["age", "sex", "race", "native_country", "education"],
             ["marital_status", "occupation", "relationship", "hours_per_week", "work_class"])
SECRET = "class"
RISKS = ("singling_out", "linkability", "attribute_inference")


def ensure_anonymeter(venv: Path) -> Path:
    """Python of a venv holding Anonymeter (created on first use; needs the package index)."""
    return rival_venv(venv, "anonymeter, pyarrow", [["anonymeter", "pyarrow"]])


def make_tables(rows: int, seed: int = 0) -> dict[str, Any]:
    """Adult rows split half/half into train and holdout; clean and half-copied synthetic."""
    adult = load_table("adult").sample(rows, random_state=seed).reset_index(drop=True)
    train, holdout = adult.iloc[: rows // 2].reset_index(drop=True), adult.iloc[rows // 2:]
    holdout = holdout.reset_index(drop=True)
    clean = create_generator("gaussian_copula").fit(train, seed=seed).sample(len(train), seed=1)
    leaky = create_generator("copy_leaky", copied_share=0.5).fit(train, seed=seed).sample(
        len(train), seed=1)
    return {"train": train, "holdout": holdout, "synthetic": {"copula": clean,
                                                               "copy_leaky 50%": leaky}}


def scaled_tables(rows: int, seed: int = 0) -> dict[str, Any]:
    """A ``rows``-row train table (Adult resampled, numerics jittered so rows stay distinct)."""
    rng = np.random.default_rng(seed)
    adult = load_table("adult")
    big = adult.iloc[rng.integers(0, len(adult), int(rows * 1.3))].reset_index(drop=True)
    for col in ("age", "final_weight", "hours_per_week"):
        big[col] = big[col] + rng.integers(-2, 3, len(big))
    train, holdout = big.iloc[:rows].reset_index(drop=True), big.iloc[rows:].reset_index(drop=True)
    clean = create_generator("gaussian_copula").fit(train, seed=seed).sample(rows, seed=1)
    return {"train": train, "holdout": holdout, "synthetic": {"copula": clean}}


def run_ours(data: dict[str, Any], *, n_attacks: int, so_attacks: int, seed: int) -> dict:
    options = AttackOptions(secret=SECRET, max_targets=2 * n_attacks)
    attacks = {
        "singling_out": SinglingOutAttack(n_cols=3, n_attacks=so_attacks),
        "linkability": LinkabilityAttack(aux_cols=LINK_COLS),
        "attribute_inference": AttributeInferenceAttack(regression=False),
    }
    out: dict[str, dict] = {}
    for label, syn in data["synthetic"].items():
        out[label] = {}
        for name, attack in attacks.items():
            t0 = time.perf_counter()
            r = attack.run(train=data["train"], holdout=data["holdout"], synthetic=syn,
                           seed=seed, options=options).to_dict()
            out[label][name] = {"risk": r["risk"], "ci": r["ci"]["risk"],
                                "attack_rate": r["attack_rate"],
                                "control_rate": r["control_rate"],
                                "seconds": time.perf_counter() - t0}
    return out


def run_anonymeter(python: Path, data: dict[str, Any], *, n_attacks: int, so_attacks: int,
                   seed: int, workdir: Path) -> dict:
    data["train"].to_parquet(workdir / "ori.parquet")
    data["holdout"].to_parquet(workdir / "control.parquet")
    syn_paths = {}
    for i, (label, syn) in enumerate(data["synthetic"].items()):
        syn_paths[label] = str(workdir / f"syn{i}.parquet")
        syn.to_parquet(syn_paths[label])
    job = {"ori": str(workdir / "ori.parquet"), "control": str(workdir / "control.parquet"),
           "synthetic": syn_paths, "n_attacks": n_attacks, "so_attacks": so_attacks,
           "so_cols": 3, "seed": seed, "link_cols": LINK_COLS, "secret": SECRET,
           "regression": False, "n_jobs": 2}
    (workdir / "job.json").write_text(json.dumps(job))
    subprocess.run([str(python), str(RUNNER), str(workdir / "job.json"),
                    str(workdir / "out.json")], check=True)
    result: dict = json.loads((workdir / "out.json").read_text())
    return result


def agreement(ours: dict, theirs: dict) -> list[dict[str, Any]]:
    rows = []
    for label in ours:
        for name in RISKS:
            o, t = ours[label][name], theirs[label][name]
            rows.append({
                "table": label, "attack": name, "ours": o["risk"], "ours_ci": o["ci"],
                "anonymeter": t["risk"], "anonymeter_ci": t["ci"],
                "agree": bool(t["ci"][0] - 1e-9 <= o["risk"] <= t["ci"][1] + 1e-9),
                "ours_s": o["seconds"], "anonymeter_s": t["seconds"],
            })
    return rows


def print_rows(rows: list[dict[str, Any]]) -> None:
    print(f"{'table':16} {'attack':20} {'ours':>7} {'ours CI':>16} {'anonym.':>7} "
          f"{'anonymeter CI':>16} {'agree':>5} {'ours s':>7} {'anon s':>7} {'speed-up':>8}")
    for r in rows:
        ratio = r["anonymeter_s"] / max(r["ours_s"], 1e-9)
        print(f"{r['table']:16} {r['attack']:20} {r['ours']:7.3f} "
              f"[{r['ours_ci'][0]:.3f},{r['ours_ci'][1]:.3f}]".ljust(62)
              + f"{r['anonymeter']:7.3f} [{r['anonymeter_ci'][0]:.3f},{r['anonymeter_ci'][1]:.3f}]"
              f" {('yes' if r['agree'] else 'NO'):>5} {r['ours_s']:7.1f} {r['anonymeter_s']:7.1f}"
              f" {ratio:7.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8000, help="Adult rows (half train)")
    parser.add_argument("--so-attacks", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--scale", type=int, default=0,
                        help="also time both on a train table of this many rows (e.g. 100000)")
    args = parser.parse_args()
    python = ensure_anonymeter(args.venv)

    data = make_tables(args.rows, args.seed)
    n_attacks = len(data["holdout"])
    ours = run_ours(data, n_attacks=n_attacks, so_attacks=args.so_attacks, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        theirs = run_anonymeter(python, data, n_attacks=n_attacks, so_attacks=args.so_attacks,
                                seed=args.seed, workdir=Path(tmp))
    print(f"== Adult, {len(data['train'])} train / {len(data['holdout'])} holdout rows, "
          f"all rows as targets, {args.so_attacks} singling-out queries, seed {args.seed}")
    rows = agreement(ours, theirs)
    print_rows(rows)
    print(f"agreement: {sum(r['agree'] for r in rows)}/{len(rows)} of our figures inside "
          "Anonymeter's 95% CI")

    print("\n== what flags the half-copied table (our membership + reproduction attacks)")
    for label, syn in data["synthetic"].items():
        section = evaluate_leakage(train=data["train"], holdout=data["holdout"], synthetic=syn,
                                   attacks=["dcr", "dcr_ratio", "domias", "exact_match",
                                            "reproduction"], seed=args.seed)
        figures = ", ".join(f"{k} AUC {v['auc']:.3f} TPR@1% {v['tpr_at_fpr_0.01']:.3f}"
                            for k, v in section["membership"].items())
        rep = section["reproduction"]
        print(f"{label:16} {figures}; reproduction {rep['risk']:.3f} "
              f"[{rep['ci'][0]:.3f},{rep['ci'][1]:.3f}]; verdict {section['verdict']}")
        print(f"{'':16} Anonymeter: " + ", ".join(
            f"{k} {theirs[label][k]['risk']:.3f}" for k in RISKS))

    if args.scale:
        big = scaled_tables(args.scale, args.seed)
        t0 = time.perf_counter()
        section = evaluate_leakage(train=big["train"], holdout=big["holdout"],
                                   synthetic=big["synthetic"]["copula"], attacks="all",
                                   secret=SECRET, seed=args.seed)
        ours_all = time.perf_counter() - t0
        print(f"\n== scale: {len(big['train'])} train / {len(big['holdout'])} holdout / "
              f"{len(big['synthetic']['copula'])} synthetic rows")
        print(f"ours, evaluate_leakage(attacks='all', max_targets=2000): {ours_all:.1f} s, "
              f"verdict {section['verdict']}")
        n = 1000
        ours_big = run_ours(big, n_attacks=n, so_attacks=args.so_attacks, seed=args.seed)
        with tempfile.TemporaryDirectory() as tmp:
            theirs_big = run_anonymeter(python, big, n_attacks=n, so_attacks=args.so_attacks,
                                        seed=args.seed, workdir=Path(tmp))
        print(f"same 3 Anonymeter-style attacks, {n} targets each:")
        print_rows(agreement(ours_big, theirs_big))


if __name__ == "__main__":
    main()

"""``synthguard distill``: teacher on real rows, student on synthetic rows only, compressed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from synthguard._commands._common import console, positive_int, progress_bar, recorded_run, store_from
from synthguard.errors import ParameterError


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "distill", help="distil a small student from synthetic rows and compress it",
        description="Train a teacher on --real, label synthetic rows from --generator (or "
        "--synthetic) with it, distil a small MLP on those rows only, compress it and evaluate "
        "every model on --holdout. Writes student.safetensors, student.json, student.onnx, "
        "manifest.json, report.json and report.html into --out.")
    p.add_argument("--real", required=True, help="real training table (.csv/.parquet or 'adult')")
    p.add_argument("--holdout", required=True, help="real holdout table for evaluation")
    p.add_argument("--target", required=True, help="target column")
    p.add_argument("--sensitive", nargs="+", default=[], metavar="COL",
                   help="sensitive column(s) for fairness (space or comma separated)")
    p.add_argument("--generator", default="gaussian_copula", help="transfer-set generator")
    p.add_argument("--generator-param", action="append", default=[], metavar="KEY=VALUE",
                   help="generator parameter (JSON value), repeatable")
    p.add_argument("--synthetic", help="use these synthetic rows instead of sampling a generator")
    p.add_argument("--transfer-rows", type=int, help="synthetic rows to label (default 2x train)")
    p.add_argument("--rows-limit", type=positive_int, metavar="N",
                   help="largest --transfer-rows accepted (default 100,000,000)")
    p.add_argument("--teacher", default="mlp", help="teacher: mlp, gbm or dp-mlp")
    p.add_argument("--teacher-hidden", default="256,128", help="teacher MLP widths")
    p.add_argument("--teacher-epochs", type=int, default=40)
    p.add_argument("--dp-epsilon", type=float, default=3.0, help="target ε of the dp-mlp teacher")
    p.add_argument("--student-hidden", help="student MLP widths (default 32,16, shrunk to "
                   "--max-params-ratio of an MLP teacher's parameters when needed)")
    p.add_argument("--max-params-ratio", type=float, default=0.1,
                   help="largest student/teacher parameter ratio for default widths")
    p.add_argument("--epochs", type=int, default=60, help="student epochs (early stopping)")
    p.add_argument("--finetune-epochs", type=int, default=10,
                   help="fine-tuning epochs after pruning")
    p.add_argument("--temperature", type=float, default=2.0)
    p.add_argument("--hard-weight", type=float, default=0.1, help="weight of the hard-label term")
    p.add_argument("--fairness", default="eo", choices=["none", "dp", "tpr", "eo"],
                   help="fairness regulariser on the groups of --sensitive: gap in positive "
                   "rate (dp), TPR (tpr) or TPR + FPR (eo, default); none to switch off")
    p.add_argument("--fairness-weight", type=float, default=1.0)
    p.add_argument("--quantize", default="int8", help="int8, fp16 or none")
    p.add_argument("--int8-mode", default="dynamic", help="dynamic or static (calibrated)")
    p.add_argument("--prune", type=float, default=0.0, help="pruning amount in [0, 1)")
    p.add_argument("--structured", action="store_true", help="prune whole neurons")
    p.add_argument("--positive", help="positive class (default: the rarer of two)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--latency-repeats", type=int, default=100,
                   help="timed calls per model at batch 1 (a tenth at batch 1024)")
    p.add_argument("--out", required=True, help="output folder (must be new or empty)")
    p.add_argument("--force", action="store_true", help="replace a non-empty --out")
    p.set_defaults(handler=run_distill)


def _widths(text: str, flag: str) -> tuple[int, ...]:
    try:
        widths = tuple(int(x) for x in text.replace(" ", "").split(",") if x)
    except ValueError:
        raise ParameterError(
            f"{flag} must be comma-separated integers such as 32,16; got {text!r}") from None
    if not widths or any(w <= 0 for w in widths):
        raise ParameterError(f"{flag} must be positive integers such as 32,16; got {text!r}")
    return widths


def _params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ParameterError(f"--generator-param must be KEY=VALUE, got {pair!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def build_config(args: argparse.Namespace) -> Any:
    """A validated DistillConfig from the arguments (no data needed)."""
    from synthguard.compression import DistillConfig, StudentConfig, TeacherConfig

    sensitive = tuple(c for item in args.sensitive for c in item.split(",") if c)
    return DistillConfig(
        target=args.target, sensitive=sensitive, generator=args.generator,
        generator_params=_params(args.generator_param), teacher=args.teacher,
        teacher_config=TeacherConfig(hidden=_widths(args.teacher_hidden, "--teacher-hidden"),
                                     epochs=args.teacher_epochs, epsilon=args.dp_epsilon),
        student=StudentConfig(hidden=_widths(args.student_hidden or "32,16", "--student-hidden"),
                              epochs=args.epochs, finetune_epochs=args.finetune_epochs,
                              temperature=args.temperature,
                              hard_weight=args.hard_weight, fairness=args.fairness,
                              fairness_weight=args.fairness_weight),
        quantize=args.quantize, int8_mode=args.int8_mode, prune=args.prune,
        structured=args.structured, transfer_rows=args.transfer_rows, positive=args.positive,
        seed=args.seed, threads=args.threads, latency_repeats=args.latency_repeats,
        max_params_ratio=None if args.student_hidden else args.max_params_ratio,
    )


def run_distill(args: argparse.Namespace) -> int:
    from synthguard._io import sha256_file
    from synthguard.compression import distill, write_distill_outputs
    from synthguard.compression.outputs import check_out_dir
    from synthguard.data import load_table, table_fingerprint
    from synthguard.generators.base import check_rows_limit
    from synthguard.ledger.budget import DPLedger

    check_rows_limit(args.transfer_rows, limit=args.rows_limit, name="transfer_rows")
    config = build_config(args)
    out = check_out_dir(args.out, force=args.force)
    train = load_table(args.real)
    holdout = load_table(args.holdout)
    synthetic = load_table(args.synthetic) if args.synthetic else None
    train_sha = table_fingerprint(train)
    source = config.generator if synthetic is None else "file"
    with recorded_run(args, "distill", seed=args.seed, dataset_sha256=train_sha,
                      plugin=f"{config.teacher}->{source}",
                      params=config.to_dict()) as record:
        record.inputs = {"real": train_sha, "holdout": table_fingerprint(holdout)}
        if synthetic is not None:
            record.inputs["synthetic"] = table_fingerprint(synthetic)
        ledger = DPLedger(store=store_from(args), run_id=record.run_id, label=str(args.real))
        with progress_bar() as progress:  # DP teacher and DP generator fits charge `ledger`
            result = distill(train, holdout, config, synthetic=synthetic, progress=progress,
                             ledger=ledger)
        digest = write_distill_outputs(result, out, force=args.force, run_id=record.run_id,
                                       train_sha256=train_sha)
        record.outputs = {p.name: sha256_file(p) for p in sorted(Path(out).iterdir())
                          if p.is_file()}
        record.outputs["manifest_sha256"] = digest
        report = result.report_dict()
        record.metrics = _summary(report)
        if result.teacher_privacy is not None:
            record.privacy = {"teacher": result.teacher_privacy.to_dict()}
    print(json.dumps({"out": str(out), **record.metrics}, indent=2, sort_keys=True))
    console.print(f"wrote {out}/report.html")
    return 0


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    shipped = next((c for c in report["compressed"] if c["method"] == report["shipped"]),
                   report["student"])
    return {
        "teacher_roc_auc": report["teacher"]["roc_auc"],
        "student_roc_auc": report["student"]["roc_auc"],
        "shipped": report["shipped"],
        "shipped_roc_auc": shipped["roc_auc"],
        "shipped_size_bytes": shipped["size_bytes"],
        "student_size_bytes": report["student"]["size_bytes"],
        "params_ratio": report["params_ratio_student_to_teacher"],
        "transfer_set_sha256": report["transfer_set"]["sha256"],
        "student_membership_auc": report["student"]["membership_auc"],
    }

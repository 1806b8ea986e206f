"""Benchmark: distillation on Adult (target ``class``) against the issue-7 targets.

Run: ``.venv/bin/python benchmarks/distill_adult.py [--table FILE --target COL --sensitive COL]``

Measured in the same run (the machine is shared, so only same-run ratios mean anything):
- the teacher MLP (real rows) vs the student (synthetic rows only): params ratio, AUC ratio;
- our int8 student vs its fp32 version: size ratio, AUC loss;
- equalised-odds difference for the first sensitive column: student vs teacher;
- the rivals: torch's built-in (deprecated) ``quantize_dynamic`` on the same student
  (AUC, latency, size of its serialised state), and the same student architecture trained
  directly on the real rows (what the synthetic-only constraint costs).
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time
import warnings

import numpy as np
import torch
from fairlearn.metrics import equalized_odds_difference
from sklearn.metrics import roc_auc_score

from synthguard.compression import DistillConfig, StudentConfig, distill
from synthguard.compression._mlp import build_mlp, softmax
from synthguard.data import load_table, train_holdout_split


def _median_ms(fn, x, reps):  # type: ignore[no-untyped-def]
    fn(x)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", default="adult")
    parser.add_argument("--target", default="class")
    parser.add_argument("--sensitive", nargs="*", default=["sex", "race"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prune", type=float, default=0.5)
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()
    torch.set_num_threads(1)  # as inside distill(): same conditions for ours and the rival

    frame = load_table(args.table)
    split = train_holdout_split(frame, stratify=args.target, seed=args.seed)
    config = DistillConfig(target=args.target, sensitive=tuple(args.sensitive), prune=args.prune,
                           quantize="int8", seed=args.seed, student=StudentConfig())
    start = time.perf_counter()
    result = distill(split.train, split.holdout, config)
    elapsed = time.perf_counter() - start
    report = result.report_dict()
    teacher, student = report["teacher"], report["student"]
    int8 = next(c for c in report["compressed"] if c["method"] == "int8")
    shipped = next(c for c in report["compressed"] if c["method"] == report["shipped"])

    # equalised odds for the first sensitive column, via fairlearn directly (independent check)
    hold = split.holdout[split.holdout[args.target].notna()].reset_index(drop=True)
    y = (hold[args.target].astype(str) == result.classes[result.positive_index]).to_numpy(int)
    features = result.data["features"]
    p_teacher = softmax(result.teacher.logits(result.teacher_encoder.transform(hold[features])))
    x_student = torch.from_numpy(result.transfer.encoder.transform(hold[features]))
    with torch.no_grad():
        p_student = softmax(result.student(x_student).numpy())
        p_shipped = softmax(result.shipped(x_student).numpy())
    pos = result.positive_index
    col = args.sensitive[0] if args.sensitive else None

    def eo(p: np.ndarray) -> float:
        if col is None:
            return float("nan")
        return float(equalized_odds_difference(y, (p.argmax(1) == pos).astype(int),
                                               sensitive_features=hold[col].astype(str)))

    # rival 1: torch's built-in dynamic quantisation of the same student
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        torch_q = quantize_dynamic(result.student, {torch.nn.Linear}, dtype=torch.qint8)
        buffer = io.BytesIO()
        torch.save(torch_q.state_dict(), buffer)  # measured only, never loaded back
        with torch.no_grad():
            p_torch_q = softmax(torch_q(x_student).numpy())
    batch1, batch1024 = x_student[:1], x_student[:1024]

    def run(model):  # type: ignore[no-untyped-def]
        def fn(x):  # type: ignore[no-untyped-def]
            with torch.no_grad():
                return model(x)
        return fn

    lat = {
        "ours_int8_b1": _median_ms(run(result.shipped if shipped["method"] == "int8"
                                       else _pack_int8(result)), batch1, 300),
        "torch_qdyn_b1": _median_ms(run(torch_q), batch1, 300),
        "ours_int8_b1024": _median_ms(run(_pack_int8(result)), batch1024, 50),
        "torch_qdyn_b1024": _median_ms(run(torch_q), batch1024, 50),
        "fp32_b1024": _median_ms(run(result.student), batch1024, 50),
    }

    # rival 2: the same student architecture trained on the real rows (hard labels)
    real_auc = _real_student_auc(result, split.train, hold, y, args.seed)

    figures = {
        "teacher_auc": teacher["roc_auc"], "student_auc": student["roc_auc"],
        "int8_auc": int8["roc_auc"], "shipped": shipped["method"],
        "shipped_auc": shipped["roc_auc"],
        "params_teacher": teacher["params"], "params_student": student["params"],
        "params_ratio": student["params"] / teacher["params"],
        "auc_ratio_student_teacher": student["roc_auc"] / teacher["roc_auc"],
        "int8_size_ratio": int8["size_bytes"] / student["size_bytes"],
        "int8_auc_loss": student["roc_auc"] - int8["roc_auc"],
        "shipped_size_ratio": shipped["size_bytes"] / student["size_bytes"],
        "shipped_auc_loss": student["roc_auc"] - shipped["roc_auc"],
        f"eo_{col}_teacher": eo(p_teacher), f"eo_{col}_student": eo(p_student),
        f"eo_{col}_shipped": eo(p_shipped),
        "membership_auc_teacher": teacher["membership_auc"],
        "membership_auc_student": student["membership_auc"],
        "rival_torch_quantize_dynamic_auc": float(roc_auc_score(y, p_torch_q[:, pos])),
        "rival_torch_quantize_dynamic_state_bytes": len(buffer.getvalue()),
        "ours_int8_file_bytes": int8["file_bytes"],
        "rival_student_on_real_rows_auc": real_auc,
        "latency_ms": lat,
        "latency_ratio_ours_vs_torch_b1": lat["ours_int8_b1"] / lat["torch_qdyn_b1"],
        "latency_ratio_ours_vs_torch_b1024": lat["ours_int8_b1024"] / lat["torch_qdyn_b1024"],
        "transfer_rows": report["transfer_set"]["rows"],
        "dropped_real_copies": report["transfer_set"]["dropped_real_copies"],
        "seconds": elapsed,
    }
    checks = {
        "student params <= 1/10 teacher": figures["params_ratio"] <= 0.1,
        "student AUC >= 0.98 x teacher": figures["auc_ratio_student_teacher"] >= 0.98,
        "int8 size <= 35% of fp32": figures["int8_size_ratio"] <= 0.35,
        "int8 AUC loss <= 0.005": figures["int8_auc_loss"] <= 0.005,
    }
    if col is not None:
        eo_int8 = eo(_int8_proba(result, x_student))
        figures[f"eo_{col}_int8"] = eo_int8
        checks[f"EO({col}) student <= teacher + 0.02"] = (
            figures[f"eo_{col}_student"] <= figures[f"eo_{col}_teacher"] + 0.02)
        checks[f"EO({col}) int8 <= teacher + 0.02"] = (
            eo_int8 <= figures[f"eo_{col}_teacher"] + 0.02)
    print(json.dumps(figures, indent=2))
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"figures": figures, "checks": checks}, handle, indent=2)


def _pack_int8(result):  # type: ignore[no-untyped-def]
    from synthguard.compression.packed import pack_model

    return pack_model(result.student, weight_format="int8", act="dynamic")


def _int8_proba(result, x):  # type: ignore[no-untyped-def]
    with torch.no_grad():
        return softmax(_pack_int8(result)(x).numpy())


def _real_student_auc(result, train, hold, y, seed):  # type: ignore[no-untyped-def]
    target = result.config.target
    features = result.data["features"]
    train = train[train[target].notna()]
    x = torch.from_numpy(result.teacher_encoder.transform(train[features]))
    labels = torch.from_numpy(
        (train[target].astype(str) == result.classes[result.positive_index]).to_numpy(np.int64))
    torch.manual_seed(seed)
    model = build_mlp(x.shape[1], result.config.student.hidden, 2)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(seed)
    for _ in range(30):
        perm = torch.from_numpy(rng.permutation(len(x)))
        for start in range(0, len(x), 512):
            idx = perm[start:start + 512]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), labels[idx]).backward()
            opt.step()
    with torch.no_grad():
        p = softmax(model(torch.from_numpy(result.teacher_encoder.transform(hold[features]))).numpy())
    return float(roc_auc_score(y, p[:, 1]))


if __name__ == "__main__":
    main()

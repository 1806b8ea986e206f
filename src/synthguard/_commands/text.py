"""Text commands: ``evaluate-text``; plus the text input/output used by ``generate``.

``synthguard generate`` (core) calls :func:`load_text_data` and :func:`write_text_sample`
when the generator's ``caps.modality == "text"``: corpora are JSONL/TXT, output is JSONL with
the documents under the same field name as ``--text-field``, written atomically.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard._commands._common import console, recorded_run
from synthguard._io import sha256_file
from synthguard.errors import ParameterError, SchemaError
from synthguard.generators.base import Generator
from synthguard.generators.text.corpus import read_corpus, write_corpus
from synthguard.progress import ProgressCallback, report


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate-text",
        help="leakage (PII values, real 8-grams) and quality (lengths, vocabulary, TSTR) of a "
             "synthetic text corpus",
    )
    p.add_argument("--real", required=True, help="real corpus (.jsonl or .txt)")
    p.add_argument("--synthetic", required=True, help="synthetic corpus (.jsonl or .txt)")
    p.add_argument("--text-field", default="text", help="field holding the documents (default text)")
    p.add_argument("--label-field", help="label field for the TSTR text classifier (both corpora)")
    p.add_argument("--ngram", type=int, default=8, help="n of the verbatim word n-grams (default 8)")
    p.add_argument("--no-pii", action="store_true",
                   help="skip detecting the real corpus' PII values (faster; no PII leakage figure)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="report file (.json or .html)")
    p.set_defaults(handler=cmd_evaluate_text)


def cmd_evaluate_text(args: argparse.Namespace) -> int:
    from synthguard.evaluation.text import evaluate_text, write_text_report

    out = Path(args.out)
    if out.suffix.lower() not in (".json", ".html", ".htm"):
        raise ParameterError(f"--out {args.out!r} must end in .json or .html")
    if args.ngram < 2:
        raise ParameterError(f"--ngram must be >= 2, got {args.ngram}")
    real = read_corpus(args.real, text_field=args.text_field)
    synthetic = read_corpus(args.synthetic, text_field=args.text_field)
    real_labels = synthetic_labels = None
    if args.label_field:
        real_labels = _labels(real, args.label_field, args.real, required=True)
        synthetic_labels = _labels(synthetic, args.label_field, args.synthetic, required=False)
    with recorded_run(args, "evaluate-text", seed=args.seed, plugin="text") as record:
        record.inputs["real"] = sha256_file(args.real)
        record.inputs["synthetic"] = sha256_file(args.synthetic)
        result = evaluate_text(
            real[args.text_field].tolist(), synthetic[args.text_field].tolist(),
            real_labels=real_labels, synthetic_labels=synthetic_labels,
            detect_pii=not args.no_pii, n=args.ngram, seed=args.seed,
        )
        write_text_report(result, out)
        record.outputs["report"] = sha256_file(out)
        ng = result.ngrams.to_dict()
        record.metrics.update({
            "real_ngrams_reproduced": ng["real_share_found"],
            "rare_ngrams_reproduced": ng["rare_share_found"],
            "length_ks_chars": result.lengths["chars"]["ks"],
            "vocabulary_jaccard": result.vocabulary["jaccard"],
        })
        if result.pii is not None:
            record.metrics["pii_values_reproduced"] = result.pii.share
        if result.tstr is not None:
            record.metrics["tstr_accuracy"] = result.tstr["tstr"]["accuracy"]
    console.print(f"wrote text evaluation to {out} (run {record.run_id})")
    return 0


def _labels(frame: pd.DataFrame, field: str, path: str, *, required: bool) -> list[Any] | None:
    if field not in frame.columns or frame[field].isna().any():
        if not required:
            return None
        present = [str(c) for c in frame.columns]
        raise SchemaError(
            f"{path!r}: label field {field!r} is missing "
            f"{'in some documents' if field in frame.columns else ''}; fields are {present}"
        )
    return frame[field].tolist()


# ----------------------------------------------------------------- used by `generate`


def load_text_data(path: str, *, text_field: str) -> pd.DataFrame:
    """The corpus for a text generator: JSONL/TXT with documents under ``text_field``."""
    return read_corpus(path, text_field=text_field)


def check_text_out(out: Path) -> None:
    if out.suffix.lower() not in (".jsonl", ".ndjson"):
        raise ParameterError(f"--out {str(out)!r} must end in .jsonl for a text generator")


def write_text_sample(
    generator: Generator, rows: int, out: Path, *, seed: int, text_field: str,
    progress: ProgressCallback | None = None,
) -> Path:
    """Sample ``rows`` documents and write them as JSONL under ``text_field`` (plus any
    columns the generator carries, e.g. ``surrogate_text``'s ``keep_fields``), atomically."""
    frame = generator.sample(rows, seed=seed, progress=progress)
    extra = {str(c): frame[c].tolist() for c in frame.columns if c != text_field}
    path = write_corpus(out, frame[text_field].tolist(), text_field=text_field, extra=extra)
    report(progress, "writing documents", rows, rows)
    return path

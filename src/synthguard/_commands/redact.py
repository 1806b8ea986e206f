"""Commands: ``synthguard redact``, ``synthguard decrypt`` and ``synthguard pii-columns``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from synthguard._commands._common import positive_int, unit_interval
from synthguard.errors import ParameterError


def add_parsers(sub: Any) -> None:
    from synthguard.redaction.entities import ALL_ENTITIES
    from synthguard.redaction.operators import OPERATORS

    p = sub.add_parser(
        "redact", help="find and transform sensitive spans in text files and tables",
        description="Redact PII in .jsonl/.txt documents or .csv/.parquet tables (offline).",
    )
    p.add_argument("--in", dest="in_path", required=True, help=".jsonl, .txt, .csv or .parquet")
    p.add_argument("--out", dest="out_path", required=True, help="output file (same family)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--text-field", help="JSONL field holding the text (default: text)")
    g.add_argument("--columns", nargs="+", help="table columns to redact (default: detected)")
    p.add_argument("--operator", default="replace", choices=OPERATORS.names(),
                   help="default operator (default: replace)")
    p.add_argument("--policy", help="YAML/JSON policy: default operator + operator per entity")
    p.add_argument("--entity-operator", action="append", default=[], metavar="ENTITY=OP",
                   help="operator for one entity type, e.g. PERSON=surrogate (repeatable)")
    p.add_argument("--entities", nargs="+", metavar="E", help=f"entity types to find ({len(ALL_ENTITIES)} by default)")
    p.add_argument("--threshold", type=unit_interval, default=0.35, help="minimum score (default 0.35)")
    p.add_argument("--seed", type=int, default=0, help="seed for surrogate values")
    p.add_argument("--key-file", help="key for encrypt (else $SYNTHGUARD_REDACTION_KEY)")
    p.add_argument("--salt-file", help="salt for hash (else $SYNTHGUARD_REDACTION_SALT)")
    p.add_argument("--workers", type=positive_int, default=min(2, os.cpu_count() or 1),
                   help="worker processes (default: 2 or the number of CPUs)")
    p.add_argument("--chunk-size", type=positive_int, default=512, help="documents/rows per batch")
    p.add_argument("--keep-original", action="store_true",
                   help="ALSO keep the original text/columns in the output (redacted_text / "
                        "<column>_redacted beside them): this LEAVES THE PII IN THE OUTPUT FILE. "
                        "Default: the redacted text replaces the original")
    from synthguard._commands._engine_flags import add_engine_flags

    add_engine_flags(p)  # --engine ray: --in/--out may also be folders of shards
    p.set_defaults(handler=_redact)

    d = sub.add_parser("decrypt", help="restore values encrypted by `redact --operator encrypt`")
    d.add_argument("--in", dest="in_path", required=True)
    d.add_argument("--out", dest="out_path", required=True)
    d.add_argument("--text-field", help="JSONL field to decrypt (default: redacted_text if present, else text)")
    d.add_argument("--key-file", help="key file (else $SYNTHGUARD_REDACTION_KEY)")
    d.set_defaults(handler=_decrypt)

    e = sub.add_parser(
        "evaluate-redaction", help="score redaction on a labelled corpus (character-level F2)",
        description="Per-entity recall, precision and F2 (character level) of the redaction "
                    "engine on a labelled JSON/JSONL (character spans) or CoNLL (token/BIO) corpus.",
    )
    e.add_argument("--corpus", required=True, help="labelled corpus: .json, .jsonl or CoNLL")
    e.add_argument("--format", dest="corpus_format", default="auto",
                   choices=["auto", "json", "jsonl", "conll"], help="corpus format (default: auto)")
    e.add_argument("--label-map", help="JSON/YAML map corpus label -> entity type (null drops it)")
    e.add_argument("--out", dest="out_path", help="write the report as JSON here")
    e.add_argument("--policy", help="policy file (its recognizers: section adds detectors)")
    e.add_argument("--threshold", type=unit_interval, default=0.35, help="minimum score (default 0.35)")
    e.add_argument("--workers", type=positive_int, default=min(2, os.cpu_count() or 1),
                   help="worker processes (default: 2 or the number of CPUs)")
    e.set_defaults(handler=_evaluate_redaction)

    c = sub.add_parser("pii-columns", help="report which table columns hold PII")
    c.add_argument("--in", dest="in_path", required=True, help=".csv or .parquet")
    c.add_argument("--sample", type=positive_int, default=200, help="values sampled per column")
    c.set_defaults(handler=_pii_columns)


def _overrides(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--entity-operator expects ENTITY=OP, got {item!r}")
        ent, op = item.split("=", 1)
        out[ent.strip().upper()] = op.strip()
    return out


def _redact(args: argparse.Namespace) -> int:
    from synthguard._commands._common import console, progress_bar, recorded_run
    from synthguard.redaction import Policy, RedactionEngine
    from synthguard.redaction._crypto import KEY_ENV, SALT_ENV, load_secret
    from synthguard.redaction.batch import redact_file

    policy = (Policy.from_file(args.policy, default=args.operator) if args.policy
              else Policy.coerce(None, default=args.operator))
    policy = policy.with_overrides(_overrides(args.entity_operator))
    key = load_secret(args.key_file, KEY_ENV, "key")
    salt = load_secret(args.salt_file, SALT_ENV, "salt")
    engine = RedactionEngine(
        entities=args.entities, threshold=args.threshold, policy=policy, seed=args.seed,
        key=key, salt=salt, workers=max(1, args.workers),
    )  # raises before any output if an operator lacks its key/salt
    from synthguard._commands._engine_flags import engine_from

    runner = engine_from(args)
    with recorded_run(args, "redact", seed=args.seed,
                      params={"operator": args.operator, "threshold": args.threshold,
                              "entities": engine.entities, "policy": policy.to_dict(),
                              "engine": runner.kind,
                              "keep_original": args.keep_original}) as record:
        with progress_bar() as progress:
            if runner.is_ray:
                from synthguard.redaction._ray import redact_path_ray

                summary = redact_path_ray(args.in_path, args.out_path, runner=runner,
                                          text_field=args.text_field, columns=args.columns,
                                          engine=engine, chunk_size=args.chunk_size,
                                          progress=progress, keep_original=args.keep_original)
            else:
                summary = redact_file(args.in_path, args.out_path, text_field=args.text_field,
                                      columns=args.columns, engine=engine,
                                      chunk_size=args.chunk_size, progress=progress,
                                      keep_original=args.keep_original)
        record.metrics.update(summary.to_dict())
    console.print(f"redacted {summary.documents:,} records in {summary.seconds:.1f}s "
                  f"({summary.docs_per_second:,.0f} docs/s) -> {args.out_path}")
    if summary.columns:
        console.print("columns: " + ", ".join(f"{c}={e}" for c, e in summary.columns.items()))
    for entity, n in sorted(summary.entities.items(), key=lambda kv: -kv[1]):
        console.print(f"  {entity:<18} {n:>8,}")
    return 0


def _evaluate_redaction(args: argparse.Namespace) -> int:
    from synthguard._commands._common import console
    from synthguard._io import atomic_path
    from synthguard.redaction import Policy, RedactionEngine
    from synthguard.redaction.evaluate import (
        evaluate_redaction,
        load_label_map,
        read_labelled_corpus,
    )

    label_map = load_label_map(args.label_map) if args.label_map else None
    docs, kind = read_labelled_corpus(args.corpus, fmt=args.corpus_format, label_map=label_map)
    policy = Policy.from_file(args.policy) if args.policy else None
    engine = RedactionEngine(threshold=args.threshold, policy=policy, workers=max(1, args.workers))
    report = evaluate_redaction(docs, engine=engine, label_map=label_map, source=str(args.corpus),
                                fmt=kind)
    if args.out_path:
        with atomic_path(args.out_path) as tmp:
            tmp.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")

    def cell(x: float | None) -> str:
        return "   -  " if x is None else f"{x:6.3f}"

    print(f"{report.documents:,} documents ({kind}); character level, non-space characters")
    print(f"{'entity':<20} {'recall':>6} {'precision':>9} {'F2':>6} {'gold chars':>11} {'found chars':>11}")
    rows = [("ALL (any type)", report.overall), *sorted(report.per_entity.items())]
    for name, sc in rows:
        print(f"{name:<20} {cell(sc.recall)} {cell(sc.precision):>9} {cell(sc.f2)} "
              f"{sc.gold_chars:>11,} {sc.predicted_chars:>11,}")
    if args.out_path:
        console.print(f"report -> {args.out_path}")
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    from synthguard.redaction._crypto import KEY_ENV, KEY_HELP, load_secret
    from synthguard.redaction.batch import decrypt_file

    key = load_secret(args.key_file, KEY_ENV, "key")
    if not key:
        raise ParameterError(f"decrypt needs the key used to encrypt: {KEY_HELP}")
    n = decrypt_file(args.in_path, args.out_path, key=key, text_field=args.text_field)
    print(f"decrypted {n:,} records -> {args.out_path}", file=sys.stderr)
    return 0


def _pii_columns(args: argparse.Namespace) -> int:
    from synthguard._commands._common import print_json
    from synthguard.data import load_table
    from synthguard.redaction.tables import detect_pii_columns

    frame = load_table(args.in_path)
    found = detect_pii_columns(frame, sample=args.sample)
    print_json({c: {"entity_type": e, "confidence": conf} for c, (e, conf) in found.items()})
    return 0

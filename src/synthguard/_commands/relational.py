"""Relational commands: ``schema``, and the folder branches of ``generate`` and ``evaluate``.

``generate --data DIR`` (a folder of tables, or ``mimic3_demo``) and ``evaluate --real DIR``
land here from :mod:`synthguard._commands.core`; everything is written to a temporary folder
renamed on success, so bad input writes nothing.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from synthguard._commands._common import console, print_json, progress_bar, recorded_run, store_from
from synthguard.errors import ParameterError
from synthguard.generators.registry import DEFAULT_TABULAR_GENERATOR

DEFAULT_GENERATOR = "hierarchical"
_SINGLE_TABLE_DEFAULT = DEFAULT_TABULAR_GENERATOR  # `generate --generator` default


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("schema", help="show the tables, keys and relationships of a folder of tables")
    p.add_argument("--data", required=True, help="folder of CSV/Parquet tables or mimic3_demo")
    p.add_argument("--metadata", metavar="JSON", help="SDV multi-table metadata (keys inferred if absent)")
    p.add_argument("--write-metadata", metavar="JSON", help="write the (inferred) metadata here for review")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_schema)


def _load(args: argparse.Namespace) -> Any:
    from synthguard.data.relational import load_relational

    return load_relational(args.data, metadata=getattr(args, "metadata", None))


def cmd_schema(args: argparse.Namespace) -> int:
    data = _load(args)
    meta = data.metadata
    if args.write_metadata:
        meta.write(args.write_metadata)
    summary = {
        "tables": {t: {"rows": len(data.tables[t]), "primary_key": m.primary_key,
                       "sequence_index": m.sequence_index, "columns": m.columns}
                   for t, m in meta.tables.items()},
        "relationships": [r.label() for r in meta.relationships],
        "primary_parent": {t: (data.primary_parent(t).label() if data.primary_parent(t) else None)
                           for t in meta.tables},
        "depth": meta.depth(), "load_report": data.report.to_dict(),
    }
    if args.json:
        print_json(summary)
        return 0
    from rich.table import Table

    table = Table("table", "rows", "primary key", "event time", "generated under", "columns")
    for name, item in summary["tables"].items():
        parent = summary["primary_parent"][name]
        table.add_row(name, str(item["rows"]), item["primary_key"] or "-", item["sequence_index"] or "-",
                      parent.split(" -> ")[1] if parent else "(root)", str(len(item["columns"])))
    console.print(table)
    console.print(f"depth {summary['depth']}; keys {'inferred: review them' if data.report.inferred_keys else 'from metadata'}")
    for label in summary["relationships"]:
        console.print(f"  {label}")
    rep = data.report
    if rep.orphans_dropped or rep.null_primary_keys_dropped or rep.notes:
        console.print(f"orphans dropped {rep.orphans_dropped}; null keys {rep.null_foreign_keys}; "
                      f"rule: {rep.RULE}")
        for note in rep.notes:
            console.print(f"  {note}")
    if args.write_metadata:
        console.print(f"wrote {args.write_metadata}")
    return 0


def _params(cls: Any, args: argparse.Namespace) -> dict[str, Any]:
    from dataclasses import fields

    names = {f.name for f in fields(cls.Params)}
    params: dict[str, Any] = {}
    for flag in ("epsilon", "delta", "epochs", "batch_size", "max_cells", "bounds"):
        value = getattr(args, flag, None)
        if value is None:
            continue
        if flag not in names:
            raise ParameterError(f"--{flag.replace('_', '-')} does not apply to relational generator "
                                 f"{cls.name!r}; its parameters are {sorted(names)}")
        params[flag] = value
    for item in getattr(args, "param", []) or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ParameterError(f"--param {item!r} must look like KEY=VALUE")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


def cmd_generate(args: argparse.Namespace) -> int:
    """``generate`` with a folder: fit a relational generator, stream every table to --out."""
    from synthguard._io import sha256_file
    from synthguard.generators.relational import get_relational_generator, sample_to_folder
    from synthguard.generators.relational.base import save_relational_generator

    name = DEFAULT_GENERATOR if args.generator == _SINGLE_TABLE_DEFAULT else args.generator
    cls = get_relational_generator(name)
    out = Path(args.out)
    if out.suffix.lower() in (".csv", ".parquet", ".pq", ".jsonl"):
        raise ParameterError(f"--out {args.out!r} is a file name; relational data is written to a folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ParameterError(f"--out {args.out!r} exists and is not an empty folder; give a new folder")
    if args.rows is not None and (isinstance(args.rows, bool) or args.rows <= 0):
        raise ParameterError(f"--rows (root entities) must be a positive integer, got {args.rows}")
    generator = cls(**_params(cls, args))
    data = _load(args)
    with recorded_run(args, "generate", seed=args.seed, plugin=cls.name, params=generator.params.to_dict()) as record:
        record.dataset_sha256 = data.fingerprint()
        record.inputs["data"] = args.data
        record.metrics["load_report"] = data.report.to_dict()
        source = None
        if args.holdout_fraction:
            from synthguard.data.relational import write_tables
            from synthguard.evaluation.relational import split_entities

            train, holdout = split_entities(data, holdout_fraction=args.holdout_fraction, seed=args.seed)
            source, data = data, train
        roots = data.metadata.roots()
        scale = 1.0 if args.rows is None else args.rows / max(len(data.tables[roots[0]]), 1)
        with progress_bar() as bar:
            started = time.perf_counter()
            if cls.caps.dp:
                from synthguard.generators.relational.dp import run_relational_dp_fit

                run_relational_dp_fit(generator, data, store=store_from(args), seed=args.seed,
                                      progress=bar, run_id=record.run_id, source=source)
            else:
                generator.fit(data, seed=args.seed, progress=bar)
            record.metrics["fit_seconds"] = time.perf_counter() - started
            summary = sample_to_folder(generator, out, scale=scale, seed=args.seed, progress=bar)
            record.metrics["sample_seconds"] = summary.seconds
            record.metrics["rows"] = summary.rows
        if args.holdout_fraction and args.split_dir:  # after the fit: a refusal writes nothing
            for part_name, part in (("train", train), ("holdout", holdout)):
                write_tables(part.tables, Path(args.split_dir) / part_name, part.metadata)
        for path in sorted(out.iterdir()):
            record.outputs[path.name] = sha256_file(path)
        spend = generator.privacy_spent()
        record.privacy = spend.to_dict() if spend else None
        if args.save_model:
            record.outputs["model_manifest"] = save_relational_generator(
                generator, args.save_model, run_id=record.run_id)
    rows = ", ".join(f"{t} {n}" for t, n in summary.rows.items())
    console.print(f"wrote {len(summary.rows)} tables to {out} ({rows}) (run {record.run_id})")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``evaluate`` with folders: the relational report (JSON or HTML) with per-table results."""
    from synthguard._io import sha256_file, write_json_atomic
    from synthguard.data.relational import load_relational, load_tables
    from synthguard.evaluation.relational import evaluate_relational, render_relational_html

    real = load_relational(args.real, metadata=args.metadata)
    synthetic = load_tables(args.synthetic, real.metadata)
    holdout = load_relational(args.holdout, metadata=real.metadata.to_dict()) if args.holdout else None
    out = Path(args.out)
    fmt = args.format or ("html" if out.suffix.lower() in (".html", ".htm") else "json")
    with recorded_run(args, "evaluate", seed=args.seed) as record:
        record.dataset_sha256 = real.fingerprint()
        record.inputs["real"] = real.fingerprint()
        with progress_bar() as bar:
            result = evaluate_relational(real, synthetic, holdout=holdout, target=args.target,
                                         seed=args.seed, progress=bar)
        if fmt == "json":
            write_json_atomic(out, result)
        else:
            render_relational_html(result).write(out)
        record.outputs["report"] = sha256_file(out)
        record.metrics = {"quality_score": result["quality"]["quality_score"],
                          "integrity": result["integrity"]["overall"]}
    console.print(f"wrote {out} (multi-table quality {result['quality']['quality_score']:.3f}, "
                  f"integrity {result['integrity']['overall']:.1%})")
    return 0

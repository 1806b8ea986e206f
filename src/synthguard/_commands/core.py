"""Core commands: generate, evaluate, generators, runs, demo, doctor."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import time
from dataclasses import fields
from pathlib import Path
from typing import Any, cast

from synthguard._commands._common import (
    console,
    positive_int,
    print_json,
    progress_bar,
    recorded_run,
)
from synthguard._commands._engine_flags import add_engine_flags, engine_from
from synthguard._engine import Engine
from synthguard._io import sha256_file
from synthguard._outputs import commit_staged, staged_file
from synthguard.data import (
    infer_schema,
    load_table,
    table_fingerprint,
    train_holdout_split,
    write_table,
)
from synthguard.data.builtin import builtin_defaults, builtin_names, source_schema
from synthguard.errors import ParameterError
from synthguard.generators import (
    DEFAULT_TABULAR_GENERATOR,
    FAST_TABULAR_GENERATOR,
    create_generator,
    get_generator,
    list_generators,
    save_generator,
)
from synthguard.generators._pii import PiiPolicy, PiiReport, check_policy
from synthguard.generators.base import ROWS_LIMIT, Generator, check_rows, check_rows_limit
from synthguard.generators.streaming import DEFAULT_CHUNK_ROWS, RowSource
from synthguard.generators.streaming import sample_to_file as stream_to_file
from synthguard.progress import ProgressCallback

# Flags that map onto generator parameters of the same name, when the generator has them.
_PARAM_FLAGS = ("epochs", "batch_size", "epsilon", "delta", "max_cells", "bounds")


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("generate", help="fit a generator on a table and sample a synthetic table")
    p.add_argument("--data", required=True, help="CSV/Parquet file or built-in dataset name (adult)")
    p.add_argument("--generator", default=DEFAULT_TABULAR_GENERATOR,
                   help=f"registry name (see `synthguard generators`; default {DEFAULT_TABULAR_GENERATOR}, "
                        f"fast: {FAST_TABULAR_GENERATOR})")
    p.add_argument("--rows", type=int, help="number of synthetic rows (or documents); with a folder of "
                   "tables: root entities (default: as many as the real data)")
    p.add_argument("--seed", type=int, default=0, help="seed for fit and sample (default 0)")
    p.add_argument("--out", required=True, help="output file (.csv or .parquet; .jsonl for text)")
    p.add_argument("--save-model", metavar="DIR", help="save the fitted model (folder with manifest.json; "
                   "must be new or empty)")
    p.add_argument("--force", action="store_true",
                   help="replace a --save-model folder that synthguard saved before (never other files)")
    p.add_argument("--metadata", metavar="JSON", help="schema overrides (kinds, bounds) as JSON")
    p.add_argument("--epochs", type=int, help="training epochs (neural generators)")
    p.add_argument("--batch-size", type=int, help="training batch size (neural generators)")
    p.add_argument("--epsilon", type=float, help="privacy budget ε (DP generators)")
    p.add_argument("--delta", type=float, help="privacy parameter δ (DP generators)")
    p.add_argument("--max-cells", type=int, help="largest marginal size (AIM/MST)")
    p.add_argument("--bounds", metavar="FILE", help="public numeric bounds (JSON) for DP generators")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="any other generator parameter (JSON value), repeatable")
    p.add_argument("--pii", choices=("auto", "fake", "drop", "keep"), default="auto",
                   help="PII/id columns: fake (surrogates; the default, drop for DP generators), "
                        "drop, or keep real values (warned)")
    p.add_argument("--pii-column", action="append", default=[], metavar="COL=POLICY",
                   help="per-column PII policy (fake|drop|keep), repeatable")
    p.add_argument("--rows-limit", type=positive_int, metavar="N",
                   help=f"largest --rows accepted (default {ROWS_LIMIT:,}); a larger --rows is "
                        "refused before any work")
    p.add_argument("--min-rows", type=positive_int, default=10, metavar="N",
                   help="refuse tables with fewer rows (default 10)")
    p.add_argument("--holdout-fraction", type=float, default=0.0,
                   help="hold out this share of --data before fitting (never shown to the generator)")
    p.add_argument("--stratify", help="column to stratify the holdout split on")
    p.add_argument("--split-dir", metavar="DIR",
                   help="write train.parquet and holdout.parquet of the split here (for `evaluate`)")
    add_engine_flags(p)
    p.add_argument("--text-field", help="text generators: JSONL field holding the documents "
                   "(default text); the output uses the same field name")
    p.add_argument("--chunk-rows", type=positive_int, default=DEFAULT_CHUNK_ROWS,
                   help=f"rows per written chunk / Ray shard (default {DEFAULT_CHUNK_ROWS:,}); "
                        "the output is the same for any value")
    _add_condition_flags(p)
    p.set_defaults(handler=cmd_generate)

    p = sub.add_parser("evaluate", help="judge a synthetic table against real train and holdout tables")
    p.add_argument("--real", required=True, help="real training table (what the generator saw)")
    p.add_argument("--synthetic", required=True, help="synthetic table")
    p.add_argument("--holdout", help="real holdout table (never shown to the generator); required "
                   "for a single table, optional for folders")
    p.add_argument("--target", help="target column for utility and fairness")
    p.add_argument("--sensitive", nargs="+", default=[], metavar="COL", help="sensitive column(s)")
    p.add_argument("--format", choices=("json", "html"), help="report format (default: from --out suffix)")
    p.add_argument("--out", required=True, help="report file (.json or .html)")
    p.add_argument("--metadata", metavar="JSON", help="schema overrides as JSON")
    p.add_argument("--attacks", nargs="+", metavar="NAME", help="leakage attacks: all or names")
    p.add_argument("--secret", help="secret column for attribute inference")
    p.add_argument("--quasi-identifiers", nargs="+", metavar="COL", help="columns the adversary knows")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-rows", type=int, default=200_000, metavar="N",
                   help="evaluate each table on a uniform random sample of at most N rows, read "
                        "in bounded memory; the report says what was sampled (default 200,000; 0 = all)")
    p.add_argument("--dcr-rows", type=positive_int, default=10_000, metavar="N",
                   help="rows per DCR sample (an HNSW index is used above 50,000) (default 10,000)")
    p.set_defaults(handler=cmd_evaluate)

    p = sub.add_parser("generators", help="list registered generators and their parameters")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_generators)

    p = sub.add_parser("runs", help="list recorded runs")
    p.add_argument("--limit", type=positive_int, default=20)
    p.add_argument("--command", dest="run_command", help="only runs of this command")
    p.add_argument("--json", action="store_true", help="print full JSON records")
    p.set_defaults(handler=cmd_runs)

    p = sub.add_parser("demo", help="the main job end to end on the built-in Adult dataset")
    p.add_argument("--out", default="reports/demo", help="output folder (default reports/demo)")
    p.add_argument("--generator", default=DEFAULT_TABULAR_GENERATOR)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("doctor", help="check that every plug-in and its dependencies load")
    p.set_defaults(handler=cmd_doctor)


def _add_condition_flags(p: argparse.ArgumentParser) -> None:
    """Conditional sampling flags of `generate` (docs/conditional.md)."""
    p.add_argument("--condition", action="append", default=[], metavar="COL=VALUE",
                   help="every row meets it: COL=VALUE, COL=A|B or COL=LOW..HIGH (repeatable)")
    p.add_argument("--rebalance", action="append", default=[], metavar="COL=SHARES",
                   help="shares of a column's values: COL=0.5,0.5 (value-set order) or "
                        "COL=A:0.7,B:0.3 (repeatable; several columns: product of shares)")
    p.add_argument("--constraints", metavar="FILE",
                   help="JSON/YAML file of constraints (fixed_combinations, inequality, range, "
                        "value_set, rounding), and optionally conditions and rebalance")
    p.add_argument("--min-acceptance", type=float, default=None, metavar="SHARE",
                   help="stop with an error when fewer generated rows than this share meet the "
                        "conditions (default 0.002)")


def _sampling_spec(args: argparse.Namespace, generator: Generator, frame: Any, schema: Any) -> Any:
    """The checked conditions/constraints of `generate`, or None; fails before any fit."""
    from synthguard.generators.conditions import build_spec

    spec = build_spec(conditions=args.condition, rebalance=args.rebalance, constraints=args.constraints)
    if spec.empty:
        if args.min_acceptance is not None:
            raise ParameterError("--min-acceptance applies only with --condition, --rebalance or --constraints")
        return None
    if generator.caps.modality != "tabular":
        raise ParameterError(f"--condition/--rebalance/--constraints apply to tabular generators, "
                             f"not {generator.name!r}")
    from synthguard.generators.conditional import domain_for

    spec.resolve(domain_for(generator, frame, schema), dp=generator.caps.dp)  # checked on the full table
    return spec


def _generator_params(cls: type[Generator], args: argparse.Namespace) -> dict[str, Any]:
    names = {f.name for f in fields(cls.Params)}
    params: dict[str, Any] = {}
    for flag in _PARAM_FLAGS:
        value = getattr(args, flag, None)
        if value is None:
            continue
        if flag not in names:
            raise ParameterError(f"--{flag.replace('_', '-')} does not apply to generator {cls.name!r}; "
                                 f"its parameters are {sorted(names)}")
        params[flag] = value
    for item in args.param:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ParameterError(f"--param {item!r} must look like KEY=VALUE")
        try:
            params[key] = json.loads(raw)
        except json.JSONDecodeError:
            params[key] = raw
    return params


def _pii_policy(args: argparse.Namespace) -> PiiPolicy:
    columns: dict[str, str] = {}
    for item in args.pii_column:
        column, sep, policy = item.rpartition("=")
        if not sep or not column:
            raise ParameterError(f"--pii-column {item!r} must look like COLUMN=fake|drop|keep")
        columns[column] = policy
    return PiiPolicy(default=args.pii, columns=columns, min_rows=args.min_rows)


def _say_pii(report: PiiReport) -> None:
    """What was done to PII/id columns; keeping real values is said loudly."""
    console.print(f"PII/id columns: {report.summary()}")
    if report.kept:
        console.print(f"[bold red]warning:[/bold red] real values of {', '.join(report.kept)} were "
                      "given to the generator (--pii keep) and can appear verbatim in the output")


def sample_to_file(generator: RowSource, rows: int, out: Path, *, seed: int,
                   progress: ProgressCallback | None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
                   engine: Engine | None = None) -> Path:
    """Sample ``rows`` rows in seeded chunks streamed atomically to ``out`` (bounded memory)."""
    stream_to_file(generator, rows, out, seed=seed, progress=progress, chunk_rows=chunk_rows,
                   engine=engine)
    return out


def cmd_generate(args: argparse.Namespace) -> int:
    from synthguard.data.relational import is_relational_source

    check_rows_limit(args.rows, limit=args.rows_limit)  # before anything, for every kind of data
    if is_relational_source(args.data):  # a folder of tables: relational (_commands/relational.py)
        from synthguard._commands import relational

        return relational.cmd_generate(args)
    if args.rows is not None:  # default: as many rows as the (train) table has, set below
        check_rows(args.rows)
    engine_from(args)  # bad --engine/--ray-address combinations fail before the fit
    cls = get_generator(args.generator)
    out = Path(args.out)
    if cls.caps.modality == "tabular" and out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise ParameterError(f"--out {args.out!r} must end in .csv or .parquet")
    text = cls.caps.modality == "text"  # corpus in/out lives in _commands/text.py
    if text:
        from synthguard._commands import text as text_io

        text_io.check_text_out(out)
    elif args.text_field:
        raise ParameterError(f"--text-field applies to text generators only, not {cls.name!r}")
    params = _generator_params(cls, args)
    if text:
        params.setdefault("text_field", args.text_field or "text")
    generator = cls(**params).with_pii(_pii_policy(args))
    if text:
        frame = text_io.load_text_data(args.data, text_field=params["text_field"])
        schema = None
    else:
        frame = load_table(args.data)
        check_policy(frame, generator.pii_policy)  # before anything is written
        schema = source_schema(frame, args.data, overrides=args.metadata)  # built-ins: public bounds
    spec = _sampling_spec(args, generator, frame, schema)
    if spec is not None and schema is not None and getattr(cls, "fuses_combinations", False):
        from synthguard.generators.conditional import schema_with_combinations

        # a DP marginal generator models declared combinations at fit (public, no ε)
        schema = schema_with_combinations(schema, spec)
    if generator.caps.dp and not text:  # ε, δ, public bounds and budget, before anything runs
        from synthguard._commands._common import store_from
        from synthguard.generators.preflight import preflight

        preflight(generator, frame, schema=schema, store=store_from(args))
    source: Any = generator  # what is sampled: the generator, or it under conditions
    # All or nothing: the table and split files are staged beside their targets, the model is
    # saved (itself atomic), and only then are the staged files moved into place.
    with recorded_run(args, "generate", seed=args.seed, plugin=cls.name, params=params) as record, \
            contextlib.ExitStack() as staging:
        staged: dict[Path, Path] = {}

        def stage(target: Path) -> Path:
            staged[target] = staging.enter_context(staged_file(target))
            return staged[target]

        record.dataset_sha256 = table_fingerprint(frame)
        record.inputs["data"] = args.data if not Path(args.data).exists() else sha256_file(args.data)
        loaded = frame  # the dataset whose budget a DP fit charges (also when split)
        if args.holdout_fraction:
            split = train_holdout_split(frame, holdout_fraction=args.holdout_fraction,
                                        stratify=args.stratify, seed=args.seed)
            frame = split.train
            if not text:
                check_policy(frame, generator.pii_policy)
            if args.split_dir:
                for name, part in (("train", split.train), ("holdout", split.holdout)):
                    path = write_table(part, stage(Path(args.split_dir) / f"{name}.parquet"))
                    record.outputs[name] = sha256_file(path)
        if args.rows is None:
            args.rows = len(frame)
        with progress_bar() as bar:
            started = time.perf_counter()
            if generator.caps.dp:  # budget check -> reserve -> fit -> record (ledger.budget)
                from synthguard._commands._common import store_from
                from synthguard.ledger.budget import run_dp_fit

                run_dp_fit(cast(Any, generator), frame, store=store_from(args), schema=schema,
                           seed=args.seed, progress=bar, run_id=record.run_id,
                           source=None if loaded is frame else loaded,
                           label=str(args.data))
            else:
                generator.fit(frame, schema=schema, seed=args.seed, progress=bar)
            record.metrics["fit_seconds"] = time.perf_counter() - started
            started = time.perf_counter()
            if text:
                text_io.write_text_sample(generator, args.rows, stage(out), seed=args.seed,
                                          text_field=params["text_field"], progress=bar)
            else:
                if spec is not None:  # conditions: post-processing of the fitted model
                    from synthguard.generators.conditional import DEFAULT_MIN_ACCEPTANCE, conditional_sampler

                    source = conditional_sampler(
                        generator, spec, data=frame, schema=schema, seed=args.seed,
                        min_acceptance=args.min_acceptance or DEFAULT_MIN_ACCEPTANCE)
                    record.params["sampling"] = source.spec.to_dict()
                sample_to_file(source, args.rows, stage(out), seed=args.seed, progress=bar,
                               chunk_rows=args.chunk_rows, engine=engine_from(args))
            record.metrics["sample_seconds"] = time.perf_counter() - started
            record.metrics["rows_per_second"] = args.rows / max(record.metrics["sample_seconds"], 1e-9)
        record.outputs["synthetic"] = sha256_file(staged[out])
        if generator.pii_report is not None and generator.pii_report.actions:
            record.params["pii"] = generator.pii_report.to_dict()
            _say_pii(generator.pii_report)
        spend = source.privacy_spent()
        record.privacy = spend.to_dict() if spend else None
        if args.save_model:
            digest = save_generator(generator, args.save_model, run_id=record.run_id,
                                    force=args.force)
            record.outputs["model_manifest"] = digest
        for target, path in staged.items():
            commit_staged(path, target)
    console.print(f"wrote {args.rows} rows to {out} (run {record.run_id})")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from synthguard.evaluation import evaluate, write_report
    from synthguard.evaluation._sampling import sample_file
    from synthguard.evaluation.provenance import provenance_for_file

    if Path(args.real).is_dir() or args.real == "mimic3_demo":  # folders: relational report
        from synthguard._commands import relational

        return relational.cmd_evaluate(args)
    if args.holdout is None:
        raise ParameterError("--holdout is required for a single table (a real table the "
                             "generator never saw)")
    if args.format is None and Path(args.out).suffix.lower() not in (".json", ".html", ".htm"):
        raise ParameterError(f"--out {args.out!r} must end in .json or .html (or give --format)")
    max_rows = args.max_rows or None
    loaded = [sample_file(getattr(args, name), max_rows, seed=args.seed, table=name)
              for name in ("real", "synthetic", "holdout")]
    (real, _), (synthetic, _), (holdout, _) = loaded
    schema = infer_schema(real, overrides=args.metadata)
    out = Path(args.out)
    with recorded_run(args, "evaluate", seed=args.seed) as record:
        record.dataset_sha256 = table_fingerprint(real)
        for name in ("real", "synthetic", "holdout"):
            path = getattr(args, name)
            record.inputs[name] = sha256_file(path) if Path(path).exists() else path
        with progress_bar() as bar:
            result = evaluate(
                real, synthetic, holdout, target=args.target, sensitive=args.sensitive,
                schema=schema, attacks=args.attacks, secret=args.secret,
                quasi_identifiers=args.quasi_identifiers, seed=args.seed, progress=bar,
                dcr_rows=args.dcr_rows, sampling=[info for _, info in loaded],
            )
        # the run that made the synthetic file (same SHA-256), when the run store has it
        provenance = provenance_for_file(args.synthetic) if Path(args.synthetic).is_file() else None
        if provenance is not None:
            record.inputs["synthetic_run"] = str(provenance.run_id)
        write_report(result, out, real=real, synthetic=synthetic, fmt=args.format, schema=schema,
                     provenance=provenance)
        record.outputs["report"] = sha256_file(out)
        record.metrics = {"quality_score": result["fidelity"]["quality_score"],
                          **({"tstr_trtr_ratio": result["utility"]["tstr_trtr_ratio"]}
                             if result.get("utility") else {})}
    console.print(f"wrote {out} (quality {result['fidelity']['quality_score']:.3f})")
    return 0


def cmd_generators(args: argparse.Namespace) -> int:
    listing = list_generators()
    if args.json:
        print_json(listing)
        return 0
    from rich.table import Table

    table = Table("name", "modality", "DP", "mechanism / accountant", "parameters", "summary")
    for item in listing:
        caps = item["capabilities"]
        mech = " / ".join(x for x in (caps.get("mechanism"), caps.get("accountant")) if x) or "-"
        params = ", ".join(f"{k}={v}" for k, v in item["params"].items())
        table.add_row(item["name"], caps["modality"], "yes" if caps["dp"] else "no", mech, params, item["summary"])
    console.print(table)
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from synthguard._commands._common import store_from

    runs = store_from(args).list(limit=args.limit, command=args.run_command)
    if args.json:
        print_json(runs)
        return 0
    from rich.table import Table

    table = Table("run", "command", "started", "status", "plugin", "dataset", "privacy")
    for run in runs:
        privacy = run.get("privacy") or {}
        eps = f"ε={privacy['epsilon']:.3g}" if privacy.get("epsilon") is not None else "-"
        table.add_row(run["run_id"], run["command"], run["started"], run["status"], run.get("plugin") or "-",
                      (run.get("dataset_sha256") or "-")[:12], eps)
    console.print(table)
    return 0


DEMO_OUTPUTS = frozenset({"synthetic.parquet", "report.json", "report.html"})


def cmd_demo(args: argparse.Namespace) -> int:
    """Fit on Adult's train split, sample as many rows, evaluate against the holdout."""
    from synthguard.evaluation import evaluate, write_report

    out = Path(args.out)
    if out.is_dir():  # rerunning the demo replaces its own three files, never anything else
        others = sorted(p.name for p in out.iterdir() if p.name not in DEMO_OUTPUTS)
        if others:
            raise ParameterError(f"--out {args.out!r} holds files the demo did not write "
                                 f"({', '.join(others[:3])}{'...' if len(others) > 3 else ''}); "
                                 "choose a new or empty folder")
    target, sensitive = builtin_defaults("adult")
    frame = load_table("adult")
    split = train_holdout_split(frame, holdout_fraction=0.3, stratify=target, seed=args.seed)
    schema = source_schema(split.train, "adult")
    generator = create_generator(args.generator)
    with recorded_run(args, "demo", seed=args.seed, plugin=generator.name) as record:
        record.dataset_sha256 = table_fingerprint(split.train)
        with progress_bar() as bar:
            if generator.caps.dp:  # charged to adult's budget, tied to this run
                from synthguard._commands._common import store_from
                from synthguard.ledger.budget import run_dp_fit

                run_dp_fit(cast(Any, generator), split.train, store=store_from(args),
                           schema=schema, seed=args.seed, progress=bar, run_id=record.run_id,
                           source=frame, label="adult")
            else:
                generator.fit(split.train, schema=schema, seed=args.seed, progress=bar)
            synthetic = generator.sample(len(split.train), seed=args.seed, progress=bar)
            write_table(synthetic, out / "synthetic.parquet")
            result = evaluate(split.train, synthetic, split.holdout, target=target,
                              sensitive=list(sensitive), schema=schema, seed=args.seed, progress=bar)
        from synthguard.evaluation.provenance import Provenance

        provenance = Provenance.from_generator(generator, seed=args.seed, run_id=record.run_id,
                                               dataset_fingerprint=record.dataset_sha256)
        write_report(result, out / "report.json", real=split.train, synthetic=synthetic,
                     provenance=provenance)
        write_report(result, out / "report.html", real=split.train, synthetic=synthetic, schema=schema,
                     provenance=provenance)
        for name in ("synthetic.parquet", "report.json", "report.html"):
            record.outputs[name] = sha256_file(out / name)
        record.metrics = {"quality_score": result["fidelity"]["quality_score"],
                          "tstr_trtr_ratio": result["utility"]["tstr_trtr_ratio"]}
    util = result["utility"]
    console.print(
        f"[bold]demo[/bold] {generator.name} on adult: quality {result['fidelity']['quality_score']:.3f}, "
        f"TRTR AUC {util['trtr']['roc_auc']:.3f}, TSTR AUC {util['tstr']['roc_auc']:.3f}, "
        f"DCR closer-to-train {result['privacy']['dcr_share_closer_to_train']:.3f}\n"
        f"wrote {out / 'report.html'} and {out / 'report.json'}"
    )
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    """Import every plug-in module and optional dependency; report what fails and why."""
    from synthguard.generators import _plugins

    problems = 0
    checks: list[tuple[str, str]] = [(m, m) for m in _plugins.BUILTIN_MODULES]
    checks += [("torch", "torch"), ("opacus", "opacus"), ("mbi (Private-PGM)", "mbi"),
               ("presidio", "presidio_analyzer"), ("fairlearn", "fairlearn"), ("onnx", "onnx"),
               ("ray", "ray"), ("streamlit", "streamlit")]
    for label, module in checks:
        try:
            importlib.import_module(module)
            console.print(f"[green]ok[/green]   {label}")
        except Exception as exc:  # report every failure, never drop a plug-in silently
            problems += 1
            console.print(f"[red]FAIL[/red] {label}: {type(exc).__name__}: {exc}")
    try:  # the NER model redaction itself loads (redaction decides which; doctor only asks)
        from synthguard.redaction._nlp import check_ner_model

        console.print(f"[green]ok[/green]   redaction NER model: {check_ner_model()}")
    except Exception as exc:
        problems += 1
        console.print(f"[red]FAIL[/red] redaction NER model: {type(exc).__name__}: {exc}")
    console.print(f"built-in datasets: {', '.join(builtin_names())}")
    return 0 if problems == 0 else 1

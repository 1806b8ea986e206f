"""``sample``: draw synthetic data from a saved model folder, without the real data.

``generate --save-model DIR`` writes a model folder; ``sample --model DIR --out OUT`` samples
it again later (another size, another seed) with no access to the data it was fitted on. The
folder's ``manifest.json`` says what it holds:

* a relational model (``kind: relational_generator``, plain JSON/``.npz``): every table is
  streamed to the folder ``OUT`` (new or empty; renamed into place when complete), ``--rows``
  root entities or ``--scale`` times the real number;
* a single-table model (``kind: generator``): ``--rows`` rows (default: as many as the real
  table) streamed to the file ``OUT`` (``.csv``/``.parquet``), atomically.

Every file is checked against the manifest before anything is read, and a pickled model is
loaded only if this machine's run store recorded its manifest (:mod:`synthguard.ledger.trust`),
exactly as :func:`~synthguard.generators.load_generator` does for Python. Sampling a DP model
is post-processing: it spends no budget (the run record repeats the model's guarantee).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from synthguard._commands._common import console, positive_int, progress_bar, recorded_run
from synthguard.errors import IntegrityError, ParameterError

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


def positive_number(value: str) -> float:
    """A finite number > 0 (``--scale``)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {value!r}") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {value!r}")
    return number


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("sample", help="sample synthetic data from a saved model folder "
                       "(generate --save-model); the real data is not needed")
    p.add_argument("--model", required=True, metavar="DIR", help="model folder with manifest.json")
    p.add_argument("--out", required=True,
                   help="relational model: a new (or empty) folder for the tables; single-table "
                        "model: a .csv or .parquet file")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--rows", type=positive_int,
                      help="rows (single table) or root entities (relational); default: as many "
                           "as the real data had")
    size.add_argument("--scale", type=positive_number,
                      help="a multiple of the real data's size (relational: of its root entities)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="file format of a relational model's tables (default parquet)")
    p.set_defaults(handler=cmd_sample)


def cmd_sample(args: argparse.Namespace) -> int:
    from synthguard.ledger import read_manifest

    folder = Path(args.model)
    if not folder.is_dir():
        raise IntegrityError(f"--model {args.model!r} is not a model folder (it does not exist "
                             "or is a file); give the folder written by generate --save-model")
    manifest, _ = read_manifest(folder)
    if manifest.kind == "relational_generator":
        return _sample_relational(args, folder)
    if manifest.kind == "generator":
        return _sample_table(args, folder)
    raise IntegrityError(f"--model {args.model!r} holds a {manifest.kind!r}, not a generator")


def _sample_relational(args: argparse.Namespace, folder: Path) -> int:
    from synthguard._io import sha256_file
    from synthguard.generators.relational import load_relational_generator, sample_to_folder

    out = Path(args.out)
    if out.suffix.lower() in TABLE_SUFFIXES:
        raise ParameterError(f"--out {args.out!r} is a file name; a relational model's tables are "
                             "written to a folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ParameterError(f"--out {args.out!r} exists and is not an empty folder; give a new folder")
    generator = load_relational_generator(folder)  # every file checked; JSON/.npz only
    roots = generator.metadata.roots() if generator.metadata is not None else []
    real = generator.real_rows.get(roots[0], 0) if roots else 0
    if real < 1:
        raise IntegrityError(f"model {args.model!r} does not record how many root entities it "
                             "was fitted on; it cannot be sampled")
    scale = args.scale if args.scale is not None else (args.rows / real if args.rows else 1.0)
    with recorded_run(args, "sample", seed=args.seed, plugin=generator.name,
                      params=generator.params.to_dict()) as record:
        record.dataset_sha256 = generator.fit_info.data_sha256
        record.inputs["model"] = sha256_file(folder / "manifest.json")
        record.params["scale"] = scale
        with progress_bar() as bar:
            summary = sample_to_folder(generator, out, scale=scale, seed=args.seed,
                                       fmt=args.format, progress=bar)
        record.metrics = {"rows": summary.rows, "sample_seconds": summary.seconds}
        for path in sorted(out.iterdir()):
            record.outputs[path.name] = sha256_file(path)
        spend = generator.privacy_spent()
        record.privacy = spend.to_dict() if spend else None
    rows = ", ".join(f"{t} {n}" for t, n in summary.rows.items())
    console.print(f"wrote {len(summary.rows)} tables to {out} ({rows}) (run {record.run_id})")
    return 0


def _sample_table(args: argparse.Namespace, folder: Path) -> int:
    from synthguard._io import sha256_file
    from synthguard.generators import load_generator
    from synthguard.generators.base import check_rows_limit
    from synthguard.generators.streaming import sample_to_file

    out = Path(args.out)
    if out.suffix.lower() not in TABLE_SUFFIXES:
        raise ParameterError(f"--out {args.out!r} must end in .csv or .parquet for a single-table model")
    generator = load_generator(folder)  # checked; a pickle only if this machine saved it
    if generator.caps.modality != "tabular":
        raise ParameterError(f"--model {args.model!r} is a {generator.caps.modality} generator; "
                             "`sample` writes tables (use `generate` for text)")
    real = generator.fit_info.n_rows
    rows = args.rows if args.rows is not None else round((args.scale or 1.0) * real)
    if rows < 1:
        raise ParameterError(f"model {args.model!r} does not record its number of rows; give --rows")
    check_rows_limit(rows, limit=None)
    with recorded_run(args, "sample", seed=args.seed, plugin=generator.name,
                      params=generator.params.to_dict()) as record:
        record.dataset_sha256 = generator.fit_info.data_sha256
        record.inputs["model"] = sha256_file(folder / "manifest.json")
        with progress_bar() as bar:
            summary = sample_to_file(generator, rows, out, seed=args.seed, progress=bar)
        record.metrics = {"rows": summary.rows, "sample_seconds": summary.seconds}
        record.outputs["synthetic"] = sha256_file(out)
        spend = generator.privacy_spent()
        record.privacy = spend.to_dict() if spend else None
    console.print(f"wrote {rows} rows to {out} (run {record.run_id})")
    return 0

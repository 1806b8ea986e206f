"""``redact --engine ray``: Ray Data reads (sharded) input, actors run the same batch code.

Why actors: loading spaCy and compiling the recognizers takes about a second and a few
hundred MB, so each actor builds one :class:`RedactionEngine` from the driver's config in
its constructor and reuses it for every batch (``map_batches`` with a callable class). The
batch code is the local engine's own: :func:`~synthguard.redaction.batch.redact_batch` for
documents, :func:`~synthguard.redaction.tables.redact_frame` for tables. Surrogates need no
coordination between workers: each fake value is derived from a keyed HMAC of the real one.

Input: one file or a directory of shards (``*.jsonl``, ``*.txt``, ``*.csv``, ``*.parquet``).
Output: a file (the driver streams batches into it, in input order) or a directory, which
receives one shard per write task (``part-00000.jsonl`` ...). Both are written atomically:
a temporary file or folder renamed on success.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from synthguard._engine import Engine, ray_session
from synthguard._io import atomic_path
from synthguard._outputs import apply_umask, make_temp_dir
from synthguard.errors import DataFileError, SchemaError, SynthguardError
from synthguard.progress import ProgressCallback, report
from synthguard.redaction._types import RedactionSummary
from synthguard.redaction.batch import (
    SPANS_FIELD,
    TABLE_SUFFIXES,
    TEXT_SUFFIXES,
    redact_batch,
    redacted_text_of,
)
from synthguard.redaction.engine import RedactionEngine

_LINE = "line"
_COUNTS = "__synthguard_counts"
# Actors reserve half a CPU each (they use a whole one): Ray Data's resource reservation
# otherwise starves the read tasks on a 2-CPU local Ray and the pipeline never starts.
_ACTOR_CPUS = 0.5
_IO_CPUS = 0.1


# ------------------------------------------------------------ batch callables


class _RedactLines:
    """Ray actor: one engine per process; JSONL/TXT lines in, output lines + counts out."""

    def __init__(self, config: dict[str, Any], text_field: str, in_kind: str, out_kind: str,
                 keep_original: bool = False) -> None:
        self.engine = RedactionEngine.from_config(config)
        self.engine._ensure_loaded()
        self.text_field = text_field
        self.keep_original = keep_original
        self.in_kind = in_kind
        self.out_kind = out_kind

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        records = [self._parse(str(line)) for line in batch["text"]]
        result: Any = redact_batch(self.engine, records, text_field=self.text_field,
                                   keep_original=self.keep_original)
        done: list[dict[str, Any]] = result[0] if isinstance(result, tuple) else result
        counts = Counter(s["entity_type"] for r in done for s in r.get(SPANS_FIELD, ()))
        return {_LINE: [_format_record(r, self.out_kind, self.text_field, self.keep_original)
                        for r in done],
                _COUNTS: _counts_column(counts, len(done))}

    def _parse(self, line: str) -> dict[str, Any]:
        if self.in_kind == ".txt":
            return {"text": line}
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"a line of the input is not valid JSON ({exc.msg}); fix or remove it") from None
        if not isinstance(record, dict):
            raise DataFileError("a line of the input is not a JSON object")
        if self.text_field not in record:
            raise SchemaError(
                f"a record has no field {self.text_field!r}; its fields are: "
                f"{', '.join(sorted(record)) or '(none)'}; choose one with text_field="
            )
        return record


class _RedactTable:
    """Ray actor: one engine per process; a table batch in, the redacted batch out."""

    def __init__(self, config: dict[str, Any], plan: dict[str, str], keep_original: bool = False) -> None:
        self.engine = RedactionEngine.from_config(config)
        self.engine._ensure_loaded()
        self.plan = plan
        self.keep_original = keep_original

    def __call__(self, frame: Any) -> Any:
        from synthguard.redaction.tables import redact_frame

        new, counts = redact_frame(frame, self.plan, self.engine, None,
                                   keep_original=self.keep_original)
        new[_COUNTS] = _counts_column(counts, len(new))
        return new


def _format_record(record: dict[str, Any], out_kind: str, text_field: str,
                   keep_original: bool) -> str:
    """The same line the local engine writes (see ``batch.redact_file``)."""
    if out_kind == ".jsonl":
        return json.dumps(record, ensure_ascii=False)
    return redacted_text_of(record, text_field=text_field, keep_original=keep_original).replace("\n", " ")


def _counts_column(counts: Counter[str], n: int) -> list[str]:
    """Per-batch entity counts ride in the first row's cell (aggregates only, no values)."""
    return [json.dumps(dict(counts))] + [""] * (n - 1) if n else []


# ------------------------------------------------------------------ inputs


def _input_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | TABLE_SUFFIXES)
        if not files:
            raise DataFileError(f"folder {str(path)!r} holds no .jsonl/.txt/.csv/.parquet shards")
        kinds = {p.suffix.lower() for p in files}
        if len(kinds) > 1:
            raise DataFileError(f"folder {str(path)!r} mixes shard types {sorted(kinds)}; use one")
        return files
    raise DataFileError(f"input {str(path)!r} does not exist")


def _is_folder_output(path: Path) -> bool:
    return path.is_dir() or path.suffix == ""


def _count_rows(files: Sequence[Path], kind: str) -> int | None:
    if kind == ".parquet":
        import pyarrow.parquet as pq

        return sum(int(pq.ParquetFile(f).metadata.num_rows) for f in files)
    if kind in TEXT_SUFFIXES:
        from synthguard.redaction.batch import _count_lines

        return sum(_count_lines(f) for f in files)
    return None


# ------------------------------------------------------------------- entry


def redact_path_ray(
    in_path: str | Path,
    out_path: str | Path,
    *,
    runner: Engine,
    engine: RedactionEngine | None = None,
    text_field: str | None = None,
    columns: Sequence[str] | None = None,
    chunk_size: int = 512,
    progress: ProgressCallback | None = None,
    keep_original: bool = False,
) -> RedactionSummary:
    """Redact a file or a folder of shards with Ray Data; same output as the local engine."""
    import time

    src, dst = Path(in_path), Path(out_path)
    files = _input_files(src)
    in_kind = files[0].suffix.lower()
    engine = engine or RedactionEngine()
    folder_out = _is_folder_output(dst)
    out_kind = in_kind if folder_out else dst.suffix.lower()
    if in_kind in TABLE_SUFFIXES and out_kind not in TABLE_SUFFIXES:
        raise DataFileError(f"a table input needs a .csv or .parquet output, not {dst.name!r}")
    if in_kind in TEXT_SUFFIXES and out_kind not in TEXT_SUFFIXES:
        raise DataFileError(f"a text input needs a .jsonl or .txt output, not {dst.name!r}")
    if in_kind in TEXT_SUFFIXES and columns:
        raise DataFileError("columns= applies to .csv/.parquet inputs; use text_field= for text")
    if folder_out and dst.exists() and any(dst.iterdir()):
        raise DataFileError(f"output folder {str(dst)!r} is not empty; choose a new one")
    summary = RedactionSummary()
    started = time.perf_counter()
    total = _count_rows(files, in_kind)
    with ray_session(runner) as ray:
        if in_kind in TEXT_SUFFIXES:
            field = (text_field or "text") if in_kind == ".jsonl" else "text"
            ds = ray.data.read_text([str(f) for f in files], drop_empty_lines=in_kind == ".jsonl",
                                    ray_remote_args={"num_cpus": _IO_CPUS})
            ds = ds.map_batches(
                _RedactLines, fn_constructor_kwargs={"config": engine.config(), "text_field": field,
                                                     "in_kind": in_kind, "out_kind": out_kind,
                                                     "keep_original": keep_original},
                batch_size=chunk_size, batch_format="numpy", **_actor_args(ray, runner),
            )
        else:
            plan = _table_plan(files[0], columns, engine, chunk_size)
            summary.columns = dict(plan)
            ds = _read_tables(ray, files, in_kind, chunk_size)
            ds = ds.map_batches(
                _RedactTable, fn_constructor_kwargs={"config": engine.config(), "plan": plan,
                                                     "keep_original": keep_original},
                batch_size=chunk_size, batch_format="pandas", **_actor_args(ray, runner),
            )
        try:
            if folder_out:
                _write_folder(ds, dst, out_kind, summary)
            else:
                _write_file(ds, dst, out_kind, summary, progress, total)
        except Exception as exc:
            raise _unwrap(exc) from None
    report(progress, "redact", summary.documents, total)
    summary.seconds = time.perf_counter() - started
    return summary


def _actor_args(ray: Any, runner: Engine) -> dict[str, Any]:
    """A fixed pool of ``workers`` actors; no restarts (a failed batch fails the run)."""
    return {"compute": ray.data.ActorPoolStrategy(size=runner.workers), "num_cpus": _ACTOR_CPUS,
            "max_restarts": 0}


def _unwrap(exc: BaseException) -> BaseException:
    """Ray wraps worker errors; surface our typed error (one clear line, exit code 2)."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, SynthguardError):
            return current
        cause = getattr(current, "cause", None) or current.__cause__
        current = cause if isinstance(cause, BaseException) else None
        seen += 1
    text = str(exc)
    for name in ("DataFileError", "SchemaError"):
        if name in text:
            line = next((ln for ln in text.splitlines() if f"{name}:" in ln), text)
            message = line.split(f"{name}:", 1)[-1].strip()
            return DataFileError(message) if name == "DataFileError" else SchemaError(message)
    return exc


def _table_plan(first_file: Path, columns: Sequence[str] | None, engine: RedactionEngine,
                chunk_size: int) -> dict[str, str]:
    """The local engine's plan: detection on the first chunk of the first shard."""
    from synthguard.redaction.tables import _iter_chunks, plan_columns

    _, plan = plan_columns(_iter_chunks(first_file, chunk_size), first_file.name,
                           columns=columns, engine=engine)
    return plan


def _read_tables(ray: Any, files: Sequence[Path], kind: str, chunk_size: int) -> Any:
    paths = [str(f) for f in files]
    remote = {"num_cpus": _IO_CPUS}
    if kind == ".parquet":
        return ray.data.read_parquet(paths, ray_remote_args=remote)
    import pyarrow as pa
    from pyarrow import csv

    names = csv.open_csv(paths[0]).schema.names
    options = csv.ConvertOptions(column_types={n: pa.string() for n in names}, strings_can_be_null=True)
    return ray.data.read_csv(paths, convert_options=options, ray_remote_args=remote)


# ------------------------------------------------------------------ outputs


def _batches(ds: Any) -> Iterator[Any]:
    yield from ds.iter_batches(batch_size=None, batch_format="pyarrow")


def _take_counts(table: Any, summary: RedactionSummary) -> Any:
    for cell in table.column(_COUNTS).to_pylist():
        if cell:
            summary.add(json.loads(cell))
    summary.documents += table.num_rows
    return table.drop_columns([_COUNTS])


def _write_file(ds: Any, dst: Path, out_kind: str, summary: RedactionSummary,
                progress: ProgressCallback | None, total: int | None) -> None:
    with atomic_path(dst) as tmp:
        writer: Any = None
        try:
            with _text_handle(tmp, out_kind) as handle:
                for table in _batches(ds):
                    table = _take_counts(table, summary)
                    if out_kind in TEXT_SUFFIXES:
                        handle.write("".join(f"{line}\n" for line in table.column(_LINE).to_pylist()))
                    else:
                        writer = _write_table(writer, tmp, out_kind, table)
                    report(progress, "redact", summary.documents, total)
        finally:
            if writer is not None:
                writer.close()


def _text_handle(path: Path, kind: str) -> Any:
    return open(path, "w", encoding="utf-8") if kind in TEXT_SUFFIXES else contextlib.nullcontext()


def _write_table(writer: Any, path: Path, kind: str, table: Any) -> Any:
    if writer is None:
        if kind == ".csv":
            from pyarrow import csv

            writer = csv.CSVWriter(str(path), table.schema,
                                   write_options=csv.WriteOptions(quoting_style="needed"))
        else:
            import pyarrow.parquet as pq

            writer = pq.ParquetWriter(str(path), table.schema)
    else:
        table = table.cast(writer.schema)
    writer.write_table(table)
    return writer


def _write_folder(ds: Any, dst: Path, out_kind: str, summary: RedactionSummary) -> None:
    from ray.data.datasource import Datasink

    dst.parent.mkdir(parents=True, exist_ok=True)
    staging = make_temp_dir(dst)  # our naming: swept by a later run if this one is killed

    class _ShardSink(Datasink):  # type: ignore[misc,type-arg]
        """One shard per write task; returns the counts so the driver can sum them."""

        def write(self, blocks: Any, ctx: Any) -> dict[str, Any]:
            from ray.data.block import BlockAccessor

            local = RedactionSummary()
            writer: Any = None
            path = staging / f"part-{ctx.task_idx:05d}{out_kind}"
            with _text_handle(path, out_kind) as handle:
                for block in blocks:
                    table = _take_counts(BlockAccessor.for_block(block).to_arrow(), local)
                    if out_kind in TEXT_SUFFIXES:
                        handle.write("".join(f"{line}\n" for line in table.column(_LINE).to_pylist()))
                    else:
                        writer = _write_table(writer, path, out_kind, table)
            if writer is not None:
                writer.close()
            return {"documents": local.documents, "entities": dict(local.entities)}

        def on_write_complete(self, write_result: Any) -> None:
            for item in write_result.write_returns:
                summary.documents += item["documents"]
                summary.add(item["entities"])

    try:
        ds.write_datasink(_ShardSink(), ray_remote_args={"num_cpus": _IO_CPUS})
        apply_umask(staging)
        if dst.exists():
            dst.rmdir()  # empty (checked before the run)
        os.replace(staging, dst)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

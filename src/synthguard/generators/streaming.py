"""Streamed sampling: millions of rows in bounded memory, identical whatever the chunk size.

Why blocks: a seeded generator that samples ``n`` rows in one call gives rows that depend on
``n``, so a streamed writer could not promise the same file for two chunk sizes. Here row
``i`` of a seeded run belongs to block ``i // BLOCK_ROWS``, and each block is drawn from a
random stream keyed by ``(seed, block index)`` only. A chunk (a Parquet row group, a Ray
shard) is a union of whole blocks, so chunk size, engine and worker count change how the
work is cut, never the rows. The last block is drawn whole and cut to the requested count.

:func:`sample_table` is the per-batch unit both engines call; :func:`sample_to_file` writes
Parquet row groups (or CSV/JSONL appends) from a background thread while the next chunk is
sampled, into a temporary file renamed on success.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from synthguard._engine import Engine, ordered_map, ray_session
from synthguard._io import atomic_path
from synthguard.errors import DataFileError, ParameterError
from synthguard.generators.base import check_rows
from synthguard.progress import ProgressCallback, report


class RowSource(Protocol):
    """What streamed sampling needs: a fitted generator, or a conditioned one
    (:class:`~synthguard.generators.conditional.ConditionalSampler`)."""

    @property
    def name(self) -> str: ...

    def sample(self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None) -> pd.DataFrame: ...

BLOCK_ROWS = 10_000  # unit of randomness: fixed, so output never depends on chunking
DEFAULT_CHUNK_ROWS = 100_000  # rows per written chunk (Parquet row group, Ray shard)
TABLE_SUFFIXES = (".parquet", ".pq", ".csv")
TEXT_SUFFIXES = (".jsonl",)


@dataclass(frozen=True)
class SampleSummary:
    """What a streamed sampling run did (counts and timings only)."""

    rows: int
    chunks: int
    seconds: float
    engine: str
    path: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "chunks": self.chunks, "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows_per_second, 1), "engine": self.engine}


def block_seed(seed: int, block: int) -> int:
    """A seed in ``[0, 2**32)`` for one block, for generators that only offer ``sample(n, seed=)``.

    32 bits because that is what every seeded library behind a generator accepts (numpy's
    legacy ``RandomState``, SDV's ``_set_random_state``, ``random``, torch): a wider seed
    crashes SDV's synthesizers ("Seed must be between 0 and 2**32 - 1"). A hashed base per
    ``seed`` plus the block index keeps the blocks of one run distinct (2**32 of them): hashing
    ``(seed, block)`` into 32 bits would repeat a block among ~77k with probability 1/2.
    """
    base = int(np.random.SeedSequence(int(seed)).generate_state(1, np.uint32)[0])
    return (base + int(block)) % (2**32)


def sample_block(generator: RowSource, *, seed: int, block: int) -> pd.DataFrame:
    """Block ``block`` (``BLOCK_ROWS`` rows) of the generator's row stream for ``seed``."""
    chunk = getattr(generator, "sample_chunk", None)
    if callable(chunk):
        frame = chunk(BLOCK_ROWS, seed=seed, chunk_index=block)
    else:
        frame = generator.sample(BLOCK_ROWS, seed=block_seed(seed, block))
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"generator {generator.name!r} did not return a table")
    return frame


def sample_rows(generator: RowSource, start: int, stop: int, *, seed: int) -> pd.DataFrame:
    """Rows ``[start, stop)`` of the seeded row stream (whole blocks drawn, then cut)."""
    if not 0 <= start < stop:
        raise ParameterError(f"row range [{start}, {stop}) is empty or negative")
    first, last = start // BLOCK_ROWS, (stop - 1) // BLOCK_ROWS
    parts = []
    for block in range(first, last + 1):
        frame = sample_block(generator, seed=seed, block=block)
        lo = max(start - block * BLOCK_ROWS, 0)
        hi = min(stop - block * BLOCK_ROWS, BLOCK_ROWS)
        parts.append(frame.iloc[lo:hi] if (lo, hi) != (0, BLOCK_ROWS) else frame)
    out = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    return out.reset_index(drop=True)


def sample_table(generator: RowSource, task: tuple[int, int, int]) -> pa.Table:
    """The per-batch unit of both engines: ``(seed, start, stop)`` -> an Arrow table."""
    seed, start, stop = task
    return pa.Table.from_pandas(sample_rows(generator, start, stop, seed=seed), preserve_index=False)


def chunk_tasks(rows: int, *, seed: int, chunk_rows: int) -> list[tuple[int, int, int]]:
    """``(seed, start, stop)`` per chunk; chunks are whole blocks (except the last)."""
    check_rows(rows)
    if chunk_rows <= 0:
        raise ParameterError(f"chunk_rows must be positive, got {chunk_rows}")
    step = max(BLOCK_ROWS, (chunk_rows // BLOCK_ROWS) * BLOCK_ROWS)
    return [(seed, s, min(s + step, rows)) for s in range(0, rows, step)]


def iter_sample_tables(generator: RowSource, rows: int, *, seed: int,
                       chunk_rows: int = DEFAULT_CHUNK_ROWS,
                       engine: Engine | None = None) -> Iterator[pa.Table]:
    """Arrow tables of ``rows`` synthetic rows in order; inside ``ray_session`` for Ray."""
    yield from ordered_map(sample_table, chunk_tasks(rows, seed=seed, chunk_rows=chunk_rows),
                           context=generator, engine=engine or Engine())


# ------------------------------------------------------------------- writers


class _Sink:
    """Writes Arrow tables to one file (Parquet row groups, CSV or JSONL appends)."""

    def __init__(self, path: Path, suffix: str) -> None:
        self.path = path
        self.suffix = suffix
        self.writer: Any = None
        self.schema: pa.Schema | None = None
        self.handle: Any = None

    def write(self, table: pa.Table) -> None:
        if self.schema is None:
            self.schema = _widen(table.schema)
            self._open()
        table = _conform(table, self.schema)
        if self.suffix == ".jsonl":
            text = table.to_pandas().to_json(orient="records", lines=True, force_ascii=False,
                                             date_format="iso")
            self.handle.write(text if text.endswith("\n") else text + "\n")
        else:
            self.writer.write_table(table)

    def _open(self) -> None:
        if self.suffix == ".csv":
            from pyarrow import csv

            options = csv.WriteOptions(include_header=True, quoting_style="needed")
            self.writer = csv.CSVWriter(str(self.path), self.schema, write_options=options)
        elif self.suffix == ".jsonl":
            self.handle = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        else:
            import pyarrow.parquet as pq

            self.writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.handle is not None:
            self.handle.close()


def _widen(schema: pa.Schema) -> pa.Schema:
    """Integer columns may hold missing values in a later chunk: keep them nullable int64."""
    fields = []
    for f in schema:
        if pa.types.is_null(f.type):
            f = f.with_type(pa.string())
        fields.append(f.with_nullable(True))
    return pa.schema(fields, metadata=schema.metadata)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    if table.schema.equals(schema, check_metadata=False):
        return table
    try:
        columns = [table.column(f.name).cast(f.type) for f in schema]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, KeyError) as exc:
        raise DataFileError(
            f"a later chunk does not fit the first chunk's column types ({exc}); "
            "write .parquet with a fixed schema (schema=) or use a larger chunk_rows="
        ) from None
    return pa.Table.from_arrays(columns, schema=schema)


def _suffix(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in TABLE_SUFFIXES + TEXT_SUFFIXES:
        raise ParameterError(f"out={str(out)!r} must end in .parquet, .csv or .jsonl")
    return ".parquet" if suffix == ".pq" else suffix


def sample_to_file(generator: RowSource, rows: int, out: str | Path, *, seed: int,
                   progress: ProgressCallback | None = None,
                   chunk_rows: int = DEFAULT_CHUNK_ROWS,
                   engine: Engine | None = None) -> SampleSummary:
    """Sample ``rows`` rows chunk by chunk and stream them into ``out`` (atomic).

    Memory holds about three chunks (one being sampled, two queued for the writer thread),
    whatever ``rows`` is. The file is identical for any ``chunk_rows`` and either engine.
    """
    out = Path(out)
    suffix = _suffix(out)
    engine = engine or Engine()
    tasks = chunk_tasks(rows, seed=seed, chunk_rows=chunk_rows)
    started = time.perf_counter()
    done = 0
    stage = f"sample {generator.name}"
    report(progress, stage, 0, rows)
    with atomic_path(out) as tmp:
        sink = _Sink(tmp, suffix)
        writer = _WriterThread(sink)
        try:
            with ray_session(engine) if engine.is_ray else contextlib.nullcontext():
                for table in ordered_map(sample_table, tasks, context=generator, engine=engine):
                    writer.put(table)
                    done += table.num_rows
                    report(progress, stage, done, rows)
            writer.finish()
        finally:
            writer.stop()
            sink.close()
    return SampleSummary(rows=done, chunks=len(tasks), seconds=time.perf_counter() - started,
                         engine=engine.kind, path=str(out))


class _WriterThread:
    """Encodes and writes chunks while the next one is sampled (pyarrow releases the GIL)."""

    def __init__(self, sink: _Sink, depth: int = 2) -> None:
        self.sink = sink
        self.queue: queue.Queue[pa.Table | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="synthguard-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            table = self.queue.get()
            if table is None:
                return
            if self.error is None:
                try:
                    self.sink.write(table)
                except BaseException as exc:  # surfaced in the caller's thread
                    self.error = exc

    def put(self, table: pa.Table) -> None:
        self._raise()
        self.queue.put(table)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        self._raise()

    def stop(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


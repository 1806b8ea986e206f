"""Streaming file redaction over worker processes.

The unit of work is :func:`redact_batch` (engine, records) -> records: a pure function a
local process pool (here) or a distributed runner (e.g. Ray) can call per batch. Files are
read and written in chunks, so a file larger than memory works, and written atomically:
any error (a malformed line, a missing field, a missing key) leaves no output file behind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing as mp
import os
import sys
import time
import types
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthguard._io import atomic_path, iter_text_lines, parse_jsonl_record
from synthguard.errors import DataFileError, SynthguardError
from synthguard.progress import ProgressCallback, report
from synthguard.redaction._types import RedactionSummary, Span
from synthguard.redaction.engine import RedactionEngine

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".jsonl", ".txt"}
TABLE_SUFFIXES = {".csv", ".parquet"}
REDACTED_FIELD = "redacted_text"
SPANS_FIELD = "spans"
DEFAULT_CHUNK = 512

# ------------------------------------------------------------ per-batch unit


def redact_batch(engine: RedactionEngine, records: Sequence[dict[str, Any]], *,
                 text_field: str = "text", keep_original: bool = False) -> list[dict[str, Any]]:
    """Redact ``records[i][text_field]``; return new records whose ``text_field`` holds the
    redacted text, plus ``spans`` (offsets and types in the original text, never values).

    ``keep_original=True`` keeps the original text in ``text_field`` and puts the redacted
    one in ``redacted_text`` instead: the output then still carries every PII value.
    Pure: no I/O, no state, so any runner (this module's process pool, Ray) can call it."""
    texts = [r.get(text_field) for r in records]
    safe = [t if isinstance(t, str) else "" for t in texts]
    out = []
    for record, text, spans in zip(records, safe, engine.iter_analyze(safe), strict=True):
        doc = engine.transform(text, spans)
        new = dict(record)
        redacted = doc.text if isinstance(record.get(text_field), str) else record.get(text_field)
        new[REDACTED_FIELD if keep_original else text_field] = redacted
        new[SPANS_FIELD] = [s.to_dict() for s in spans]
        out.append(new)
    return out


def redacted_text_of(record: dict[str, Any], *, text_field: str, keep_original: bool) -> str:
    """The redacted text of a record returned by :func:`redact_batch`."""
    return str(record[REDACTED_FIELD if keep_original else text_field])


def span_counts(records: Sequence[dict[str, Any]]) -> Counter[str]:
    """Counts per entity type over redacted records (for summaries; never values)."""
    return Counter(s["entity_type"] for r in records for s in r.get(SPANS_FIELD, ()))


# -------------------------------------------------------------- process pool

_WORKER: dict[str, Any] = {}


def _init_worker(config: dict[str, Any] | None) -> None:
    """Load the worker's engine. A failure is kept and raised by the worker's first task: a
    worker that died in its initializer would be replaced by the pool, forever, while the
    caller waits."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        if config is not None:  # spawn: rebuild; fork: the parent's loaded engine is inherited
            _WORKER["engine"] = RedactionEngine.from_config(config)
        _WORKER["engine"]._ensure_loaded()
    except Exception as exc:  # reported to the caller by _worker_engine
        _WORKER["error"] = f"{type(exc).__name__}: {exc}"


def _worker_engine() -> RedactionEngine:
    if "error" in _WORKER:
        raise SynthguardError(f"a redaction worker could not load its engine ({_WORKER['error']}); "
                              "run with workers=1 to see the error in this process")
    engine: RedactionEngine = _WORKER["engine"]
    return engine


def _work_lines(args: tuple[_LineTask, int, list[str]]) -> tuple[str, int, Counter[str]]:
    task, first, lines = args
    return process_lines(_worker_engine(), task, first, lines)


def _work_analyze(texts: list[str]) -> list[list[Span]]:
    return list(_worker_engine().iter_analyze(texts))


@contextlib.contextmanager
def _bare_main() -> Iterator[None]:
    """Spawned workers re-run the parent's ``__main__`` script unless it is hidden. Inside
    Streamlit (the app) or after Streamlit's AppTest, ``__main__`` is a page script: every
    worker ran the page, and a page that failed there killed each worker as the pool started
    it again (seen: ``redact --workers 2`` hung in the test suite after the app tests). Our
    workers need nothing from it: they start from this module's ``_init_worker``."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _threaded_runtime_loaded() -> bool:
    """JAX and torch start native threads when imported; forking then can leave a child
    waiting forever on a lock one of those threads held (seen: a test process that had run
    DP fits hung in a forked redaction worker). ``synthguard redact`` does not import them,
    so it keeps the fast fork start; a process that has them spawns its workers."""
    return any(name in sys.modules for name in ("jax", "torch", "jaxlib"))


class _Pool:
    """A process pool whose workers each hold one loaded engine (loaded once per worker)."""

    def __init__(self, engine: RedactionEngine) -> None:
        self.engine = engine
        self.pool: Any = None
        if engine.workers > 1:
            if "fork" in mp.get_all_start_methods() and not _threaded_runtime_loaded():
                engine._ensure_loaded()  # load once; forked workers share the pages
                _WORKER["engine"] = engine
                fork_ctx = mp.get_context("fork")
                self.pool = fork_ctx.Pool(engine.workers, initializer=_init_worker, initargs=(None,))
            else:  # non-Linux, or JAX/torch threads running: a forked child can deadlock
                spawn_ctx = mp.get_context("spawn")
                with _bare_main():  # Pool() starts (spawns) every worker before it returns
                    self.pool = spawn_ctx.Pool(engine.workers, initializer=_init_worker,
                                               initargs=(engine.config(),))

    def _bounded(self, fn: Any, items: Iterable[Any]) -> Iterator[Any]:
        """Ordered results with at most 2 batches in flight per worker: the input is read
        in this (main) thread, so memory stays bounded and read errors surface here."""
        pending: deque[Any] = deque()
        window = 2 * self.engine.workers
        for item in items:
            pending.append(self.pool.apply_async(fn, (item,)))
            if len(pending) >= window:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()

    def map_lines(self, task: _LineTask, batches: Iterable[tuple[int, list[str]]]
                  ) -> Iterator[tuple[str, int, Counter[str]]]:
        if self.pool is None:
            for first, lines in batches:
                yield process_lines(self.engine, task, first, lines)
            return
        yield from self._bounded(_work_lines, ((task, first, lines) for first, lines in batches))

    def map_texts(self, batches: Iterable[list[str]]) -> Iterator[list[list[Span]]]:
        if self.pool is None:
            for batch in batches:
                yield list(self.engine.iter_analyze(batch))
            return
        yield from self._bounded(_work_analyze, batches)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None

    def terminate(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def parallel_map_analyze(engine: RedactionEngine, texts: Sequence[str], *, chunk: int = 128) -> list[list[Span]]:
    pool = _Pool(engine)
    try:
        out: list[list[Span]] = []
        for part in pool.map_texts(list(texts[i:i + chunk]) for i in range(0, len(texts), chunk)):
            out.extend(part)
        pool.close()
        return out
    finally:
        pool.terminate()


# ------------------------------------------------------------------ readers


def _read_jsonl(path: Path, text_field: str) -> Iterator[dict[str, Any]]:
    for lineno, line in enumerate(iter_text_lines(path), start=1):
        if not line.strip():
            continue
        record = parse_jsonl_record(line, lineno=lineno, source=path.name, text_field=text_field)
        yield record


def _read_txt(path: Path) -> Iterator[dict[str, Any]]:
    for line in iter_text_lines(path):
        yield {"text": line.rstrip("\n")}


@dataclass(frozen=True)
class _LineTask:
    """How a worker turns raw input lines into output text (picklable)."""

    in_kind: str
    out_kind: str
    field: str
    file_name: str
    keep_original: bool = False


def _line_batches(path: Path, size: int) -> Iterator[tuple[int, list[str]]]:
    """(number of the first line, lines) in batches; numbering starts at 1."""
    first = 1
    buf: list[str] = []
    for line in iter_text_lines(path):
        buf.append(line)
        if len(buf) >= size:
            yield first, buf
            first += len(buf)
            buf = []
    if buf:
        yield first, buf


def _parse_lines(task: _LineTask, first: int, lines: list[str]) -> list[dict[str, Any]]:
    if task.in_kind == ".txt":
        return [{"text": line.rstrip("\n")} for line in lines]
    records = []
    for lineno, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        record = parse_jsonl_record(line, lineno=lineno, source=task.file_name, text_field=task.field)
        records.append(record)
    return records


def process_lines(engine: RedactionEngine, task: _LineTask, first: int, lines: list[str]
                  ) -> tuple[str, int, Counter[str]]:
    """Parse, redact and serialise one batch of input lines (runs in a worker)."""
    records = redact_batch(engine, _parse_lines(task, first, lines), text_field=task.field,
                           keep_original=task.keep_original)
    if task.out_kind == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        text = "".join(redacted_text_of(r, text_field=task.field, keep_original=task.keep_original)
                       .replace("\n", " ") + "\n" for r in records)
    return text, len(records), span_counts(records)


def _count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))


# ------------------------------------------------------------------- files


def redact_file(
    in_path: str | Path,
    out_path: str | Path,
    *,
    text_field: str | None = None,
    columns: Sequence[str] | None = None,
    engine: RedactionEngine | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    progress: ProgressCallback | None = None,
    keep_original: bool = False,
) -> RedactionSummary:
    """Redact a ``.jsonl``/``.txt`` corpus or a ``.csv``/``.parquet`` table, streamed.

    Text files: each document's text (``text_field`` for JSONL; the line for TXT) is replaced
    by its redacted text; JSONL output keeps the other fields and adds ``spans`` (offsets and
    types, never values). Tables: ``columns`` (default: detected PII columns) are replaced by
    their redacted values, free-text columns span by span. ``keep_original=True`` keeps the
    originals (``redacted_text`` / ``<column>_redacted`` beside them): the output then still
    holds the PII.
    """
    src, dst = Path(in_path), Path(out_path)
    if not src.is_file():
        raise DataFileError(f"input file {str(src)!r} does not exist")
    in_kind, out_kind = src.suffix.lower(), dst.suffix.lower()
    engine = engine or RedactionEngine()
    if in_kind in TABLE_SUFFIXES:
        if out_kind not in TABLE_SUFFIXES:
            raise DataFileError(f"a table input needs a .csv or .parquet output, not {dst.name!r}")
        from synthguard.redaction.tables import redact_table_file

        return redact_table_file(src, dst, columns=columns, engine=engine,
                                 chunk_size=chunk_size, progress=progress,
                                 keep_original=keep_original)
    if in_kind not in TEXT_SUFFIXES:
        raise DataFileError(
            f"unsupported input {src.name!r}: use .jsonl, .txt, .csv or .parquet"
        )
    if out_kind not in TEXT_SUFFIXES:
        raise DataFileError(f"a text input needs a .jsonl or .txt output, not {dst.name!r}")
    if columns:
        raise DataFileError("columns= applies to .csv/.parquet inputs; use text_field= for text")
    field = (text_field or "text") if in_kind == ".jsonl" else "text"
    task = _LineTask(in_kind, out_kind, field, src.name, keep_original)
    total = _count_lines(src)
    summary = RedactionSummary()
    start = time.perf_counter()
    pool = _Pool(engine)
    try:
        with atomic_path(dst) as tmp, open(tmp, "w", encoding="utf-8") as out:
            # workers parse, redact and serialise; this process only moves lines
            for text, n_docs, counts in pool.map_lines(task, _line_batches(src, chunk_size)):
                out.write(text)
                summary.documents += n_docs
                summary.add(counts)
                report(progress, "redact", summary.documents, total)
            if summary.documents == 0:
                raise _no_documents(src)  # inside: the temp output is removed
        pool.close()
    finally:
        pool.terminate()
    summary.seconds = time.perf_counter() - start
    return summary


def _first_record_has(path: Path, name: str) -> bool:
    for line in iter_text_lines(path):
        if line.strip():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                return False
            return isinstance(record, dict) and name in record
    return False


def _no_documents(src: Path) -> DataFileError:
    return DataFileError(f"input file {str(src)!r} holds no documents (it is empty or has only "
                         "blank lines / a header); nothing to write")


def decrypt_file(in_path: str | Path, out_path: str | Path, *, key: bytes,
                 text_field: str | None = None) -> int:
    """Restore values encrypted by the ``encrypt`` operator; returns the documents written.

    JSONL: ``text_field`` (default ``redacted_text`` if the records have it, else ``text``)
    is decrypted into ``decrypted_text``;
    TXT: each line; CSV/Parquet: every string column.
    """
    from synthguard.redaction._crypto import decrypt_text

    src, dst = Path(in_path), Path(out_path)
    if not src.is_file():
        raise DataFileError(f"input file {str(src)!r} does not exist")
    kind = src.suffix.lower()
    n = 0
    if kind in TABLE_SUFFIXES:
        from synthguard.data import load_table, write_table

        frame = load_table(src)
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].map(lambda v: decrypt_text(v, key) if isinstance(v, str) else v)
        write_table(frame, dst)
        return len(frame)
    with atomic_path(dst) as tmp, open(tmp, "w", encoding="utf-8") as out:
        if kind == ".jsonl":
            field = text_field or (REDACTED_FIELD if _first_record_has(src, REDACTED_FIELD) else "text")
            for rec in _read_jsonl(src, field):
                rec["decrypted_text"] = decrypt_text(str(rec[field]), key)
                out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                n += 1
        elif kind == ".txt":
            for rec in _read_txt(src):
                out.write(decrypt_text(rec["text"], key) + "\n")
                n += 1
        else:
            raise DataFileError(f"unsupported input {src.name!r}: use .jsonl, .txt, .csv or .parquet")
        if n == 0:
            raise _no_documents(src)
    return n

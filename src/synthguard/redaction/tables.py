"""PII in tables: find the sensitive columns, then transform them chunk by chunk.

Detection samples each column's values through the same engine as free text and combines
what it finds with the column's name (``email``, ``dob``, ``zip`` ...), giving an entity type
and a confidence per column. Structured PII columns are transformed cell-wise with the
policy's operator for their entity type (a whole cell is one value, so ``surrogate`` maps the
same name in two columns to the same fake); free-text columns are redacted span by span.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard._io import atomic_path
from synthguard.data.column_names import FREE_TEXT, name_entity
from synthguard.data.loading import check_unique_columns
from synthguard.errors import DataFileError, SchemaError
from synthguard.progress import ProgressCallback, report
from synthguard.redaction._types import RedactionSummary, Span
from synthguard.redaction.engine import RedactionEngine
from synthguard.redaction.operators import OPERATORS


def _name_hint(column: str) -> str | None:
    """What the column's name says, word by word (shared with the schema:
    :func:`synthguard.data.column_names.name_entity`)."""
    return name_entity(column)


def detect_pii_columns(frame: pd.DataFrame, *, sample: int = 200,
                       engine: RedactionEngine | None = None, seed: int = 0
                       ) -> dict[str, tuple[str, float]]:
    """Column -> (entity type, confidence in [0, 1]) for columns that hold PII.

    ``FREE_TEXT`` marks prose columns in which PII was found inside the text. Confidence
    is the share of sampled values the engine assigns to the type, raised when the column
    name agrees (or set by the name alone for bare numbers like an ``age`` column).
    """
    engine = engine or RedactionEngine()
    found: dict[str, tuple[str, float]] = {}
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) > sample:
            values = values.sample(sample, random_state=seed)
        hint = _name_hint(str(column))
        texts = [str(v) for v in values if str(v).strip()]
        if not texts:
            continue
        numeric = pd.api.types.is_numeric_dtype(frame[column])
        mean_words = sum(len(t.split()) for t in texts) / len(texts)
        spans = engine.analyze(texts)
        votes: Counter[str] = Counter()
        with_pii = 0
        for text, doc_spans in zip(texts, spans, strict=True):
            if doc_spans:
                with_pii += 1
            entity = _dominant(text, doc_spans)
            if entity is not None:
                votes[entity] += 1
        pii_share = with_pii / len(texts)
        best, count = votes.most_common(1)[0] if votes else (None, 0)
        share = count / len(texts)
        if numeric and best is not None and best != hint:
            # numbers stored as numbers are quantities: a pattern match in their digits
            # (55123.45 read as a phone number) counts only when the name says so too
            best, share = None, 0.0
        prose = mean_words > 6 or hint == FREE_TEXT or (mean_words > 3 and share < 0.5)
        if prose and hint in (None, FREE_TEXT):
            if pii_share >= 0.1:
                found[str(column)] = (FREE_TEXT, round(min(1.0, 0.5 + pii_share / 2), 3))
            continue
        if best is not None and hint is not None and hint == best:
            found[str(column)] = (best, round(min(1.0, share + 0.3), 3))
        elif best is not None and share >= 0.5:
            found[str(column)] = (best, round(share, 3))
        elif hint is not None and hint != FREE_TEXT and (numeric or share < 0.5):
            # names alone: a bare number column called "age"/"zip", or values the text
            # engine cannot type out of context (e.g. a lone surname)
            found[str(column)] = (hint, 0.6 if not numeric else 0.7)
    return found


def _dominant(text: str, spans: Sequence[Span]) -> str | None:
    """The entity covering most of the value's non-space characters (>= 60%), if any."""
    total = sum(not c.isspace() for c in text)
    if not total:
        return None
    cover: Counter[str] = Counter()
    for s in spans:
        cover[s.entity_type] += sum(not c.isspace() for c in text[s.start:s.end])
    if not cover:
        return None
    entity, chars = cover.most_common(1)[0]
    if chars / total >= 0.6 or sum(cover.values()) / total >= 0.8:
        if entity in {"LOCATION", "POSTCODE"} and "ADDRESS" in cover:
            return "ADDRESS"
        return entity
    return None


def redact_frame(frame: pd.DataFrame, plan: dict[str, str], engine: RedactionEngine,
                 pool: Any = None, *, keep_original: bool = False) -> tuple[pd.DataFrame, Counter[str]]:
    """Apply ``plan`` (column -> entity type or FREE_TEXT) to one chunk; returns new frame.

    Each planned column is replaced by its redacted values; ``keep_original=True`` keeps the
    column and adds ``<column>_redacted`` (the frame then still holds the PII)."""
    out = frame.copy()
    counts: Counter[str] = Counter()
    for column, entity in plan.items():
        series = frame[column]
        mask = series.notna()
        values = [str(v) for v in series[mask]]
        if entity == FREE_TEXT:
            if pool is not None:
                spans_list: list[list[Span]] = []
                for part in pool.map_texts(values[i:i + 128] for i in range(0, len(values), 128)):
                    spans_list.extend(part)
            else:
                spans_list = list(engine.iter_analyze(values))
            new_values = []
            for text, spans in zip(values, spans_list, strict=True):
                doc = engine.transform(text, spans)
                counts.update(doc.replaced)
                new_values.append(doc.text)
        else:
            rule = engine.policy.rule_for(entity)
            op = OPERATORS.get(rule.operator)
            cache: dict[str, str] = {}
            new_values = []
            for v in values:
                if v not in cache:
                    cache[v] = op.apply(v, entity=entity, ctx=engine.context, params=rule.params)
                new_values.append(cache[v])
            counts[entity] += len(values)
        col = pd.Series([None] * len(frame), index=frame.index, dtype="object")
        col[mask] = new_values
        out[f"{column}_redacted" if keep_original else column] = col.astype("string")
    return out, counts


def _iter_chunks(src: Path, chunk_size: int) -> Iterator[pd.DataFrame]:
    if src.suffix.lower() == ".csv":
        try:
            yield from pd.read_csv(src, chunksize=chunk_size, dtype=str, keep_default_na=True)
        except pd.errors.EmptyDataError:
            raise DataFileError(f"{src.name} is empty; it needs a header and rows") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise DataFileError(f"{src.name} is not a readable CSV: {exc}") from None
        return
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(src)
    except Exception as exc:  # pyarrow raises several types
        raise DataFileError(f"{src.name} is not a readable Parquet file: {exc}") from None
    for batch in handle.iter_batches(batch_size=chunk_size):
        yield batch.to_pandas()


def _total_rows(src: Path) -> int | None:
    if src.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(src).metadata.num_rows)
    return None


def plan_columns(
    chunks: Iterator[pd.DataFrame], source: str, *, columns: Sequence[str] | None,
    engine: RedactionEngine,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The first chunk and the column plan (column -> entity) detected on it.

    The plan is fixed from the first chunk so every chunk, worker and Ray actor redacts the
    same columns the same way. Named ``columns`` are always redacted (an unknown type is
    redacted span by span); a named column missing from the table is a typed error.
    """
    try:
        first = next(chunks)
    except StopIteration:
        raise DataFileError(f"{source} has no rows") from None
    if first.empty:
        raise DataFileError(f"{source} has no rows (a header only?); nothing to redact")
    check_unique_columns(first.columns, source)
    if columns:
        missing = [c for c in columns if c not in first.columns]
        if missing:
            raise SchemaError(
                f"column(s) {', '.join(missing)} not in {source}; its columns are: "
                f"{', '.join(map(str, first.columns))}"
            )
    detected = detect_pii_columns(first if not columns else first[list(columns)], engine=engine)
    plan = {c: e for c, (e, _) in detected.items()}
    if columns:
        plan = {c: plan.get(c, FREE_TEXT) for c in columns}
    return first, plan


def redact_table_file(src: Path, dst: Path, *, columns: Sequence[str] | None,
                      engine: RedactionEngine, chunk_size: int,
                      progress: ProgressCallback | None = None,
                      keep_original: bool = False) -> RedactionSummary:
    """Stream ``src`` in chunks through :func:`redact_frame` into ``dst`` (atomic)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from synthguard.redaction.batch import _Pool

    summary = RedactionSummary()
    start = time.perf_counter()
    chunks = _iter_chunks(src, chunk_size)
    first, plan = plan_columns(chunks, src.name, columns=columns, engine=engine)
    summary.columns = dict(plan)
    total = _total_rows(src)
    pool = _Pool(engine) if FREE_TEXT in plan.values() else None
    try:
        with atomic_path(dst) as tmp:
            writer: Any = None
            header = True
            for chunk in _prepend(first, chunks):
                new, counts = redact_frame(chunk, plan, engine, pool, keep_original=keep_original)
                summary.documents += len(new)
                summary.add(counts)
                if dst.suffix.lower() == ".csv":
                    new.to_csv(tmp, mode="w" if header else "a", header=header, index=False)
                    header = False
                else:
                    table = pa.Table.from_pandas(new, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    else:
                        table = table.cast(writer.schema)
                    writer.write_table(table)
                report(progress, "redact", summary.documents, total)
            if writer is not None:
                writer.close()
        if pool is not None:
            pool.close()
    finally:
        if pool is not None:
            pool.terminate()
    summary.seconds = time.perf_counter() - start
    return summary


def _prepend(first: pd.DataFrame, rest: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    yield first
    yield from rest

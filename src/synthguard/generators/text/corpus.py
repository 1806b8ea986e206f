"""Reading and writing text corpora: JSONL (one JSON object per line) or plain TXT.

Why a reader of our own instead of ``pandas.read_json(lines=True)``: a malformed line must
be reported by its line number and a missing field by the fields that do exist, and a corpus
must never be half-written. Error messages name the file, line and field, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard._io import atomic_path, parse_jsonl_record
from synthguard.errors import DataFileError, SchemaError

TEXT_SUFFIXES = (".jsonl", ".ndjson", ".txt")


def read_corpus(path: str | Path, *, text_field: str = "text") -> pd.DataFrame:
    """Load a corpus as a DataFrame (all JSON fields kept; ``text_field`` must be a string).

    ``.txt``: one document per non-empty line, put under ``text_field``.
    ``.jsonl``/``.ndjson``: one JSON object per non-empty line.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"corpus file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise DataFileError(
            f"corpus file {str(path)!r} has suffix {suffix!r}; use .jsonl (one JSON object per "
            "line) or .txt (one document per line)"
        )
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise DataFileError(
            f"corpus file {str(path)!r} is not UTF-8 (byte {exc.start}); re-encode it as UTF-8"
        ) from None
    if suffix == ".txt":
        rows: list[dict[str, Any]] = [{text_field: line} for line in lines if line.strip()]
    else:
        rows = _parse_jsonl(path, lines, text_field)
    if not rows:
        raise DataFileError(f"corpus file {str(path)!r} holds no documents")
    return pd.DataFrame(rows)


def _parse_jsonl(path: Path, lines: list[str], text_field: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = parse_jsonl_record(line, lineno=number, source=repr(str(path)), text_field=text_field)
        if not isinstance(record[text_field], str):
            raise SchemaError(
                f"{str(path)!r} line {number}: field {text_field!r} is "
                f"{type(record[text_field]).__name__}, expected a string"
            )
        rows.append(record)
    return rows


def texts_from(data: Any, *, text_field: str) -> list[str]:
    """The documents of ``data``: a DataFrame with column ``text_field`` or a list of strings."""
    if isinstance(data, pd.DataFrame):
        if text_field not in data.columns:
            raise SchemaError(
                f"no text column {text_field!r}; columns are {[str(c) for c in data.columns]}; "
                "set text_field to one of them"
            )
        column = data[text_field]
        bad = [i for i, v in enumerate(column.tolist()) if not isinstance(v, str)]
        if bad:
            raise SchemaError(
                f"text column {text_field!r} has {len(bad)} non-string value(s) "
                f"(first at row {bad[0]}); drop or fill them first"
            )
        texts = [str(v) for v in column.tolist()]
    elif isinstance(data, Sequence) and not isinstance(data, str | bytes):
        bad = [i for i, v in enumerate(data) if not isinstance(v, str)]
        if bad:
            raise SchemaError(
                f"documents must be strings; item {bad[0]} is {type(data[bad[0]]).__name__}"
            )
        texts = list(data)
    else:
        raise SchemaError(
            f"text generators take a DataFrame with a text column or a list of strings, "
            f"got {type(data).__name__}"
        )
    if not texts:
        raise SchemaError("the corpus is empty: give at least one document")
    return texts


def write_corpus(
    path: str | Path, texts: Iterable[str], *, text_field: str = "text",
    extra: dict[str, list[Any]] | None = None,
) -> Path:
    """Write documents as JSONL (``{text_field: doc, **extra}`` per line) atomically."""
    path = Path(path)
    extra = extra or {}
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            record = {text_field: text, **{k: v[i] for k, v in extra.items()}}
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
    return path

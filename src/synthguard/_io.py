"""Atomic writes and hashing: nothing half-written, everything fingerprinted."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, streamed so large files need no memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` only on success.

    A crash or an exception leaves no partial file behind (the temp file is removed).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: str | Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(target: str | Path, payload: Any) -> None:
    write_text_atomic(target, json.dumps(payload, indent=2, sort_keys=True, default=_json_default))


def _json_default(obj: Any) -> Any:
    """Make numpy scalars/arrays and paths JSON-serialisable."""
    if hasattr(obj, "item") and callable(obj.item) and getattr(obj, "ndim", 1) == 0:
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def to_jsonable(payload: Any) -> Any:
    """Round-trip through JSON so numpy types become plain Python types."""
    return json.loads(json.dumps(payload, default=_json_default))


def parse_jsonl_record(line: str, *, lineno: int, source: str,
                       text_field: str | None = None) -> dict[str, Any]:
    """One JSONL line as an object; errors name the file, the line and (if asked) the field.

    Shared by every JSONL reader (redaction, text corpora, Ray shards) so that a malformed
    line or a missing ``--text-field`` reads the same everywhere.
    """
    from synthguard.errors import DataFileError, SchemaError

    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            f"{source} line {lineno} is not valid JSON ({exc.msg} at column {exc.colno}); "
            "each line must be one JSON object: fix or remove it"
        ) from None
    if not isinstance(record, dict):
        raise DataFileError(
            f"{source} line {lineno} is not a JSON object (got {type(record).__name__})")
    if text_field is not None and text_field not in record:
        raise SchemaError(
            f"{source} line {lineno} has no field {text_field!r}; its fields are "
            f"{sorted(record)}; choose one with --text-field"
        )
    return record

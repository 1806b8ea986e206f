"""Atomic writes and hashing: nothing half-written, everything fingerprinted."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
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

    A crash, an exception or SIGTERM (see ``synthguard._outputs``) leaves no partial file
    behind (the temp file is removed); a kill -9 leaves a temp of synthguard's naming that a
    later run sweeps. The result gets the modes the umask asks for.
    """
    from synthguard._outputs import apply_umask, make_temp_file

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_file(target)
    try:
        yield tmp
        apply_umask(tmp)
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
            f"{sorted(record)}; choose one with text_field="
        )
    return record


def iter_text_lines(path: str | Path, *, source: str | None = None) -> Iterator[str]:
    """The lines of a UTF-8 text file (newlines kept), streamed; a line that is not UTF-8
    (a Latin-1 or binary file) is a :class:`DataFileError` naming the file and the line."""
    from synthguard.errors import DataFileError

    name = source or Path(path).name
    with open(path, "rb") as handle:
        for lineno, raw in enumerate(handle, start=1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DataFileError(
                    f"{name} line {lineno} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                    f"column {exc.start + 1}); re-save the file as UTF-8") from None

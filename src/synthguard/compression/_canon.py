"""Canonical row hashes: the evidence that no real record reached the student.

A row's canonical form is its values in sorted-column order, numbers written the same way
whatever their dtype (``39``, ``39.0`` and ``np.int64(39)`` agree), missing values as one
token. Hashing real rows and transfer rows the same way lets the pipeline drop exact copies
of real records from the transfer set and lets a test prove the intersection is empty.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

_MISSING = "\x00NA"


def _canonical_value(value: object) -> str:
    if value is None:
        return _MISSING
    if isinstance(value, bool | np.bool_):
        return f"b:{bool(value)}"
    if isinstance(value, int | np.integer):
        return f"n:{float(value)!r}"
    if isinstance(value, float | np.floating):
        if math.isnan(float(value)):
            return _MISSING
        return f"n:{float(value)!r}"
    if value is pd.NA or value is pd.NaT:
        return _MISSING
    text = str(value)
    try:  # numbers stored as text in CSVs hash like numbers
        number = float(text)
    except ValueError:
        return f"s:{text}"
    return _MISSING if math.isnan(number) else f"n:{number!r}"


def row_hashes(frame: pd.DataFrame, *, columns: Iterable[str] | None = None) -> list[str]:
    """SHA-256 of each row's canonical form over ``columns`` (default: all, sorted)."""
    names = sorted(map(str, columns if columns is not None else frame.columns))
    subset = frame[names]
    out: list[str] = []
    header = "\x1f".join(names)
    for row in subset.itertuples(index=False, name=None):
        text = header + "\x1e" + "\x1f".join(_canonical_value(v) for v in row)
        out.append(hashlib.sha256(text.encode("utf-8")).hexdigest())
    return out


def array_sha256(*arrays: np.ndarray) -> str:
    """SHA-256 of arrays' dtype, shape and bytes (the exact tensors a model trained on)."""
    digest = hashlib.sha256()
    for array in arrays:
        contiguous = np.ascontiguousarray(array)
        digest.update(f"{contiguous.dtype.str}{contiguous.shape}".encode())
        digest.update(contiguous.tobytes())
    return digest.hexdigest()

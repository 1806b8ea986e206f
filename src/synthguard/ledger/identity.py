"""Which dataset a table is, for the privacy budget: a fingerprint and near-copy rules.

A budget protects the people in a dataset, so it must follow the rows, not the file. The rules
(also in docs/dp.md, "Which dataset pays"):

1. **Canonical cells.** Every value is written as text that survives CSV/Parquet and dtype
   changes: numbers (and numeric text) as ``%.15g`` (``3``, ``3.0``, ``"3"`` are one value),
   booleans as ``1``/``0``, datetimes as ISO text, categoricals as their values, text stripped
   of surrounding spaces, missing (and the text ``nan``/``None``/``<NA>``/``NaT`` that
   ``astype(str)`` makes of it) as the empty string. Each cell is hashed (64-bit) per column.
2. **Rows.** A row's hash combines its cells' hashes in the order of the *sorted column
   names*, so column order does not matter; a projection on any column subset can be hashed.
   Rows form a multiset (the k-th copy of a row is its own element).
3. **Fingerprint.** SHA-256 of the sorted column names and the sorted row hashes: it does not
   change with row order, column order, format or dtype. Equal fingerprints: the same dataset.
4. **Sketch.** A b-bit one-permutation MinHash of the row multiset (256 buckets, 8 bits kept
   per bucket, 512 bytes), for the full column set and for each leave-one-column-out
   projection. It is what the ledger stores — never values: 8 bits per bucket cannot tell
   whether a given row is in the table (a row owns a bucket's minimum with probability about
   256/n, and 1 in 256 unrelated rows match a bucket by chance).
5. **Near-copy match.** A new table T matches a stored dataset D when they share D's columns
   (T may have any number of extra columns, and may lack at most one of D's; the shared
   projection keeps at least max(2, ⌈|D|/2⌉) columns, or D's only column for a one-column
   dataset such as a text corpus), and on that projection the estimated
   Jaccard similarity of their row multisets is at least 0.03 and the estimated containment
   ``|T ∩ D| / min(|T|, |D|)`` is at least 0.5. So "the same table shuffled", "one dummy
   column added", "one column dropped", "one row dropped", "a train split of D" and "D plus
   new rows" all map to D. A subset smaller than about 4 % of D can be missed (its Jaccard is
   below what 256 buckets resolve; an unrelated table passes 0.03 with probability ~1e-6); nor is a table whose columns were renamed.
6. **Charging.** A fit charges *every* known dataset its table matches (each budget is
   checked), and the table is registered as a dataset of its own unless one match holds at
   least 90 % of its rows (so "D plus many new rows" is charged to D *and* to itself, and the
   new rows' people are protected by the new dataset's budget).
7. The rule errs towards sharing: two tables whose rows take few distinct values (a few
   categorical columns) can match although they hold different people; they then share a
   budget, which can only make the ledger refuse sooner.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SKETCH_BUCKETS = 256
SKETCH_BITS = 8
MIN_JACCARD = 0.03
MIN_CONTAINMENT = 0.5
MIN_SHARED_COLUMNS = 2
COVERED = 0.9  # a table with this share of its rows in a known dataset is not registered anew

_MISSING_TEXT = ("", "nan", "NaN", "None", "<NA>", "NaT")
_EMPTY = np.uint16(0xFFFF)
_MASK64 = (1 << 64) - 1
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SEED = np.uint64(0x5EED5EED12345678)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on a uint64 array (wrapping arithmetic)."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64, copy=True)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z


def canonical_text(series: pd.Series) -> pd.Series:
    """A column's values as canonical text (rule 1 of the module docstring)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    missing = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series):
        # nullable "boolean" holds pd.NA, whose truth value raises: missing is blanked below
        text = series.fillna(False).map(lambda v: "1" if v else "0").astype(object)
    elif pd.api.types.is_numeric_dtype(series):
        text = _numbers(series.to_numpy(dtype=float, na_value=np.nan), series.index)
    elif pd.api.types.is_datetime64_any_dtype(series):
        stamps = pd.to_datetime(series)
        text = pd.Series(stamps.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.replace(
            r"(T00:00:00)?\.000000$", "", regex=True), index=series.index)
    else:
        text = series.astype(str).str.strip()
        missing = missing | text.isin(_MISSING_TEXT).to_numpy()  # astype(str) of NaN/None
        numeric = pd.to_numeric(text.where(~missing), errors="coerce")
        if bool((numeric.notna().to_numpy() | missing).all()) and not missing.all():
            text = _numbers(numeric.to_numpy(dtype=float, na_value=np.nan), series.index)
    return text.where(~missing, "")


def _numbers(values: np.ndarray, index: pd.Index) -> pd.Series:
    values = np.where(values == 0, 0.0, values)  # -0.0 -> 0
    return pd.Series(np.char.mod("%.15g", np.nan_to_num(values)), index=index, dtype=object)


@dataclass(frozen=True)
class Sketch:
    """b-bit one-permutation MinHash of a row multiset (rule 4)."""

    values: tuple[int, ...]  # SKETCH_BUCKETS entries, 0..255, or 0xFFFF for an empty bucket
    n: int  # multiset size (rows)

    def to_hex(self) -> str:
        return np.asarray(self.values, dtype=">u2").tobytes().hex()

    @classmethod
    def from_hex(cls, text: str, n: int) -> Sketch:
        values = np.frombuffer(bytes.fromhex(text), dtype=">u2")
        return cls(tuple(int(v) for v in values), int(n))

    def jaccard(self, other: Sketch) -> float:
        """Estimated Jaccard similarity of the two multisets (chance matches removed)."""
        a = np.asarray(self.values)
        b = np.asarray(other.values)
        both_empty = (a == _EMPTY) & (b == _EMPTY)
        used = int((~both_empty).sum())
        if used == 0:
            return 0.0
        matches = int(((a == b) & ~both_empty).sum())
        chance = 1.0 / (1 << SKETCH_BITS)
        return float(min(1.0, max(0.0, (matches / used - chance) / (1 - chance))))


def sketch_of(hashes: np.ndarray) -> Sketch:
    """Sketch of a multiset of 64-bit row hashes."""
    order = np.argsort(hashes, kind="stable")
    ranked = hashes[order]
    starts = np.r_[0, np.flatnonzero(ranked[1:] != ranked[:-1]) + 1] if len(ranked) else \
        np.zeros(0, dtype=np.int64)
    occurrence = np.arange(len(ranked)) - np.repeat(starts, np.diff(np.r_[starts, len(ranked)]))
    with np.errstate(over="ignore"):
        elements = _mix(ranked ^ (occurrence.astype(np.uint64) * _GOLDEN))
        keyed = _mix(elements ^ _SEED)
    bucket = (keyed >> np.uint64(56)).astype(np.int64)  # 256 buckets
    rank = keyed & np.uint64((1 << 56) - 1)
    best = np.full(SKETCH_BUCKETS, np.uint64(_MASK64), dtype=np.uint64)
    np.minimum.at(best, bucket, rank)
    empty = best == np.uint64(_MASK64)
    values = np.where(empty, int(_EMPTY), (best & np.uint64(0xFF)).astype(np.int64))
    return Sketch(tuple(int(v) for v in values), len(hashes))


class TableRows:
    """Canonical cell hashes of a table, from which any projection's rows can be hashed."""

    def __init__(self, frame: pd.DataFrame) -> None:
        names = [str(c) for c in frame.columns]
        if len(set(names)) != len(names):
            from synthguard.errors import SchemaError

            dupes = sorted({n for n in names if names.count(n) > 1})
            raise SchemaError(f"duplicate column name(s) {dupes}; rename them before a DP fit")
        self.columns: tuple[str, ...] = tuple(sorted(names))
        self.n_rows = len(frame)
        self._cells: dict[str, np.ndarray] = {}
        for column, name in zip(frame.columns, names, strict=True):
            text = canonical_text(frame[column])
            self._cells[name] = pd.util.hash_pandas_object(text, index=False).to_numpy(np.uint64)
        self._fingerprint: str | None = None

    def row_hashes(self, columns: Iterable[str] | None = None) -> np.ndarray:
        """64-bit hash per row of the projection on ``columns`` (all by default)."""
        chosen = sorted(self.columns if columns is None else columns)
        acc = np.full(self.n_rows, np.uint64(len(chosen)), dtype=np.uint64)
        with np.errstate(over="ignore"):
            for name in chosen:
                acc = _mix(acc * _GOLDEN + self._cells[name])
        return acc

    def fingerprint(self) -> str:
        """Rule 3: order-, format- and dtype-independent SHA-256 of the table."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            digest.update("\x1f".join(self.columns).encode("utf-8"))
            digest.update(b"\x1e")
            digest.update(np.sort(self.row_hashes()).astype("<u8").tobytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint

    def sketch(self, columns: Iterable[str] | None = None) -> Sketch:
        return sketch_of(self.row_hashes(columns))

    def identity(self) -> DatasetIdentity:
        """What the ledger stores for a dataset: fingerprint, columns, size, sketches."""
        loo = {} if len(self.columns) <= MIN_SHARED_COLUMNS else {
            c: self.sketch([o for o in self.columns if o != c]) for c in self.columns}
        return DatasetIdentity(self.fingerprint(), self.columns, self.n_rows, self.sketch(), loo)


@dataclass(frozen=True)
class DatasetIdentity:
    fingerprint: str
    columns: tuple[str, ...]
    n_rows: int
    sketch: Sketch
    leave_one_out: dict[str, Sketch] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    """Why a table was taken to be (a near-copy of) a stored dataset."""

    dataset_sha256: str
    rule: str  # "same rows" | "near copy"
    jaccard: float
    containment: float  # |T ∩ D| / min(|T|, |D|)
    inside: float  # |T ∩ D| / |T|: share of the table's rows that are D's
    columns_compared: int

    def to_dict(self) -> dict[str, object]:
        return {"dataset_sha256": self.dataset_sha256, "rule": self.rule,
                "jaccard": round(self.jaccard, 4), "containment": round(self.containment, 4),
                "inside": round(self.inside, 4), "columns_compared": self.columns_compared}


def match(rows: TableRows, stored: DatasetIdentity) -> Match | None:
    """Rule 5: is ``rows`` the stored dataset, or a near-copy of it?"""
    if rows.columns == stored.columns and rows.fingerprint() == stored.fingerprint:
        return Match(stored.fingerprint, "same rows", 1.0, 1.0, 1.0, len(rows.columns))
    have = set(rows.columns)
    missing = [c for c in stored.columns if c not in have]
    if not missing:
        projection: Sequence[str] = stored.columns
        theirs = stored.sketch
    elif len(missing) == 1 and missing[0] in stored.leave_one_out:
        projection = [c for c in stored.columns if c != missing[0]]
        theirs = stored.leave_one_out[missing[0]]
    else:
        return None
    needed = 1 if len(stored.columns) == 1 else max(MIN_SHARED_COLUMNS,
                                                     math.ceil(len(stored.columns) / 2))
    if len(projection) < needed:
        return None
    mine = rows.sketch(projection)
    jaccard = mine.jaccard(theirs)
    if jaccard < MIN_JACCARD or mine.n == 0 or theirs.n == 0:
        return None
    shared = jaccard * (mine.n + theirs.n) / (1 + jaccard)
    containment = min(1.0, shared / min(mine.n, theirs.n))
    if containment < MIN_CONTAINMENT:
        return None
    return Match(stored.fingerprint, "near copy", jaccard, containment,
                 min(1.0, shared / mine.n), len(projection))


__all__ = ["DatasetIdentity", "Match", "Sketch", "TableRows", "canonical_text", "match"]

"""Read and write tables (CSV, Parquet) with errors that say what is wrong and what to do."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthguard._io import atomic_path
from synthguard.data.builtin import builtin_names, load_builtin
from synthguard.errors import DataFileError

TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


def load_table(source: str | Path) -> pd.DataFrame:
    """Load a CSV/Parquet file, or a built-in dataset by name (``"adult"``).

    Raises :class:`DataFileError` for a missing file, an unknown format, an unreadable file
    or an empty table, naming the file.
    """
    text = str(source)
    path = Path(text)
    if not path.exists():
        if text in builtin_names():
            return load_builtin(text)
        raise DataFileError(
            f"data file {text!r} does not exist; give a .csv or .parquet path or a built-in "
            f"dataset name ({', '.join(builtin_names())})"
        )
    if path.is_dir():
        raise DataFileError(f"{text!r} is a directory; give a .csv or .parquet file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            sep = csv_delimiter(path)
            frame = pd.read_csv(path, skipinitialspace=True, sep=sep,
                                decimal="," if sep != "," and _decimal_comma(path, sep) else ".")
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise DataFileError(
                f"unsupported format {suffix or '(no suffix)'!r} for {text!r}; use .csv or .parquet"
            )
    except DataFileError:
        raise
    except pd.errors.EmptyDataError:
        raise DataFileError(f"data file {text!r} is empty; it needs a header and rows") from None
    except Exception as exc:  # pandas/pyarrow raise many types for corrupt files
        raise DataFileError(
            f"cannot read {text!r} as {suffix[1:]}: {type(exc).__name__}: {str(exc)[:200]}"
        ) from None
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise DataFileError(f"table {text!r} is empty ({frame.shape[0]} rows, {frame.shape[1]} columns)")
    check_unique_columns(frame.columns, text)
    return frame


def check_unique_columns(columns: Iterable[object], source: str) -> None:
    """A table whose column names repeat cannot be read column by column: name the repeats."""
    names = [str(c) for c in columns]
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise DataFileError(f"{source!r} has duplicate column name(s) {', '.join(map(repr, repeated))}; "
                            "rename them so that every column has its own name")


CSV_DELIMITERS = (",", ";", "\t", "|")


def csv_delimiter(path: str | Path, *, sample_bytes: int = 65_536, lines: int = 50) -> str:
    """The delimiter of a CSV file among ``, ; tab |`` (comma when nothing else fits).

    Each candidate parses the first ``lines`` lines (quotes respected); it scores the header's
    field count if that count is > 1 and at least 80 % of the lines have it. The highest score
    wins, ties going to the earlier candidate, so a comma file with ``;`` inside quoted values
    stays comma-separated while a ``;`` file with decimal commas is read as ``;``.
    """
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        head = handle.read(sample_bytes)
    if len(head) == sample_bytes and "\n" in head:
        head = head[: head.rindex("\n")]  # never judge a cut line
    best, best_score = ",", 0
    for sep in CSV_DELIMITERS:
        try:
            rows = [r for r in csv.reader(io.StringIO(head), delimiter=sep) if r][:lines]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        consistent = sum(len(r) == width for r in rows) / len(rows)
        score = width if width > 1 and consistent >= 0.8 else 0
        if score > best_score:
            best, best_score = sep, score
    return best


def _decimal_comma(path: str | Path, sep: str, *, sample_bytes: int = 65_536) -> bool:
    """Whether a non-comma CSV writes decimals with a comma (``1,5``) and never with a point."""
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        head = handle.read(sample_bytes)
    fields = [f.strip().strip('"') for line in head.splitlines()[1:] for f in line.split(sep)]
    comma = sum(bool(re.fullmatch(r"-?\d+,\d+", f)) for f in fields)
    point = sum(bool(re.fullmatch(r"-?\d+\.\d+", f)) for f in fields)
    return comma > 0 and point == 0


def write_table(frame: pd.DataFrame, target: str | Path) -> Path:
    """Write ``frame`` to .csv or .parquet atomically (temp file, then rename)."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise DataFileError(f"output {str(target)!r} must end in .csv or .parquet")
    with atomic_path(target) as tmp:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, compression="zstd")
    return target


def table_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's canonical form (column names sorted, rows in order, values as text).

    Two loads of the same data from CSV or Parquet give the same fingerprint, so a privacy
    budget follows the data, not the file.
    """
    canonical = pd.DataFrame({str(c): _canonical_text(frame[c]) for c in sorted(frame.columns, key=str)})
    digest = hashlib.sha256()
    digest.update("\x1f".join(canonical.columns).encode())
    hashed = pd.util.hash_pandas_object(canonical, index=False).to_numpy()
    digest.update(hashed.tobytes())
    return digest.hexdigest()


def _canonical_text(series: pd.Series) -> pd.Series:
    """Values as text that survives a CSV/Parquet round trip: numbers as %.15g, missing as ''."""
    missing = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(series):
        text = series.astype(str)
    elif pd.api.types.is_numeric_dtype(series):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        text = pd.Series(np.char.mod("%.15g", np.nan_to_num(values)), index=series.index)
    else:
        text = series.astype(str)
    return text.where(~missing, "")

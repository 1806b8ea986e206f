"""Read and write tables (CSV, Parquet) with errors that say what is wrong and what to do."""

from __future__ import annotations

import hashlib
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
            frame = pd.read_csv(path, skipinitialspace=True)
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
    return frame


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

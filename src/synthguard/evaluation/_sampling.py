"""Stated-size samples for evaluating tables of millions of rows.

Why sample: fidelity, detection, utility and attack metrics are estimates; on a uniform
random sample of ``m`` rows they stay unbiased, and their confidence intervals, computed
from the rows actually used, are as wide as ``m`` warrants (wider than a full-data run
would claim, never narrower). What matters is that the report says so: every sampled table
is listed with its full and used row counts and the seed.

:func:`sample_file` reads a Parquet file row group by row group (a CSV in chunks) and keeps
only the chosen rows, so a 10M-row file is sampled in bounded memory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.loading import csv_delimiter
from synthguard.errors import DataFileError, ParameterError


@dataclass(frozen=True)
class SampleInfo:
    """One table's sampling: ``used`` of ``rows`` rows, uniformly at random with ``seed``."""

    table: str
    rows: int
    used: int
    seed: int

    @property
    def sampled(self) -> bool:
        return self.used < self.rows

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "sampled": self.sampled,
                "fraction": round(self.used / self.rows, 6) if self.rows else 1.0}


def _check(max_rows: int) -> None:
    if not isinstance(max_rows, int) or max_rows < 100:
        raise ParameterError(f"max_rows={max_rows!r} must be an integer >= 100")


def _stream_seed(seed: int, table: str) -> np.random.Generator:
    # one independent stream per table, so real and synthetic samples are not aligned
    return np.random.default_rng([seed, sum(table.encode())])


def cap_rows(frame: pd.DataFrame, max_rows: int | None, *, seed: int, table: str
             ) -> tuple[pd.DataFrame, SampleInfo]:
    """``frame`` itself if it is small enough, else a uniform sample of ``max_rows`` rows."""
    if max_rows is None or len(frame) <= max_rows:
        return frame, SampleInfo(table, len(frame), len(frame), seed)
    _check(max_rows)
    rng = _stream_seed(seed, table)
    keep = np.sort(rng.choice(len(frame), size=max_rows, replace=False))
    return frame.iloc[keep].reset_index(drop=True), SampleInfo(table, len(frame), max_rows, seed)


def sample_file(path: str | Path, max_rows: int | None, *, seed: int, table: str
                ) -> tuple[pd.DataFrame, SampleInfo]:
    """Load ``path`` (or the built-in dataset name), keeping a uniform ``max_rows`` sample.

    Parquet: the row count comes from the footer, the chosen rows are taken per row group.
    CSV: one counting pass, then a chunked pass that keeps the chosen rows.
    """
    from synthguard.data import load_table

    src = Path(path)
    suffix = src.suffix.lower()
    if max_rows is None or not src.is_file() or suffix not in (".parquet", ".pq", ".csv"):
        return cap_rows(load_table(path), max_rows, seed=seed, table=table)
    _check(max_rows)
    total = _row_count(src)
    if total <= max_rows:
        return load_table(src), SampleInfo(table, total, total, seed)
    rng = _stream_seed(seed, table)
    keep = np.sort(rng.choice(total, size=max_rows, replace=False))
    parts = []
    offset = 0
    for chunk in _chunks(src):
        lo, hi = np.searchsorted(keep, [offset, offset + len(chunk)])
        if hi > lo:
            parts.append(chunk.iloc[keep[lo:hi] - offset])
        offset += len(chunk)
    frame = pd.concat(parts, ignore_index=True)
    return frame, SampleInfo(table, total, len(frame), seed)


def _row_count(src: Path) -> int:
    if src.suffix.lower() == ".csv":  # pandas' own parse, so quoted newlines count right
        try:
            return sum(len(c) for c in pd.read_csv(src, usecols=[0], chunksize=500_000,
                                                   sep=csv_delimiter(src)))
        except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
            raise DataFileError(f"{src.name} is not a readable CSV: {exc}") from None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(src).metadata.num_rows)
    except Exception as exc:  # pyarrow raises several types
        raise DataFileError(f"{src.name} is not a readable Parquet file: {exc}") from None


def _chunks(src: Path) -> Any:
    if src.suffix.lower() == ".csv":
        yield from pd.read_csv(src, chunksize=200_000, sep=csv_delimiter(src))
        return
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(src)
    for i in range(handle.num_row_groups):
        yield handle.read_row_group(i).to_pandas()

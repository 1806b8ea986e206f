"""Build the built-in Adult dataset (compressed Parquet) from ``../shared/datasets/adult.csv``.

UCI Adult (Becker & Kohavi, 1996), CC BY 4.0: https://doi.org/10.24432/C5XW20
Run from the repository root: ``python scripts/make_adult_parquet.py [CSV]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets" / "adult.csv"
TARGET = ROOT / "src" / "synthguard" / "data" / "datasets" / "adult.parquet"


def main() -> None:
    frame = pd.read_csv(SOURCE, skipinitialspace=True, na_values=["?"])
    for column in frame.select_dtypes(include="object"):
        frame[column] = frame[column].str.strip()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, TARGET, compression="zstd", compression_level=19)
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes, {len(frame)} rows)")


if __name__ == "__main__":
    main()

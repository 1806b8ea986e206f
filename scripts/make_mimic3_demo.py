"""Build the built-in relational dataset ``mimic3_demo`` (zstd Parquet per table + metadata).

    python scripts/make_mimic3_demo.py [SOURCE_DIR]   (default ../shared/datasets/mimic3_demo)

Source: MIMIC-III Clinical Database Demo v1.4 (Johnson, Pollard & Mark 2019, PhysioNet,
https://doi.org/10.13026/C2HM2Q), ODbL 1.0. Eight tables are kept (PATIENTS, ADMISSIONS,
ICUSTAYS, DIAGNOSES_ICD, PROCEDURES_ICD, PRESCRIPTIONS, TRANSFERS, SERVICES); the ICD-9
dictionary is left out (public, not patient data). ``row_id`` (a row counter of the source
export) is dropped; every other value is kept as published, including the orphan rows whose
admission is missing from the copy here: the loader reports and drops them by its stated rule.
The metadata is inferred by :func:`synthguard.data.relational.infer_metadata` and checked in.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthguard.data.relational import infer_metadata

TABLES = ("PATIENTS", "ADMISSIONS", "ICUSTAYS", "DIAGNOSES_ICD", "PROCEDURES_ICD", "PRESCRIPTIONS",
          "TRANSFERS", "SERVICES")
OUT = Path(__file__).resolve().parents[1] / "src" / "synthguard" / "data" / "datasets" / "mimic3_demo"


def main(source: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tables = {}
    for name in TABLES:
        frame = pd.read_csv(source / f"{name}.csv", dtype={"icd9_code": str, "ndc": str, "gsn": str})
        tables[name] = frame.drop(columns=["row_id"])
    # metadata inferred on the clean rows (orphans are a data fault, not a schema fact)
    meta = infer_metadata(tables)
    for name, frame in tables.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), OUT / f"{name}.parquet",
                       compression="zstd", compression_level=19)
    meta.write(OUT / "metadata.json")
    shutil.copyfile(source / "LICENSE.txt", OUT / "LICENSE.txt")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(tables)} tables to {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/datasets/mimic3_demo"))

"""Build the built-in relational dataset ``mimic3_demo`` (zstd Parquet per table + metadata).

    python scripts/make_mimic3_demo.py [SOURCE_DIR]   (default ../shared/datasets/mimic3_demo)

Source: MIMIC-III Clinical Database Demo v1.4 (Johnson, Pollard & Mark 2019, PhysioNet,
https://doi.org/10.13026/C2HM2Q), ODbL 1.0. Eight tables are kept (PATIENTS, ADMISSIONS,
ICUSTAYS, DIAGNOSES_ICD, PROCEDURES_ICD, PRESCRIPTIONS, TRANSFERS, SERVICES); the ICD-9
dictionary is left out (public, not patient data). ``row_id`` (a row counter of the source
export) is dropped; every other value is kept as published, including the orphan rows whose
admission is missing from the copy here: the loader reports and drops them by its stated rule.
The metadata is inferred by :func:`synthguard.data.relational.infer_metadata` and checked in,
with the *public facts* below added (bounds and time offsets that DP generators take for free;
each with its source: MIMIC-III's documentation or a stated a-priori cap, never the rows).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthguard._io import write_json_atomic
from synthguard.data.relational import infer_metadata

TABLES = ("PATIENTS", "ADMISSIONS", "ICUSTAYS", "DIAGNOSES_ICD", "PROCEDURES_ICD", "PRESCRIPTIONS",
          "TRANSFERS", "SERVICES")
DOCS = ("MIMIC-III documentation (mimic.mit.edu, 'Dates and times'): dates are shifted into the "
        "future, consistently per patient, so that stays fall between 2100 and 2200; MIMIC-III covers "
        "stays from 2001 to 2012 (12 years); patients older than 89 have their date of birth set 300 "
        "years before their first admission")
CAP = "no documented maximum: a stated a-priori cap, a round number, not a data statistic"
EVENT = ["2100-01-01", "2213-01-01"]
AGE = [0, 146465]  # 0 .. 401 years in days: ages up to 89, or about 300 + 89 for the shifted ones
STAY = [-7, 365]  # an event from its admission's time, in days


def public_facts() -> dict[str, dict[str, dict[str, object]]]:
    """Public facts per table and column (``bounds``, ``offset_days``, ``source``)."""
    event = {"bounds": EVENT, "source": f"{DOCS}; upper bound: 2200 + 12 years"}
    return {
        "PATIENTS": {
            "dob": {"bounds": ["1800-01-01", "2213-01-01"], "source": f"{DOCS}: 2100 - 300 .. 2213"},
            **{c: {**event, "offset_days": AGE, "source": f"{DOCS}; offset from dob: the age, up to "
                                                         "89 or about 300 + 89 years"}
               for c in ("dod", "dod_hosp", "dod_ssn")}},
        "ADMISSIONS": {
            "admittime": {**event, "offset_days": AGE,
                          "source": f"{DOCS}; offset from the patient's dob: the age at admission"},
            "dischtime": {**event, "offset_days": [-1, 365], "source": f"{DOCS}; stay length: {CAP}"},
            "deathtime": {**event, "offset_days": [-1, 365], "source": f"{DOCS}; from admission: {CAP}"},
            "edregtime": {**event, "offset_days": [-7, 7], "source": f"{DOCS}; ED time from admission: {CAP}"},
            "edouttime": {**event, "offset_days": [-7, 7], "source": f"{DOCS}; ED time from admission: {CAP}"}},
        "ICUSTAYS": {
            "intime": {**event, "offset_days": STAY, "source": f"{DOCS}; from admission: {CAP}"},
            "outtime": {**event, "offset_days": [0, 365], "source": f"{DOCS}; ICU stay length: {CAP}"},
            "los": {"bounds": [0, 365], "source": f"ICU length of stay in days: {CAP}"},
            "first_wardid": {"bounds": [0, 100], "source": f"ward identifier: {CAP}"},
            "last_wardid": {"bounds": [0, 100], "source": f"ward identifier: {CAP}"}},
        "PRESCRIPTIONS": {
            "startdate": {**event, "offset_days": STAY, "source": f"{DOCS}; from admission: {CAP}"},
            "enddate": {**event, "offset_days": STAY, "source": f"{DOCS}; from the start date: {CAP}"}},
        "TRANSFERS": {
            "intime": {**event, "offset_days": STAY, "source": f"{DOCS}; from admission: {CAP}"},
            "outtime": {**event, "offset_days": [0, 365], "source": f"{DOCS}; stay in a unit: {CAP}"},
            "los": {"bounds": [0, 8760], "source": f"length of stay in a unit, in hours: {CAP}"},
            "prev_wardid": {"bounds": [0, 100], "source": f"ward identifier: {CAP}"},
            "curr_wardid": {"bounds": [0, 100], "source": f"ward identifier: {CAP}"}},
        "SERVICES": {
            "transfertime": {**event, "offset_days": STAY, "source": f"{DOCS}; from admission: {CAP}"}},
        "DIAGNOSES_ICD": {"seq_num": {"bounds": [1, 50], "source": f"diagnosis priority: {CAP}"}},
        "PROCEDURES_ICD": {"seq_num": {"bounds": [1, 50], "source": f"procedure order: {CAP}"}},
    }


def with_public_facts(raw: dict[str, Any]) -> dict[str, Any]:
    """SDV metadata JSON with :func:`public_facts` added to its column specs."""
    for table, columns in public_facts().items():
        for column, facts in columns.items():
            raw["tables"][table]["columns"][column].update(facts)
    return raw


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
    write_json_atomic(OUT / "metadata.json", with_public_facts(meta.to_dict()))
    shutil.copyfile(source / "LICENSE.txt", OUT / "LICENSE.txt")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(tables)} tables to {OUT} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/datasets/mimic3_demo"))

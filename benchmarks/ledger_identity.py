"""Which copies of Adult the privacy ledger takes for Adult (fingerprint and near-copy rules).

Prints, for each variant, whether its fingerprint equals Adult's and the near-copy match
(rule, Jaccard, containment) of ``synthguard.ledger.identity.match``; and the time to compute
Adult's identity (fingerprint + 16 sketches). Run:

    PYTHONPATH=src .venv/bin/python benchmarks/ledger_identity.py
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd

from synthguard.data import load_table
from synthguard.ledger.identity import TableRows, match


def main() -> None:
    adult = load_table("adult")
    started = time.perf_counter()
    ident = TableRows(adult).identity()
    print(f"identity of adult ({len(adult)} rows, {adult.shape[1]} columns): "
          f"{time.perf_counter() - started:.2f} s")
    buf = io.BytesIO()
    adult.to_csv(buf, index=False)
    buf.seek(0)
    rng = np.random.default_rng(0)
    half = adult.sample(frac=0.5, random_state=3)
    variants = {
        "shuffled, columns reversed": adult.sample(frac=1, random_state=1)[adult.columns[::-1]],
        "CSV round trip": pd.read_csv(buf, skipinitialspace=True),
        "age as float": adult.astype({"age": float}),
        "text columns as category": adult.astype(
            {c: "category" for c in adult.select_dtypes(object).columns}),
        "every column astype(str)": adult.astype(str),
        "dummy column added": adult.assign(dummy=np.arange(len(adult))),
        "column race dropped": adult.drop(columns=["race"]),
        "one row dropped": adult.iloc[1:],
        "70% sample": adult.sample(frac=0.7, random_state=2),
        "30% sample": adult.sample(frac=0.3, random_state=2),
        "10% sample": adult.sample(frac=0.1, random_state=2),
        "5% sample": adult.sample(frac=0.05, random_state=2),
        "2% sample": adult.sample(frac=0.02, random_state=2),
        "columns permuted independently": pd.DataFrame(
            {c: rng.permutation(adult[c].to_numpy()) for c in adult.columns}),
    }
    print(f"{'variant':34s} {'same fingerprint':>16s}  match")
    for name, frame in variants.items():
        rows = TableRows(frame)
        found = match(rows, ident)
        what = "none" if found is None else (
            f"{found.rule}: Jaccard {found.jaccard:.3f}, containment {found.containment:.3f}")
        print(f"{name:34s} {rows.fingerprint() == ident.fingerprint!s:>16s}  {what}")
    found = match(TableRows(adult.drop(half.index)), TableRows(half).identity())
    print(f"{'half B of a 50/50 split vs half A':34s} {'False':>16s}  "
          f"{'none' if found is None else found.rule}")


if __name__ == "__main__":
    main()

"""Fuzz the relational generators with small banking-like schemas nobody planned for.

Each case builds a seeded folder of tables (CSV or Parquet; SDV multi-table metadata JSON or
none, keys inferred) with quirks: string vs integer keys, a foreign key named differently from
the parent's key, skewed child counts, NaT / timezone-aware / string dates, booleans with NaN,
all-NaN, constant and ±inf columns, 200-level categoricals, PII free text, integers stored as
floats, 1e12 values, pandas ``category`` / ``Int64`` / ``boolean`` / ``string`` dtypes, a table
of keys only, a 3-level chain. For every case, through the Python API, ``hierarchical`` and
``hierarchical_dp`` (ε = 1) are fitted and sampled, then judged: multi-table quality (finite),
referential integrity (100 %), the synthetic tables' columns and dtype families, and no real
PII value sampled verbatim. A few cases also run the CLI (``generate`` then ``evaluate``) and
some genuinely invalid folders must give exit code 2, one line naming the table/column, and no
output. One line per case and generator:

    PYTHONPATH=src OMP_NUM_THREADS=1 .venv/bin/python benchmarks/relational_fuzz.py \
        [--cases NAME ...] [--generators hierarchical hierarchical_dp] [--no-cli]

Exit code 1 when any line is FAILED.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

Tables = dict[str, pd.DataFrame]
Case = tuple[Tables, dict[str, Any] | None, str]  # tables, SDV metadata (None: inferred), format

FIRST = ["anna", "ben", "chloe", "dev", "emma", "farid", "grace", "hugo", "ines", "jack", "kemi",
         "liam", "mia", "noah", "olga", "pavel", "quinn", "rosa", "sam", "tara"]
LAST = ["smith", "jones", "patel", "khan", "brown", "wilson", "evans", "taylor", "walker", "wright",
        "green", "hall", "wood", "clarke", "hughes", "lewis", "young", "king", "scott", "baker"]


def _names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    first = rng.choice(FIRST, n)
    last = rng.choice(LAST, n)
    tag = rng.integers(100000, 999999, n)
    names = np.array([f"{f.title()} {la.title()}-{t}" for f, la, t in zip(first, last, tag, strict=True)])
    emails = np.array([f"{f}.{la}{t}@example-bank.test" for f, la, t in zip(first, last, tag, strict=True)])
    return names, emails


def _rel(parent: str, pk: str, child: str, fk: str) -> dict[str, str]:
    return {"parent_table_name": parent, "parent_primary_key": pk, "child_table_name": child,
            "child_foreign_key": fk}


def _children(rng: np.random.Generator, n_parents: int, lam: float) -> np.ndarray:
    return np.repeat(np.arange(n_parents), rng.poisson(lam, n_parents))


# ------------------------------------------------------------------ cases


def case_string_keys_csv(rng: np.random.Generator) -> Case:
    """String keys, ISO date strings and booleans with NaN in CSV; keys inferred."""
    n = 500
    cust = pd.DataFrame({
        "customer_id": [f"CU-{i:05d}" for i in range(n)],
        "age": rng.integers(18, 90, n),
        "region": rng.choice(["north", "south", "east", "west"], n),
        "joined": [f"20{rng.integers(10, 23)}-{rng.integers(1, 13):02d}-{rng.integers(1, 28):02d}"
                   for _ in range(n)],
        "vip": np.where(rng.random(n) < 0.2, np.nan, rng.random(n) < 0.3)})
    own = _children(rng, n, 1.5)
    acc = pd.DataFrame({
        "account_id": [f"AC-{i:06d}" for i in range(own.size)],
        "customer_id": cust["customer_id"].to_numpy()[own],
        "balance": rng.normal(1000, 800, own.size).round(2),
        "kind": rng.choice(["current", "savings"], own.size)})
    bor = _children(rng, n, 0.4)
    loans = pd.DataFrame({
        "loan_id": [f"LN-{i:05d}" for i in range(bor.size)],
        "customer_id": cust["customer_id"].to_numpy()[bor],
        "principal": rng.lognormal(9, 1, bor.size).round(-2),
        "start": [f"2022-{rng.integers(1, 13):02d}-{rng.integers(1, 28):02d}" for _ in range(bor.size)]})
    return {"customers": cust, "accounts": acc, "loans": loans}, None, "csv"


def case_renamed_fk_metadata(rng: np.random.Generator) -> Case:
    """Child keys named differently from the parent key (cust_ref -> customer_id), SDV JSON."""
    n = 400
    cust = pd.DataFrame({"customer_id": np.arange(1000, 1000 + n), "income": rng.lognormal(10, 0.5, n),
                         "segment": rng.choice(["a", "b", "c"], n)})
    own = _children(rng, n, 2.0)
    acc = pd.DataFrame({"acct_no": np.arange(own.size) + 1, "cust_ref": cust["customer_id"].to_numpy()[own],
                        "balance": rng.normal(0, 1, own.size), "opened": pd.Timestamp("2020-01-01")
                        + pd.to_timedelta(rng.integers(0, 900, own.size), unit="D")})
    bor = _children(rng, n, 0.7)
    loans = pd.DataFrame({"loan_no": [f"L{i}" for i in range(bor.size)],
                          "borrower": cust["customer_id"].to_numpy()[bor],
                          "rate": rng.uniform(1, 20, bor.size).round(2),
                          "term": rng.choice([12, 24, 36], bor.size)})
    meta = {"METADATA_SPEC_VERSION": "V1", "tables": {
        "customers": {"primary_key": "customer_id", "columns": {
            "customer_id": {"sdtype": "id"}, "income": {"sdtype": "numerical"},
            "segment": {"sdtype": "categorical"}}},
        "accounts": {"primary_key": "acct_no", "columns": {
            "acct_no": {"sdtype": "id"}, "cust_ref": {"sdtype": "id"},
            "balance": {"sdtype": "numerical"}, "opened": {"sdtype": "datetime",
                                                           "datetime_format": "%Y-%m-%d"}}},
        "loans": {"primary_key": "loan_no", "columns": {
            "loan_no": {"sdtype": "id", "regex_format": "L[0-9]+"}, "borrower": {"sdtype": "id"},
            "rate": {"sdtype": "numerical", "computer_representation": "Float"},
            "term": {"sdtype": "categorical"}}}},
        "relationships": [_rel("customers", "customer_id", "accounts", "cust_ref"),
                          _rel("customers", "customer_id", "loans", "borrower")]}
    return {"customers": cust, "accounts": acc, "loans": loans}, meta, "parquet"


def case_skewed_children(rng: np.random.Generator) -> Case:
    """Most parents childless, one with 60 children; NaT and timezone-aware datetimes."""
    n = 600
    cust = pd.DataFrame({"customer_id": np.arange(n), "score": rng.integers(300, 850, n),
                         "since": pd.Series(pd.Timestamp("2015-01-01", tz="Europe/London")
                                            + pd.to_timedelta(rng.integers(0, 3000, n), unit="D"))})
    counts = np.where(rng.random(n) < 0.85, 0, rng.integers(1, 4, n))
    counts[7] = 60
    own = np.repeat(np.arange(n), counts)
    when = pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 10**7, own.size), unit="s"))
    when[rng.random(own.size) < 0.1] = pd.NaT
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own, "ts": when,
                        "amount": rng.exponential(50, own.size)})
    bor = np.array([3, 3, 9])
    loans = pd.DataFrame({"loan_id": [100, 101, 102], "customer_id": bor,
                          "amount": [1000.0, 2000.0, 500.0]})
    return {"customers": cust, "accounts": acc, "loans": loans}, None, "parquet"


def case_nasty_numeric(rng: np.random.Generator) -> Case:
    """All-NaN, constant, ±inf, 1e12, negatives, many decimals, ints as float with NaN."""
    n = 500
    inf = rng.normal(0, 1, n)
    inf[:5] = np.inf
    inf[5:8] = -np.inf
    kids = rng.integers(0, 5, n).astype(float)
    kids[rng.random(n) < 0.2] = np.nan
    cust = pd.DataFrame({"customer_id": np.arange(n), "empty": np.full(n, np.nan),
                         "const": np.full(n, 7.0), "const_txt": "same", "weird": inf,
                         "wealth": rng.lognormal(20, 3, n) * rng.choice([-1, 1], n) + 1e12,
                         "precise": rng.random(n) * 1e-9 + np.pi, "kids": kids})
    own = _children(rng, n, 1.2)
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own,
                        "big": rng.integers(-10**12, 10**12, own.size).astype(np.int64),
                        "tiny": rng.normal(0, 1e-12, own.size), "empty": np.full(own.size, np.nan)})
    bor = _children(rng, n, 0.5)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size), "customer_id": bor,
                          "rate": rng.uniform(0, 1, bor.size).round(12)})
    meta = {"tables": {
        "customers": {"primary_key": "customer_id", "columns": {
            "customer_id": {"sdtype": "id"}, "empty": {"sdtype": "numerical"},
            "const": {"sdtype": "numerical"}, "const_txt": {"sdtype": "categorical"},
            "weird": {"sdtype": "numerical"}, "wealth": {"sdtype": "numerical"},
            "precise": {"sdtype": "numerical"}, "kids": {"sdtype": "numerical"}}},
        "accounts": {"primary_key": "account_id", "columns": {
            "account_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"},
            "big": {"sdtype": "numerical"}, "tiny": {"sdtype": "numerical"},
            "empty": {"sdtype": "numerical"}}},
        "loans": {"primary_key": "loan_id", "columns": {
            "loan_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"},
            "rate": {"sdtype": "numerical"}}}},
        "relationships": [_rel("customers", "customer_id", "accounts", "customer_id"),
                          _rel("customers", "customer_id", "loans", "customer_id")]}
    return {"customers": cust, "accounts": acc, "loans": loans}, meta, "parquet"


def case_nasty_numeric_inferred(rng: np.random.Generator) -> Case:
    """The same quirks with keys and sdtypes inferred from CSV."""
    tables, _, _ = case_nasty_numeric(rng)
    return tables, None, "csv"


def case_high_card_pii(rng: np.random.Generator) -> Case:
    """200-level categorical, names, emails and free-text notes (PII) in CSV; keys inferred."""
    n = 700
    names, emails = _names(rng, n)
    cust = pd.DataFrame({"customer_id": np.arange(1, n + 1), "name": names, "email": emails,
                         "branch": rng.choice([f"branch_{i:03d}" for i in range(200)], n),
                         "age": rng.integers(18, 95, n)})
    own = _children(rng, n, 1.0)
    notes = [f"called {names[o]} about card {rng.integers(1000, 9999)}" for o in own]
    acc = pd.DataFrame({"account_id": np.arange(1, own.size + 1), "customer_id": own + 1,
                        "note": notes, "iban": [f"GB{rng.integers(10**15, 10**16)}" for _ in own]})
    bor = _children(rng, n, 0.3)
    loans = pd.DataFrame({"loan_id": np.arange(1, bor.size + 1), "customer_id": bor + 1,
                          "purpose": rng.choice(["car", "home", "study"], bor.size)})
    return {"customers": cust, "accounts": acc, "loans": loans}, None, "csv"


def case_pandas_dtypes(rng: np.random.Generator) -> Case:
    """category, Int64, boolean and string dtypes (Parquet keeps them), with SDV metadata."""
    n = 450
    flag = pd.array(rng.random(n) < 0.5, dtype="boolean")
    flag[rng.random(n) < 0.15] = pd.NA
    cnt = pd.array(rng.integers(0, 9, n), dtype="Int64")
    cnt[rng.random(n) < 0.2] = pd.NA
    cust = pd.DataFrame({"customer_id": pd.array([f"c{i}" for i in range(n)], dtype="string"),
                         "tier": pd.Categorical(rng.choice(["gold", "silver", "bronze"], n)),
                         "flag": flag, "products": cnt,
                         "city": pd.array(rng.choice(["x", "y", None], n), dtype="string")})
    own = _children(rng, n, 1.3)
    acc = pd.DataFrame({"account_id": pd.array(np.arange(own.size), dtype="Int64"),
                        "customer_id": pd.array(cust["customer_id"].to_numpy()[own], dtype="string"),
                        "status": pd.Categorical(rng.choice(["open", "closed"], own.size),
                                                 categories=["open", "closed", "frozen"]),
                        "limit": pd.array(rng.integers(0, 5000, own.size), dtype="Int64")})
    bor = _children(rng, n, 0.5)
    loans = pd.DataFrame({"loan_id": pd.array(np.arange(bor.size), dtype="Int64"),
                          "customer_id": pd.array(cust["customer_id"].to_numpy()[bor], dtype="string"),
                          "secured": pd.array(rng.random(bor.size) < 0.4, dtype="boolean")})
    meta = {"tables": {
        "customers": {"primary_key": "customer_id", "columns": {
            "customer_id": {"sdtype": "id"}, "tier": {"sdtype": "categorical"},
            "flag": {"sdtype": "boolean"}, "products": {"sdtype": "numerical"},
            "city": {"sdtype": "categorical"}}},
        "accounts": {"primary_key": "account_id", "columns": {
            "account_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"},
            "status": {"sdtype": "categorical"}, "limit": {"sdtype": "numerical"}}},
        "loans": {"primary_key": "loan_id", "columns": {
            "loan_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"},
            "secured": {"sdtype": "boolean"}}}},
        "relationships": [_rel("customers", "customer_id", "accounts", "customer_id"),
                          _rel("customers", "customer_id", "loans", "customer_id")]}
    return {"customers": cust, "accounts": acc, "loans": loans}, meta, "parquet"


def case_pandas_dtypes_inferred(rng: np.random.Generator) -> Case:
    tables, _, _ = case_pandas_dtypes(rng)
    return tables, None, "parquet"


def case_keys_only(rng: np.random.Generator) -> Case:
    """A root with a single non-key column and a child table of keys only."""
    n = 350
    cust = pd.DataFrame({"customer_id": np.arange(n), "age": rng.integers(18, 80, n)})
    own = _children(rng, n, 1.0)
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own})
    bor = _children(rng, n, 0.5)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size), "customer_id": bor,
                          "kind": rng.choice(["a", "b"], bor.size)})
    return {"customers": cust, "accounts": acc, "loans": loans}, None, "csv"


def case_root_keys_only(rng: np.random.Generator) -> Case:
    """A root of keys only (with metadata), children with data."""
    n = 300
    cust = pd.DataFrame({"customer_id": np.arange(n)})
    own = _children(rng, n, 2.0)
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own,
                        "balance": rng.normal(0, 100, own.size)})
    bor = _children(rng, n, 0.5)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size), "customer_id": bor})
    meta = {"tables": {
        "customers": {"primary_key": "customer_id", "columns": {"customer_id": {"sdtype": "id"}}},
        "accounts": {"primary_key": "account_id", "columns": {
            "account_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"},
            "balance": {"sdtype": "numerical"}}},
        "loans": {"primary_key": "loan_id", "columns": {
            "loan_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"}}}},
        "relationships": [_rel("customers", "customer_id", "accounts", "customer_id"),
                          _rel("customers", "customer_id", "loans", "customer_id")]}
    return {"customers": cust, "accounts": acc, "loans": loans}, meta, "parquet"


def case_chain3(rng: np.random.Generator) -> Case:
    """customers -> accounts -> transactions and customers -> loans; duplicate column names."""
    n = 400
    cust = pd.DataFrame({"customer_id": np.arange(n), "status": rng.choice(["a", "b"], n),
                         "created": pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
                         "amount": rng.normal(100, 10, n)})
    own = _children(rng, n, 1.5)
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own,
                        "status": rng.choice(["open", "shut"], own.size),
                        "created": cust["created"].to_numpy()[own]
                        + pd.to_timedelta(rng.integers(0, 300, own.size), unit="D"),
                        "amount": rng.normal(1000, 300, own.size)})
    tx_of = _children(rng, own.size, 3.0)
    tx = pd.DataFrame({"txn_id": np.arange(tx_of.size), "account_id": tx_of,
                       "created": acc["created"].to_numpy()[tx_of]
                       + pd.to_timedelta(rng.integers(0, 10**6, tx_of.size), unit="s"),
                       "amount": rng.normal(-20, 50, tx_of.size).round(2),
                       "status": rng.choice(["ok", "rev"], tx_of.size, p=[0.95, 0.05])})
    bor = _children(rng, n, 0.4)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size), "customer_id": bor,
                          "amount": rng.lognormal(9, 1, bor.size), "status": rng.choice(["x", "y"], bor.size)})
    return {"customers": cust, "accounts": acc, "transactions": tx, "loans": loans}, None, "csv"


def case_nullable_fk_float(rng: np.random.Generator) -> Case:
    """A secondary foreign key with nulls (read back from CSV as float) and a float primary key
    column in a child (branch_id 1.0, 2.0 ...)."""
    n = 500
    branches = pd.DataFrame({"branch_id": np.arange(1, 21), "city": rng.choice(["p", "q", "r"], 20)})
    cust = pd.DataFrame({"customer_id": np.arange(n), "age": rng.integers(18, 80, n),
                         "branch_id": rng.integers(1, 21, n).astype(float)})
    cust.loc[rng.random(n) < 0.3, "branch_id"] = np.nan
    own = _children(rng, n, 1.2)
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own,
                        "balance": rng.normal(0, 1, own.size)})
    return {"branches": branches, "customers": cust, "accounts": acc}, None, "csv"


def case_tiny_child(rng: np.random.Generator) -> Case:
    """300 roots, a child table with only 12 rows and a categorical seen once."""
    n = 300
    cust = pd.DataFrame({"customer_id": np.arange(n), "x": rng.normal(0, 1, n),
                         "flag": rng.random(n) < 0.5})
    own = rng.choice(n, 12, replace=False)
    acc = pd.DataFrame({"account_id": np.arange(12), "customer_id": own,
                        "kind": ["rare"] + ["common"] * 11, "v": rng.normal(0, 1, 12)})
    bor = _children(rng, n, 1.0)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size), "customer_id": bor,
                          "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 99, bor.size), unit="D")})
    return {"customers": cust, "accounts": acc, "loans": loans}, None, "parquet"


def case_bank_sdv_metadata_csv(rng: np.random.Generator) -> Case:
    """The held-out bank's 3-table sub-schema as CSV with SDV metadata written by SDV itself
    (datetime_format, computer_representation, boolean sdtype, regex ids)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from relational_heldout import heldout_bank

    data = heldout_bank(500, seed=int(rng.integers(0, 1000)), full=False)
    meta = data.metadata.to_sdv().to_dict()
    for table in meta["tables"].values():
        for spec in table["columns"].values():
            if spec["sdtype"] == "datetime":
                spec["datetime_format"] = "%Y-%m-%d"
            if spec["sdtype"] == "numerical":
                spec["computer_representation"] = "Float"
    tables = {t: f.copy() for t, f in data.tables.items()}
    for frame in tables.values():
        for col in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = frame[col].dt.strftime("%Y-%m-%d")
    return tables, meta, "csv"


def case_sdv_pii_formats(rng: np.random.Generator) -> Case:
    """SDV metadata as SDV's detector writes it: PII sdtypes (first_name, email,
    phone_number) with "pii": true, non-ISO dates with their datetime_format (day first),
    a numerical foreign key, keys missing from "columns"."""
    n = 400
    first = rng.choice(FIRST, n)
    cust = pd.DataFrame({"customer_id": np.arange(1, n + 1),
                         "first_name": [f.title() for f in first],
                         "email": [f"{f}{i}@mail.test" for i, f in enumerate(first)],
                         "phone": [f"+44 7700 {rng.integers(100000, 999999)}" for _ in range(n)],
                         "dob": [f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/19{rng.integers(40, 99)}"
                                 for _ in range(n)],
                         "segment": rng.choice(["retail", "premier"], n)})
    cust.loc[0, "dob"] = "05/01/1995"  # ambiguous first value: only the format says day-first
    own = _children(rng, n, 1.5)
    acc = pd.DataFrame({"account_id": np.arange(own.size) + 1, "customer_id": own + 1,
                        "opened": [f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/2019 "
                                   f"{rng.integers(0, 24):02d}:{rng.integers(0, 60):02d}" for _ in own],
                        "balance": rng.normal(500, 200, own.size).round(2)})
    bor = _children(rng, n, 0.5)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size) + 1, "customer_id": bor + 1,
                          "amount": rng.lognormal(8, 1, bor.size).round(0),
                          "approved": rng.choice(["TRUE", "FALSE"], bor.size)})
    meta = {"METADATA_SPEC_VERSION": "V1", "tables": {
        "customers": {"primary_key": "customer_id", "columns": {
            "customer_id": {"sdtype": "id"}, "first_name": {"sdtype": "first_name", "pii": True},
            "email": {"sdtype": "email", "pii": True},
            "phone": {"sdtype": "phone_number", "pii": True},
            "dob": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"},
            "segment": {"sdtype": "categorical"}}},
        "accounts": {"primary_key": "account_id", "columns": {
            "customer_id": {"sdtype": "numerical"},
            "opened": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y %H:%M"},
            "balance": {"sdtype": "numerical"}}},
        "loans": {"primary_key": "loan_id", "columns": {
            "loan_id": {"sdtype": "id"}, "customer_id": {"sdtype": "id"},
            "amount": {"sdtype": "numerical"}, "approved": {"sdtype": "boolean"}}}},
        "relationships": [_rel("customers", "customer_id", "accounts", "customer_id"),
                          _rel("customers", "customer_id", "loans", "customer_id")]}
    return {"customers": cust, "accounts": acc, "loans": loans}, meta, "csv"


def case_null_primary_fk(rng: np.random.Generator) -> Case:
    """A child's only foreign key has nulls (CSV: float keys), an all-NaT datetime column,
    an object column mixing numbers and words, a boolean column 'True'/'False'/''."""
    n = 500
    cust = pd.DataFrame({"customer_id": np.arange(n), "income": rng.lognormal(10, 1, n),
                         "mixed": [str(rng.integers(0, 9)) if rng.random() < 0.7 else "n/a" for _ in range(n)],
                         "closed": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
                         "active": rng.choice(["True", "False", ""], n)})
    own = _children(rng, n, 1.5).astype(float)
    own[rng.random(own.size) < 0.05] = np.nan
    acc = pd.DataFrame({"account_id": np.arange(own.size), "customer_id": own,
                        "amount": rng.normal(0, 1, own.size)})
    bor = _children(rng, n, 0.5)
    loans = pd.DataFrame({"loan_id": np.arange(bor.size), "customer_id": bor,
                          "rate": rng.uniform(1, 9, bor.size)})
    return {"customers": cust, "accounts": acc, "loans": loans}, None, "csv"


CASES: dict[str, Callable[[np.random.Generator], Case]] = {
    "string_keys_csv": case_string_keys_csv,
    "renamed_fk_metadata": case_renamed_fk_metadata,
    "skewed_children": case_skewed_children,
    "nasty_numeric": case_nasty_numeric,
    "nasty_numeric_inferred": case_nasty_numeric_inferred,
    "high_card_pii": case_high_card_pii,
    "pandas_dtypes": case_pandas_dtypes,
    "pandas_dtypes_inferred": case_pandas_dtypes_inferred,
    "keys_only": case_keys_only,
    "root_keys_only": case_root_keys_only,
    "chain3": case_chain3,
    "nullable_fk_float": case_nullable_fk_float,
    "tiny_child": case_tiny_child,
    "bank_sdv_metadata_csv": case_bank_sdv_metadata_csv,
    "sdv_pii_formats": case_sdv_pii_formats,
    "null_primary_fk": case_null_primary_fk,
}
CLI_CASES = ("string_keys_csv", "renamed_fk_metadata", "pandas_dtypes", "chain3", "sdv_pii_formats")
PII_COLUMNS = {"name", "email", "note", "iban", "first_name", "phone"}


def write_case(case: Case, folder: Path) -> Path | None:
    """Write the tables (and metadata.json beside them, not inside: passed explicitly)."""
    tables, meta, fmt = case
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    if meta is None:
        return None
    path = folder.parent / f"{folder.name}-metadata.json"
    path.write_text(json.dumps(meta, indent=1))
    return path


# ------------------------------------------------------------------ judging


def _family(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "object"


def judge(real: Any, synthetic: Tables) -> tuple[list[str], float, float]:
    """Problems found, quality score, integrity."""
    from synthguard.evaluation.relational import multi_table_quality, referential_integrity

    problems = []
    meta = real.metadata
    for table, frame in real.tables.items():
        if table not in synthetic:
            problems.append(f"table {table} missing")
            continue
        syn = synthetic[table]
        if list(syn.columns) != list(frame.columns):
            problems.append(f"{table} columns {list(syn.columns)} != {list(frame.columns)}")
            continue
        if syn.empty:
            problems.append(f"{table} empty")
        for col in frame.columns:
            if col in meta.key_columns(table):
                continue
            fr, fs = _family(frame[col]), _family(syn[col])
            if fr != fs and not (frame[col].isna().all() or {fr, fs} <= {"bool", "object"}
                                 or {fr, fs} <= {"bool", "number"}):
                problems.append(f"{table}.{col} dtype {syn[col].dtype} vs real {frame[col].dtype}")
            if col in PII_COLUMNS:
                leaked = set(syn[col].dropna().astype(str)) & set(frame[col].dropna().astype(str))
                if leaked:
                    problems.append(f"{table}.{col}: {len(leaked)} real PII values sampled verbatim")
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(syn[col]) and not pd.api.types.is_bool_dtype(syn[col]):
                finite_real = np.isfinite(pd.to_numeric(frame[col], errors="coerce").astype(float))
                values = pd.to_numeric(syn[col], errors="coerce").astype(float)
                if np.isinf(values).any() and not (~finite_real & frame[col].notna()).any():
                    problems.append(f"{table}.{col}: inf sampled")
    quality = multi_table_quality(real.tables, synthetic, meta)
    integrity = referential_integrity(synthetic, meta)
    q = float(quality["quality_score"])
    if not np.isfinite(q):
        problems.append("quality NaN")
    for key in ("column_shapes", "cardinality"):
        if not np.isfinite(float(quality[key])):
            problems.append(f"{key} NaN")
    if integrity["overall"] < 1.0:
        problems.append(f"integrity {integrity['overall']:.3f}: {integrity}")
    return problems, q, float(integrity["overall"])


def run_api(name: str, folder: Path, meta: Path | None, generator: str) -> str:
    from synthguard.data.relational import load_relational
    from synthguard.generators.relational import create_relational_generator

    started = time.perf_counter()
    try:
        data = load_relational(folder, metadata=meta)
        if generator == "hierarchical_dp":
            gen = create_relational_generator(generator, epsilon=1.0).fit(data, seed=0)  # $SYNTHGUARD_STORE
        else:
            gen = create_relational_generator(generator).fit(data, seed=0)
        synthetic = gen.sample(seed=1)
        problems, q, integ = judge(data, synthetic)
    except Exception as exc:  # the point is to report any failure
        if os.environ.get("FUZZ_RAISE"):
            raise
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(tb.filename).name}:{tb.lineno}"
        return (f"{name:24s} {generator:16s} FAILED {type(exc).__name__}: "
                f"{' '.join(str(exc).split())[:300]} [{where}]")
    took = time.perf_counter() - started
    status = "ok" if not problems else "FAILED " + "; ".join(problems)[:400]
    return f"{name:24s} {generator:16s} {status} quality={q:.3f} integrity={integ:.3f} ({took:.0f}s)"


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "synthguard.cli", *args], capture_output=True,
                          text=True, env=env, timeout=900)


def run_cli(name: str, folder: Path, meta: Path | None, generator: str, work: Path,
            env: dict[str, str]) -> str:
    out = work / f"{name}-{generator}-syn"
    gen_args = ["generate", "--data", str(folder), "--out", str(out), "--generator", generator,
                "--seed", "0"]
    if meta is not None:
        gen_args += ["--metadata", str(meta)]
    if generator == "hierarchical_dp":
        gen_args += ["--epsilon", "1"]
    done = _cli(gen_args, env)
    if done.returncode != 0 or "Traceback" in done.stderr:
        return (f"{name:24s} cli:{generator:12s} FAILED generate exit {done.returncode}: "
                f"{' '.join(done.stderr.split())[-400:]}")
    report = work / f"{name}-{generator}-report.json"
    ev_args = ["evaluate", "--real", str(folder), "--synthetic", str(out), "--out", str(report)]
    if meta is not None:
        ev_args += ["--metadata", str(meta)]
    done = _cli(ev_args, env)
    if done.returncode != 0 or "Traceback" in done.stderr:
        return (f"{name:24s} cli:{generator:12s} FAILED evaluate exit {done.returncode}: "
                f"{' '.join(done.stderr.split())[-400:]}")
    result = json.loads(report.read_text())
    q = result.get("quality", {}).get("quality_score", float("nan"))
    integ = result.get("integrity", {}).get("overall", float("nan"))
    ok = np.isfinite(q) and integ == 1.0
    return f"{name:24s} cli:{generator:12s} {'ok' if ok else 'FAILED'} quality={q:.3f} integrity={integ:.3f}"


def invalid_cases(rng: np.random.Generator) -> dict[str, tuple[Case, str]]:
    """Genuinely invalid folders: (case, text the one-line error must name)."""
    good, meta, _ = case_renamed_fk_metadata(rng)
    dup = {t: f.copy() for t, f in good.items()}
    dup["accounts"].loc[1, "acct_no"] = dup["accounts"].loc[0, "acct_no"]
    missing_col = json.loads(json.dumps(meta))
    missing_col["relationships"][0]["child_foreign_key"] = "customer_ref"
    cyc = json.loads(json.dumps(meta))
    cyc["tables"]["customers"]["columns"]["acct_no"] = {"sdtype": "id"}
    bad_date = json.loads(json.dumps(meta))
    # text declared datetime (numbers declared datetime are read as epoch nanoseconds: accepted)
    bad_date["tables"]["customers"]["columns"]["segment"] = {"sdtype": "datetime"}
    nothing = {t: f.copy() for t, f in good.items()}
    nothing["loans"]["borrower"] = nothing["loans"]["borrower"] + 10**6
    return {
        "invalid_duplicate_pk": ((dup, meta, "csv"), "acct_no"),
        "invalid_missing_fk_column": ((good, missing_col, "csv"), "customer_ref"),
        "invalid_date_column": ((good, bad_date, "csv"), "segment"),
        "invalid_fk_references_nothing": ((nothing, meta, "parquet"), "borrower"),
    }


def run_invalid(name: str, case: Case, needle: str, work: Path, env: dict[str, str]) -> str:
    folder = work / name
    meta = write_case(case, folder)
    out = work / f"{name}-syn"
    args = ["generate", "--data", str(folder), "--out", str(out)]
    if meta is not None:
        args += ["--metadata", str(meta)]
    done = _cli(args, env)
    lines = done.stderr.strip().splitlines()
    ok = (done.returncode == 2 and len(lines) == 1 and needle in lines[0] and not out.exists()
          and not any(p.name.startswith(f".{out.name}") for p in work.iterdir()))
    return (f"{name:24s} cli:invalid      {'ok' if ok else 'FAILED'} exit {done.returncode}: "
            f"{' | '.join(lines)[:300]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--generators", nargs="*", default=["hierarchical", "hierarchical_dp"])
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="relfuzz-") as tmp:
        work = Path(tmp)
        store = work / "runs.sqlite"
        env = {**os.environ, "SYNTHGUARD_STORE": str(store), "OMP_NUM_THREADS": "1"}
        os.environ["SYNTHGUARD_STORE"] = str(store)
        for name in args.cases:
            case = CASES[name](np.random.default_rng(args.seed))
            folder = work / name
            meta = write_case(case, folder)
            for generator in args.generators:
                line = run_api(name, folder, meta, generator)
                failed += "FAILED" in line
                print(line, flush=True)
            if not args.no_cli and name in CLI_CASES:
                for generator in args.generators:
                    line = run_cli(name, folder, meta, generator, work, env)
                    failed += "FAILED" in line
                    print(line, flush=True)
        if not args.no_cli:
            for name, (case, needle) in invalid_cases(np.random.default_rng(args.seed)).items():
                line = run_invalid(name, case, needle, work, env)
                failed += "FAILED" in line
                print(line, flush=True)
    print(f"{failed} FAILED", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

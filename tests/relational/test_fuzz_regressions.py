"""Regressions found by ``benchmarks/relational_fuzz.py``: relational inputs nobody planned for
(±inf, pandas extension dtypes, PII text, time zones...) must neither crash a generator or the
evaluation nor come out with missing values, columns or dtypes the real tables do not have."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from synthguard.data.relational import load_relational
from synthguard.evaluation.relational import multi_table_quality, referential_integrity
from synthguard.generators.relational import create_relational_generator


def _bank(n: int = 300, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    customers = pd.DataFrame({"customer_id": np.arange(n), "age": rng.integers(18, 90, n),
                              "score": rng.normal(600, 50, n)})
    owner = np.repeat(np.arange(n), rng.poisson(1.5, n))
    accounts = pd.DataFrame({"account_id": np.arange(owner.size), "customer_id": owner,
                             "balance": rng.normal(1000, 300, owner.size)})
    borrower = np.repeat(np.arange(n), rng.poisson(0.5, n))
    loans = pd.DataFrame({"loan_id": np.arange(borrower.size), "customer_id": borrower,
                          "kind": rng.choice(["car", "home"], borrower.size)})
    return {"customers": customers, "accounts": accounts, "loans": loans}


def _folder(tmp_path: Path, tables: dict[str, pd.DataFrame], fmt: str = "parquet") -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    for name, frame in tables.items():
        if fmt == "csv":
            frame.to_csv(folder / f"{name}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def test_infinite_values_are_missing_to_the_generator_and_do_not_break_quality(tmp_path: Path) -> None:
    tables = _bank()
    tables["customers"].loc[:9, "score"] = np.inf
    tables["customers"].loc[10:14, "score"] = -np.inf
    data = load_relational(_folder(tmp_path, tables))
    synthetic = create_relational_generator("hierarchical").fit(data, seed=0).sample(seed=1)
    # a parent's inf made its children's copula normals NaN: NaN balances the data never had
    assert synthetic["accounts"]["balance"].notna().all()
    assert np.isfinite(synthetic["customers"]["score"].dropna()).all()
    quality = multi_table_quality(data.tables, synthetic, data.metadata)  # raised ValueError
    assert np.isfinite(quality["quality_score"])
    assert referential_integrity(synthetic, data.metadata)["overall"] == 1.0

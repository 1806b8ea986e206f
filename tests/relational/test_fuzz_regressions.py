"""Regressions found by ``benchmarks/relational_fuzz.py``: relational inputs nobody planned for
(±inf, pandas extension dtypes, PII text, time zones...) must neither crash a generator or the
evaluation nor come out with missing values, columns or dtypes the real tables do not have."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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


def test_keys_of_pandas_string_dtype_are_inferred(tmp_path: Path) -> None:
    tables = _bank()
    for frame in tables.values():  # Parquet written from pandas keeps the "string" dtype
        for col in [c for c in frame.columns if c.endswith("_id")]:
            frame[col] = frame[col].map(lambda v: f"K{v:05d}").astype("string")
    data = load_relational(_folder(tmp_path, tables))
    assert pd.api.types.is_string_dtype(data.tables["customers"]["customer_id"])
    # was: no primary key (only int/object ids qualified), so three unrelated root tables
    assert {t: m.primary_key for t, m in data.metadata.tables.items()} == {
        "customers": "customer_id", "accounts": "account_id", "loans": "loan_id"}
    assert {r.label() for r in data.metadata.relationships} == {
        "accounts.customer_id -> customers.customer_id", "loans.customer_id -> customers.customer_id"}


def test_entity_level_dp_fits_nullable_boolean_and_integer_columns(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))
    tables = _bank()
    rng = np.random.default_rng(1)
    flag = pd.array(rng.random(len(tables["customers"])) < 0.4, dtype="boolean")
    flag[::7] = pd.NA
    tables["customers"]["vip"] = flag
    products = pd.array(rng.integers(0, 5, len(tables["customers"])), dtype="Int64")
    products[::5] = pd.NA
    tables["customers"]["products"] = products
    data = load_relational(_folder(tmp_path, tables))
    assert str(data.tables["customers"]["vip"].dtype) == "boolean"
    # the ledger's fingerprint raised "TypeError: boolean value of NA is ambiguous"
    generator = create_relational_generator("hierarchical_dp", epsilon=1.0).fit(data, seed=0)
    synthetic = generator.sample(seed=1)
    assert referential_integrity(synthetic, data.metadata)["overall"] == 1.0
    assert set(synthetic["customers"]["vip"].dropna().map(bool)) <= {True, False}


def test_synthetic_columns_keep_the_real_dtype_family(tmp_path: Path) -> None:
    tables = _bank()
    rng = np.random.default_rng(2)
    n = len(tables["customers"])
    vip = np.where(rng.random(n) < 0.3, 1.0, 0.0)  # a 0/1 flag with gaps, read back as float
    vip[::6] = np.nan
    tables["customers"]["vip"] = vip
    tables["customers"]["since"] = (pd.Timestamp("2015-01-01", tz="Europe/London")
                                    + pd.to_timedelta(rng.integers(0, 3000, n), unit="D"))
    tables["customers"]["tier"] = pd.Categorical(rng.choice(["gold", "silver"], n))
    data = load_relational(_folder(tmp_path, tables))
    synthetic = create_relational_generator("hierarchical").fit(data, seed=0).sample(seed=1)
    customers = synthetic["customers"]
    # was datetime64[ns]: the time zone was dropped
    assert str(customers["since"].dtype) == "datetime64[ns, Europe/London]"
    assert isinstance(customers["tier"].dtype, pd.CategoricalDtype)
    assert pd.api.types.is_float_dtype(customers["vip"])


def test_restore_brings_levels_back_to_numeric_and_boolean_dtypes() -> None:
    from synthguard.generators.relational._plan import _restore

    # hierarchical_dp draws every categorical level as an object: 'vip' (float 0/1 with NaN
    # in the real CSV) came out as dtype object
    frame = pd.DataFrame({"vip": pd.Series([1.0, 0.0, None], dtype=object),
                          "flag": pd.Series(["True", "False", None], dtype=object),
                          "sure": pd.Series([True, False, True], dtype=object)})
    plan = {"columns": ["vip", "flag", "sure"], "pk": None,
            "dtypes": {"vip": "float64", "flag": "boolean", "sure": "bool"}}
    out = _restore(frame, plan)
    assert pd.api.types.is_float_dtype(out["vip"])
    assert str(out["flag"].dtype) == "boolean" and out["flag"].isna().tolist() == [False, False, True]
    assert out["sure"].dtype == bool


def test_pii_and_text_columns_come_back_as_fakes_never_real_values(tmp_path: Path) -> None:
    tables = _bank()
    n = len(tables["customers"])
    tables["customers"]["name"] = [f"Real Person{i:04d}" for i in range(n)]
    tables["customers"]["email"] = [f"real.person{i:04d}@bank.test" for i in range(n)]
    tables["accounts"]["note"] = [f"called customer about card {i:05d}" for i in range(len(tables["accounts"]))]
    data = load_relational(_folder(tmp_path, tables, "csv"))
    synthetic = create_relational_generator("hierarchical").fit(data, seed=0).sample(seed=1)
    for table in ("customers", "accounts"):  # the columns were left out of the output
        assert list(synthetic[table].columns) == list(data.tables[table].columns)
    for table, col in (("customers", "name"), ("customers", "email"), ("accounts", "note")):
        values = synthetic[table][col]
        assert values.notna().all()
        assert not set(values) & set(data.tables[table][col])
    assert synthetic["customers"]["email"].str.contains("@").all()
    again = create_relational_generator("hierarchical").fit(data, seed=0).sample(seed=1)
    pd.testing.assert_frame_equal(again["customers"], synthetic["customers"])


@pytest.mark.slow  # ~30 s: Private-PGM per table
def test_dp_never_samples_real_free_text_or_pii(tmp_path: Path) -> None:
    """hierarchical_dp treats categorical value sets as public; a unique note per account
    inferred as categorical was sampled verbatim. Now faked, as names and e-mails are."""
    tables = _bank()
    n = len(tables["customers"])
    tables["customers"]["name"] = [f"Real Person{i:04d}" for i in range(n)]
    tables["accounts"]["note"] = [f"called customer about card {i:05d}" for i in range(len(tables["accounts"]))]
    data = load_relational(_folder(tmp_path, tables, "csv"))
    synthetic = create_relational_generator("hierarchical_dp", epsilon=1.0, iters=50).fit(
        data, seed=0).sample(seed=1)
    for table, col in (("customers", "name"), ("accounts", "note")):
        assert col in synthetic[table].columns
        assert not set(synthetic[table][col]) & set(data.tables[table][col])


def test_sdv_datetime_format_is_honoured_for_day_first_dates(tmp_path: Path) -> None:
    tables = _bank()
    rng = np.random.default_rng(3)
    dates = pd.Timestamp("1950-01-05") + pd.to_timedelta(rng.integers(0, 15000, len(tables["customers"])), unit="D")
    dates = dates.insert(0, pd.Timestamp("1995-01-05"))[:-1]  # first value ambiguous: 05/01
    tables["customers"]["dob"] = dates.strftime("%d/%m/%Y")
    meta = {"tables": {
        "customers": {"primary_key": "customer_id", "columns": {
            "customer_id": {"sdtype": "id"}, "dob": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"}}},
        "accounts": {"primary_key": "account_id", "columns": {"account_id": {"sdtype": "id"}}},
        "loans": {"primary_key": "loan_id", "columns": {"loan_id": {"sdtype": "id"}}}},
        "relationships": [
            {"parent_table_name": "customers", "parent_primary_key": "customer_id",
             "child_table_name": t, "child_foreign_key": "customer_id"} for t in ("accounts", "loans")]}
    # was SchemaError "declared datetime but N value(s) are not dates": read month-first
    data = load_relational(_folder(tmp_path, tables, "csv"), metadata=meta)
    assert (data.tables["customers"]["dob"] == pd.Series(dates)).all()
    assert data.metadata.to_dict()["tables"]["customers"]["columns"]["dob"]["datetime_format"] == "%d/%m/%Y"


def test_text_declared_datetime_is_one_line_on_the_cli(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    from synthguard.cli import main

    tables = _bank()
    tables["customers"]["segment"] = np.random.default_rng(4).choice(["retail", "premier"], len(tables["customers"]))
    folder = _folder(tmp_path, tables, "csv")
    meta = tmp_path / "meta.json"
    meta.write_text('{"tables": {"customers": {"primary_key": "customer_id", "columns": '
                    '{"segment": {"sdtype": "datetime"}}}}}')
    out = tmp_path / "syn"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(["--store", str(tmp_path / "runs.sqlite"), "generate", "--data", str(folder),
                     "--metadata", str(meta), "--out", str(out)])
    err = capfd.readouterr().err.strip().splitlines()
    assert code == 2 and not out.exists()
    assert len(err) == 1 and "'segment'" in err[0], err
    # pandas' "Could not infer format" UserWarning printed 2 more lines before the error
    assert not [w for w in caught if "infer format" in str(w.message)]

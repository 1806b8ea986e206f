from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from synthguard.data import (
    ColumnKind,
    infer_schema,
    load_builtin,
    load_table,
    table_fingerprint,
    train_holdout_split,
    write_table,
)
from synthguard.errors import DataFileError, ParameterError, SchemaError


def test_builtin_adult_ships_with_the_package(adult: pd.DataFrame) -> None:
    assert adult.shape == (32561, 15)
    assert set(adult["class"].dropna().unique()) == {"<=50K", ">50K"}
    assert adult["work_class"].isna().sum() > 0  # "?" became a real missing value
    assert load_table("adult").equals(load_builtin("adult"))


def test_csv_and_parquet_load_to_same_fingerprint(tmp_path: Path, adult_small: pd.DataFrame) -> None:
    csv, pq = write_table(adult_small, tmp_path / "a.csv"), write_table(adult_small, tmp_path / "a.parquet")
    a, b = load_table(csv), load_table(pq)
    assert a.shape == b.shape == adult_small.shape
    assert table_fingerprint(a) == table_fingerprint(b)
    assert table_fingerprint(a) != table_fingerprint(a.iloc[:-1])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.csv", "does not exist"),
        (b"a,b\n1,2\n", "table.xlsx", "unsupported format"),
        (b"", "empty.csv", "empty"),
        (b"a,b\n", "header_only.csv", "empty"),
        (b"PAR1garbage", "broken.parquet", "cannot read"),
    ],
)
def test_bad_files_raise_typed_errors_naming_the_file(
    tmp_path: Path, content: bytes | None, name: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFileError, match=message) as info:
        load_table(path)
    assert name in str(info.value)


def test_schema_kinds_on_mixed_table() -> None:
    frame = pd.DataFrame({
        "patient_id": range(100),
        "age": [20 + i % 50 for i in range(100)],
        "income": [1000.5 * i for i in range(100)],
        "sex": ["F", "M"] * 50,
        "email": [f"user{i}@example.com" for i in range(100)],
        "visit": pd.date_range("2024-01-01", periods=100, freq="D"),
        "note": [f"Patient reported mild symptoms after the visit number {i} and was sent home" for i in range(100)],
    })
    schema = infer_schema(frame)
    kinds = {c: s.kind for c, s in schema.columns.items()}
    assert kinds["patient_id"] is ColumnKind.ID
    assert kinds["age"] is ColumnKind.NUMERIC and schema.columns["age"].integer
    assert kinds["income"] is ColumnKind.NUMERIC
    assert kinds["sex"] is ColumnKind.CATEGORICAL
    assert kinds["email"] is ColumnKind.PII
    assert kinds["visit"] is ColumnKind.DATETIME
    assert kinds["note"] is ColumnKind.TEXT
    assert schema.to_sdv_metadata().to_dict()["tables"]["table"]["columns"]["age"]["sdtype"] == "numerical"


def test_schema_override_file(tmp_path: Path, adult_small: pd.DataFrame) -> None:
    path = tmp_path / "meta.json"
    path.write_text(json.dumps({"columns": {"education_num": {"kind": "categorical"},
                                            "age": {"bounds": [17, 90]}}}))
    schema = infer_schema(adult_small, overrides=path)
    assert schema.columns["education_num"].kind is ColumnKind.CATEGORICAL
    assert schema.columns["age"].bounds == (17.0, 90.0)
    path.write_text(json.dumps({"columns": {"nope": {"kind": "numeric"}}}))
    with pytest.raises(SchemaError, match="nope"):
        infer_schema(adult_small, overrides=path)
    path.write_text("{not json")
    with pytest.raises(SchemaError, match="not valid JSON"):
        infer_schema(adult_small, overrides=path)


def test_split_is_seeded_stratified_and_disjoint(adult_small: pd.DataFrame) -> None:
    frame = adult_small.assign(row=range(len(adult_small)))
    a = train_holdout_split(frame, holdout_fraction=0.3, stratify="class", seed=3)
    b = train_holdout_split(frame, holdout_fraction=0.3, stratify="class", seed=3)
    c = train_holdout_split(frame, holdout_fraction=0.3, stratify="class", seed=4)
    assert a.train.equals(b.train) and not a.train.equals(c.train)
    assert set(a.train["row"]).isdisjoint(a.holdout["row"])
    assert len(a.holdout) == 900
    share = frame["class"].value_counts(normalize=True)
    assert (a.holdout["class"].value_counts(normalize=True) - share).abs().max() < 0.01
    with pytest.raises(ParameterError):
        train_holdout_split(frame, holdout_fraction=1.5)
    with pytest.raises(SchemaError, match="nope"):
        train_holdout_split(frame, stratify="nope")

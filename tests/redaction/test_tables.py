from __future__ import annotations

import pandas as pd
import pytest

from synthguard.errors import SchemaError
from synthguard.redaction import RedactionEngine
from synthguard.redaction.batch import redact_file
from synthguard.redaction.tables import FREE_TEXT, detect_pii_columns


def _frame(n: int = 60) -> pd.DataFrame:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(4)
    return pd.DataFrame({
        "customer": [fake.name() for _ in range(n)],
        "contact_email": [fake.email() for _ in range(n)],
        "phone": [fake.phone_number() for _ in range(n)],
        "amount": [round(fake.pyfloat(min_value=1, max_value=500), 2) for _ in range(n)],
        "age": [fake.random_int(18, 90) for _ in range(n)],
        "status": [fake.random_element(["open", "closed", "pending"]) for _ in range(n)],
        "notes": [f"Spoke with {fake.first_name()} {fake.last_name()} about the refund; "
                  f"call back on {fake.phone_number()} next week." for _ in range(n)],
    })


def test_detect_pii_columns(engine: RedactionEngine) -> None:
    found = detect_pii_columns(_frame(), engine=engine)
    assert found["customer"][0] == "PERSON"
    assert found["contact_email"][0] == "EMAIL_ADDRESS"
    assert found["phone"][0] == "PHONE_NUMBER"
    assert found["age"][0] == "AGE"
    assert found["notes"][0] == FREE_TEXT
    assert "amount" not in found and "status" not in found
    assert all(0.5 <= conf <= 1.0 for _, conf in found.values())
    short = pd.DataFrame({"note": [f"Called {n} on 555-010-{i:04d}" for i, n in
                                   enumerate(["Anna", "Tom", "Maria", "Lukas"] * 5)]})
    assert detect_pii_columns(short, engine=engine)["note"][0] == FREE_TEXT


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_redact_table_streams_in_chunks(tmp_path, suffix: str) -> None:
    frame = _frame()
    src, dst = tmp_path / f"in{suffix}", tmp_path / f"out{suffix}"
    if suffix == ".csv":
        frame.to_csv(src, index=False)
    else:
        frame.to_parquet(src, index=False)
    eng = RedactionEngine(operator="surrogate", seed=2)
    summary = redact_file(src, dst, engine=eng, chunk_size=16)
    out = pd.read_csv(dst) if suffix == ".csv" else pd.read_parquet(dst)
    assert len(out) == len(frame) == summary.documents
    assert list(out.columns) == list(frame.columns)
    assert not set(out["customer"]) & set(frame["customer"])
    assert not set(out["contact_email"]) & set(frame["contact_email"])
    assert (out["status"].astype(str) == frame["status"]).all()
    for before, after in zip(frame["notes"], out["notes"], strict=True):
        assert before.split(" about")[0] != after.split(" about")[0]
        assert "about the refund" in after
    assert summary.columns["notes"] == FREE_TEXT
    # consistency: the same name maps to the same surrogate in every chunk
    repeated = pd.concat([frame.head(5), frame.head(5)])
    repeated.to_csv(tmp_path / "rep.csv", index=False)
    redact_file(tmp_path / "rep.csv", tmp_path / "rep_out.csv", engine=eng, chunk_size=3,
                columns=["customer"])
    rep = pd.read_csv(tmp_path / "rep_out.csv")
    assert list(rep["customer"][:5]) == list(rep["customer"][5:])


def test_unknown_column_is_named(tmp_path, engine: RedactionEngine) -> None:
    _frame(5).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(SchemaError, match=r"nope.*customer"):
        redact_file(tmp_path / "t.csv", tmp_path / "o.csv", columns=["nope"], engine=engine)
    assert not (tmp_path / "o.csv").exists()

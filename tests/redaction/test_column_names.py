"""Column names read word by word: true and false positives, and the schema and the redaction
scan agreeing on what a name means."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthguard.data import infer_schema
from synthguard.data.column_names import NAME_PII_ENTITIES, name_entity, name_pii_entity, name_words
from synthguard.data.schema import ColumnKind
from synthguard.redaction.identifiers import sensitive_columns
from synthguard.redaction.tables import _name_hint, detect_pii_columns

TRUE_POSITIVES = {
    "email": "EMAIL_ADDRESS", "EmailAddress": "EMAIL_ADDRESS", "e_mail": "EMAIL_ADDRESS",
    "contact-email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "phoneNumber": "PHONE_NUMBER",
    "mobile_no": "PHONE_NUMBER", "cell_number": "PHONE_NUMBER", "fax": "PHONE_NUMBER",
    "ssn": "US_SSN", "social_security_no": "US_SSN", "iban": "IBAN_CODE",
    "credit_card": "CREDIT_CARD", "creditCardNumber": "CREDIT_CARD", "ip": "IP_ADDRESS",
    "ip_address": "IP_ADDRESS", "IPAddress": "IP_ADDRESS", "clientIp": "IP_ADDRESS",
    "ipv4": "IP_ADDRESS", "website_url": "URL", "homepage": "URL", "passport_no": "US_PASSPORT",
    "driver_license": "US_DRIVER_LICENSE", "zip": "POSTCODE", "zipCode": "POSTCODE",
    "postcode": "POSTCODE", "street_address": "ADDRESS", "home_addresses": "ADDRESS",
    "city": "LOCATION", "native_country": "LOCATION", "birth_place": "LOCATION",
    "first_name": "PERSON", "lastName": "PERSON", "patientFirstName": "PERSON",
    "surname": "PERSON", "name": "PERSON", "company": "ORGANIZATION",
    "company_name": "ORGANIZATION", "employer": "ORGANIZATION", "job_title": "JOB_TITLE",
    "occupation": "JOB_TITLE", "race": "NRP", "nationality": "NRP", "age": "AGE",
    "patient_age": "AGE", "dob": "DATE_TIME", "date_of_birth": "DATE_TIME",
    "created_at": "DATE_TIME", "notes": "FREE_TEXT", "free_text_comment": "FREE_TEXT",
}

# Names that contain an entity's letters but not its word.
FALSE_POSITIVES = [
    "relationship", "income", "capital_gain", "capital_loss", "hours_per_week", "marital_status",
    "work_class", "education_num", "final_weight", "sex", "class", "membership", "scholarship",
    "discarded", "cardinality", "headphones", "telemetry", "hotel_stars", "page_views", "mileage",
    "average", "statement", "stateless", "update_count", "timeline", "zipper_size", "ipsum",
    "skip_count", "tipping_point", "shipping_cost", "renamed_flag", "cell_count", "paneer",
    "gender",
]


@pytest.mark.parametrize(("column", "entity"), sorted(TRUE_POSITIVES.items()))
def test_true_positives(column: str, entity: str) -> None:
    assert name_entity(column) == entity
    assert _name_hint(column) == entity  # the scan reads names through the same function


@pytest.mark.parametrize("column", FALSE_POSITIVES)
def test_false_positives(column: str) -> None:
    assert name_entity(column) is None, name_words(column)


def test_words_split_snake_kebab_camel_and_pascal_case() -> None:
    assert name_words("patientFirstName") == ["patient", "first", "name"]
    assert name_words("IPAddress") == ["ip", "address"]
    assert name_words("HTTPServerURL") == ["http", "server", "url"]
    assert name_words(" Home-Address_2 ") == ["home", "address", "2"]
    assert name_words("___") == [] and name_entity("") is None


def test_relationship_and_income_in_the_schema_and_the_scan(adult_small: pd.DataFrame) -> None:
    frame = adult_small.iloc[:400].copy()
    rng = np.random.default_rng(0)
    frame["income"] = rng.normal(55_000, 20_000, len(frame)).round(2)  # digits that look like phones
    frame["phone"] = [f"+1 415 555 {rng.integers(1000, 9999)}" for _ in range(len(frame))]
    scan = detect_pii_columns(frame, seed=0)
    assert "relationship" not in scan and "income" not in scan
    assert scan["phone"][0] == "PHONE_NUMBER"
    schema = infer_schema(frame)
    assert schema.columns["relationship"].kind is ColumnKind.CATEGORICAL
    assert schema.columns["income"].kind is ColumnKind.NUMERIC
    assert set(sensitive_columns(frame, schema, detect=True, seed=0)) == {"phone"}


def test_schema_and_scan_agree_on_names() -> None:
    """Every high-cardinality column whose name alone marks it PII is PII in the schema and
    sensitive in the scan, with the same entity; no other name does either."""
    n = 120
    names = sorted(TRUE_POSITIVES) + FALSE_POSITIVES
    # opaque, unique tokens: only the name can say what the column is
    frame = pd.DataFrame({c: [f"v{j}x{i}" for i in range(n)] for j, c in enumerate(names)})
    schema = infer_schema(frame)
    found = {c: v for c, v in sensitive_columns(frame, schema, detect=False).items() if v[0] == "pii"}
    for column in names:
        entity = name_pii_entity(column)
        in_schema = schema.columns[column].kind is ColumnKind.PII
        assert in_schema == (entity is not None), column
        assert (column in found) == (entity is not None), column
        if entity is not None:
            assert found[column][1] == entity and entity in NAME_PII_ENTITIES
    assert name_pii_entity("relationship") is None and name_pii_entity("income") is None

"""Which table columns identify people: the detection every fit and every evaluation uses.

A column is sensitive when its schema kind is ``pii`` or ``id`` or, with ``detect=True``,
when the redaction package recognises it cheaply (no spaCy model): a direct-identifier column
name (``email``, ``ssn``, ``name``...) on a mostly-unique column, or values of which at least
80 % are fully matched by one structured recognizer (e-mail, SSN, phone, card, IBAN, IP, URL).
Quasi-identifiers (age, city, dates) are not direct identifiers and are left to the leakage
attacks. The full engine scan is ``detect_pii_columns`` in :mod:`synthguard.redaction.tables`.
"""

from __future__ import annotations

import re

import pandas as pd

from synthguard.data.column_names import name_entity as column_name_entity
from synthguard.data.column_names import name_pii_entity
from synthguard.data.schema import ColumnKind, Schema

IDENTIFIER = "IDENTIFIER"  # entity of an id column with no PII type: fresh unique ids
DETECT_SHARE = 0.8
# entity types whose presence makes a column a direct identifier
DIRECT_ENTITIES = ("PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD",
                   "IBAN_CODE", "IP_ADDRESS", "URL", "US_DRIVER_LICENSE", "ADDRESS")
_SDTYPE_ENTITY = {
    "email": "EMAIL_ADDRESS", "phone_number": "PHONE_NUMBER", "ssn": "US_SSN",
    "credit_card_number": "CREDIT_CARD", "name": "PERSON", "first_name": "PERSON",
    "last_name": "PERSON", "address": "ADDRESS", "street_address": "ADDRESS",
    "postcode": "POSTCODE", "ipv4_address": "IP_ADDRESS", "ipv6_address": "IP_ADDRESS",
    "iban": "IBAN_CODE", "url": "URL", "company": "ORGANIZATION",
}


_VALUE_RULES: tuple[tuple[str, str, str], ...] = (  # entity, whole-value regex, validator
    ("EMAIL_ADDRESS", r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", "validate_email"),
    ("US_SSN", r"\d{3}-\d{2}-\d{4}", "validate_ssn"),
    ("CREDIT_CARD", r"\d(?:[ -]?\d){12,18}", "validate_card"),
    ("IBAN_CODE", r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}", "validate_iban"),
    ("IP_ADDRESS", r"\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}",
     "validate_ip"),
    ("URL", r"(?:https?://|www\.)\S+", "validate_url"),
    ("PHONE_NUMBER", r"\+?\(?\d[\d ().-]{6,18}\d", "validate_phone"),
)


def _value_entity(text: str) -> str | None:
    """The structured entity a whole value is (the recognizers' own validators decide)."""
    from synthguard.redaction import _patterns

    for entity, pattern, validator in _VALUE_RULES:
        if re.fullmatch(pattern, text) and getattr(_patterns, validator)(text) is not None:
            return entity
    return None


def _entity_for_values(values: pd.Series) -> tuple[str | None, float]:
    """The structured entity matching most sampled values whole, and its share.

    Uses the pattern recognizer's validators (Luhn, mod-97, public suffixes) on whole-value
    regexes, not the full single-pass scanner, whose word lists need Faker's providers.
    """
    texts = [str(v).strip() for v in values if str(v).strip()]
    if not texts:
        return None, 0.0
    votes: dict[str, int] = {}
    for text in texts:
        entity = _value_entity(text)
        if entity is not None:
            votes[entity] = votes.get(entity, 0) + 1
    if not votes:
        return None, 0.0
    best = max(votes, key=lambda e: votes[e])
    return best, votes[best] / len(texts)


def name_entity(column: str) -> str | None:
    """The PII entity a column's name alone announces (the schema's rule too)."""
    return name_pii_entity(column)


def sensitive_columns(frame: pd.DataFrame, schema: Schema, *, detect: bool = True,
                      seed: int = 0, sample: int = 200) -> dict[str, tuple[str, str, str]]:
    """Column -> (kind ``pii``/``id``, entity type, source) for every sensitive column."""
    found: dict[str, tuple[str, str, str]] = {}
    n = len(frame)
    for name in frame.columns:
        column = str(name)
        spec = schema.columns.get(column)
        series = frame[name]
        textual = not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)
                       or pd.api.types.is_datetime64_any_dtype(series))
        if spec is not None and spec.kind in (ColumnKind.PII, ColumnKind.ID):
            entity = _SDTYPE_ENTITY.get(spec.pii_type or spec.sdtype) or name_entity(column)
            if entity is None and detect and textual:
                entity, share = _entity_for_values(_sample(series, sample, seed))
                entity = entity if share >= 0.5 else None
            if entity is None and spec.kind is ColumnKind.PII:
                entity = column_name_entity(column) or "ID"
            kind = "pii" if entity is not None else "id"
            found[column] = (kind, entity or IDENTIFIER, "schema")
            continue
        if not detect or not textual or (spec is not None and spec.kind is ColumnKind.TEXT):
            continue
        values = _sample(series, sample, seed)
        entity, share = _entity_for_values(values)
        if entity is not None and share >= DETECT_SHARE:
            found[column] = ("pii", entity, "values")
            continue
        hinted = name_entity(column)
        if hinted is not None and series.nunique(dropna=True) > 0.5 * max(n, 1):
            found[column] = ("pii", hinted, "name")
    return found


def _sample(series: pd.Series, size: int, seed: int) -> pd.Series:
    values = series.dropna()
    return values.sample(size, random_state=seed) if len(values) > size else values

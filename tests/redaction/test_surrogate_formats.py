"""Surrogates are values of the same kind: dates parse in the same format, times stay valid,
numbers keep their checksums, and no surrogate equals a real value of the corpus."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from synthguard.generators.text.surrogate import surrogate_redact_detailed
from synthguard.redaction._patterns import _iban_ok, _luhn_ok, nhs_ok
from synthguard.redaction.surrogate import surrogate_value

DATES = [
    ("1 Sept 2024", "%d %b %Y"), ("14/03/1961", "%d/%m/%Y"), ("03/02/2025", "%d/%m/%Y"),
    ("03/02/2025", "%m/%d/%Y"), ("2025-02-03", "%Y-%m-%d"), ("12/31/2020", "%m/%d/%Y"),
    ("2025-02-03T14:22:05", "%Y-%m-%dT%H:%M:%S"), ("12 March 2024", "%d %B %Y"),
    ("March 3, 2021", "%B %d, %Y"), ("03.02.25", "%d.%m.%y"), ("June 2020", "%B %Y"),
    ("Monday", "%A"), ("Tue, 4 Feb 2025", "%a, %d %b %Y"), ("SEPT 1 2024", "%b %d %Y"),
    ("14:30", "%H:%M"), ("2:30 pm", "%I:%M %p"), ("11:45PM", "%I:%M%p"), ("9am", "%I%p"),
    ("2019", "%Y"), ("05/2024", "%m/%Y"),
]


def _parse(value: str, fmt: str) -> dt.datetime:
    return dt.datetime.strptime(re.sub(r"(?i)\bsept\b", "Sep", value), fmt)


@pytest.mark.parametrize(("value", "fmt"), DATES)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_dates_and_times_keep_their_format(value: str, fmt: str, seed: int) -> None:
    new = surrogate_value(value, "DATE_TIME", seed=seed)
    assert new != value
    parsed = _parse(new, fmt)  # raises if the format changed or the date is invalid
    if "%Y" in fmt:
        assert 1900 <= parsed.year <= 2099
    if "%d" in fmt and re.match(r"\d\d", value) and value[0] == "0":
        assert re.match(r"\d\d", new)  # zero padding kept


def test_ordinals_and_case_are_kept() -> None:
    new = surrogate_value("the 21st of May 2023", "DATE_TIME", seed=5)
    m = re.fullmatch(r"the (\d+)(st|nd|rd|th) of ([A-Z][a-z]+) (\d{4})", new)
    assert m is not None
    day = int(m.group(1))
    assert m.group(2) == ({1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th") if day not in (11, 12, 13) else "th")
    assert surrogate_value("SEPT 1 2024", "DATE_TIME", seed=2).split()[0].isupper()


@pytest.mark.parametrize("seed", range(5))
def test_same_kind_for_numbers_and_addresses(seed: int) -> None:
    card = surrogate_value("4929 1802 2537 7126", "CREDIT_CARD", seed=seed)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", card) and _luhn_ok(card.replace(" ", ""))
    iban = surrogate_value("DE89 3704 0044 0532 0130 00", "IBAN_CODE", seed=seed)
    assert iban.startswith("DE") and _iban_ok(iban.replace(" ", ""))
    nhs = surrogate_value("943 476 5919", "UK_NHS", seed=seed)
    assert re.fullmatch(r"\d{3} \d{3} \d{4}", nhs) and nhs_ok(nhs.replace(" ", ""))
    phone = surrogate_value("+36 62 555 0147", "PHONE_NUMBER", seed=seed)
    assert re.fullmatch(r"\+36 \d{2} \d{3} \d{4}", phone) and phone != "+36 62 555 0147"
    email = surrogate_value("jan.kowalski@posteo.de", "EMAIL_ADDRESS", seed=seed)
    assert re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", email) and email != "jan.kowalski@posteo.de"
    ssn = surrogate_value("536-22-1478", "US_SSN", seed=seed)
    assert re.fullmatch(r"\d{3}-\d{2}-\d{4}", ssn) and ssn != "536-22-1478"
    ip = surrogate_value("81.174.22.9", "IP_ADDRESS", seed=seed)
    assert all(0 <= int(p) <= 255 for p in ip.split(".")) and ip != "81.174.22.9"
    user = surrogate_value("j.kowalski", "USERNAME", seed=seed)
    assert re.fullmatch(r"[a-z]\.[a-z'\-]+", user) and user != "j.kowalski"
    assert re.fullmatch(r"[A-Z]-\d{4}", surrogate_value("E-4471", "ID_NUMBER", seed=seed))


def test_surrogate_text_never_reuses_a_real_value(handwritten) -> None:
    docs = handwritten.documents()
    texts = [t for t, _ in docs]
    result = surrogate_redact_detailed(texts, seed=3)
    real = {" ".join(t[a:b].split()).casefold() for t, spans in docs for a, b, _ in spans}
    for new_text, where in zip(result.texts, result.surrogate_spans, strict=True):
        for a, b in where:
            assert " ".join(new_text[a:b].split()).casefold() not in real
    leaked = [v for t, spans in docs for a, b, e in spans
              if e not in {"DATE_TIME", "AGE", "JOB_TITLE", "LOCATION"}
              and (v := t[a:b]) not in {"leidy t muris", "Willemine ten Pas"}
              and any(v in out for out in result.texts)]
    assert not leaked

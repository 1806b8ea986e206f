"""Every operator through one contract, plus each operator's own promise."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest

from synthguard.errors import ParameterError, UnknownPluginError
from synthguard.redaction import OPERATORS, Policy, RedactionEngine
from synthguard.redaction._crypto import decrypt_text
from synthguard.redaction.operators import OperatorContext
from synthguard.redaction.surrogate import surrogate_value

KEY = bytes(range(32))
SALT = b"pepper"
CTX = OperatorContext(seed=3, key=KEY, salt=SALT)
PII = "Contact Maria Lopez at maria.lopez@example.com or +44 20 7946 0958 on 2024-03-05."


@pytest.mark.parametrize("name", OPERATORS.names())
def test_operator_contract(name: str, engine: RedactionEngine) -> None:
    op = OPERATORS.get(name)
    # a value is always transformed (except redact, which removes it) and never kept
    out = op.apply("maria.lopez@example.com", entity="EMAIL_ADDRESS", ctx=CTX)
    assert "maria.lopez@example.com" not in out
    # consistency: the same value gives the same output
    assert out == op.apply("maria.lopez@example.com", entity="EMAIL_ADDRESS", ctx=CTX)
    # text without PII is unchanged by a whole-engine run with this operator
    eng = RedactionEngine(operator=name, key=KEY, salt=SALT)
    clean = "The meeting room projector needs a new cable."
    assert eng.redact([clean])[0].text == clean
    red = eng.redact([PII])[0]
    for value in ("Maria Lopez", "maria.lopez@example.com", "7946 0958", "2024-03-05"):
        assert value not in red.text


def test_mask_keeps_last_four_digits() -> None:
    mask = OPERATORS.get("mask")
    assert mask.apply("4111 1111 1111 1234", entity="CREDIT_CARD", ctx=CTX) == "**** **** **** 1234"
    assert mask.apply("Jane", entity="PERSON", ctx=CTX) == "****"


def test_replace_and_redact() -> None:
    assert OPERATORS.get("replace").apply("Jane", entity="PERSON", ctx=CTX) == "<PERSON>"
    assert OPERATORS.get("redact").apply("Jane", entity="PERSON", ctx=CTX) == ""


def test_hash_is_salted_sha256() -> None:
    import hashlib

    out = OPERATORS.get("hash").apply("Jane", entity="PERSON", ctx=CTX)
    assert out == hashlib.sha256(SALT + b"\x00" + b"Jane").hexdigest()
    other = OPERATORS.get("hash").apply("Jane", entity="PERSON", ctx=OperatorContext(salt=b"x"))
    assert other != out


def test_encrypt_decrypt_round_trip() -> None:
    eng = RedactionEngine(operator="encrypt", key=KEY)
    [doc] = eng.redact([PII])
    assert "Maria" not in doc.text and "[ENC:" in doc.text
    assert decrypt_text(doc.text, KEY) == PII
    with pytest.raises(ParameterError, match="wrong key"):
        decrypt_text(doc.text, bytes(32))


def test_missing_key_or_salt_says_how_to_give_one() -> None:
    with pytest.raises(ParameterError, match="SYNTHGUARD_REDACTION_KEY"):
        RedactionEngine(operator="encrypt")
    with pytest.raises(ParameterError, match="SYNTHGUARD_REDACTION_SALT"):
        RedactionEngine(policy={"entities": {"PERSON": "hash"}})
    with pytest.raises(UnknownPluginError, match="surrogate"):
        RedactionEngine(operator="scramble")


def test_policy_from_yaml_and_overrides(tmp_path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text("default: replace\nentities:\n  PERSON: surrogate\n"
                    "  CREDIT_CARD: {operator: mask, keep_last: 4}\n")
    policy = Policy.from_file(path).with_overrides({"EMAIL_ADDRESS": "redact"})
    assert policy.rule_for("PERSON").operator == "surrogate"
    assert policy.rule_for("CREDIT_CARD").params == {"keep_last": 4}
    assert policy.rule_for("URL").operator == "replace"
    eng = RedactionEngine(policy=policy)
    [doc] = eng.redact(["Pay with 4111 1111 1111 1111, mail bob@example.com."])
    assert "**** **** **** 1111" in doc.text and "bob@example.com" not in doc.text
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  PERSONS: replace\n")
    with pytest.raises(ParameterError, match="PERSONS"):
        Policy.from_file(bad)


def _surrogates(values: list[tuple[str, str]]) -> list[str]:
    return [surrogate_value(v, e, seed=7) for v, e in values]


VALUES = [("John Smith", "PERSON"), ("Smith", "PERSON"), ("+1 (415) 555-0123", "PHONE_NUMBER"),
          ("2024-03-05", "DATE_TIME"), ("March 5, 2024", "DATE_TIME"),
          ("4111 1111 1111 1111", "CREDIT_CARD"), ("GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
          ("123-45-6789", "US_SSN"), ("10.0.0.7", "IP_ADDRESS"), ("a@b.com", "EMAIL_ADDRESS"),
          ("12 High Street", "ADDRESS"), ("Acme Ltd", "ORGANIZATION")]


def test_surrogate_consistent_across_processes() -> None:
    """A fresh interpreter (no shared state) maps every value to the same surrogate."""
    script = (
        "import json, sys\n"
        "from synthguard.redaction.surrogate import surrogate_value\n"
        "values = json.loads(sys.stdin.read())\n"
        "print(json.dumps([surrogate_value(v, e, seed=7) for v, e in values]))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps(VALUES),
                         capture_output=True, text=True, timeout=300, check=True)
    here = _surrogates(VALUES)
    assert json.loads(out.stdout) == here
    assert _surrogates(VALUES) == here
    assert surrogate_value("John Smith", "PERSON", seed=8) != here[0]
    for (value, _), fake in zip(VALUES, here, strict=True):
        assert fake != value


def test_surrogate_keeps_format() -> None:
    s = dict(zip([v for v, _ in VALUES], _surrogates(VALUES), strict=True))
    assert re.fullmatch(r"\+1 \(\d{3}\) \d{3}-\d{4}", s["+1 (415) 555-0123"])
    dt.date.fromisoformat(s["2024-03-05"])
    dt.datetime.strptime(s["March 5, 2024"], "%B %d, %Y")
    assert re.fullmatch(r"\d{3}-\d{2}-\d{4}", s["123-45-6789"])
    from synthguard.redaction._patterns import validate_card, validate_iban

    assert validate_card(s["4111 1111 1111 1111"]) is not None
    assert validate_iban(s["GB82 WEST 1234 5698 7654 32"]) is not None
    assert re.fullmatch(r"\d{3}-\d{3}-\d{4}x\d{5}", surrogate_value("897-616-6380x49837", "PHONE_NUMBER"))
    # names map token by token: the surname alone maps like the surname in the full name
    assert s["John Smith"].split()[-1] == s["Smith"]


def test_surrogate_engine_is_thorough(engine: RedactionEngine) -> None:
    from synthguard.redaction.corpus import make_labelled_corpus

    docs = make_labelled_corpus(120, seed=21, templates="b")
    sur = RedactionEngine(operator="surrogate", seed=1)
    out = sur.redact([d.text for d in docs])
    values = [(d.text[s.start:s.end], r.text) for d, r in zip(docs, out, strict=True)
              for s in d.spans if s.entity_type not in {"AGE", "NRP", "DATE_TIME"}]
    survived = sum(v in text for v, text in values)
    assert survived / len(values) <= 0.05

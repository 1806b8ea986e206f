"""Identifiers found by their cue words, and recognizers a user adds in a policy file."""

from __future__ import annotations

import json

import pytest

from synthguard.cli import main
from synthguard.errors import ParameterError
from synthguard.redaction import Policy, RedactionEngine

CASES = [
    ("Patient MRN 00482913 seen in clinic.", "00482913", "ID_NUMBER"),
    ("MRN: 00482913", "00482913", "ID_NUMBER"),
    ("Reported by staff no. 88231 on the ward.", "88231", "ID_NUMBER"),
    ("Employee ID E-4471 is on leave.", "E-4471", "ID_NUMBER"),
    ("Please debit acct #123-456 today.", "123-456", "ID_NUMBER"),
    ("Member ID: M-77120934 renewed.", "M-77120934", "ID_NUMBER"),
    ("The account is locked, username j.kowalski asked twice.", "j.kowalski", "USERNAME"),
    ("user: jkowalski", "jkowalski", "USERNAME"),
    ("NHS number 943 476 5919 confirmed.", "943 476 5919", "UK_NHS"),
    ("Her passport number is 502135326.", "502135326", "PASSPORT"),
    ("A van with reg plate LV21 XKT was parked.", "LV21 XKT", "VEHICLE_PLATE"),
]


@pytest.mark.parametrize(("text", "value", "entity"), CASES)
def test_identifier_next_to_its_cue_is_found(engine: RedactionEngine, text: str, value: str,
                                             entity: str) -> None:
    spans = engine.analyze([text])[0]
    found = {(text[s.start:s.end], s.entity_type) for s in spans}
    assert (value, entity) in found


def test_nhs_number_needs_a_valid_checksum(engine: RedactionEngine) -> None:
    text = "NHS number 943 476 5918 confirmed."  # last digit wrong
    assert all(s.entity_type != "UK_NHS" for s in engine.analyze([text])[0])


def test_cue_words_without_an_identifier_are_left_alone(engine: RedactionEngine) -> None:
    for text in ["He has been a member since 2019.", "The user account was disabled.",
                 "Staff were told on Monday."]:
        types = {s.entity_type for s in engine.analyze([text])[0]}
        assert not types & {"ID_NUMBER", "USERNAME"}, text


POLICY = """
default: replace
entities:
  BED_ID: mask
recognizers:
  - name: ward_bed
    entity_type: BED_ID
    regex: 'W\\d{2}-B\\d{2}'
    context: [bed, ward]
    score: 0.2
  - name: health_card
    entity_type: HEALTH_CARD
    regex: '\\bHC\\d{10}\\b'
    validator: nhs
    score: 0.7
"""


def test_policy_file_recognizers(tmp_path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    policy = Policy.from_file(path)
    engine = RedactionEngine(policy=policy)
    assert {"BED_ID", "HEALTH_CARD"} <= set(engine.entities)
    texts = ["Moved to bed W12-B04 after review.", "Code W12-B04 only.",
             "Cards HC9434765919 and HC9434765918."]
    spans = engine.analyze(texts)
    assert [(texts[0][s.start:s.end], s.entity_type) for s in spans[0]] == [("W12-B04", "BED_ID")]
    assert not [s for s in spans[1] if s.entity_type == "BED_ID"]  # no context word: too weak
    loyal = [texts[2][s.start:s.end] for s in spans[2] if s.entity_type == "HEALTH_CARD"]
    assert loyal == ["HC9434765919"]  # the second fails the NHS mod-11 check
    doc = engine.redact(texts[:1])[0]
    assert doc.text == "Moved to bed ***-*** after review."
    # the policy (with its recognizers) travels to worker processes as a dict
    assert RedactionEngine.from_config(engine.config()).policy == policy


@pytest.mark.parametrize(("entry", "field"), [
    ({"entity_type": "X_ID", "regex": "a"}, "'name'"),
    ({"name": "n", "entity_type": "x id", "regex": "a"}, "'entity_type'"),
    ({"name": "n", "entity_type": "X_ID", "regex": "(unclosed"}, "'regex'"),
    ({"name": "n", "entity_type": "X_ID", "regex": "a", "validator": "crc"}, "'validator'"),
    ({"name": "n", "entity_type": "X_ID", "regex": "a", "score": 3}, "'score'"),
    ({"name": "n", "entity_type": "X_ID", "regex": "a", "colour": "red"}, "'colour'"),
])
def test_bad_recognizer_entry_names_the_field(entry: dict[str, object], field: str) -> None:
    with pytest.raises(ParameterError, match=field):
        Policy.from_dict({"recognizers": [entry]})


def test_cli_policy_recognizer_and_bad_policy(tmp_path, capsys) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps({"text": "Moved to bed W12-B04 after review."}) + "\n")
    good = tmp_path / "policy.yaml"
    good.write_text(POLICY)
    assert main(["redact", "--in", str(src), "--out", str(dst), "--policy", str(good),
                 "--workers", "1"]) == 0
    row = json.loads(dst.read_text())
    assert [s["entity_type"] for s in row["spans"]] == ["BED_ID"]
    assert "W12-B04" not in dst.read_text()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"recognizers": [{"name": "x", "entity_type": "X_ID",
                                                "regex": "[a-"}]}))
    dst2 = tmp_path / "out2.jsonl"
    capsys.readouterr()
    assert main(["redact", "--in", str(src), "--out", str(dst2), "--policy", str(bad),
                 "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'regex'" in err[0] and err[0].startswith("synthguard: error:")
    assert not dst2.exists()

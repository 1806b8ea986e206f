"""`synthguard redact` replaces the input text in place: the output file carries no input PII
value (scanned as a whole), unless --keep-original asks for it explicitly."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from synthguard.cli import main
from synthguard.redaction import Policy, RedactionEngine

# values a generic redactor must catch on this fixture (gold spans of the strongly typed kinds)
_SCANNED = {"EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS",
            "ID_NUMBER", "UK_NHS", "PASSPORT", "VEHICLE_PLATE", "USERNAME", "PERSON"}


def _pii_values(documents) -> list[str]:
    out = []
    for text, spans in documents():
        for a, b, entity in spans:
            value = text[a:b]
            if entity in _SCANNED and value not in {"leidy t muris", "Willemine ten Pas"}:
                out.append(value)
    return out


def test_jsonl_output_carries_no_input_value(tmp_path, handwritten) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps({"id": i, "note": t}) + "\n"
                           for i, (t, _) in enumerate(handwritten.documents())), encoding="utf-8")
    for operator in ("replace", "surrogate"):
        assert main(["redact", "--in", str(src), "--out", str(dst), "--text-field", "note",
                     "--operator", operator, "--workers", "1"]) == 0
        raw = dst.read_text(encoding="utf-8")
        leaked = [v for v in _pii_values(handwritten.documents) if v in raw]
        assert not leaked, (operator, len(leaked))
        rows = [json.loads(line) for line in raw.splitlines()]
        assert set(rows[0]) == {"id", "note", "spans"}
        assert set(rows[0]["spans"][0]) == {"start", "end", "entity_type", "score"}
    kept = tmp_path / "kept.jsonl"
    assert main(["redact", "--in", str(src), "--out", str(kept), "--text-field", "note",
                 "--keep-original", "--workers", "1"]) == 0
    row = json.loads(kept.read_text(encoding="utf-8").splitlines()[0])
    assert row["note"] == handwritten.documents()[0][0] and "redacted_text" in row


def test_table_output_carries_no_input_value(tmp_path, handwritten) -> None:
    values = {"name": ["Tomasz Wierzbicki", "Aoife Brennan", "Margaux Delacroix"],
              "email": ["jan.kowalski@posteo.de", "jk.private@gmx.net", "m.delacroix@ateliers-lumiere.fr"],
              "note": [handwritten.documents()[2][0].replace("\n", " "), handwritten.documents()[3][0].replace("\n", " "),
                       handwritten.documents()[4][0].replace("\n", " ")]}
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame(values).to_csv(src, index=False)
    assert main(["redact", "--in", str(src), "--out", str(dst), "--workers", "1"]) == 0
    raw = dst.read_text(encoding="utf-8")
    leaked = [v for v in [*values["name"], *values["email"], "4929 1802 2537 7126",
                          "DE89 3704 0044 0532 0130 00", "536-22-1478", "E-4471", "88231"] if v in raw]
    assert not leaked
    kept = tmp_path / "kept.csv"
    assert main(["redact", "--in", str(src), "--out", str(kept), "--keep-original",
                 "--workers", "1"]) == 0
    frame = pd.read_csv(kept)
    assert list(frame["name"]) == values["name"] and "name_redacted" in frame.columns


def test_decrypt_reads_the_in_place_field(tmp_path, monkeypatch, handwritten) -> None:
    monkeypatch.setenv("SYNTHGUARD_REDACTION_KEY", "22" * 32)
    src, enc, dec = tmp_path / "in.jsonl", tmp_path / "enc.jsonl", tmp_path / "dec.jsonl"
    text = handwritten.documents()[4][0]
    src.write_text(json.dumps({"text": text}) + "\n", encoding="utf-8")
    assert main(["redact", "--in", str(src), "--out", str(enc), "--operator", "encrypt",
                 "--workers", "1"]) == 0
    assert "LV21 XKT" not in enc.read_text(encoding="utf-8")
    assert main(["decrypt", "--in", str(enc), "--out", str(dec)]) == 0
    assert json.loads(dec.read_text(encoding="utf-8"))["decrypted_text"] == text
    assert Policy.coerce(None).recognizers == () and RedactionEngine().policy.recognizers == ()


def test_keep_original_help_says_it_leaves_pii(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["redact", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--keep-original" in text and "LEAVES THE PII IN THE OUTPUT FILE" in text

from __future__ import annotations

import json

import pytest

from synthguard.cli import main

DOCS = [
    {"id": 1, "body": "Dear Anna Kowalski, your card 4111 1111 1111 1111 was charged."},
    {"id": 2, "body": "Reach Tom Baker at tom.baker@example.org or 020 7946 0958."},
]


def _write_jsonl(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_redact_jsonl_keeps_fields_and_adds_spans(tmp_path, capsys) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(src, DOCS)
    code = main(["redact", "--in", str(src), "--out", str(dst), "--text-field", "body",
                 "--workers", "1"])
    assert code == 0
    rows = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert "Anna" not in rows[0]["body"] and "<CREDIT_CARD>" in rows[0]["body"]
    assert "redacted_text" not in rows[0]  # redacted in place: no copy of the original
    spans = rows[1]["spans"]
    assert {"start", "end", "entity_type", "score"} <= set(spans[0])
    assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"} <= {s["entity_type"] for s in spans}
    err = capsys.readouterr().err
    assert "CREDIT_CARD" in err and "Anna" not in err and "tom.baker" not in err


def test_redact_txt_and_encrypt_decrypt(tmp_path, monkeypatch) -> None:
    src, enc, dec = tmp_path / "in.txt", tmp_path / "enc.txt", tmp_path / "dec.txt"
    src.write_text("\n".join(d["body"] for d in DOCS) + "\n")
    monkeypatch.setenv("SYNTHGUARD_REDACTION_KEY", "11" * 32)
    assert main(["redact", "--in", str(src), "--out", str(enc), "--operator", "encrypt",
                 "--workers", "1"]) == 0
    assert "Anna" not in enc.read_text()
    assert main(["decrypt", "--in", str(enc), "--out", str(dec)]) == 0
    assert dec.read_text() == src.read_text()


def test_malformed_jsonl_names_the_line(tmp_path, capsys) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(json.dumps(DOCS[0]) + "\n" + json.dumps(DOCS[1]) + "\n{not json\n")
    assert main(["redact", "--in", str(src), "--out", str(dst), "--text-field", "body",
                 "--workers", "1", "--chunk-size", "1"]) == 2
    assert "line 3" in capsys.readouterr().err
    assert not dst.exists() and not list(tmp_path.glob(".out.jsonl*"))


def test_missing_text_field_lists_existing_fields(tmp_path, capsys) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(src, DOCS)
    assert main(["redact", "--in", str(src), "--out", str(dst), "--text-field", "text",
                 "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "'text'" in err and "body" in err and "id" in err
    assert not dst.exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_encrypt_without_key_says_how(tmp_path, capsys, monkeypatch, workers: str) -> None:
    monkeypatch.delenv("SYNTHGUARD_REDACTION_KEY", raising=False)
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_jsonl(src, DOCS)
    assert main(["redact", "--in", str(src), "--out", str(dst), "--text-field", "body",
                 "--operator", "encrypt", "--workers", workers]) == 2
    err = capsys.readouterr().err
    assert "--key-file" in err and "SYNTHGUARD_REDACTION_KEY" in err
    assert not dst.exists()


def test_error_mid_stream_with_workers_leaves_no_output(tmp_path, capsys) -> None:
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [json.dumps(DOCS[i % 2]) for i in range(40)] + ['{"id": 99}']
    src.write_text("\n".join(lines) + "\n")
    assert main(["redact", "--in", str(src), "--out", str(dst), "--text-field", "body",
                 "--workers", "2", "--chunk-size", "8"]) == 2
    assert "line 41" in capsys.readouterr().err
    assert not dst.exists()

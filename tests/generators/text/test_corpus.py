"""Corpus reader/writer: JSONL and TXT, errors that name the line and the fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthguard.errors import DataFileError, SchemaError
from synthguard.generators.text.corpus import read_corpus, write_corpus


def test_jsonl_round_trip(tmp_path: Path) -> None:
    path = write_corpus(tmp_path / "c.jsonl", ["a é", "b\nc"], text_field="body")
    frame = read_corpus(path, text_field="body")
    assert frame["body"].tolist() == ["a é", "b\nc"]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(first) == {"body": "a é"}


def test_txt_one_document_per_line(tmp_path: Path) -> None:
    (tmp_path / "c.txt").write_text("first\n\nsecond\n", encoding="utf-8")
    assert read_corpus(tmp_path / "c.txt", text_field="t")["t"].tolist() == ["first", "second"]


def test_malformed_line_is_named(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"text": "ok"}\n{"text": oops}\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="line 2"):
        read_corpus(tmp_path / "c.jsonl")


def test_missing_field_lists_existing_fields(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text('{"body": "x", "label": 1}\n', encoding="utf-8")
    with pytest.raises(SchemaError, match=r"line 1.*'text'.*\['body', 'label'\]"):
        read_corpus(tmp_path / "c.jsonl", text_field="text")


@pytest.mark.parametrize("content,suffix,match", [
    ("", ".jsonl", "no documents"),
    ("[1, 2]\n", ".jsonl", "JSON object"),
    ('{"text": 3}\n', ".jsonl", "expected a string"),
    ("x", ".csv", "suffix"),
])
def test_other_bad_files(tmp_path: Path, content: str, suffix: str, match: str) -> None:
    path = tmp_path / f"c{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises((DataFileError, SchemaError), match=match):
        read_corpus(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="does not exist"):
        read_corpus(tmp_path / "nope.jsonl")

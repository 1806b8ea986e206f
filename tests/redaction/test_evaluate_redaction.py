"""`synthguard evaluate-redaction`: JSON/JSONL/CoNLL labelled corpora, label mapping, per-type
character-level scores, and bad input (exit 2, one line, nothing written)."""

from __future__ import annotations

import json

import pytest

from synthguard.cli import main
from synthguard.errors import DataFileError
from synthguard.redaction import RedactionEngine
from synthguard.redaction._types import LabelledDoc, Span
from synthguard.redaction.evaluate import evaluate_redaction, read_labelled_corpus, score_by_entity

TEXT = "Dear Anna Kowalski, call 020 7946 0958 or write to anna.k@example.org today."
# (start, end, corpus label)
GOLD = [(5, 18, "NAME_STUDENT"), (25, 38, "PHONE_NUM"), (51, 68, "EMAIL")]

CONLL = """-DOCSTART- O

Dear O
Anna B-PER
Kowalski I-PER
lives O
in O
Leeds B-LOC
. O

Ask O
Tom B-PER
Baker I-PER
at O
Acme B-ORG
Corp I-ORG
. O
"""


def test_spans_and_scores_per_entity() -> None:
    text = "ab cd ef"
    gold = [[Span(0, 2, "PERSON"), Span(6, 8, "LOCATION")]]
    pred = [[Span(0, 5, "PERSON")]]
    scores = score_by_entity([text], gold, pred)
    assert scores["PERSON"].recall == 1.0 and scores["PERSON"].precision == 0.5
    assert scores["LOCATION"].recall == 0.0 and scores["LOCATION"].precision is None


def test_readers_agree_on_offsets(tmp_path) -> None:
    for a, b, _ in GOLD:
        assert TEXT[a:b].strip() == TEXT[a:b]
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text(json.dumps({"text": TEXT, "spans": [
        {"start": a, "end": b, "entity_type": t} for a, b, t in GOLD]}) + "\n")
    pres = tmp_path / "c.json"  # presidio-research style naming, with values
    pres.write_text(json.dumps([{"full_text": TEXT, "spans": [
        {"start_position": a, "end_position": b, "entity_type": t, "entity_value": TEXT[a:b]}
        for a, b, t in GOLD]}]))
    label = tmp_path / "l.json"  # "label"/"value" variant under a documents key
    label.write_text(json.dumps({"documents": [{"text": TEXT, "privacy_mask": [
        {"start": a, "end": b, "label": t, "value": TEXT[a:b]} for a, b, t in GOLD]}]}))
    read = [read_labelled_corpus(p)[0] for p in (jsonl, pres, label)]
    assert read[0] == read[1] == read[2]
    assert [s.entity_type for s in read[0][0].spans] == ["PERSON", "PHONE_NUMBER", "EMAIL_ADDRESS"]
    conll = tmp_path / "c.conll"
    conll.write_text(CONLL)
    docs, kind = read_labelled_corpus(conll)
    assert kind == "conll" and len(docs) == 2
    assert docs[0].text == "Dear Anna Kowalski lives in Leeds ."
    assert [(docs[1].text[s.start:s.end], s.entity_type) for s in docs[1].spans] == [
        ("Tom Baker", "PERSON"), ("Acme Corp", "ORGANIZATION")]


def test_evaluate_scores_the_engine(engine: RedactionEngine) -> None:
    doc = LabelledDoc(TEXT, [Span(a, b, t) for a, b, t in [(5, 18, "PERSON"), (25, 38, "PHONE_NUMBER"),
                                                             (51, 68, "EMAIL_ADDRESS")]])
    report = evaluate_redaction([doc], engine=engine)
    assert report.overall.recall == 1.0 and report.overall.f2 > 0.9
    assert report.per_entity["EMAIL_ADDRESS"].recall == 1.0
    assert json.loads(json.dumps(report.to_dict()))["documents"] == 1


def test_cli_jsonl_json_conll_and_label_map(tmp_path, capsys) -> None:
    conll = tmp_path / "c.txt"
    conll.write_text(CONLL)
    lmap = tmp_path / "map.yaml"
    lmap.write_text("LOC: null\n")
    out = tmp_path / "r.json"
    assert main(["evaluate-redaction", "--corpus", str(conll), "--label-map", str(lmap),
                 "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "PERSON" in printed and "F2" in printed
    report = json.loads(out.read_text())
    assert report["format"] == "conll" and report["documents"] == 2
    assert "LOCATION" not in report["per_entity"] or report["per_entity"]["LOCATION"]["gold_chars"] == 0
    assert report["per_entity"]["PERSON"]["recall"] == 1.0


@pytest.mark.parametrize(("name", "content", "extra", "message"), [
    ("c.dat", "<<binary-ish>>\n", [], "cannot tell its format"),
    ("c.jsonl", json.dumps({"text": "short", "spans": [{"start": 2, "end": 40, "entity_type": "PER"}]}),
     [], "outside the text"),
    ("c.jsonl", json.dumps({"text": "Anna Kowalski", "spans": [
        {"start": 0, "end": 8, "entity_type": "PER"}, {"start": 5, "end": 13, "entity_type": "PER"}]}),
     [], "overlapping"),
    ("c.jsonl", json.dumps({"body": "Anna", "spans": []}), [], "no text field"),
    ("c.jsonl", "\n\n", [], "no documents"),
    ("c.json", json.dumps([{"text": "Anna", "spans": [{"start": 0, "end": 4, "label": "PER",
                                                      "value": "Anne"}]}]), [], "does not match"),
    ("c.conll", "Anna X-PER\n", [], "is not O or B-"),
    ("c.jsonl", json.dumps({"text": "Anna", "spans": []}), ["--format", "xml"], "invalid choice"),
])
def test_bad_corpus_exits_2_one_line_nothing_written(tmp_path, capsys, name, content, extra,
                                                     message) -> None:
    corpus = tmp_path / name
    corpus.write_text(content)
    out = tmp_path / "report.json"
    with pytest.raises(SystemExit) if "--format" in extra else _no_raise() as raised:
        code = main(["evaluate-redaction", "--corpus", str(corpus), "--out", str(out),
                     "--workers", "1", *extra])
    if raised is not None and hasattr(raised, "value"):
        code = raised.value.code
    assert code == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("synthguard: error")]
    assert len(err) == 1 and message in err[0]
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == [name]


class _no_raise:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_library_raises_typed_errors(tmp_path) -> None:
    with pytest.raises(DataFileError, match="does not exist"):
        read_labelled_corpus(tmp_path / "missing.jsonl")

"""Recall/precision on a small labelled fixture (unseen template family, its own seed)."""

from __future__ import annotations

from synthguard.redaction import RedactionEngine, Span
from synthguard.redaction.corpus import make_labelled_corpus, score_spans


def test_corpus_offsets_are_exact() -> None:
    docs = make_labelled_corpus(50, seed=1)
    assert make_labelled_corpus(50, seed=1) == docs
    assert make_labelled_corpus(50, seed=2) != docs
    for doc in docs:
        for s in doc.spans:
            value = doc.text[s.start:s.end]
            assert (value and value == value.strip()) or "\n" in value


def test_scores_are_character_level() -> None:
    text = "Jane Doe lives here"
    gold = [[Span(0, 8, "PERSON")]]
    perfect = score_spans([text], gold, gold)
    assert perfect.recall == perfect.precision == perfect.f2 == 1.0
    half = score_spans([text], gold, [[Span(0, 4, "PERSON")]])
    assert half.recall == 4 / 7 and half.precision == 1.0
    assert score_spans([text], gold, [[]]).recall == 0.0


def test_recall_on_unseen_templates(engine: RedactionEngine) -> None:
    docs = make_labelled_corpus(200, seed=99, templates="b")
    predicted = engine.analyze([d.text for d in docs])
    scores = score_spans([d.text for d in docs], [d.spans for d in docs], predicted)
    assert scores.recall >= 0.9
    assert scores.precision >= 0.8
    assert scores.f2 >= 0.85
    for entity in ("EMAIL_ADDRESS", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "IP_ADDRESS"):
        assert scores.per_entity_recall[entity] >= 0.95, entity

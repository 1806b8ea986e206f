from __future__ import annotations

import itertools

import pytest

from synthguard.errors import ParameterError
from synthguard.redaction import RedactedDoc, RedactionEngine, Span

TEXT = (
    "Dear John Smith, call +1-415-555-0123 or write to john.smith@example.com. "
    "Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, "
    "server 192.168.10.20, site https://www.example.org/login. She is 42 years old."
)


def _found(text: str, spans: list[Span]) -> dict[str, str]:
    return {s.entity_type: text[s.start:s.end] for s in spans}


def test_span_is_frozen_and_serialises() -> None:
    span = Span(1, 4, "PERSON", 0.5)
    assert span.to_dict() == {"start": 1, "end": 4, "entity_type": "PERSON", "score": 0.5}
    assert Span.from_dict(span.to_dict()) == span
    with pytest.raises(AttributeError):
        span.start = 2  # type: ignore[misc]
    with pytest.raises(ValueError):
        Span(5, 2, "PERSON", 1.0)


def test_analyze_finds_pattern_and_ner_entities(engine: RedactionEngine) -> None:
    [spans] = engine.analyze([TEXT])
    found = _found(TEXT, spans)
    assert found["PERSON"] == "John Smith"
    assert found["PHONE_NUMBER"] == "+1-415-555-0123"
    assert found["EMAIL_ADDRESS"] == "john.smith@example.com"
    assert found["CREDIT_CARD"] == "4111 1111 1111 1111"
    assert found["IBAN_CODE"] == "GB82 WEST 1234 5698 7654 32"
    assert found["US_SSN"] == "123-45-6789"
    assert found["IP_ADDRESS"] == "192.168.10.20"
    assert found["URL"] == "https://www.example.org/login"
    assert found["AGE"] == "42"
    # spans never overlap and are sorted
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_multiline_address_is_one_span(engine: RedactionEngine) -> None:
    text = "Ship to:\n742 Evergreen Terrace Apt. 3\nSpringfield, IL 62704\nThanks"
    [spans] = engine.analyze([text])
    addresses = [text[s.start:s.end] for s in spans if s.entity_type == "ADDRESS"]
    assert addresses == ["742 Evergreen Terrace Apt. 3\nSpringfield, IL 62704"]


def test_invalid_numbers_are_not_cards_or_ibans(engine: RedactionEngine) -> None:
    text = "Order 4111 1111 1111 1112 and code GB00 WEST 1234 5698 7654 32 were rejected."
    [spans] = engine.analyze([text])
    assert not {"CREDIT_CARD", "IBAN_CODE"} & {s.entity_type for s in spans}


def test_entities_filter_and_redact(engine: RedactionEngine) -> None:
    only = RedactionEngine(entities=["EMAIL_ADDRESS"])
    [doc] = only.redact(["Mail jane@example.com, not Jane Doe."])
    assert isinstance(doc, RedactedDoc)
    assert doc.text == "Mail <EMAIL_ADDRESS>, not Jane Doe."
    assert doc.replaced == {"EMAIL_ADDRESS": 1}


def test_text_without_pii_has_no_spans(engine: RedactionEngine) -> None:
    text = "The printer on the third floor is out of paper again."
    assert engine.analyze([text, ""]) == [[], []]


def test_bad_parameters_are_typed_errors() -> None:
    with pytest.raises(ParameterError, match="threshold"):
        RedactionEngine(threshold=2.0)
    with pytest.raises(ParameterError, match="PERSN"):
        RedactionEngine(entities=["PERSN"])


def test_two_workers_give_the_same_spans(engine: RedactionEngine) -> None:
    from synthguard.redaction.corpus import make_labelled_corpus

    texts = [d.text for d in make_labelled_corpus(300, seed=5)]
    parallel = RedactionEngine(workers=2).analyze(texts)
    assert parallel == engine.analyze(texts)


def test_long_streams_renew_the_spacy_pipeline_with_the_same_spans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """spaCy's StringStore only grows; the engine swaps in a fresh pipeline every
    RENEW_NLP_EVERY documents (bounded memory on long streams) without changing any span."""
    from synthguard.redaction import engine as engine_module

    texts = [f"Call Maria Gonzalez on 020 7946 09{i:02d} about order {i}." for i in range(12)]
    expected = RedactionEngine().analyze(texts)
    monkeypatch.setattr(engine_module, "RENEW_NLP_EVERY", 4)
    renewing = RedactionEngine()
    first = renewing.analyze(texts[:4])
    pipeline = renewing._nlp
    rest = renewing.analyze(texts[4:8]) + renewing.analyze(texts[8:])
    assert renewing._nlp is not pipeline  # a new pipeline after 4 documents
    assert first + rest == expected
    assert len(renewing._nlp.vocab.strings) < len(pipeline.vocab.strings) + 50

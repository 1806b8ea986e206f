"""surrogate_text on labelled PII documents: identifiers replaced, structure kept, seeded."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthguard.evaluation.text import IDENTIFYING_TYPES, pii_leakage
from synthguard.generators import create_generator, load_generator, save_generator
from synthguard.generators.text.surrogate import surrogate_redact_detailed
from synthguard.redaction.corpus import make_labelled_corpus


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))


def _values(docs: list) -> list[tuple[str, str]]:
    return [(s.entity_type, d.text[s.start : s.end])
            for d in docs for s in d.spans if s.entity_type in IDENTIFYING_TYPES]


@pytest.mark.parametrize("family", ["a", "b"])  # b: wording the recognizers were not tuned on
def test_identifying_values_do_not_survive(family: str) -> None:
    docs = make_labelled_corpus(80, seed=404, templates=family)
    texts = [d.text for d in docs]
    result = surrogate_redact_detailed(texts, seed=0)
    outside = pii_leakage(_values(docs), result.texts, exclude=result.surrogate_spans)
    strict = pii_leakage(_values(docs), result.texts)
    assert outside.values > 150
    assert outside.share <= 0.05, outside.to_dict()
    assert strict.share <= 0.05, strict.to_dict()  # the target: anywhere in the output
    assert {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER"} <= set(result.replaced)


def test_generator_contract_seeded_and_round_trip(tmp_path: Path) -> None:
    docs = [d.text for d in make_labelled_corpus(12, seed=5, templates="a")]
    gen = create_generator("surrogate_text").fit(docs, seed=3)
    again = create_generator("surrogate_text").fit(docs, seed=3)
    out = gen.sample(20, seed=1)  # more than the corpus: cycles through a seeded order
    assert list(out.columns) == ["text"] and len(out) == 20
    assert out.equals(again.sample(20, seed=1))
    assert set(out["text"]) <= set(gen.sample(12, seed=2)["text"])
    assert sum(gen.replaced.values()) > 12
    assert gen.describe()["replaced"] == gen.replaced
    save_generator(gen, tmp_path / "m")
    assert load_generator(tmp_path / "m").sample(5, seed=4).equals(gen.sample(5, seed=4))


def test_consistent_surrogates_and_untouched_text() -> None:
    texts = ["Call Margaret Thornton on 020 7946 0958 today.",
             "Margaret Thornton paid the invoice.",
             "The printer on floor two is broken."]
    out = create_generator("surrogate_text").fit(texts, seed=0).sample(3, seed=0)["text"]
    by_tail = {t.split()[-1]: t for t in out}
    first, second = by_tail["today."], by_tail["invoice."]
    assert "Margaret" not in first + second and "7946" not in first
    assert first.startswith("Call ") and second.endswith(" paid the invoice.")
    fake_name = second[: -len(" paid the invoice.")]
    assert fake_name in first  # the same real name gets the same fake name
    assert "The printer on floor two is broken." in set(out)


def test_keep_fields_carries_labels_aligned(tmp_path: Path) -> None:
    import pandas as pd

    from synthguard.errors import SchemaError

    frame = pd.DataFrame({"body": ["Refund for Oliver Grant please.", "Printer broken again."],
                          "topic": ["billing", "it"]})
    gen = create_generator("surrogate_text", text_field="body", keep_fields=["topic"])
    out = gen.fit(frame, seed=0).sample(6, seed=2)
    assert list(out.columns) == ["body", "topic"]
    for body, topic in zip(out["body"], out["topic"], strict=True):
        assert topic == ("it" if body.startswith("Printer") else "billing")
    save_generator(gen, tmp_path / "m")
    assert load_generator(tmp_path / "m").sample(6, seed=2).equals(out)
    with pytest.raises(SchemaError, match="keep_fields"):
        create_generator("surrogate_text", keep_fields=["topic"]).fit(["a text"])


def test_surrogate_never_reuses_a_name_word_of_the_input() -> None:
    """A fake name must not be any name-like word of the input, detected or not: a missed
    real "ashley" must not come back as the surrogate of a detected "John Smith"."""
    from synthguard.generators.text.surrogate import _corpus_words, _SurrogateChooser, _words
    from synthguard.redaction import Span

    names = ["John Smith", "Maria Garcia", "Wei Chen", "Ama Mensah", "Olga Petrova", "Tom Baker",
             "Aoife Byrne", "Luis Romero", "Sara Berg", "Ken Sato", "Rosa Diaz", "Ian Lane"]
    texts = [f"Call {n} today" for n in names]
    spans = [Span(5, 5 + len(n), "PERSON") for n in names]

    def fakes(corpus_words: frozenset[str]) -> set[str]:
        chooser = _SurrogateChooser(3, frozenset(), frozenset(), corpus_words)
        out = set()
        for text, span in zip(texts, spans, strict=True):
            new = chooser.replace(text, span)
            out.update(w.casefold() for w in _words(new[5:-len(" today")]))
        return out

    unchecked = fakes(frozenset())
    # the input now also holds every word those fakes used (as undetected text)
    corpus = _corpus_words([*texts, " ".join(sorted(unchecked))])
    assert unchecked & corpus  # the check has something to reject
    assert not fakes(corpus) & corpus


def test_name_parts_are_chosen_one_by_one_and_stay_consistent() -> None:
    """When one part of a name must be re-drawn (its fake is a word of the input), the other
    parts keep their surrogate: "Megan Hall" and a lone "Hall" still get the same fake Hall."""
    from synthguard.generators.text.surrogate import _SurrogateChooser
    from synthguard.redaction import Span

    full, lone = "Call Megan Hall today", "Mr Hall called"

    def fakes(corpus_words: frozenset[str]) -> tuple[str, str, str]:
        chooser = _SurrogateChooser(5, frozenset(), frozenset(), corpus_words)
        a = chooser.replace(full, Span(5, 15, "PERSON"))[5:-len(" today")]
        b = chooser.replace(lone, Span(3, 7, "PERSON"))[3:-len(" called")]
        first, last = a.split(" ")
        return first, last, b

    megan0, hall0, lone0 = fakes(frozenset())
    assert hall0 == lone0
    megan1, hall1, lone1 = fakes(frozenset({megan0.casefold()}))  # Megan's first fake clashes
    assert megan1 != megan0
    assert hall1 == lone1 == hall0

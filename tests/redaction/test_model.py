"""synthguard's shipped NER model: loads offline, refuses tampered files, falls back loudly,
carries no training text, and finds names on a held-out document family that stock misses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synthguard.errors import IntegrityError
from synthguard.redaction import RedactionEngine
from synthguard.redaction._model import MANIFEST, SHIPPED_DIR, model_info, verify_model

pytestmark = pytest.mark.skipif(not (SHIPPED_DIR / MANIFEST).is_file(),
                                reason="the trained NER model is not in this checkout")


def test_shipped_model_is_small_and_verified() -> None:
    manifest = verify_model(SHIPPED_DIR)
    files = [SHIPPED_DIR / name for name in manifest["files_sha256"]]
    assert sum(f.stat().st_size for f in files) < 15e6
    info = model_info("shipped")
    assert info is not None and info["seed"] == manifest["seed"]
    assert "chat" not in info["families"] and "clinical" not in info["families"]


def test_model_strings_are_the_base_model_strings_only() -> None:
    """The generated training text never ships: the StringStore holds only what the base
    spaCy model had, plus the new labels."""
    from synthguard.redaction._nlp import fresh_spacy

    ours = set(json.loads((SHIPPED_DIR / "vocab" / "strings.json").read_text(encoding="utf-8")))
    base = set(fresh_spacy(ner_only=True).vocab.strings)
    assert ours - base <= {"ADDRESS", "AGE", "POSTCODE"}


@pytest.mark.parametrize("change", ["flip", "missing", "extra"])
def test_tampered_model_raises_integrity_error_naming_the_file(model_copy: Path, change: str) -> None:
    weights = model_copy / "ner" / "model"
    if change == "flip":
        data = bytearray(weights.read_bytes())
        data[len(data) // 2] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif change == "missing":
        weights.unlink()
    else:
        (model_copy / "ner" / "extra.py").write_text("print('hi')\n")
    expected = "extra.py" if change == "extra" else "model"
    with pytest.raises(IntegrityError, match=expected):
        RedactionEngine(ner_model=str(model_copy)).analyze(["Ann Lee called."])


def test_missing_model_falls_back_to_stock_with_a_warning(tmp_path: Path) -> None:
    empty = tmp_path / "no-model"
    empty.mkdir()
    text = "Please ask Maria Gonzalez to call back."
    with pytest.warns(RuntimeWarning, match="not installed"):
        [spans] = RedactionEngine(ner_model=str(empty)).analyze([text])
    assert ("PERSON", "Maria Gonzalez") in {(s.entity_type, text[s.start:s.end]) for s in spans}


def _person_recall(engine: RedactionEngine, docs: list) -> float:
    from synthguard.redaction import score_spans

    predicted = engine.analyze([d.text for d in docs])
    scores = score_spans([d.text for d in docs], [d.spans for d in docs], predicted)
    return float(scores.per_entity_recall["PERSON"])


def test_shipped_model_finds_names_stock_misses_on_a_held_out_family() -> None:
    """Clinical notes and CSV-like lines are HELD_OUT families: the model never saw one in
    training. On a small fixed sample the shipped model must find person names that the
    stock NER misses (measured when written: shipped 0.94 / 0.89, stock 0.76 / 0.66). The
    structure recognizer (speakers, table columns, form fields, names seen elsewhere in the
    document) now finds many of those names with either model (shipped 0.977, stock 0.887 on
    this sample), so the gap asked for is 0.05."""
    from synthguard.redaction.training import HELD_OUT, make_training_corpus

    families = ["clinical", "csv_lines"]
    assert set(families) <= set(HELD_OUT)
    docs = make_training_corpus(24, seed=777, families=families)
    shipped = _person_recall(RedactionEngine(), docs)
    stock = _person_recall(RedactionEngine(ner_model="stock"), docs)
    print(f"PERSON recall on held-out families: shipped {shipped:.3f}, stock {stock:.3f}")
    assert shipped >= 0.85, shipped
    assert shipped >= stock + 0.05, (shipped, stock)

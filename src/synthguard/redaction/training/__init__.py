"""Labelled training corpus for synthguard's own NER model: many independent document families.

Each family (one small module) writes a different kind of document: letters, chat lines,
support tickets, clinical notes, HR records, e-mails, CSV-like rows, news-like sentences,
lists of names, key-value forms, message exports and call transcripts (speaker names), and text with no identifiers at all (capitalised common
words, roles such as "Caller" or "GP", vague time phrases such as "every night"). Values
come from ~60 Faker locales (:mod:`._values`). Documents get a random style: normal, all
lower case, ALL CAPS, only the names in lower or upper case, and OCR-like confusions.

:data:`HELD_OUT` families are never used to train the shipped model; the generalisation
benchmark scores on them. Everything is seeded: the same ``seed`` gives the same corpus.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from synthguard.errors import ParameterError
from synthguard.redaction._types import LabelledDoc
from synthguard.redaction.training import (
    chat,
    clinical,
    csv_lines,
    emails,
    forms,
    hr,
    letters,
    lists,
    messages,
    negatives,
    news,
    tickets,
)
from synthguard.redaction.training._builder import DocBuilder
from synthguard.redaction.training._values import Values
from synthguard.registry import Registry

Family = Callable[[DocBuilder], None]
FAMILIES: Registry[Family] = Registry("document family")
for _name, _module in (
    ("letters", letters), ("tickets", tickets), ("hr", hr), ("emails", emails), ("news", news),
    ("lists", lists), ("forms", forms), ("negatives", negatives), ("chat", chat),
    ("clinical", clinical), ("csv_lines", csv_lines), ("messages", messages),
):
    FAMILIES.add(_name, _module.generate)

# Never seen by the shipped model's training; the generalisation benchmark scores on them.
HELD_OUT: tuple[str, ...] = ("chat", "clinical", "csv_lines")
TRAINING: tuple[str, ...] = tuple(n for n in FAMILIES.names() if n not in HELD_OUT)

_STYLES = ("normal", "lower", "upper", "names_lower", "names_upper")
_STYLE_WEIGHTS = (0.66, 0.09, 0.04, 0.15, 0.06)


def make_training_corpus(n_docs: int, *, seed: int,
                         families: Sequence[str] | None = None) -> list[LabelledDoc]:
    """``n_docs`` labelled documents drawn evenly from ``families`` (default: :data:`TRAINING`)."""
    if n_docs < 0:
        raise ParameterError(f"n_docs must be >= 0, got {n_docs}")
    names = list(families) if families is not None else list(TRAINING)
    if not names:
        raise ParameterError("families must name at least one document family")
    makers = [FAMILIES.get(n) for n in names]
    rng = random.Random(seed)
    values = Values(rng, seed)
    docs = []
    for i in range(n_docs):
        style = rng.choices(_STYLES, _STYLE_WEIGHTS)[0]
        ocr = rng.choice((0.02, 0.04)) if rng.random() < 0.06 else 0.0
        builder = DocBuilder(values, style=style, ocr=ocr)
        makers[i % len(makers)](builder)
        docs.append(builder.build())
    return docs


__all__ = ["FAMILIES", "HELD_OUT", "TRAINING", "make_training_corpus"]

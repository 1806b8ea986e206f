"""Find sensitive spans in text and tables (Presidio + spaCy, offline) and transform them.

Public surface: :class:`RedactionEngine` (``analyze``/``redact``), :class:`Span`,
:class:`RedactedDoc`, :func:`redact_file` / :func:`redact_batch` (streaming files, one pure
per-batch function that any runner can call), :func:`detect_pii_columns` (tables), the
operator registry :data:`OPERATORS` with :class:`Policy`, and the labelled corpus generator
:func:`make_labelled_corpus` with :func:`score_spans` for recall/precision/F2.
"""

from __future__ import annotations

from typing import Any

from synthguard.redaction._types import LabelledDoc, RedactedDoc, RedactionSummary, Span
from synthguard.redaction.batch import decrypt_file, redact_batch, redact_file
from synthguard.redaction.corpus import make_labelled_corpus, score_spans
from synthguard.redaction.engine import RedactionEngine
from synthguard.redaction.entities import ALL_ENTITIES, ENTITY_DESCRIPTIONS
from synthguard.redaction.operators import OPERATORS, Operator, OperatorCaps, Policy
from synthguard.redaction.surrogate import surrogate_value

_LAZY = {"FREE_TEXT", "detect_pii_columns"}  # tables pull in pandas: imported on first use


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from synthguard.redaction import tables

        return getattr(tables, name)
    raise AttributeError(f"module 'synthguard.redaction' has no attribute {name!r}")


__all__ = [
    "ALL_ENTITIES",
    "ENTITY_DESCRIPTIONS",
    "FREE_TEXT",
    "OPERATORS",
    "LabelledDoc",
    "Operator",
    "OperatorCaps",
    "Policy",
    "RedactedDoc",
    "RedactionEngine",
    "RedactionSummary",
    "Span",
    "decrypt_file",
    "detect_pii_columns",
    "make_labelled_corpus",
    "redact_batch",
    "redact_file",
    "score_spans",
    "surrogate_value",
]

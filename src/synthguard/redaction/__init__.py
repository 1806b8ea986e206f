"""Find sensitive spans in text and tables (Presidio + spaCy, offline) and transform them.

Public surface: :class:`RedactionEngine` (``analyze``/``redact``), :class:`Span`,
:class:`RedactedDoc`, :func:`redact_file` / :func:`redact_batch` (streaming files, one pure
per-batch function that any runner can call), :func:`detect_pii_columns` (tables), the
operator registry :data:`OPERATORS` with :class:`Policy`, and the labelled corpus generator
:func:`make_labelled_corpus` with :func:`score_spans` for recall/precision/F2.
"""

from __future__ import annotations

from synthguard.redaction._types import LabelledDoc, RedactedDoc, RedactionSummary, Span
from synthguard.redaction.engine import RedactionEngine
from synthguard.redaction.entities import ALL_ENTITIES, ENTITY_DESCRIPTIONS
from synthguard.redaction.operators import OPERATORS, Operator, OperatorCaps, Policy

__all__ = [
    "ALL_ENTITIES",
    "ENTITY_DESCRIPTIONS",
    "OPERATORS",
    "LabelledDoc",
    "Operator",
    "OperatorCaps",
    "Policy",
    "RedactedDoc",
    "RedactionEngine",
    "RedactionSummary",
    "Span",
]

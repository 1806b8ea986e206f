"""Immutable result objects of the redaction package (spans, redacted documents, summaries)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Span:
    """A detected (or labelled) sensitive span: ``text[start:end]`` is of ``entity_type``."""

    start: int
    end: int
    entity_type: str
    score: float = 1.0

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span offsets start={self.start} end={self.end}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "entity_type": self.entity_type,
            "score": round(float(self.score), 4),
        }

    @classmethod
    def from_dict(cls, payload: dict[str, Any]) -> Span:
        return cls(
            int(payload["start"]),
            int(payload["end"]),
            str(payload["entity_type"]),
            float(payload.get("score", 1.0)),
        )


@dataclass(frozen=True)
class RedactedDoc:
    """One transformed document: the new text, the spans found in the ORIGINAL text, and
    how many spans of each entity type were replaced (counts only, never values)."""

    text: str
    spans: list[Span]
    replaced: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "spans": [s.to_dict() for s in self.spans],
            "replaced": dict(self.replaced),
        }


@dataclass
class RedactionSummary:
    """Aggregate outcome of a file run: document/record counts and counts per entity type.

    Holds counts only, so it may be logged, printed and stored in the run ledger.
    """

    documents: int = 0
    entities: Counter[str] = field(default_factory=Counter)
    columns: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, counts: dict[str, int]) -> None:
        self.entities.update(counts)

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "entities": dict(sorted(self.entities.items())),
            "columns": dict(self.columns),
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
        }


@dataclass(frozen=True)
class LabelledDoc:
    """A generated document with its gold spans (for recall/precision measurement)."""

    text: str
    spans: list[Span]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "spans": [s.to_dict() for s in self.spans]}

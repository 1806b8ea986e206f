"""Turn overlapping recognizer results into clean, non-overlapping spans.

Recall is what a privacy officer needs, so nothing detected is thrown away: when two
results overlap, the stronger one keeps its characters and the weaker keeps whatever is
left of it. Then neighbouring pieces of one thing are merged: ``John`` + ``Smith``, and the
lines of a postal address (street, town, state, postcode) into one ADDRESS span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from synthguard.redaction._types import Span
from synthguard.redaction.entities import ADDRESS_PARTS

# Pattern-validated types outrank NER labels when they claim the same characters.
_PRIORITY = {
    "EMAIL_ADDRESS": 9, "URL": 8, "IBAN_CODE": 9, "CREDIT_CARD": 9, "US_SSN": 9,
    "IP_ADDRESS": 9, "PHONE_NUMBER": 7, "US_DRIVER_LICENSE": 7, "ADDRESS": 6, "POSTCODE": 6,
    "AGE": 6, "DATE_TIME": 5, "PERSON": 4, "ORGANIZATION": 3, "JOB_TITLE": 3, "NRP": 3,
    "LOCATION": 3,
}
_GAP_SAME = re.compile(r"[ \t]{1,2}|[ \t]?-[ \t]?|,[ \t]|[ \t]?&[ \t]?|\.[ \t]?")
_GAP_ADDRESS = re.compile(r"[\s,]*(?:[A-ZÀ-Ý][\w'’\-.]*[\s,]+){0,3}[\s,]*", re.S)
_MERGE_SAME = {"PERSON", "ORGANIZATION", "DATE_TIME", "JOB_TITLE", "LOCATION", "NRP",
               "PHONE_NUMBER", "ADDRESS"}


def resolve(text: str, spans: Sequence[Span], ranks: Sequence[int] | None = None) -> list[Span]:
    """Non-overlapping spans covering every character any recognizer flagged.

    ``ranks`` (same length as ``spans``) says how much to trust each span's source on a tie
    of entity priority: rules > word lists > statistical NER.
    """
    rank = list(ranks) if ranks is not None else [0] * len(spans)
    spans, rank = _split_ner(text, spans, rank)
    order = sorted(range(len(spans)), key=lambda i: (
        -_PRIORITY.get(spans[i].entity_type, 2), -rank[i], -spans[i].score,
        -(spans[i].end - spans[i].start), spans[i].start))
    claimed: list[tuple[int, int]] = []
    kept: list[Span] = []
    for i in order:
        span = spans[i]
        if rank[i] == 0 and _is_noise(text[span.start:span.end]):
            continue
        for a, b in _subtract(span.start, span.end, claimed):
            a, b = _strip(text, a, b)
            if rank[i] == 0 and (a, b) != (span.start, span.end) and _is_noise(text[a:b]):
                continue
            if b - a >= 1 and (b - a >= 2 or (a, b) == (span.start, span.end)) and any(
                ch.isalnum() for ch in text[a:b]
            ):
                kept.append(Span(a, b, span.entity_type, span.score))
                claimed.append((a, b))
    kept.sort()
    return merge_neighbours(text, kept)


# Words the small NER model often tags as ORG/PERSON/DATE that are field labels, not PII.
_NOISE = re.compile(
    r"(?i)(?:iban|ssn|ss#|dob|d\.o\.b\.?|id|dl|ip|url|pin|tel|fax|email|e-mail|phone|mobile|cell|"
    r"driver|drivers|driver's|licen[cs]e|passport|card|visa|mastercard|amex|account|acct|"
    r"patient|client|customer|ticket|ref|re|subject|dear|hi|hello|regards|sincerely|"
    r"address|zip|postcode|age|aged|name|notes?|date|time|-?years?[- ]old|years?|yrs?|"
    r"today|tomorrow|yesterday|now|daily|weekly|monthly|annual|annually|social security|"
    r"[a-z]*\s?\d{5,7}|"
    r"nhs|gdpr|hipaa|ceo|cfo|cto|hr|it|ok|n/a|none|unknown)"
)


def _is_noise(value: str) -> bool:
    return _NOISE.fullmatch(value.strip(" .,:;#")) is not None


def _subtract(start: int, end: int, claimed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces = [(start, end)]
    for a, b in claimed:
        if b <= start or a >= end:
            continue
        nxt = []
        for s, e in pieces:
            if b <= s or a >= e:
                nxt.append((s, e))
                continue
            if s < a:
                nxt.append((s, a))
            if b < e:
                nxt.append((b, e))
        pieces = nxt
    return pieces


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and not (text[a].isalnum() or text[a] in "+(#$€£"):
        a += 1
    while b > a and not (text[b - 1].isalnum() or text[b - 1] in ")."):
        b -= 1
    if b > a and text[b - 1] == "." and not _ABBREV_END.search(text[a:b]):
        b -= 1
    return a, b


_ABBREV_END = re.compile(
    r"(?:(?<![\w.])[A-Z]|\b(?i:inc|ltd|co|corp|jr|sr|st|bros|dr|mr|mrs|ms|prof|ave|rd|blvd|"
    r"apt|no|str|esq))\.$|\.[A-Za-z]\.$"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*|\(\s*)$")


def _split_ner(text: str, spans: Sequence[Span], rank: list[int]) -> tuple[list[Span], list[int]]:
    """NER spans never cross a line break (a label on the next line is not part of the
    value), and a lone sentence-initial word the name lists do not know is not a name."""
    from synthguard.redaction._gazetteers import first_names, last_names

    out: list[Span] = []
    out_rank: list[int] = []
    for span, r in zip(spans, rank, strict=True):
        if r != 0:
            out.append(span)
            out_rank.append(r)
            continue
        start = span.start
        for piece in re.split(r"(\n)", text[span.start:span.end]):
            if piece and piece != "\n":
                value = piece.strip()
                one_word = re.fullmatch(r"[A-Z][a-z]+", value) is not None
                no_letters = not any(c.isalpha() for c in value)
                if (no_letters and span.entity_type != "DATE_TIME") or (one_word and span.entity_type in {"PERSON", "ORGANIZATION", "LOCATION"}
                        and value not in first_names() and value not in last_names()
                        and _SENTENCE_START.search(text[:start + piece.find(value)])):
                    pass
                else:
                    out.append(Span(start, start + len(piece), span.entity_type, span.score))
                    out_rank.append(r)
            start += len(piece)
    return out, out_rank


def merge_neighbours(text: str, spans: list[Span]) -> list[Span]:
    """Merge adjacent spans of one entity, and address parts into one ADDRESS span."""
    out: list[Span] = []
    for span in spans:
        if out:
            prev = out[-1]
            gap = text[prev.end:span.start]
            merged_type = _merge_type(prev, span, gap)
            if merged_type is not None:
                out[-1] = Span(prev.start, span.end, merged_type, max(prev.score, span.score))
                continue
        out.append(span)
    return out


def _merge_type(prev: Span, span: Span, gap: str) -> str | None:
    types = {prev.entity_type, span.entity_type}
    if (prev.entity_type == span.entity_type and prev.entity_type in _MERGE_SAME
            and (gap == "" or _GAP_SAME.fullmatch(gap))):
        return prev.entity_type
    if (types <= ADDRESS_PARTS and "ADDRESS" in types and len(gap) <= 40
            and _GAP_ADDRESS.fullmatch(gap)):
        return "ADDRESS"
    if types == {"LOCATION", "POSTCODE"} and re.fullmatch(r",?[ \t]{1,2}|[ \t]*\n[ \t]*", gap):
        return "ADDRESS"
    return None

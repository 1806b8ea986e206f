"""The per-document structure pass, run on the resolved spans of one document.

What the recognizers found anywhere in a document says more about the rest of it: a column
whose other cells are names holds names; a word of a name detected in the header is the same
person in the body, whatever its case; a town is followed by its postcode and a postcode by
its town. :func:`refine` adds those spans (never overlapping a detected one); the tables come
from :func:`synthguard.redaction._structure.tables`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from synthguard.redaction._structure import cell_ok, listed_name, name_parts, person_value, tables
from synthguard.redaction._types import Span


def refine(text: str, spans: list[Span]) -> list[Span]:
    """Spans of one document plus what its structure adds once detection is done: a place,
    address or organisation found in part of a table cell extended to the cell, cells of a
    column whose other cells are of one type, a cell made only of name-like words, other occurrences of detected names, a
    postcode right after a town, and an age coordinated with a detected one ("she's 40 not
    45", "aged 30 to 35"). Added spans never overlap a detected one."""
    spans = _whole_cells(text, spans)
    extra = [*_column_cells(text, spans)]
    extra = _disjoint(spans, extra)
    extra += _disjoint([*spans, *extra], _name_cells(text, [*spans, *extra]))
    extra += _disjoint([*spans, *extra], _name_repeats(text, [*spans, *extra]))
    extra += _disjoint([*spans, *extra], _postcodes_after_towns(text, [*spans, *extra]))
    extra += _disjoint([*spans, *extra], _towns_after_postcodes(text, [*spans, *extra]))
    extra += _disjoint([*spans, *extra], _coordinated_ages(text, spans))
    # not merged with their neighbours: in a table the next cell is another value
    return sorted([*spans, *extra]) if extra else spans


def _disjoint(spans: Sequence[Span], extra: Sequence[Span]) -> list[Span]:
    taken = sorted((s.start, s.end) for s in spans)
    out: list[Span] = []
    for s in sorted(extra):
        if any(s.start < b and a < s.end for a, b in taken):
            continue
        out.append(s)
        taken.append((s.start, s.end))
    return out


def _type_of_cell(spans: Sequence[Span], a: int, b: int) -> str | None:
    """The type of the detected span covering most of the cell ``a:b`` (>= 60 %), if any."""
    best, share = None, 0.0
    for s in spans:
        inter = min(b, s.end) - max(a, s.start)
        if inter > 0 and inter / max(b - a, 1) > share:
            best, share = s.entity_type, inter / max(b - a, 1)
    return best if share >= 0.6 else None


# column types worth spreading to the rest of a column
_COLUMN_TYPES = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "ADDRESS", "POSTCODE", "AGE"})


def _column_cells(text: str, spans: Sequence[Span]) -> list[Span]:
    """In a table of 2+ data rows, a column where at least half of the other non-empty cells
    (and at least one) hold the same detected type gets that type on its remaining cells."""
    out: list[Span] = []
    for table in tables(text):
        data = [r for k, r in enumerate(table.rows) if k != table.header]
        width = len(data[0]) if data else 0
        if len(data) < 2 or any(len(r) != width for r in data):
            continue
        for col in range(width):
            cells = [r[col] for r in data if r[col][1] > r[col][0]]
            typed = [_type_of_cell(spans, a, b) for a, b in cells]
            for (a, b), t in zip(cells, typed, strict=True):
                if t is not None:
                    continue
                others = [x for x in typed if x is not None]
                if not others:
                    continue
                top = max(set(others), key=others.count)
                if (top in _COLUMN_TYPES and others.count(top) * 2 >= len(cells) - 1
                        and cell_ok(top, text[a:b])
                        and (top not in _SHAPED or _same_shape(text, a, b, cells, typed, top))):
                    out.append(Span(a, b, top, 0.5))
    return out


def _cells(text: str) -> list[tuple[int, int]]:
    """Every non-header cell of every table of ``text``."""
    return [cell for table in tables(text)
            for k, row in enumerate(table.rows) if k != table.header for cell in row
            if cell[1] > cell[0]]


# types whose value is the whole cell once part of it is found ("Robinweg 3, 5596 PT, Hei- en
# Boeicop" found up to "PT"; "Dominican" of "Dominican Republic")
_WHOLE_CELL_TYPES = frozenset({"ADDRESS", "LOCATION", "ORGANIZATION"})


def _whole_cells(text: str, spans: list[Span]) -> list[Span]:
    cells = _cells(text)
    if not cells:
        return spans
    out = list(spans)
    for a, b in cells:
        inside = [i for i, s in enumerate(out) if s.start < b and a < s.end]
        if not inside or len({out[i].entity_type for i in inside}) != 1:
            continue
        first = out[inside[0]]
        if (first.entity_type not in _WHOLE_CELL_TYPES or len(text[a:b].split()) > 10
                or any(out[i].start < a or out[i].end > b for i in inside)):
            continue
        if (first.start, out[inside[-1]].end) == (a, b):
            continue
        for i in reversed(inside):
            del out[i]
        out.append(Span(a, b, first.entity_type, first.score))
    return sorted(out)


def _name_cells(text: str, spans: Sequence[Span]) -> list[Span]:
    """A table cell nothing was found in, made only of name-like words (listed names that
    are not frequent English words, or words that are not everyday English at all: "mori",
    "PETRAUSKAS", "Holmfastsson"), is a person's name."""
    out = []
    for a, b in _cells(text):
        value = text[a:b]
        if len(value.split()) <= 3 and person_value(value):
            out.append(Span(a, b, "PERSON", 0.45))
    return out


# types whose cells are typed from their column only when they have the shape of a typed
# cell (a column of reference numbers next to the postcodes is not postcodes)
_SHAPED = frozenset({"POSTCODE", "AGE", "ADDRESS"})


def _shape(value: str) -> str:
    return re.sub(r"[^\W\d_]+", "A", re.sub(r"\d", "9", value))


def _same_shape(text: str, a: int, b: int, cells: Sequence[tuple[int, int]],
                typed: Sequence[str | None], entity: str) -> bool:
    if entity == "ADDRESS" and not (any(c.isdigit() for c in text[a:b])
                                    and any(c.isalpha() for c in text[a:b])):
        return False
    shape = _shape(text[a:b])
    same = sum(t == entity and _shape(text[x:y]) == shape for (x, y), t in zip(cells, typed, strict=True))
    return same >= (2 if entity == "POSTCODE" else 1)


def _name_repeats(text: str, spans: Sequence[Span]) -> list[Span]:
    """Other occurrences in the document of words of its detected person names, in any case
    ("Ashley Brown" detected once: "ashley" and "BROWN" elsewhere are masked too). A name
    word that is an everyday English word ("Will", "Rose") only counts with the same
    capitalisation and not at a sentence start; very frequent words never."""
    from synthguard.redaction._common_words import is_common_word, zipf

    any_case: set[str] = set()
    exact: set[str] = set()
    for s in spans:
        if s.entity_type != "PERSON":
            continue
        for part in name_parts(text[s.start:s.end]):
            if not is_common_word(part) or listed_name(part):
                any_case.add(part.casefold())
            elif zipf(part) < 5.5:
                exact.add(part[:1].upper() + part[1:].lower())
    if not any_case and not exact:
        return []
    out = []
    for m in _WORD_BOUNDED.finditer(text):
        word = m.group(0)
        if word.casefold() in any_case:
            out.append(Span(m.start(), m.end(), "PERSON", 0.5))
        elif word in exact and not _at_sentence_start(text, m.start()):
            out.append(Span(m.start(), m.end(), "PERSON", 0.45))
    return out


_WORD_BOUNDED = re.compile(r"(?<![\w'’\-])[^\W\d_][^\W\d_'’\-]*(?:['’\-][^\W\d_]+)*(?![\w\-])")


def _at_sentence_start(text: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and text[j] in " \t(\"'":
        j -= 1
    return j < 0 or text[j] in "\n.!?:;"

# a postcode standing after a town: digits with optional letters / one space or dash group
_POSTCODE_AFTER = re.compile(
    r",?[ ]{1,2}(?P<code>(?:[A-Z]{1,2}-)?\d{3,5}(?:[ \-]\d{2,4})?(?:[ \t][A-Z]{2}(?![\w]))?"
    r"|[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2}|[A-Z]\d[A-Z][ ]?\d[A-Z]\d)(?!\.\d|[\w\-/:%])"
)
_NEXT_WORD = re.compile(r"[ \t]+([a-z]+)\b")
# what a number after a place counts when it is no postcode
_COUNTED = frozenset({"people", "persons", "residents", "inhabitants", "years", "km", "miles",
                      "metres", "meters", "feet", "ft", "times", "euros", "dollars", "pounds",
                      "votes", "cases", "deaths", "homes", "jobs", "students", "visitors", "beds"})


def _postcodes_after_towns(text: str, spans: Sequence[Span]) -> list[Span]:
    """A postcode-shaped token right after a LOCATION or ADDRESS span ("Lyon 69003",
    "Springfield, 62704-1234"); a bare year after a place ("Paris, 2019") is not one."""
    out = []
    cell_starts = {a for table in tables(text) for row in table.rows for a, _ in row}
    for s in spans:
        if s.entity_type not in {"LOCATION", "ADDRESS"}:
            continue
        m = _POSTCODE_AFTER.match(text, s.end)
        if m is None or m.start("code") in cell_starts:  # a cell of its own: another column
            continue
        code = m.group("code")
        after = _NEXT_WORD.match(text, m.end())
        if re.fullmatch(r"(?:19|20)\d{2}", code) or (after and after.group(1) in _COUNTED):
            continue  # "Paris, 2019", "Rome 500 people"
        out.append(Span(m.start("code"), m.end("code"), "POSTCODE", 0.55))
    return out


_AGE_AFTER_AGE = re.compile(r"[ \t]*,?[ \t]*(?:not|or|and|to|nor|-|–)[ \t]*(\d{1,3})(?![\w:/%]|[.,]\d)")


def _coordinated_ages(text: str, spans: Sequence[Span]) -> list[Span]:
    out = []
    for s in spans:
        if s.entity_type == "AGE":
            m = _AGE_AFTER_AGE.match(text, s.end)
            if m is not None and int(m.group(1)) <= 120:
                out.append(Span(m.start(1), m.end(1), "AGE", 0.5))
    return out


_ENDS_WITH_CODE = re.compile(r"(?:\d{4,5}|\d{4}[ ]?[A-Z]{2}|\d{3}[ ]\d{2}|\d{2}-\d{3})$")
_TOWN_AFTER = re.compile(r"[ ]{1,2}([A-ZÀ-Ý][\w'’\-]+(?:[ \-](?:(?:am|an|im|in|der|de|sur|sous|la|le|"
                         r"les|en|del|di|bei|upon|on)[ \-])?[A-ZÀ-Ý][\w'’\-]+){0,2})")


def _towns_after_postcodes(text: str, spans: Sequence[Span]) -> list[Span]:
    """The town after a postcode, as most of Europe writes it ("10115 Berlin", "1016 DZ
    Amsterdam"): capitalised words that are a known place or not everyday English."""
    from synthguard.redaction._common_words import is_common_word
    from synthguard.redaction._resolve import is_place_name

    out = []
    for s in spans:
        if s.entity_type not in {"POSTCODE", "ADDRESS"} or not _ENDS_WITH_CODE.search(text, 0, s.end):
            continue
        m = _TOWN_AFTER.match(text, s.end)
        if m is None:
            continue
        words = m.group(1).replace("-", " ").split()
        if all(is_place_name(w) or not is_common_word(w) or w[:1].islower() for w in words):
            out.append(Span(m.start(1), m.end(1), "LOCATION", 0.5))
    return out

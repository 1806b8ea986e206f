"""Detection from document structure: who speaks, which column, which field, seen where else.

Names the NER model misses on text it never saw are often sitting where the *layout* says
a name must be: the speaker of a chat line (``ashley: ok see you``, ``[10:02] Tom K: ...``),
a cell under a ``name`` / ``age`` / ``zip`` / ``city`` column, a cell in a column whose other
cells are names, the value after a form label (``Caller:``, ``Name:``, ``Patient:``), or a
word that is part of a name detected elsewhere in the same document (``Ashley Brown`` in the
header, ``ashley`` in the body). None of that needs the value to be in a list or look like a
name, which is why it generalises to names from any locale and in any case.

Two parts, both used by the engine:

* :class:`StructureRecognizer` (registered as ``structure`` in
  :data:`~synthguard.redaction.recognizers.RECOGNIZERS`): chat speakers, cells under a cued
  header of a delimited table (CSV / TSV / pipe / semicolon), values after form labels;
* ``_refine.refine``, run on the resolved spans of one document, reads the tables found
  here (:func:`tables`) with the document's detections: headerless column typing,
  whole-cell values, name-like cells, document-level name propagation, a postcode right
  after a town and a town right after a postcode, coordinated ages.

Rules read layout (line starts, separators, header words, labels, the document's own
detections), never the wording of a generated template; each has a hand-written case in
``tests/redaction/test_structure.py``.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# ------------------------------------------------------------------ name words

# Name parts that are titles or particles, not names ("Dr" of "Dr Ann Lee", "van" of "van Dijk").
NOT_NAME_PARTS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lord", "lady", "rev", "herr",
    "frau", "mme", "mlle", "sra", "srta", "dott", "dhr", "mevr", "van", "von", "der", "den",
    "del", "della", "dos", "das", "bin", "ter", "ten", "the", "and", "jr", "sr",
})
MIN_NAME_PART_LEN = 3
_LETTERS = re.compile(r"[^\W\d_]+")


def name_parts(value: str) -> list[str]:
    """Words of a detected person name that identify on their own ("Heather", "Smith")."""
    return [w for w in _LETTERS.findall(value)
            if len(w) >= MIN_NAME_PART_LEN and w.casefold() not in NOT_NAME_PARTS]


@functools.lru_cache(maxsize=1)
def _names() -> tuple[frozenset[str], frozenset[str]]:
    from synthguard.redaction._gazetteers import first_names, last_names

    return first_names(), last_names()


def in_name_lists(word: str) -> bool:
    """A first or last name of the shipped name lists, in any case."""
    first, last = _names()
    title = word[:1].upper() + word[1:].lower()
    return title in first or title in last


# a listed first/last name at most this frequent in English is a name in any case
# ("ashley" 4.1, "maria" 4.3, "dawn" 4.3); above it ("grant", "mark", "will") only as written
NAME_ZIPF = 4.5


def listed_name(word: str, max_zipf: float = NAME_ZIPF) -> bool:
    """A listed first or last name that is not a frequent English word."""
    from synthguard.redaction._common_words import zipf

    return in_name_lists(word) and zipf(word) < max_zipf


def _name_like(word: str) -> bool:
    """Could be part of a person's name on its own: an initial, a listed first/last name
    that is not a very frequent English word, or a word that is not everyday English."""
    from synthguard.redaction._common_words import is_common_word, is_label_word, zipf

    bare = word.strip(".'’")
    if not bare or not bare.replace("-", "").replace("'", "").replace("’", "").isalpha():
        return False
    if len(bare) == 1:
        return bare.isalpha()
    if is_label_word(bare):
        return False
    if in_name_lists(bare):
        return zipf(bare) < 5.0
    return not is_common_word(bare)


def person_value(value: str) -> bool:
    """A form value / table cell that can be a person's name: 1-5 words, no digit, every
    word a title, a particle, an initial or name-like (see :func:`_name_like`), and at least
    one word name-like."""
    words = value.split()
    if not 1 <= len(words) <= 5 or any(c.isdigit() for c in value):
        return False
    core = [w for w in words if w.lower().strip(".,") not in NOT_NAME_PARTS]
    return bool(core) and all(_name_like(w.strip(",")) for w in core)


# ------------------------------------------------------------------ chat speakers

_NAME_TOKEN = r"[^\W\d_][\w'’\-]*\.?"
_STAMP = (
    r"(?:\[[^\]\n]{1,30}\]|\(\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \t]?[AaPp][Mm])?\)|"
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[ \t]?[AaPp][Mm])?|\d{1,4}[/.\-]\d{1,2}[/.\-]\d{1,4},?"
    r"(?:[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]?[AaPp][Mm])?)?)"
)
_SPEAKER = re.compile(
    r"(?m)^[ \t]*(?:[-*•>][ \t]*)?(?P<stamp>(?:" + _STAMP + r"[ \t]*(?:[-–|][ \t]*)?)+)?"
    r"(?:<(?P<angle>" + _NAME_TOKEN + r"(?:[ \t]" + _NAME_TOKEN + r"){0,2})>"
    r"|(?P<name>" + _NAME_TOKEN + r"(?:[ \t]" + _NAME_TOKEN + r"){0,2})[ \t]*(?::(?=[ \t]|$)"
    r"|[ \t]+(?:wrote|said|says|writes)[ \t]*:))"
)


# a message after a speaker: two or more words, the first starting with a letter
_MESSAGE = re.compile(r"[ \t]*[^\W\d_][^\s]*[ \t]+[^\s]")
# a listed name this frequent in English still names the speaker of a line ("john: ok")
_SPEAKER_ZIPF = 5.5


def _speakers(text: str) -> list[tuple[str, int, int, float]]:
    """Speaker names at the start of chat / transcript lines. A speaker whose every word
    could be a name (:func:`_name_like`: "Summary:", "Plan:", "Note:" are everyday words,
    "Caller:" a label) is accepted, and so is any speaker of a line with a time stamp or
    ``<nick>`` that is no label and no very frequent word ("<blessing>", not "[10:02]
    Update:"); one whose words are listed names that are also frequent
    English words ("john:", "Mark:") only when a time stamp or ``<nick>`` marks the line as
    a message, what follows reads like one (two or more words, starting with a letter), or
    another line of the document has an accepted speaker ("Mark: 7/10" and "Grant: approved"
    alone are labels)."""
    from synthguard.redaction._common_words import is_label_word, zipf

    cands: list[tuple[int, int, bool]] = []  # start, end, strong
    for m in _SPEAKER.finditer(text):
        group = "angle" if m.group("angle") is not None else "name"
        a, b = m.span(group)
        words = text[a:b].split()
        if any(is_label_word(w) for w in words):
            continue
        core = [w.strip(".") for w in words if w.lower().strip(".") not in NOT_NAME_PARTS]
        if not core:
            continue
        stamped = m.group("stamp") is not None or group == "angle"
        marked = stamped or _MESSAGE.match(text, m.end())
        if all(_name_like(w) for w in core) or (stamped and all(zipf(w) < 5.0 for w in core)):
            cands.append((a, b, True))
        elif all(listed_name(w, _SPEAKER_ZIPF) or _name_like(w) for w in core):
            cands.append((a, b, bool(marked)))
    strong = sum(c[2] for c in cands)
    return [("PERSON", a, b, 0.95 if is_strong else 0.9) for a, b, is_strong in cands
            if is_strong or strong >= 1]


# ------------------------------------------------------------------ form fields

_PERSON_LABELS = (
    r"(?:(?:full|first|last|given|family|middle|maiden|patient(?:'s)?|client|customer|contact|"
    r"caller(?:'s)?|employee|applicant|tenant|guest|user|account[ \t]holder|card[ \t]?holder|"
    r"member|student|parent|guardian|spouse|partner|owner|sender|recipient|driver|witness)[ \t]+)?"
    r"(?:names?|surname|forenames?|first[ \t]?name|last[ \t]?name)"
    r"|patient|pt|client|customer|caller|contact(?:[ \t]+person)?|next[ \t]+of[ \t]+kin|nok|"
    r"emergency[ \t]+contact|employee|applicant|tenant|landlord|guardian|parent|spouse|"
    r"attn|attention|to|from|cc|signed(?:[ \t]+by)?|signature|seen[ \t]+by|referred[ \t]+by|"
    r"referring[ \t]+(?:doctor|clinician|gp)|requested[ \t]+by|reported[ \t]+by|submitted[ \t]+by|"
    r"approved[ \t]+by|assigned[ \t]+to|author|interviewer|interviewee|candidate|"
    r"consultant|doctor|physician|clinician|nurse|therapist|gp|manager|supervisor|agent|"
    r"witness|driver|owner|recipient|sender|speaker|host|student|resident|mother|father"
)
_FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("PERSON", _PERSON_LABELS),
    ("ADDRESS", r"(?:home[ \t]+|postal[ \t]+|mailing[ \t]+|street[ \t]+|current[ \t]+|billing[ \t]+|"
                r"delivery[ \t]+|shipping[ \t]+)?address(?:[ \t]+on[ \t]+file)?|street"),
    ("LOCATION", r"city|town|place[ \t]+of[ \t]+birth|birthplace|city[ \t]+of[ \t]+birth"),
    ("ORGANIZATION", r"company|employer|organi[sz]ation|firm|practice|school|university|insurer"),
)
_FIELD = re.compile(
    r"(?im)(?:^|(?<=[\t|;])|(?<=,[ \t])|(?<=[.!?][ \t]))[ \t]*(?:" + "|".join(
        f"(?P<f{i}>{labels})" for i, (_, labels) in enumerate(_FIELD_LABELS))
    + r")[ \t]*(?::|=|\t)[ \t]*(?P<value>[^\n]*)"
)
# where a value ends: a cell separator, a bracket, an e-mail / phone after the name, " - "
_PERSON_END = re.compile(r"[|;\t(<\[{/]|,(?![ \t]*(?:jr|sr|[ivx]+)\b)|[ \t][-–—][ \t]|[ \t]{2,}|\s(?:on|at|re|tel|ph)\b[: ]")
# ... and for an address, town or company: also the end of a sentence (a full stop after a
# number, a word of 4+ letters or a code like "2LH", not after "St." / "Apt." / "no.")
_OTHER_END = re.compile(r"[|;\t(<\[{]|[ \t]{2,}|(?:(?<=\d)|(?<=[^\W\d_]{4})|(?<=[A-Z\d]{2}))\.(?:\s|$)")


# the value after an address / town / company label: above the NER's 0.85, so it is the one
# kept when both find the same characters, and above a postcode inside it; not certain
_FIELD_SCORE = 0.86


def _fields(text: str) -> list[tuple[str, int, int, float]]:
    out = []
    for m in _FIELD.finditer(text):
        entity = next(_FIELD_LABELS[i][0] for i in range(len(_FIELD_LABELS))
                      if m.group(f"f{i}") is not None)
        a = m.start("value")
        raw = m.group("value")
        stop = (_PERSON_END if entity == "PERSON" else _OTHER_END).search(raw)
        value = raw[:stop.start()] if stop else raw
        value = value.rstrip(" \t.,:")
        if not value.strip():
            continue
        b = a + len(value)
        if entity == "PERSON":
            if not person_value(value):
                continue
            out.append(("PERSON", a, b, 0.92))
        elif entity == "ADDRESS":
            if len(value.split()) >= 2 and any(c.isdigit() for c in value):
                out.append(("ADDRESS", a, b, _FIELD_SCORE))
        elif len(value.split()) <= 5 and not any(c.isdigit() for c in value) and value[:1].isalpha():
            from synthguard.redaction._common_words import is_common_word

            if not all(is_common_word(w) for w in _LETTERS.findall(value)):
                out.append((entity, a, b, _FIELD_SCORE))
    return out


# ------------------------------------------------------------------ delimited tables


@dataclass(frozen=True)
class Table:
    """Rows of one delimited block: each row a list of (start, end) cell offsets (stripped
    of blanks and quotes); ``header`` is the header row's index or None."""

    rows: tuple[tuple[tuple[int, int], ...], ...]
    header: int | None


_SEPARATORS = ("\t", "|", ";", ",")
_HEADER_CELL = re.compile(r"[A-Za-z][A-Za-z _\-./#'’()]{0,39}")
# header words name_entity() does not read on their own (too short or too generic for a
# dataframe column name) but a header row of a pasted table does
_HEADER_EXTRA = {"person": "PERSON", "first": "PERSON", "last": "PERSON", "given": "PERSON",
                 "family": "PERSON", "patient": "PERSON", "customer": "PERSON", "client": "PERSON",
                 "contact": "PERSON", "employee": "PERSON", "who": "PERSON", "owner": "PERSON",
                 "zip": "POSTCODE", "plz": "POSTCODE", "cap": "POSTCODE", "org": "ORGANIZATION"}
# types a header may give to the cells below it, with what a cell must look like
_CELL_TYPES = frozenset({"PERSON", "AGE", "POSTCODE", "LOCATION", "ADDRESS", "ORGANIZATION",
                         "EMAIL_ADDRESS", "PHONE_NUMBER"})


def _separators(line: str, sep: str) -> list[int]:
    """Positions of ``sep`` in ``line`` outside double quotes (a quoted CSV cell may hold it)."""
    out = []
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == sep and not quoted:
            out.append(i)
    return out


def _split_cells(line: str, offset: int, sep: str) -> list[tuple[int, int]]:
    bounds = [-1, *_separators(line, sep), len(line)]
    out = []
    for a, b in itertools.pairwise(bounds):
        a += 1
        while a < b and line[a] in ' \t"':
            a += 1
        while b > a and line[b - 1] in ' \t"\r':
            b -= 1
        out.append((offset + a, offset + b))
    return out


def header_entity(cell: str) -> str | None:
    """What a header cell announces (shared with the table scan: ``name_entity``), or None."""
    from synthguard.data.column_names import name_entity, name_words

    words = name_words(cell)
    if len(words) == 1 and words[0] in _HEADER_EXTRA:
        return _HEADER_EXTRA[words[0]]
    entity = name_entity(cell)
    if entity == "PERSON" and words and words[0] in {"user", "username", "login"}:
        return None  # a user name column: the pattern recognizers' job
    return entity


@functools.lru_cache(maxsize=4)
def tables(text: str) -> tuple[Table, ...]:
    """Delimited blocks of ``text``: 2+ consecutive lines with the same number (>= 1, or >= 2
    for commas) of one separator, or a single line with 2+ tabs / pipes / semicolons or 3+
    commas between short cells (one record)."""
    if not any(s in text for s in _SEPARATORS):
        return ()
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    found: list[Table] = []
    i = 0
    while i < len(lines):
        best: tuple[int, str] | None = None
        for sep in _SEPARATORS:
            k = len(_separators(lines[i][1], sep))
            need = 2 if sep == "," else 1
            if k < need:
                continue
            j = i + 1
            while j < len(lines) and len(_separators(lines[j][1], sep)) == k:
                j += 1
            single = k >= (3 if sep == "," else 2)
            if (j - i >= 2 or single) and (best is None or j > best[0]):
                best = (j, sep)
        if best is None:
            i += 1
            continue
        j, sep = best
        rows = [_split_cells(line, off, sep) for off, line in lines[i:j]]
        header = 0 if _is_header(text, rows[0]) else None
        if sep == "," and header is None and not _short_cells(text, rows):
            i = j
            continue
        found.append(Table(tuple(tuple(r) for r in rows), header))
        i = j
    return tuple(found)


def _is_header(text: str, cells: Sequence[tuple[int, int]]) -> bool:
    values = [text[a:b] for a, b in cells]
    if not all(v == "" or _HEADER_CELL.fullmatch(v) for v in values):
        return False
    cued = sum(header_entity(v) is not None for v in values if v)
    return cued >= max(1, (len(values) + 1) // 3)


def _short_cells(text: str, rows: Sequence[Sequence[tuple[int, int]]]) -> bool:
    """Comma-separated prose is not a table: every cell short, none a sentence."""
    return all(len(text[a:b].split()) <= 6 and not text[a:b].endswith((".", "!", "?"))
               for row in rows for a, b in row)


def cell_ok(entity: str, value: str) -> bool:
    if not value or not any(c.isalnum() for c in value):
        return False
    if entity == "AGE":
        return value.isdigit() and int(value) <= 120
    if entity == "POSTCODE":
        return any(c.isdigit() for c in value) and len(value) <= 10 and \
            re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 \-]*", value) is not None
    if entity == "PERSON":  # the header or the column says it is a name: any short words
        from synthguard.redaction._common_words import is_label_word

        words = value.split()
        return (1 <= len(words) <= 5 and not any(c.isdigit() for c in value)
                and not all(is_label_word(w) for w in words))
    if entity in {"LOCATION", "ORGANIZATION"}:
        return value[:1].isalpha() and len(value.split()) <= 8
    return True


def _header_cells(text: str) -> list[tuple[str, int, int, float]]:
    out = []
    for table in tables(text):
        if table.header is None:
            continue
        types = [header_entity(text[a:b]) for a, b in table.rows[table.header]]
        for row in table.rows[table.header + 1:]:
            if len(row) != len(types):
                continue
            for (a, b), entity in zip(row, types, strict=True):
                if entity in _CELL_TYPES and cell_ok(entity, text[a:b]):
                    out.append((entity, a, b, 0.93))
    return out


def scan_structure(text: str) -> list[tuple[str, int, int, float]]:
    """(entity, start, end, score) found from the layout of ``text`` alone. Scores of 0.9 and
    more mark what the layout makes certain (a speaker, a cell under a cued header, a
    person's name after its label): those outrank every other claim on their characters."""
    return [*_speakers(text), *_fields(text), *_header_cells(text)]


# score from which a structure result is certain (it also wins Presidio's de-duplication
# against an NER result on the same characters, which keeps the higher score)
CERTAIN = 0.9


# ------------------------------------------------------------------ recognizer


def structure_recognizer(threshold: float) -> Any:
    """The Presidio recognizer over :func:`scan_structure` (built lazily: Presidio import)."""
    from presidio_analyzer import EntityRecognizer, RecognizerResult

    class StructureRecognizer(EntityRecognizer):  # type: ignore[misc]
        """Chat speakers, header-cued table cells and form values (see the module doc)."""

        NAME = "synthguard-structure"
        CERTAIN_NAME = "synthguard-structure-certain"

        def __init__(self) -> None:
            self.threshold = threshold
            super().__init__(supported_entities=sorted(_CELL_TYPES), name=self.NAME)

        def load(self) -> None:
            _names()

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            return [
                RecognizerResult(
                    entity_type=e, start=s, end=t, score=sc,
                    recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY:
                                          self.CERTAIN_NAME if sc >= CERTAIN else self.NAME,
                                          RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True})
                for e, s, t, sc in scan_structure(text)
                if sc >= self.threshold and (not entities or e in entities)
            ]

    return StructureRecognizer()

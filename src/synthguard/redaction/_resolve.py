"""Turn overlapping recognizer results into clean, non-overlapping spans.

Recall is what a privacy officer needs, so nothing detected is thrown away: when two
results overlap, the stronger one keeps its characters and the weaker keeps whatever is
left of it. Then neighbouring pieces of one thing are merged: ``John`` + ``Smith``, and the
lines of a postal address (street, town, state, postcode) into one ADDRESS span.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from synthguard.redaction._types import Span
from synthguard.redaction.entities import ADDRESS_PARTS

# Pattern-validated types outrank NER labels when they claim the same characters.
_PRIORITY = {
    "EMAIL_ADDRESS": 9, "URL": 8, "IBAN_CODE": 9, "CREDIT_CARD": 9, "US_SSN": 9,
    "IP_ADDRESS": 9, "PHONE_NUMBER": 7, "US_DRIVER_LICENSE": 7, "ADDRESS": 6, "POSTCODE": 6,
    "AGE": 6, "DATE_TIME": 5, "PERSON": 4, "ORGANIZATION": 3, "JOB_TITLE": 3, "NRP": 3,
    "LOCATION": 3, "ID_NUMBER": 8, "USERNAME": 8, "UK_NHS": 9, "PASSPORT": 8, "VEHICLE_PLATE": 8,
}
# Types a user adds in a policy file (a regex they wrote for their data) rank with the
# validated patterns, above the word lists and the NER.
_CUSTOM_PRIORITY = 7
_CERTAIN_RANK = 3
_GAP_SAME = re.compile(r"[ ]{1,2}|[ ]?-[ ]?|,[ ]|[ ]?&[ ]?|\.[ ]?")  # no tab: a cell separator
# (no tab, pipe or semicolon: in a table row the next cell is another value)
_GAP_ADDRESS = re.compile(r"[ \n\r,]*(?:[A-ZÀ-Ý][\w'’\-.]*[ \n\r,]+){0,3}[ \n\r,]*", re.S)
_MERGE_SAME = {"PERSON", "ORGANIZATION", "DATE_TIME", "JOB_TITLE", "LOCATION", "NRP",
               "PHONE_NUMBER", "ADDRESS"}


def resolve(text: str, spans: Sequence[Span], ranks: Sequence[int] | None = None) -> list[Span]:
    """Non-overlapping spans covering every character any recognizer flagged.

    ``ranks`` (same length as ``spans``) says how much to trust each span's source on a tie
    of entity priority: rules > word lists > statistical NER. A span of rank 3 (what the
    document's layout makes certain: a chat speaker, a cell under a ``name`` header) goes
    before every other whatever its type.
    """
    rank = list(ranks) if ranks is not None else [0] * len(spans)
    spans, rank = drop_non_entities(text, spans, rank)
    spans, rank = _split_ner(text, spans, rank)
    order = sorted(range(len(spans)), key=lambda i: (
        -(rank[i] >= _CERTAIN_RANK), -_PRIORITY.get(spans[i].entity_type, _CUSTOM_PRIORITY),
        -rank[i], -spans[i].score,
        -(spans[i].end - spans[i].start), spans[i].start))
    claimed: list[tuple[int, int]] = []
    kept: list[Span] = []
    for i in order:
        span = spans[i]
        if rank[i] == 0 and _is_noise(text[span.start:span.end]):
            continue
        for a, b in _subtract(span.start, span.end, claimed):
            a, b = _strip(text, a, b)
            entity = span.entity_type
            if rank[i] == 0 and (a, b) != (span.start, span.end) and entity in _WORDY_NER:
                # what a stronger span left of an NER span loses its everyday edges too
                # ("patient Jo Pryce (email" once the e-mail address was taken)
                ea, eb = _everyday_edges(text[a:b], entity)
                a, b = _strip(text, a + ea, a + eb)
                if entity == "ADDRESS" and _looks_like_a_name(text[a:b]):
                    entity = "PERSON"
            if rank[i] < 2 and (a, b) != (span.start, span.end) and (
                    (rank[i] == 0 and (_is_noise(text[a:b]) or _common_leftover(text[a:b])))
                    or not_an_entity(span.entity_type, text[a:b], piece=True)):
                continue
            if b - a >= 1 and (b - a >= 2 or (a, b) == (span.start, span.end)) and any(
                ch.isalnum() for ch in text[a:b]
            ):
                kept.append(Span(a, b, entity, span.score))
                claimed.append((a, b))
    kept.sort()
    return merge_neighbours(text, kept)


_MONTH_OR_DAY = re.compile(
    r"(?i)\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:s(?:day)?)?|"
    r"wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b\.?"
)
_DETERMINERS = frozenset({"the", "a", "an", "our", "your", "my", "his", "her", "their", "this",
                          "that", "duty", "on-call", "on", "call", "senior", "junior", "head",
                          "of", "by", "for"})
_WORD_RE = re.compile(r"[^\W\d_][\w&'’.\-]*")


def drop_non_entities(text: str, spans: Sequence[Span], rank: Sequence[int]
                      ) -> tuple[list[Span], list[int]]:
    """Filter step before resolution: what the NER model or the word lists (rank < 2) call an
    entity but is not one. A pattern recognizer's span (rank 2) is never dropped.

    * DATE_TIME must hold an explicit date or time: a digit, a month or a weekday name
      ("every night", "last week", "in the morning", "today" are not dates);
    * a name-like span that is a field label before its colon ("Manager: ...") is dropped;
    * PERSON/ORGANIZATION/LOCATION made only of role nouns or field labels ("Caller", "GP",
      "the Nurse", "GP practice", "Ref", "Next of kin"; ``_common_words.LABEL_WORDS``) is not
      a name; nor is a PERSON/ORGANIZATION that is one lower-case common English word
      ("username").
    """
    out: list[Span] = []
    out_rank: list[int] = []
    for span, r in zip(spans, rank, strict=True):
        if r < 2 and (not_an_entity(span.entity_type, text[span.start:span.end])
                      or _field_label(text, span)):
            continue
        out.append(span)
        out_rank.append(r)
    return out, out_rank


_LABEL_COLON = re.compile(r"[ \t]*:")


def _field_label(text: str, span: Span) -> bool:
    """A word list's or the model's span that is a field label before its colon
    ("Manager: Rafael Ortega", "Nurse: ..."): the label of a value, not a value."""
    from synthguard.redaction._common_words import is_label_word

    if span.entity_type not in {"PERSON", "ORGANIZATION", "LOCATION", "JOB_TITLE"}:
        return False
    words = _WORD_RE.findall(text[span.start:span.end])
    return (bool(words) and _LABEL_COLON.match(text, span.end) is not None
            and all(is_label_word(w) or w.lower() in _DETERMINERS for w in words))


def not_an_entity(entity: str, value: str, *, piece: bool = False) -> bool:
    """True if ``value`` cannot be an ``entity`` whatever the model says (see above).

    ``piece``: what is left of a span after stronger ones took their characters; role nouns
    there belong to a longer name ("Smith Support Services"), so only the other rules apply."""
    from synthguard.redaction._common_words import is_common_word, is_label_word
    from synthguard.redaction._structure import listed_name

    if entity == "DATE_TIME":
        return not any(c.isdigit() for c in value) and not _MONTH_OR_DAY.search(value)
    if entity in {"PERSON", "ORGANIZATION", "LOCATION"}:
        words = _WORD_RE.findall(value)
        content = [w for w in words if w.lower().rstrip(".") not in _DETERMINERS]
        if not piece and content and all(is_label_word(w) for w in content):
            return True  # "Caller", "GP", "Next of kin", "Ref", "Name"
        if entity == "LOCATION":
            return False
        if piece and entity != "PERSON":  # "and" of "Smith and Jones" (names taken by a list)
            return False
        return (len(words) == 1 and words[0].islower() and is_common_word(words[0])
                and not (entity == "PERSON" and listed_name(words[0])))
    return False


# Words the small NER model often tags as ORG/PERSON/DATE that are field labels, not PII.
_NOISE = re.compile(
    r"(?i)(?:iban|ssn|ss#|dob|d\.o\.b\.?|id|dl|ip|url|pin|tel|fax|email|e-mail|phone|mobile|cell|"
    r"driver|drivers|driver's|licen[cs]e|passport|card|visa|mastercard|amex|account|acct|"
    r"patient|client|customer|ticket|ref|re|subject|dear|hi|hello|regards|sincerely|"
    r"address|zip|postcode|age|aged|name|notes?|date|time|-?years?[- ]old|years?|yrs?|y/o|y\.?o\.?|"
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


# NER types whose values may hold no letter at all ("66" of "Age: 66", "9746", "3:45")
_NUMERIC_NER = frozenset({"DATE_TIME", "AGE", "POSTCODE", "ADDRESS"})
# NER types whose spans lose lower-case everyday words at their edges ("beating Oskar Brandt")
_TRIMMED_NER = frozenset({"PERSON", "NRP"})
# titles belong to the name as written ("Dr. Yong D. Tang", "miss remo bauer")
_TITLE_WORDS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord"})
# NER types that are not an entity when every word is a lower-case everyday word
_WORDY_NER = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "NRP", "ADDRESS"})
_TOKEN_RE = re.compile(r"\S+")


# What ends a field: a line break, or a tab / pipe / semicolon between cells of a row.
_FIELD_BREAK = re.compile(r"([\n\t|;])")


def _split_ner(text: str, spans: Sequence[Span], rank: list[int]) -> tuple[list[Span], list[int]]:
    """NER spans never cross a line break or a cell separator (tab, pipe, semicolon: a label
    on the next line or the next cell is not part of the value), a lone sentence-initial word the name lists do not know is not a name, and
    lower-case everyday words are no part of a name (:func:`_everyday_edges`)."""
    from synthguard.redaction._gazetteers import first_names

    out: list[Span] = []
    out_rank: list[int] = []
    for span, r in zip(spans, rank, strict=True):
        if r != 0:
            out.append(span)
            out_rank.append(r)
            continue
        start = span.start
        for piece in _FIELD_BREAK.split(text[span.start:span.end]):
            if piece and not _FIELD_BREAK.fullmatch(piece):
                a, b = _everyday_edges(piece, span.entity_type)
                value = piece[a:b].strip()
                one_word = re.fullmatch(r"[A-Z][a-z]+", value) is not None
                no_letters = not any(c.isalpha() for c in value)
                if not value or (no_letters and span.entity_type not in _NUMERIC_NER) or (
                        one_word and span.entity_type in {"PERSON", "ORGANIZATION", "LOCATION"}
                        and value not in first_names() and not _known_surname(value)
                        and _SENTENCE_START.search(text[:start + piece.find(value)])):
                    pass
                else:
                    entity = span.entity_type
                    if entity == "ADDRESS" and _looks_like_a_name(value):
                        entity = "PERSON"  # the model's ADDRESS on a bare name: the name's kind
                    out.append(Span(start + a, start + b, entity, span.score))
                    out_rank.append(r)
            start += len(piece)
    return out, out_rank


def _looks_like_a_name(value: str) -> bool:
    """No digit, two or three capitalised words, the first a listed first name ("Jonathan
    Pryce"): a person however the model labelled it."""
    from synthguard.redaction._gazetteers import first_names

    words = value.split()
    return (2 <= len(words) <= 3 and not any(c.isdigit() for c in value)
            and all(re.fullmatch(r"[A-Z][a-z'’\-]+", w) for w in words) and words[0] in first_names())


def _common_leftover(piece: str) -> bool:
    """What a stronger span left of an NER span is one everyday word, whatever its case
    ("Call" of "Call Margaret Thornton" once the name was taken by the name lists)."""
    from synthguard.redaction._common_words import is_common_word
    from synthguard.redaction._gazetteers import first_names

    word = piece.strip()
    return (word.isalpha() and is_common_word(word) and word.capitalize() not in first_names()
            and not _known_surname(word.capitalize())
            and word.capitalize() not in _place_names())  # "Amsterdam" after its postcode


def _known_surname(word: str) -> bool:
    """In the surname list and not one of the very frequent words it also holds ("Call",
    "Police", "More"): those at a sentence start are the word, not a name."""
    from synthguard.redaction._common_words import zipf
    from synthguard.redaction._gazetteers import last_names

    return word in last_names() and zipf(word) < 5.2


def _everyday_edges(piece: str, entity: str) -> tuple[int, int]:
    """The part of an NER span that can be a name: a model fine-tuned on lower-case names
    also tags the ordinary words around them in prose ("beating Oskar Brandt", "union
    leaders broke", "Halvorsen Shipping fell"). A token that is lower case, an everyday
    English word and in neither name list is such a word: they (and role nouns such as
    "Patient") are trimmed from the edges of a PERSON/NRP span, and a name-like span made
    only of them is dropped (``(0, 0)``); a LOCATION keeps words that are place names
    ("philippines"). Digits keep an ADDRESS ("thirty years" goes, "12 high street" stays)."""
    if entity not in _WORDY_NER:
        return 0, len(piece)
    tokens = [(m.start(), m.end(), m.group(0).strip(".,;:!?()\"'")) for m in _TOKEN_RE.finditer(piece)]
    flags = [_everyday(word, places=entity == "LOCATION") for _, _, word in tokens]
    if tokens and all(flags) and not any(c.isdigit() for c in piece):
        return 0, 0
    if entity not in _TRIMMED_NER and not (entity == "ADDRESS" and not any(c.isdigit() for c in piece)):
        return 0, len(piece)  # an ADDRESS with no number is trimmed too ("patient Jo Pryce (email")
    from synthguard.redaction._common_words import is_label_word, is_role_word

    # a role noun at the edge is no part of a name either ("Patient Oluwaseun Adeyemi")
    # ... and so is a lower-case word opening a parenthesis ("Jo Pryce (email")
    # ... and so is a field label before its colon ("Caller: Jo Pryce", "Name: ...")
    flags = [(f or is_role_word(word) or (piece[a] == "(" and word.islower())
              or (piece[b - 1] == ":" and is_label_word(word)))
             and word.lower().rstrip(".") not in _TITLE_WORDS
             for f, (a, b, word) in zip(flags, tokens, strict=True)]
    i, j = 0, len(tokens)
    while i < j and flags[i]:
        i += 1
    while j > i and flags[j - 1]:
        j -= 1
    if i == j:
        return 0, len(piece)
    return tokens[i][0], tokens[j - 1][1]


def _everyday(word: str, *, places: bool = False) -> bool:
    from synthguard.redaction._common_words import is_common_word, zipf
    from synthguard.redaction._gazetteers import first_names

    if not word or not word.islower() or not word.isalpha():
        return False
    if not is_common_word(word):
        return False
    # the surname list also holds very frequent words ("More", "Than"): those stay everyday
    title = word.capitalize()
    if places and title in _place_names() and zipf(word) < 5.2:  # "philippines", not "front"
        return False
    return title not in first_names() and not _known_surname(title)


def is_place_name(word: str) -> bool:
    """A country, region or city name of one word (any case)."""
    return word.capitalize() in _place_names()


@functools.lru_cache(maxsize=1)
def _place_names() -> frozenset[str]:
    """Country, region and city names of one word, capitalised."""
    from synthguard.redaction import _gazetteers as gz

    names = set(gz.countries()) | set(gz.regions()) | set(gz.cities())
    return frozenset(n.capitalize() for n in names if " " not in n)


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

"""Recognizers beyond spaCy's NER, as Presidio ``EntityRecognizer`` plug-ins.

* :class:`SinglePassPatternRecognizer` runs every regex rule of ``_patterns`` in ONE
  compiled scan with validators and context words (Presidio runs a separate regex loop per
  recognizer, which dominates its per-document cost after the NLP).
* :class:`DictionaryRecognizer` finds names, organisations, job titles, nationalities /
  religious / political groups and places from word lists, covering what the small spaCy
  model misses (lower-case job titles, names in lists and forms, fictitious towns).

* the structure recognizer (``_structure``): chat speakers, cells under a cued table
  header, values after form labels.

All three are registered in :data:`RECOGNIZERS`, the one registry of recognizer kinds; the
engine builds one instance of each per process.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from synthguard.redaction._nlp import import_presidio

import_presidio()

from presidio_analyzer import EntityRecognizer, RecognizerResult  # noqa: E402

from synthguard.redaction import _gazetteers as gz  # noqa: E402
from synthguard.redaction._patterns import PatternSpec, build_specs, compile_specs  # noqa: E402
from synthguard.registry import Registry  # noqa: E402

RecognizerFactory = Callable[[float], EntityRecognizer]
RECOGNIZERS: Registry[RecognizerFactory] = Registry("recognizer")

_CONTEXT_BEFORE = 48
_CONTEXT_AFTER = 16


def _result(entity: str, start: int, end: int, score: float, name: str) -> RecognizerResult:
    return RecognizerResult(
        entity_type=entity, start=start, end=end, score=min(score, 1.0),
        recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: name,
                              RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY: True},
    )


@functools.lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern[str], list[PatternSpec], list[re.Pattern[str]], list[re.Pattern[str] | None]]:
    big, specs, singles = compile_specs(build_specs())
    contexts = [
        re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in s.context) + r")(?![a-z])")
        if s.context else None
        for s in specs
    ]
    return big, specs, singles, contexts


class SinglePassPatternRecognizer(EntityRecognizer):  # type: ignore[misc]
    """All pattern entities in one regex pass; candidates under ``threshold`` are dropped
    early so that a weaker rule never hides a stronger one at the same offset."""

    NAME = "synthguard-patterns"

    def __init__(self, threshold: float = 0.35) -> None:
        self.threshold = threshold
        _, specs, _, _ = _compiled()
        entities = sorted({s.entity for s in specs} | {g for s in specs for g in _group_entities(s)})
        super().__init__(supported_entities=entities, name=self.NAME)

    def load(self) -> None:
        _compiled()

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        return [
            _result(e, s, t, sc, self.NAME)
            for e, s, t, sc in scan_patterns(text, self.threshold)
            if not entities or e in entities
        ]


def _group_entities(spec: PatternSpec) -> list[str]:
    return re.findall(r"\(\?P<e_([A-Z_]+)>", spec.regex)


def scan_patterns(text: str, threshold: float) -> list[tuple[str, int, int, float]]:
    """(entity, start, end, score) for every accepted pattern match in ``text``."""
    big, specs, singles, contexts = _compiled()
    out: list[tuple[str, int, int, float]] = []
    lower: str | None = None
    pos = 0
    n = len(text)
    while pos < n:
        m = big.search(text, pos)
        if m is None:
            break
        name = m.lastgroup or ""
        idx = int(name[1:]) if name.startswith("p") and name[1:].isdigit() else _which(m, len(specs))
        start = m.start()
        accepted = False
        for j in range(idx, len(specs)):
            mm: re.Match[str] | None = m if j == idx else singles[j].match(text, start)
            if mm is None:
                continue
            spec = specs[j]
            score = spec.score
            t0, t1 = mm.start(), mm.end()
            if spec.validator is not None:
                verdict = spec.validator(mm.group(0))
                if verdict is None:
                    continue
                trim_l, trim_r, score = verdict
                t0, t1 = t0 + trim_l, t1 - trim_r
            if contexts[j] is not None:
                if lower is None:
                    lower = text.lower()
                window = lower[max(0, t0 - _CONTEXT_BEFORE):t0] + " " + lower[t1:t1 + _CONTEXT_AFTER]
                if contexts[j].search(window):  # type: ignore[union-attr]
                    score += spec.context_boost
            if score < threshold or t1 <= t0:
                continue
            emitted = _emit(spec, mm, j, t0, t1, score, j == idx)
            out.extend(emitted)
            accepted = True
            pos = max(t1, start + 1)
            break
        if not accepted:
            pos = start + 1
    return out


def _which(m: re.Match[str], n: int) -> int:
    for i in range(n):
        if m.group(f"p{i}") is not None:
            return i
    return n - 1


def _emit(spec: PatternSpec, m: re.Match[str], j: int, t0: int, t1: int, score: float,
          in_big: bool) -> list[tuple[str, int, int, float]]:
    group_entities = _group_entities(spec)
    if not group_entities:
        return [(spec.entity, t0, t1, score)]
    out: list[tuple[str, int, int, float]] = []
    for ent in group_entities:
        gname = f"s{j}_{ent}" if in_big else f"e_{ent}"
        if m.group(gname) is not None:
            out.append((ent, m.start(gname), m.end(gname), score))
    if spec.entity not in group_entities:
        out.append((spec.entity, t0, t1, score))
    return out


class PolicyRecognizer(EntityRecognizer):  # type: ignore[misc]
    """One recognizer a user declared in a policy file (regex + context + validator)."""

    NAME = "synthguard-policy"

    def __init__(self, spec: Any, threshold: float = 0.35) -> None:
        from synthguard.redaction.custom import compile_custom

        self.spec = spec
        self.threshold = threshold
        self._compiled, self._context = compile_custom(spec)
        super().__init__(supported_entities=[spec.entity_type], name=self.NAME)

    def load(self) -> None:
        return None

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        from synthguard.redaction.custom import scan_custom

        if entities and self.spec.entity_type not in entities:
            return []
        return [_result(self.spec.entity_type, a, b, sc, self.NAME)
                for a, b, sc in scan_custom(self.spec, text, self._compiled, self._context)
                if sc >= self.threshold]


def policy_recognizers(specs: Any, threshold: float) -> list[EntityRecognizer]:
    """The policy file's recognizers, built next to the registered kinds."""
    return [PolicyRecognizer(spec, threshold) for spec in specs]


# ---------------------------------------------------------------- dictionaries

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lord|Lady|Rev|Fr|Sr|Herr|Frau|Mme|Mlle|M|Sra|Sr|Srta|Sig|Sig\.ra|Dott|Dhr|Mevr)\.?"
_PARTICLES = r"(?:van|von|de|der|den|du|la|le|da|di|del|della|dos|das|bin|al|el|ter|ten|zu)"
_NAME_TOKEN = r"(?:[A-ZÀ-ÖØ-Þ]{2,}(?![a-z])(?:-[A-ZÀ-ÖØ-Þ]{2,})*|[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]*(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+)*(?:-[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ'’]+)*|[A-Z]\.)"
_SALUTATIONS = {"dear", "hi", "hello", "hey", "thanks", "regards", "sincerely", "cc", "from",
                "to", "attn", "attention", "signed", "name", "patient", "client", "customer",
                "employee", "applicant", "contact", "by", "with", "and", "met", "called",
                "emailed", "told", "asked", "spoke", "saw", "visited", "per", "dr", "mr", "mrs",
                "ms", "miss", "prof", "nurse", "colleague", "manager", "agent"}
_ORG_SUFFIX = (
    r"(?:Inc|Incorporated|LLC|L\.L\.C\.|Ltd|Limited|PLC|plc|Corp|Corporation|Co|Company|Group|"
    r"Holdings|Partners|Associates|GmbH|AG|KG|SE|SA|S\.A\.|SAS|SARL|S\.r\.l\.|Srl|SpA|S\.p\.A\.|"
    r"BV|B\.V\.|NV|N\.V\.|Oy|AB|ASA|A/S|Pty|LLP|LP|Bank|Trust|Foundation|Institute|University|"
    r"College|Hospital|Clinic|Labs|Laboratories|Technologies|Solutions|Systems|Services|"
    r"Industries|International|Enterprises|Consulting|Ventures|Capital|Media|Pharma|"
    r"Pharmaceuticals|Insurance|Bancorp|Motors|Airlines|Logistics|Health|Healthcare|Software|"
    r"Energy|Electric|Communications|Network|Networks|Studios|Agency|Council|Authority|"
    r"Ministry|Department|Association|Society|Union|Federation|Club|School|Academy|Church|"
    r"Groep|Gruppe|Stiftung|KGaA|OHG|e\.V\.|SPA|S\.L\.|SL|SLU|Hermanos|Hnos|Oyj|Fils|figli|"
    r"Asociados|Cie|S\.C\.|Sp\.|s\.r\.o\.|a\.s\.)"
)
_DICT_PASS = re.compile(
    "|".join([
        # "Smith, Jones and Brown" / "Smith and Sons" style firm names
        rf"(?P<firm>{_NAME_TOKEN}(?:,\s{_NAME_TOKEN})*,?\s(?:and|&|et|e|y|und|en)\s{_NAME_TOKEN}(?:\s(?:e\sfigli|{_ORG_SUFFIX})\.?)?)",
        # capitalised word sequences (names, organisations, places)
        # (words joined by spaces only: a tab separates cells of a row)
        rf"(?P<cap>(?:{_TITLES}[ ])?{_NAME_TOKEN}(?:[ ]+(?:{_PARTICLES}[ ]+)*{_NAME_TOKEN}|-{_NAME_TOKEN}|[ ]&[ ]{_NAME_TOKEN})*(?:,?[ ]{_ORG_SUFFIX}\b\.?)?)",
    ])
)


@functools.lru_cache(maxsize=1)
def _lexicons() -> dict[str, Any]:
    jobs = {j.lower() for j in gz.jobs()}
    job_variants = set()
    for j in jobs:
        job_variants.add(j)
        if ", " in j:  # "engineer, civil" -> also "civil engineer"
            head, mod = j.split(", ", 1)
            job_variants.add(f"{mod} {head}")
    heads = gz.split_list(gz.JOB_HEADS)
    mods = gz.split_list(gz.JOB_MODIFIERS)
    # the full job list (thousands of phrases, many languages) is matched by word n-gram
    # lookups, which cost nothing to build; the regex only holds modifiers + head nouns
    job_phrases = frozenset(" ".join(_WORD.findall(j)).rstrip(".,") for j in job_variants)
    job_re = re.compile(
        r"(?i:(?<![\w])(?:(?:" + gz.trie_regex(sorted(mods)) + r")\s+){0,3}(?:"
        + gz.trie_regex(sorted(heads)) + r")(?:s)?"
        r"(?:\s+(?:of|for|in)\s+(?:the\s+)?[A-Z][\w&]+(?:\s+(?:and\s+)?[A-Z][\w&]+){0,2})?(?![\w])(?!(?:['’]s?)?\s+licen))"
    )
    nrp_words = gz.split_list(gz.DEMONYMS) + gz.split_list(gz.RELIGIONS) + gz.split_list(gz.POLITICAL)
    nrp_re = re.compile(r"(?<![\w])(?:" + gz.trie_regex(sorted(set(nrp_words))) + r")(?![\w'])")
    places = set(gz.countries()) | set(gz.regions()) | set(gz.cities())
    return {
        "jobs": job_re,
        "job_phrases": job_phrases,
        "job_max_words": max((len(p.split()) for p in job_phrases), default=1),
        "nrp": nrp_re,
        "first": gz.first_names(),
        "last": gz.last_names(),
        "places": frozenset(places),
        "countries": gz.countries(),
        "common": _COMMON_CAPITALISED,
    }


# Capitalised words that are also names/places but mostly start sentences or mean things.
_COMMON_CAPITALISED = frozenset(
    ["The", "A", "An", "I", "In", "On", "At", "To", "For", "From", "By", "With", "And", "Or", "But", "If", "Then", "This", "That", "These", "Those", "Our", "Your", "My", "His", "Her", "Their", "We", "You", "He", "She", "It", "They", "Please", "Thank", "Thanks", "Dear", "Hi", "Hello", "Regards", "Best", "Kind", "Sincerely", "Yours", "Note", "Notes", "Patient", "Client", "Customer", "Date", "Time", "Name", "Address", "Phone", "Email", "Subject", "Re", "Fwd", "Ticket", "Order", "Invoice", "Account", "Ref", "Reference", "Dept", "Department", "Room", "Unit", "Box", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Today", "Tomorrow", "Yesterday", "Yes", "No", "OK", "Ok", "Hope", "Will", "Grant", "Bill", "Mark", "Rose", "Summer", "Joy", "Faith", "Page", "Case", "Mary", "Street", "Road", "Avenue", "Lane", "Drive", "Court", "Place", "Square", "Park", "Hill", "Apt", "Suite", "Floor", "North", "South", "East", "West", "New", "Old", "Great", "Mount", "Lake", "Port", "Saint", "St", "Fort", "Bay", "Visa", "Mastercard", "Amex", "Card", "IBAN", "SSN", "Tel", "Fax", "Mobile", "Cell", "Web", "Website", "Url", "Www", "Http", "Https", "Online", "Office", "Home", "Work", "Company", "Team", "Manager", "Director", "Doctor", "Nurse", "Engineer", "Officer", "Job", "Title", "Position", "Role", "Age", "Aged", "Born", "DOB", "Birthday", "Summary", "Report", "Appointment", "Visit", "Follow", "Discharge", "Admission", "History", "Plan", "Diagnosis", "Medication", "Allergies", "Signed", "Approved", "Reviewed", "Contact", "Details", "Information", "Info", "Support", "Service", "Services", "Help", "Dept", "Hospital", "Clinic", "University", "School", "Bank", "Group", "Inc", "Ltd", "LLC", "PLC", "Corp", "Co", "Company"]
)

_PREPOSITIONS_BEFORE_PLACE = re.compile(r"(?i)(?:\b(?:in|at|from|to|near|of|via|visiting|moved|lives?|living|based|born|city|town|country)\s+|,\s*)$")
_PLACE_SUFFIX = re.compile(
    r"(?:town|ton|land|mouth|side|ville|burgh|borough|bury|view|port|haven|fort|furt|chester|"
    r"shire|berg|burg|stad|stadt|field|ford|ham|wood|dale|bridge|caster|cester|minster|pool|"
    r"ington|sted|stead|wich|wick|by|thorpe|haven|heim|hausen|dorf|ingen|weiler|bach|feld|"
    r"furt|ville|court|mont|polis|grad)$"
)
_FAKE_CITY_PREFIX = {"North", "South", "East", "West", "New", "Lake", "Port", "Fort", "Saint", "St.", "Mount", "Mc"}


class DictionaryRecognizer(EntityRecognizer):  # type: ignore[misc]
    """Word-list recognizer for PERSON, ORGANIZATION, LOCATION, JOB_TITLE and NRP."""

    ENTITIES = ("PERSON", "ORGANIZATION", "LOCATION", "JOB_TITLE", "NRP")
    NAME = "synthguard-dictionaries"

    def __init__(self, threshold: float = 0.35) -> None:
        self.threshold = threshold
        super().__init__(supported_entities=list(self.ENTITIES), name=self.NAME)

    def load(self) -> None:
        _lexicons()

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[RecognizerResult]:
        return [
            _result(e, s, t, sc, self.NAME)
            for e, s, t, sc in scan_dictionaries(text)
            if sc >= self.threshold and (not entities or e in entities)
        ]


_DETERMINER_BEFORE = re.compile(r"\b(?:a|an|as|the|our|their|his|her|my|your|new|former)\s+$")
_AMBIGUOUS_HEADS = frozenset(
    ["agent", "head", "lead", "chief", "principal", "partner", "associate", "owner", "student", "model", "guard", "worker", "operator", "controller", "driver", "cook", "coach", "minister", "officer", "assistant", "executive", "president", "founder", "intern", "trainer", "buyer", "carer", "cleaner", "dean", "steward", "teller", "vet", "fitter", "joiner", "builder", "scholar", "athlete", "publisher", "presenter", "medic", "practitioner"]
)


def scan_dictionaries(text: str) -> list[tuple[str, int, int, float]]:
    lex = _lexicons()
    out: list[tuple[str, int, int, float]] = []
    for m in lex["jobs"].finditer(text):
        phrase = m.group(0)
        # a lone lower-case head noun ("manager") counts only after a determiner or "as"
        # ("works as a manager"); ambiguous ones ("agent", "head", "model") never alone
        words = phrase.split()
        if len(words) > 1 or phrase[:1].isupper():
            score = 0.7 if phrase.lower() not in _AMBIGUOUS_HEADS else 0.4
        else:
            before = text[max(0, m.start() - 12):m.start()].lower()
            det = _DETERMINER_BEFORE.search(before) is not None
            score = 0.5 if det and phrase.lower() not in _AMBIGUOUS_HEADS else 0.2
        if score >= 0.35:
            out.append(("JOB_TITLE", m.start(), m.end(), score))
    out.extend(_job_phrases(text, lex["job_phrases"], min(lex["job_max_words"], 8)))
    for m in lex["nrp"].finditer(text):
        out.append(("NRP", m.start(), m.end(), 0.75))
    for m in _DICT_PASS.finditer(text):
        if m.group("firm") is not None:
            out.extend(_firm(m, lex))
        else:
            out.extend(_capitalised(text, m.start(), m.group(0), lex))
    return out


_WORD = re.compile(r"[^\s,;:()\[\]\"]+(?:,(?=\s))?")


def _job_phrases(text: str, phrases: frozenset[str], max_words: int) -> list[tuple[str, int, int, float]]:
    """Longest known job phrase starting at each word (case-insensitive)."""
    words = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]
    out: list[tuple[str, int, int, float]] = []
    i = 0
    while i < len(words):
        best = 0
        key = ""
        for n in range(1, min(max_words, len(words) - i) + 1):
            key = (key + " " if key else "") + words[i + n - 1][2]
            cand = key.rstrip(".,")
            if cand in phrases and not (n == 1 and cand in _AMBIGUOUS_HEADS):
                best = n
        if best:
            start = words[i][0]
            end = words[i + best - 1][1]
            while end > start and text[end - 1] in ".,":
                end -= 1
            score = 0.7 if best > 1 or text[start].isupper() else 0.5
            out.append(("JOB_TITLE", start, end, score))
            i += best
        else:
            i += 1
    return out


def _firm(m: re.Match[str], lex: dict[str, Any]) -> list[tuple[str, int, int, float]]:
    tokens = re.findall(r"[A-Z][\w'’\-]+", m.group(0))
    last = lex["last"]
    known = sum(t in last for t in tokens)
    if known >= 2 or (tokens and tokens[-1] in {"Sons", "Daughters", "Partners", "Associates",
                                                  "Fils", "figli", "Hijos", "Söhne", "Zonen"}):
        return [("ORGANIZATION", m.start(), m.end(), 0.7)]
    return []


def _capitalised(text: str, start: int, seq: str, lex: dict[str, Any]) -> list[tuple[str, int, int, float]]:
    tokens = [(t.start() + start, t.end() + start, t.group(0)) for t in re.finditer(r"\S+", seq)]
    words = [w.rstrip(".,") for _, _, w in tokens]
    if len(words) >= 2 and all(w.isupper() and len(w) > 1 for w in words):
        words = [w.title() for w in words]  # "JOHN SMITH" is looked up as "John Smith"
    first, last, common = lex["first"], lex["last"], lex["common"]
    out: list[tuple[str, int, int, float]] = []

    # organisations: a run that ends with a company/institution word
    if len(words) >= 2 and re.fullmatch(_ORG_SUFFIX, words[-1]):
        i0 = 0
        while i0 < len(words) - 1 and words[i0] in common:
            i0 += 1
        if i0 < len(words) - 1:
            return [("ORGANIZATION", tokens[i0][0], tokens[-1][1], 0.7)]

    # places: the whole run (or its tail after a preposition-like word) is a known place
    joined = " ".join(words)
    if joined in lex["places"] and joined not in first and not (len(words) == 1 and joined in common):
        return [("LOCATION", tokens[0][0], tokens[-1][1], 0.7 if len(words) > 1 or joined in lex["countries"] else 0.55)]
    if len(words) <= 3 and (
        (words[0] in _FAKE_CITY_PREFIX and len(words) == 2 and words[1] not in common)
        or (_PLACE_SUFFIX.search(words[-1]) and words[-1] not in first and words[-1] not in last
            and words[-1] not in common)
    ):
        before = text[max(0, tokens[0][0] - 24):tokens[0][0]]
        after = text[tokens[-1][1]:tokens[-1][1] + 6]
        if _PREPOSITIONS_BEFORE_PLACE.search(before) or re.match(r",\s*[A-Z]{2,3}\b", after):
            return [("LOCATION", tokens[0][0], tokens[-1][1], 0.6)]

    # people: title + name, or a first name followed by more capitalised words
    i = 0
    while i < len(words):
        w = words[i]
        is_title = re.fullmatch(_TITLES, tokens[i][2]) is not None and i + 1 < len(words)
        if is_title:
            j = i + 1
            while j < len(words) and words[j] not in common:
                j += 1
            if j > i + 1:
                out.append(("PERSON", tokens[i + 1][0], tokens[j - 1][1], 0.8))
                i = j
                continue
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w in first and (w not in common or (nxt in last and nxt not in common)):
            j = i + 1
            while j < len(words) and (words[j] in last or words[j] not in common) and not re.fullmatch(_ORG_SUFFIX, words[j]):
                j += 1
            if j - i >= 2:
                out.append(("PERSON", tokens[i][0], tokens[j - 1][1], 0.8))
                i = j
                continue
            prev = text[max(0, tokens[i][0] - 12):tokens[i][0]].lower()
            prev_word = re.findall(r"[a-z]+", prev)
            if (prev_word and prev_word[-1] in _SALUTATIONS) or re.search(r"(?:^|\n)\s*$", prev):
                out.append(("PERSON", tokens[i][0], tokens[i][1], 0.6))
            elif w not in common and len(w) >= 3 and w not in lex["places"]:
                out.append(("PERSON", tokens[i][0], tokens[i][1], 0.5))
            i += 1
            continue
        if w in last and w not in common and w not in first and len(words) == 1:
            prev = text[max(0, tokens[i][0] - 12):tokens[i][0]].lower()
            prev_word = re.findall(r"[a-z]+", prev)
            if prev_word and prev_word[-1] in _SALUTATIONS:
                out.append(("PERSON", tokens[i][0], tokens[i][1], 0.6))
        i += 1
    return out


@RECOGNIZERS.register("patterns")
def _make_patterns(threshold: float) -> EntityRecognizer:
    return SinglePassPatternRecognizer(threshold)


@RECOGNIZERS.register("dictionaries")
def _make_dictionaries(threshold: float) -> EntityRecognizer:
    return DictionaryRecognizer(threshold)


@RECOGNIZERS.register("structure")
def _make_structure(threshold: float) -> EntityRecognizer:
    from synthguard.redaction._structure import structure_recognizer

    recognizer: EntityRecognizer = structure_recognizer(threshold)
    return recognizer

"""Score redaction on any labelled corpus a user brings (``synthguard evaluate-redaction``).

Readers (``read_labelled_corpus``):

* JSON (a list of documents, or ``{"documents": [...]}`` / ``{"data": [...]}``) and JSONL
  (one document per line). A document holds its text in ``text`` (or ``full_text``,
  ``source_text``, ``document``) and its spans in ``spans`` (or ``entities``,
  ``privacy_mask``, ``labels``, ``annotations``); a span has ``start``/``end`` (or
  ``start_position``/``end_position``) and ``entity_type`` (or ``label``, ``type``,
  ``entity``); an ``entity_value``/``value`` field, when present, must equal the text it
  points at.
* CoNLL-style token files: one token per line, the tag in the last column (BIO/IOB2, IOB1,
  BIOES/BILOU prefixes), a blank line between documents, ``-DOCSTART-`` lines skipped; the
  text is the tokens joined by single spaces.

Corpus labels are mapped to synthguard's entity types by :data:`DEFAULT_LABEL_MAP` (PER,
NAME_STUDENT, FIRSTNAME -> PERSON; GPE, CITY -> LOCATION; STREET_ADDRESS -> ADDRESS ...),
overridden by a user map (``null`` drops a label); unmapped labels keep their own name.

Scores are character-level over non-space characters (``redaction.corpus.score_spans``):
overall recall/precision/F2 treat a character as sensitive or not; per type, recall is the
share of that type's gold characters covered by any detected span and precision the share of
characters detected as that type that lie inside any gold span.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthguard._io import iter_text_lines
from synthguard.errors import DataFileError, ParameterError
from synthguard.redaction._types import LabelledDoc, Span
from synthguard.redaction.corpus import score_spans

FORMATS = ("auto", "json", "jsonl", "conll")

_ALIASES: dict[str, tuple[str, ...]] = {
    "PERSON": ("PER", "PERSON", "PERS", "NAME", "NAME_STUDENT", "FIRSTNAME", "FIRST_NAME",
               "LASTNAME", "LAST_NAME", "MIDDLENAME", "MIDDLE_NAME", "FULLNAME", "FULL_NAME",
               "GIVENNAME", "GIVEN_NAME", "SURNAME", "PATIENT", "DOCTOR", "PERSON_NAME"),
    "LOCATION": ("LOC", "GPE", "CITY", "COUNTRY", "STATE", "COUNTY", "LOCATION", "REGION",
                 "PROVINCE", "TOWN", "FAC", "FACILITY"),
    "ADDRESS": ("ADDRESS", "STREET_ADDRESS", "STREETADDRESS", "STREET", "BUILDINGNUMBER",
                "BUILDING_NUMBER", "SECONDARYADDRESS", "SECONDARY_ADDRESS", "HOUSE_NUMBER"),
    "POSTCODE": ("ZIPCODE", "ZIP", "ZIP_CODE", "POSTCODE", "POSTAL_CODE", "POST_CODE"),
    "ORGANIZATION": ("ORG", "ORGANIZATION", "ORGANISATION", "COMPANY", "COMPANYNAME",
                     "COMPANY_NAME", "HOSPITAL", "INSTITUTION"),
    "DATE_TIME": ("DATE", "TIME", "DATETIME", "DATE_TIME", "DOB", "DATE_OF_BIRTH"),
    "PHONE_NUMBER": ("PHONE", "PHONE_NUM", "PHONENUMBER", "PHONE_NUMBER", "TELEPHONE",
                     "TELEPHONENUM", "FAX", "MOBILE"),
    "EMAIL_ADDRESS": ("EMAIL", "EMAIL_ADDRESS", "E_MAIL"),
    "URL": ("URL", "URL_PERSONAL", "WEBSITE", "DOMAIN", "DOMAIN_NAME"),
    "IP_ADDRESS": ("IP", "IPV4", "IPV6", "IP_ADDRESS"),
    "CREDIT_CARD": ("CREDITCARDNUMBER", "CREDIT_CARD", "CREDIT_CARD_NUMBER", "CREDITCARD"),
    "IBAN_CODE": ("IBAN", "IBAN_CODE"),
    "US_SSN": ("SSN", "US_SSN", "SOCIALNUM", "SOCIAL_SECURITY_NUMBER"),
    "AGE": ("AGE",),
    "JOB_TITLE": ("TITLE", "JOBTITLE", "JOB_TITLE", "PROFESSION", "OCCUPATION", "JOB"),
    "NRP": ("NORP", "NRP", "NATIONALITY", "RELIGION"),
    "ID_NUMBER": ("ID_NUM", "IDNUM", "ID", "ID_NUMBER", "IDCARD", "IDCARDNUM", "ACCOUNTNUMBER",
                  "ACCOUNT_NUMBER", "MEDICALRECORD", "MEDICAL_RECORD", "MRN", "BANK_ACCOUNT"),
    "USERNAME": ("USERNAME", "USER_NAME", "HANDLE"),
    "US_DRIVER_LICENSE": ("DRIVER_LICENSE", "DRIVERLICENSE", "DRIVERLICENSENUM",
                          "US_DRIVER_LICENSE"),
    "PASSPORT": ("PASSPORT", "US_PASSPORT", "PASSPORT_NUMBER"),
    "UK_NHS": ("NHS", "UK_NHS"),
    "VEHICLE_PLATE": ("VEHICLEVRM", "LICENSE_PLATE", "LICENCE_PLATE", "VEHICLE_PLATE"),
}
DEFAULT_LABEL_MAP: dict[str, str] = {a: ours for ours, aliases in _ALIASES.items() for a in aliases}

_TEXT_KEYS = ("text", "full_text", "source_text", "document")
_SPANS_KEYS = ("spans", "entities", "privacy_mask", "labels", "annotations")
_START_KEYS = ("start", "start_position", "begin")
_END_KEYS = ("end", "end_position")
_TYPE_KEYS = ("entity_type", "label", "type", "entity")
_VALUE_KEYS = ("entity_value", "value")


@dataclass(frozen=True)
class EntityScore:
    recall: float | None
    precision: float | None
    f2: float | None
    gold_chars: int
    predicted_chars: int

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {"recall": r(self.recall), "precision": r(self.precision), "f2": r(self.f2),
                "gold_chars": self.gold_chars, "predicted_chars": self.predicted_chars}


@dataclass(frozen=True)
class RedactionEvaluation:
    """Scores of one corpus: overall (a character is sensitive or not) and per entity type."""

    documents: int
    overall: EntityScore
    per_entity: dict[str, EntityScore]
    label_map: dict[str, str | None] = field(default_factory=dict)
    source: str = ""
    corpus_format: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"corpus": self.source, "format": self.corpus_format, "documents": self.documents,
                "overall": self.overall.to_dict(),
                "per_entity": {k: v.to_dict() for k, v in sorted(self.per_entity.items())},
                "label_map_used": dict(sorted(self.label_map.items()))}


# ------------------------------------------------------------------ reading


_INLINE_MARK = re.compile(r"\[\[([A-Z_]+)\|(.*?)\]\]", re.S)


def parse_inline_marks(marked: str) -> tuple[str, list[tuple[int, int, str]]]:
    """Text written with inline gold marks, ``"Call [[PERSON|Ann Lee]] today"``, as the plain
    text and its ``(start, end, entity_type)`` spans: the easiest way to hand-write a small
    labelled fixture whose offsets stay right when the text is edited."""
    text: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = cursor = 0
    for mark in _INLINE_MARK.finditer(marked):
        text.append(marked[pos:mark.start()])
        cursor += mark.start() - pos
        spans.append((cursor, cursor + len(mark.group(2)), mark.group(1)))
        text.append(mark.group(2))
        cursor += len(mark.group(2))
        pos = mark.end()
    text.append(marked[pos:])
    return "".join(text), spans


def detect_format(path: Path) -> str:
    """``json``/``jsonl``/``conll`` from the file name, else from the first character."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in {".conll", ".bio", ".iob", ".tsv", ".conllu"}:
        return "conll"
    with open(path, encoding="utf-8", errors="replace") as handle:  # a guess; reading checks
        head = handle.read(4096).lstrip()
    if head.startswith("["):
        return "json"
    if head.startswith("{"):
        return "jsonl" if "\n{" in head or head.count("\n") == 0 else "json"
    if head and all(len(line.split()) >= 2 or not line.strip() for line in head.splitlines()[:20]):
        return "conll"
    raise DataFileError(f"{path.name}: cannot tell its format (not JSON, JSONL or CoNLL); "
                        "give fmt='json', 'jsonl' or 'conll'")


def load_label_map(path: str | Path) -> dict[str, str | None]:
    """A user label map file (JSON or YAML): corpus label -> our type, or null to drop it."""
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"label map file {str(p)!r} does not exist")
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".json":
            payload = json.loads(text)
        else:
            import yaml

            payload = yaml.safe_load(text)
    except Exception as exc:  # json/yaml raise many types
        raise ParameterError(f"label map {p.name} is not valid JSON/YAML: {exc}") from None
    if not isinstance(payload, Mapping) or not all(
            isinstance(v, str) or v is None for v in payload.values()):
        raise ParameterError(f"label map {p.name} must map corpus labels to entity types (or null)")
    return {str(k).upper(): (str(v).upper() if v is not None else None) for k, v in payload.items()}


def read_labelled_corpus(path: str | Path, *, fmt: str = "auto",
                         label_map: Mapping[str, str | None] | None = None
                         ) -> tuple[list[LabelledDoc], str]:
    """Documents with gold spans mapped to our types, and the format that was read."""
    p = Path(path)
    if fmt not in FORMATS:
        raise ParameterError(f"unknown corpus format {fmt!r}; use one of {', '.join(FORMATS)}")
    if not p.is_file():
        raise DataFileError(f"corpus file {str(p)!r} does not exist")
    kind = detect_format(p) if fmt == "auto" else fmt
    mapping = {**DEFAULT_LABEL_MAP, **{k.upper(): v for k, v in (label_map or {}).items()}}
    raw = _read_conll(p) if kind == "conll" else _read_json_docs(p, kind)
    docs = [_to_doc(text, spans, mapping) for text, spans in raw]
    if not docs:
        raise DataFileError(f"{p.name} holds no documents")
    return docs, kind


def _read_json_docs(path: Path, kind: str) -> list[tuple[str, list[tuple[int, int, str]]]]:
    records: list[tuple[str, Any]] = []
    if kind == "jsonl":
        for lineno, line in enumerate(iter_text_lines(path), start=1):
            if line.strip():
                try:
                    records.append((f"line {lineno}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise DataFileError(f"{path.name} line {lineno} is not valid JSON ({exc.msg})") from None
    else:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{path.name} is not UTF-8 text (byte {exc.start}); re-save it "
                                "as UTF-8") from None
        except json.JSONDecodeError as exc:
            raise DataFileError(f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
        if isinstance(payload, Mapping):
            payload = next((payload[k] for k in ("documents", "data", "docs") if k in payload), None)
        if not isinstance(payload, list):
            raise DataFileError(f"{path.name}: expected a list of documents (or {{'documents': [...]}})")
        records = [(f"document {i}", r) for i, r in enumerate(payload)]
    out = []
    for where, record in records:
        where = f"{path.name} {where}"
        if not isinstance(record, Mapping):
            raise DataFileError(f"{where} is not a JSON object")
        text_key = next((k for k in _TEXT_KEYS if k in record), None)
        if text_key is None or not isinstance(record[text_key], str):
            raise DataFileError(f"{where} has no text field (one of {', '.join(_TEXT_KEYS)}); "
                                f"its fields are: {', '.join(sorted(map(str, record))) or '(none)'}")
        text = record[text_key]
        spans_key = next((k for k in _SPANS_KEYS if k in record), None)
        raw_spans = record[spans_key] if spans_key else []
        if not isinstance(raw_spans, list):
            raise DataFileError(f"{where}: field {spans_key!r} must be a list of spans")
        spans = [_span(s, text, f"{where} span {j}") for j, s in enumerate(raw_spans)]
        out.append((text, spans))
    return out


def _span(raw: Any, text: str, where: str) -> tuple[int, int, str]:
    if not isinstance(raw, Mapping):
        raise DataFileError(f"{where} is not an object with start, end and entity_type")
    start_key = next((k for k in _START_KEYS if k in raw), None)
    end_key = next((k for k in _END_KEYS if k in raw), None)
    type_key = next((k for k in _TYPE_KEYS if k in raw), None)
    if start_key is None or end_key is None or type_key is None:
        raise DataFileError(f"{where} needs start/end (or start_position/end_position) and "
                            "entity_type (or label)")
    try:
        start, end = int(raw[start_key]), int(raw[end_key])
    except (TypeError, ValueError):
        raise DataFileError(f"{where}: start/end must be integers") from None
    if not 0 <= start < end <= len(text):
        raise DataFileError(f"{where}: span {start}-{end} lies outside the text "
                            f"(length {len(text)}) or is empty")
    value_key = next((k for k in _VALUE_KEYS if k in raw), None)
    if value_key is not None and isinstance(raw[value_key], str) and raw[value_key] != text[start:end]:
        raise DataFileError(f"{where}: {value_key} does not match the text at {start}-{end}")
    return start, end, str(raw[type_key])


_TAG_PREFIXES = {"B", "I", "E", "S", "U", "L"}


def _read_conll(path: Path) -> list[tuple[str, list[tuple[int, int, str]]]]:
    docs: list[tuple[str, list[tuple[int, int, str]]]] = []
    tokens: list[tuple[str, str]] = []

    def flush() -> None:
        if tokens:
            docs.append(_conll_doc(tokens, path.name, len(docs)))
            tokens.clear()

    for lineno, line in enumerate(iter_text_lines(path), start=1):
        parts = line.split()
        if not parts:
            flush()
            continue
        if parts[0] == "-DOCSTART-":
            flush()
            continue
        if len(parts) < 2:
            raise DataFileError(f"{path.name} line {lineno}: expected 'token ... tag', got one column")
        tag = parts[-1]
        if tag != "O" and (len(tag) < 3 or tag[1] not in "-_" or tag[0].upper() not in _TAG_PREFIXES):
            raise DataFileError(f"{path.name} line {lineno}: tag {tag!r} is not O or B-/I-<TYPE>")
        tokens.append((parts[0], tag))
    flush()
    return docs


def _conll_doc(tokens: list[tuple[str, str]], name: str, index: int
               ) -> tuple[str, list[tuple[int, int, str]]]:
    text_parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    cursor = 0
    current: list[Any] | None = None  # [start, end, type]
    for token, tag in tokens:
        start = cursor
        end = start + len(token)
        text_parts.append(token)
        cursor = end + 1
        if tag == "O":
            current = None
            continue
        prefix, kind = tag[0].upper(), tag[2:]
        continues = current is not None and current[2] == kind and prefix in {"I", "E", "L"}
        if continues and current is not None:
            current[1] = end
        else:
            current = [start, end, kind]
            spans.append(current)  # type: ignore[arg-type]
        if prefix in {"E", "L", "S", "U"}:
            current = None
    return " ".join(text_parts), [(int(a), int(b), str(t)) for a, b, t in spans]


def _to_doc(text: str, spans: list[tuple[int, int, str]], mapping: Mapping[str, str | None]) -> LabelledDoc:
    kept: list[Span] = []
    for start, end, label in sorted(spans):
        entity = mapping.get(label.upper(), label.upper())
        if entity is None:
            continue
        if kept and start < kept[-1].end:
            raise DataFileError(f"overlapping gold spans {kept[-1].start}-{kept[-1].end} and "
                                f"{start}-{end} in a document; a character can have one label")
        kept.append(Span(start, end, entity))
    return LabelledDoc(text, kept)


# ------------------------------------------------------------------ scoring


def _f2(recall: float | None, precision: float | None) -> float | None:
    if recall is None or precision is None:
        return None
    return 5 * precision * recall / (4 * precision + recall) if precision + recall else 0.0


def score_by_entity(texts: Sequence[str], gold: Sequence[Sequence[Span]],
                    predicted: Sequence[Sequence[Span]]) -> dict[str, EntityScore]:
    """Per entity type: recall of its gold characters (covered by any detection) and
    precision of the characters detected as that type (inside any gold span)."""
    g_all: dict[str, int] = defaultdict(int)
    g_hit: dict[str, int] = defaultdict(int)
    p_all: dict[str, int] = defaultdict(int)
    p_hit: dict[str, int] = defaultdict(int)
    for text, g, p in zip(texts, gold, predicted, strict=True):
        gold_mask = [False] * len(text)
        pred_mask = [False] * len(text)
        for s in g:
            for i in range(s.start, s.end):
                gold_mask[i] = True
        for s in p:
            for i in range(s.start, min(s.end, len(text))):
                pred_mask[i] = True
        for s in g:
            for i in range(s.start, s.end):
                if not text[i].isspace():
                    g_all[s.entity_type] += 1
                    g_hit[s.entity_type] += pred_mask[i]
        for s in p:
            for i in range(s.start, min(s.end, len(text))):
                if not text[i].isspace():
                    p_all[s.entity_type] += 1
                    p_hit[s.entity_type] += gold_mask[i]
    out = {}
    for entity in sorted(set(g_all) | set(p_all)):
        recall = g_hit[entity] / g_all[entity] if g_all[entity] else None
        precision = p_hit[entity] / p_all[entity] if p_all[entity] else None
        out[entity] = EntityScore(recall, precision, _f2(recall, precision), g_all[entity], p_all[entity])
    return out


def evaluate_redaction(docs: Sequence[LabelledDoc], *, engine: Any,
                       label_map: Mapping[str, str | None] | None = None,
                       source: str = "", fmt: str = "") -> RedactionEvaluation:
    """Run ``engine`` (a :class:`RedactionEngine`) over ``docs`` and score it."""
    if not docs:
        raise DataFileError("the corpus holds no documents")
    texts = [d.text for d in docs]
    gold = [d.spans for d in docs]
    predicted = engine.analyze(texts)
    overall = score_spans(texts, gold, predicted)
    per = score_by_entity(texts, gold, predicted)
    used = {k: v for k, v in {**DEFAULT_LABEL_MAP, **(label_map or {})}.items()
            if any(s.entity_type == v for d in docs for s in d.spans) or v is None}
    return RedactionEvaluation(
        documents=len(docs),
        overall=EntityScore(overall.recall, overall.precision, overall.f2,
                            overall.gold_chars, overall.predicted_chars),
        per_entity=per, label_map=used, source=source, corpus_format=fmt,
    )

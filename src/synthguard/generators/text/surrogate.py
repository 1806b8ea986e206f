"""``surrogate_text``: every detected identifier replaced by a consistent fake surrogate.

Each document keeps its structure and meaning; the same real value maps to the same fake
value within a run (so "Ann called Ann's bank" stays coherent). Detection and surrogates are
the redaction package's (:class:`synthguard.redaction.RedactionEngine`): this module adds no
recognizer logic of its own. What it adds is the generator protocol (fit/sample, seeds,
save/load) and a count of what was replaced per entity type (counts only, never values).

``sample(n)`` returns the redacted documents themselves, cycling through them when
``n`` exceeds the corpus (documents are drawn in a seeded order). The saved model therefore
holds redacted documents: it is as shareable as the output, no more.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard._io import sha256_bytes
from synthguard.errors import MissingDependencyError, NotFittedError, ParameterError
from synthguard.generators.base import Capabilities, Generator, GeneratorParams, check_rows
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report

_DOCS = "documents.json"


def surrogate_engine(*, seed: int, ner_model: str = "shipped") -> Any:
    """The redaction engine with the consistent-surrogate operator (imported lazily: spaCy)."""
    try:
        from synthguard.redaction import RedactionEngine
    except ImportError as exc:
        raise MissingDependencyError(
            "surrogate redaction needs synthguard.redaction.RedactionEngine, which this build "
            f"does not provide ({exc}); pass redact=False to dp_lm to train on the raw corpus"
        ) from exc
    return RedactionEngine(operator="surrogate", seed=seed, ner_model=ner_model)


@dataclass(frozen=True)
class SurrogateResult:
    """Redacted texts, counts per entity type, and where the surrogates sit in each text."""

    texts: list[str]
    replaced: dict[str, int]
    surrogate_spans: list[list[tuple[int, int]]]  # offsets in the NEW texts
    propagated: int  # extra spans found by the corpus-level consistency pass


def surrogate_redact(
    texts: list[str], *, seed: int, progress: ProgressCallback | None = None,
    batch_size: int = 256, propagate: bool = True,
) -> tuple[list[str], dict[str, int]]:
    """Redact ``texts`` with consistent surrogates; return new texts and counts per type."""
    result = surrogate_redact_detailed(
        texts, seed=seed, progress=progress, batch_size=batch_size, propagate=propagate
    )
    return result.texts, result.replaced


def surrogate_redact_detailed(
    texts: list[str], *, seed: int, progress: ProgressCallback | None = None,
    batch_size: int = 256, propagate: bool = True, ner_model: str = "shipped",
    name_lists: bool = True,
) -> SurrogateResult:
    """Detect spans in every text, then (``propagate``) add the other occurrences of values
    detected somewhere in the corpus, then replace each span by its surrogate.

    The propagation pass is a recall pass that reuses the engine's own detections: if
    "Heather Smith" is recognised in one note, a bare "Heather" or "Smith" the recognisers
    missed in another note is replaced too (same value -> same surrogate).
    """
    engine = surrogate_engine(seed=seed, ner_model=ner_model)
    spans: list[list[Any]] = []
    for start in range(0, len(texts), batch_size):
        spans.extend(engine.analyze(texts[start : start + batch_size]))
        report(progress, "detecting identifiers", len(spans), len(texts))
    propagated = 0
    if propagate:
        spans, propagated = _propagate(texts, spans, name_lists=name_lists)
    chooser = _SurrogateChooser(seed, _real_words(texts, spans), _real_values(texts, spans),
                                _corpus_words(texts))
    out: list[str] = []
    where: list[list[tuple[int, int]]] = []
    counts: Counter[str] = Counter()
    for text, doc_spans in zip(texts, spans, strict=True):
        new_text, positions = _transform_tracked(chooser, text, doc_spans)
        out.append(new_text)
        where.append(positions)
        counts.update(span.entity_type for span in doc_spans)
    report(progress, "replacing identifiers", len(out), len(texts))
    return SurrogateResult(out, dict(sorted(counts.items())), where, propagated)


# Entity types whose detected values are searched for again in every document.
_PROPAGATED = frozenset({
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
    "IP_ADDRESS", "ADDRESS", "US_DRIVER_LICENSE",
})
_MIN_PROPAGATED_LEN = 4
_LIST_WORD = re.compile(r"(?<![^\W_])[^\W\d_][^\W\d_'’]{2,}(?![^\W_])")


def _listed_names(text: str) -> list[tuple[int, int]]:
    """Offsets of words of ``text`` that are listed names and not everyday English words."""
    from synthguard.redaction._common_words import is_common_word
    from synthguard.redaction._structure import NOT_NAME_PARTS, in_name_lists

    return [m.span() for m in _LIST_WORD.finditer(text)
            if in_name_lists(m.group(0)) and m.group(0).lower() not in NOT_NAME_PARTS
            and not is_common_word(m.group(0))]


def _propagate(texts: list[str], spans: list[list[Any]], *,
               name_lists: bool = True) -> tuple[list[list[Any]], int]:
    """Add spans for word-bounded repeats of detected values anywhere in the corpus.

    A detected person's name parts are searched for alone too, so a first name that is only
    recognised once ("Heather Smith") is also replaced where it stands alone ("thx heather").
    Repeats match whatever their case, except name parts that are everyday English words
    ("Will", "Hope", "Mark"): those only match with the same capitalisation as detected.

    ``name_lists``: also replace, in any case, every word that is in the first- or last-name
    lists (Faker's locale lists, see ``_gazetteers``) and is not an everyday English word
    (Zipf < 3): a lone "lorraine" or "NAOMI" that no recognizer tagged. Surrogate output
    favours recall: a rare surname that is also a rare word becomes a fake name.
    """
    from synthguard.redaction import Span
    from synthguard.redaction._common_words import is_common_word
    from synthguard.redaction._structure import name_parts  # shared with the per-document pass

    any_case: dict[str, str] = {}  # lower-cased value -> entity type
    exact: dict[str, str] = {}
    for text, doc_spans in zip(texts, spans, strict=True):
        for span in doc_spans:
            if span.entity_type not in _PROPAGATED:
                continue
            value = text[span.start : span.end].strip()
            if len(value) >= _MIN_PROPAGATED_LEN:
                any_case.setdefault(value.lower(), span.entity_type)
            if span.entity_type != "PERSON":
                continue
            for part in name_parts(value):
                if is_common_word(part):
                    if part[:1].isupper():
                        exact.setdefault(part, "PERSON")
                else:
                    any_case.setdefault(part.lower(), "PERSON")
    patterns = []
    for table, flags in ((any_case, re.IGNORECASE), (exact, 0)):
        if table:
            ordered = sorted(table, key=len, reverse=True)  # longest first: full name before part
            patterns.append((re.compile(
                r"(?<![^\W_])(?:" + "|".join(re.escape(v) for v in ordered) + r")(?![^\W_])",
                flags), table, flags))
    added = 0
    result: list[list[Any]] = []
    for text, doc_spans in zip(texts, spans, strict=True):
        covered = [(s.start, s.end) for s in doc_spans]
        extra = []
        for pattern, table, flags in patterns:
            for match in pattern.finditer(text):
                a, b = match.span()
                if any(a < end and start < b for start, end in covered):
                    continue
                found = match.group(0)
                entity = table.get(found.lower() if flags else found, "PERSON")
                extra.append(Span(a, b, entity, 0.5))
                covered.append((a, b))
        if name_lists:
            for a, b in _listed_names(text):
                if not any(a < end and start < b for start, end in covered):
                    extra.append(Span(a, b, "PERSON", 0.4))
                    covered.append((a, b))
        added += len(extra)
        result.append(sorted([*doc_spans, *extra], key=lambda s: s.start))
    return result, added


_RETRIES = 24


def _real_words(texts: list[str], spans: list[list[Any]]) -> frozenset[str]:
    """Words (3+ characters) of every person name detected in the corpus."""
    words: set[str] = set()
    for text, doc_spans in zip(texts, spans, strict=True):
        for span in doc_spans:
            if span.entity_type == "PERSON":
                words.update(w for w in _words(text[span.start : span.end]) if len(w) >= 3)
    return frozenset(words)


def _corpus_words(texts: list[str]) -> frozenset[str]:
    """Every word of the input (3+ letters, case-folded) that could be part of a name: a
    listed first or last name ("ashley", "Simpson") or a word that is not everyday English.

    The detections miss some names (a lone "zuwena" in a chat line); a surrogate drawn from
    the name lists could then equal that real, undetected name and put it back into the
    output. Rejecting surrogates that share such a word with the input closes that path
    whatever was detected; everyday words that are no name ("Street", "Group", "March")
    are not checked.
    """
    from synthguard.redaction._common_words import is_common_word
    from synthguard.redaction._gazetteers import first_names, last_names

    first, last = first_names(), last_names()
    words = {w for text in texts for w in _words(text) if len(w) >= 3}
    out = set()
    for word in words:
        title = word[:1].upper() + word[1:].lower()
        if title in first or title in last or not is_common_word(word):
            out.add(word.casefold())
    return frozenset(out)


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def _real_values(texts: list[str], spans: list[list[Any]]) -> frozenset[str]:
    """Every detected value of the corpus (normalised): a surrogate must equal none of them."""
    return frozenset(_norm(text[s.start : s.end]) for text, doc_spans in zip(texts, spans, strict=True)
                     for s in doc_spans)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


_WORD = re.compile(r"[^\W\d_]+")


class _SurrogateChooser:
    """Picks, per real value, the first of a few seeded surrogates that equals no real value
    detected anywhere in the corpus, shares no word with any real name (fake companies
    and streets are built from names too; a fake "Jennifer Smith" for Mary Jones would put a
    real Jennifer's name in the output) and no rare word with the input text at all (a name
    the detectors missed). Deterministic per value, so still consistent."""

    def __init__(self, seed: int, real_words: frozenset[str],
                 real_values: frozenset[str] = frozenset(),
                 corpus_words: frozenset[str] = frozenset()) -> None:
        self.seed = seed
        self.real_words = real_words
        self.real_values = real_values
        self.corpus_words = corpus_words
        self._engines: dict[int, Any] = {}
        self._choice: dict[tuple[str, str], int] = {}

    def engine(self, attempt: int) -> Any:
        if attempt not in self._engines:
            self._engines[attempt] = surrogate_engine(seed=self.seed + 7919 * attempt)
        return self._engines[attempt]

    def replace(self, text: str, span: Any) -> str:
        """``text`` with ``span`` replaced. A person's name is replaced part by part (the
        surrogate operator maps names token by token anyway), so each part gets its own
        clash-free choice: a whole "Megan Rose Hall" rarely finds a fake whose every part
        is absent from a large corpus, each part alone does."""
        if span.entity_type == "PERSON":
            parts = list(_NAME_PART.finditer(text, span.start, span.end))
            if len(parts) > 1:
                for m in reversed(parts):
                    text = self._replace_one(text, _sub_span(span, m.start(), m.end()))
                return text
        return self._replace_one(text, span)

    def _replace_one(self, text: str, span: Any) -> str:
        key = (span.entity_type, text[span.start : span.end])
        if key in self._choice:
            return str(self.engine(self._choice[key]).transform(text, [span]).text)
        # words the surrogate keeps from the value itself (titles, particles: "Dr", "van")
        kept = {w.casefold() for w in _words(key[1])}
        best: tuple[int, int, str] | None = None  # (clashes, attempt, text)
        for attempt in range(_RETRIES):
            new = str(self.engine(attempt).transform(text, [span]).text)
            fake = new[span.start : span.start + len(new) - len(text) + span.end - span.start]
            clashes = sum(
                w in self.real_words or (len(w) >= 3 and w.casefold() in self.corpus_words
                                         and w.casefold() not in kept)
                for w in _words(fake))
            clashes += 1000 * (_norm(fake) in self.real_values)
            if best is None or clashes < best[0]:
                best = (clashes, attempt, new)
            if not clashes:
                break
        assert best is not None
        self._choice[key] = best[1]  # none clean: the attempt with the fewest clashes
        return best[2]


# name parts as the surrogate operator splits them (separators: spaces, commas, dots, hyphens)
_NAME_PART = re.compile(r"[^\s,.\-]+")


def _sub_span(span: Any, start: int, end: int) -> Any:
    """A copy of ``span`` over ``start:end`` (same type and score)."""
    from synthguard.redaction import Span

    return Span(start, end, span.entity_type, span.score)


def _transform_tracked(
    chooser: _SurrogateChooser, text: str, spans: list[Any]
) -> tuple[str, list[tuple[int, int]]]:
    """Apply the surrogates span by span from the right, recording where each surrogate
    lands in the new text."""
    current = text
    ends: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: s.start, reverse=True):
        before = len(current)
        current = chooser.replace(current, span)
        new_len = (span.end - span.start) + len(current) - before
        # earlier offsets are untouched; later surrogates shift by this span's growth
        shift = new_len - (span.end - span.start)
        ends = [(a + shift, b + shift) for a, b in ends]
        ends.append((span.start, span.start + new_len))
    return current, sorted(ends)


@dataclass(frozen=True)
class SurrogateTextParams(GeneratorParams):
    text_field: str = "text"
    # other columns carried along unchanged (e.g. a label, for a TSTR classifier); they are
    # NOT redacted, so name only non-identifying columns here
    keep_fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.text_field:
            raise ParameterError("text_field must be a non-empty column name")
        if isinstance(self.keep_fields, str) or not all(
            isinstance(f, str) for f in self.keep_fields
        ):
            raise ParameterError("keep_fields must be a list of column names")
        object.__setattr__(self, "keep_fields", tuple(self.keep_fields))
        if self.text_field in self.keep_fields:
            raise ParameterError("keep_fields must not contain the text field")

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["keep_fields"] = list(self.keep_fields)
        return out


@register_generator
class SurrogateText(Generator):
    """The corpus with every detected identifier replaced by a consistent fake surrogate."""

    name = "surrogate_text"
    summary = "redaction with consistent fake surrogates; keeps each document's structure"
    caps = Capabilities(modality="text", dp=False)
    Params = SurrogateTextParams
    params: SurrogateTextParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._docs: list[str] | None = None
        self._kept: dict[str, list[Any]] = {}
        self.replaced: dict[str, int] = {}
        self.propagated = 0

    def fit(
        self, data: Any, *, schema: Any = None, seed: int = 0,
        progress: ProgressCallback | None = None,
    ) -> SurrogateText:
        from synthguard.generators.text.corpus import texts_from

        texts = texts_from(data, text_field=self.params.text_field)
        self._kept = _kept_columns(data, self.params.keep_fields)
        self.fit_info.data_sha256 = sha256_bytes("\x1e".join(texts).encode("utf-8"))
        self.fit_info.n_rows = len(texts)
        self.fit_info.columns = [self.params.text_field, *self.params.keep_fields]
        result = surrogate_redact_detailed(texts, seed=seed, progress=progress)
        self._docs, self.replaced = result.texts, result.replaced
        self.propagated = result.propagated
        return self

    def sample(
        self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None
    ) -> pd.DataFrame:
        """``n`` redacted documents: a seeded permutation of the corpus, repeated if needed."""
        check_rows(n)
        docs = self._require()
        rng = np.random.default_rng(seed)
        order: list[int] = []
        while len(order) < n:
            order.extend(int(i) for i in rng.permutation(len(docs)))
        report(progress, "sampling documents", n, n)
        columns: dict[str, list[Any]] = {self.params.text_field: [docs[i] for i in order[:n]]}
        for name, values in self._kept.items():
            columns[name] = [values[i] for i in order[:n]]
        return pd.DataFrame(columns)

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["replaced"] = dict(self.replaced)
        out["propagated_spans"] = self.propagated
        return out

    def _require(self) -> list[str]:
        if self._docs is None:
            raise NotFittedError("surrogate_text is not fitted: call fit() first")
        return self._docs

    def save_files(self, folder: Path) -> None:
        payload = {"documents": self._require(), "replaced": self.replaced, "kept": self._kept}
        (folder / _DOCS).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> SurrogateText:
        payload = json.loads((folder / _DOCS).read_text(encoding="utf-8"))
        generator = cls(params)
        generator._docs = [str(d) for d in payload["documents"]]
        generator.replaced = {str(k): int(v) for k, v in payload["replaced"].items()}
        generator._kept = {str(k): list(v) for k, v in payload.get("kept", {}).items()}
        return generator


def _kept_columns(data: Any, names: tuple[str, ...]) -> dict[str, list[Any]]:
    if not names:
        return {}
    from synthguard.errors import SchemaError

    if not isinstance(data, pd.DataFrame):
        raise SchemaError("keep_fields needs a DataFrame input (a list of strings has no fields)")
    missing = [n for n in names if n not in data.columns]
    if missing:
        raise SchemaError(
            f"keep_fields {missing} not in the data; columns are {[str(c) for c in data.columns]}"
        )
    from synthguard._io import to_jsonable

    return {n: to_jsonable(data[n].tolist()) for n in names}

"""Recognizers a user adds in a policy file: a regex, context words, an optional validator.

Policy file section (YAML or JSON)::

    recognizers:
      - name: ward_bed                 # unique, used in messages
        entity_type: BED_ID            # an existing type or a new UPPER_CASE one
        regex: 'W\\d{2}-B\\d{2}'
        context: [bed, ward]           # optional: words that raise the score nearby
        context_boost: 0.35            # optional (default 0.35)
        validator: luhn                # optional: one of VALIDATORS (luhn, mod97, nhs, ...)
        score: 0.6                     # optional (default 0.6); below the threshold the
                                       # match needs its context words to count

A bad entry is a :class:`ParameterError` naming the entry and the field. The recognizers
are plain data (:class:`RecognizerSpec`), so a policy travels to worker processes as a dict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from synthguard.errors import ParameterError
from synthguard.registry import Registry

# A validator gets the matched value and says whether it is a real identifier.
VALIDATORS: Registry[Callable[[str], bool]] = Registry("validator")


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


@VALIDATORS.register("luhn")
def _luhn(value: str) -> bool:
    from synthguard.redaction._patterns import _luhn_ok

    digits = _digits(value)
    return len(digits) >= 2 and _luhn_ok(digits)


@VALIDATORS.register("mod97")
def _mod97(value: str) -> bool:
    """ISO 7064 mod 97-10 as used by IBANs (country + check digits first)."""
    from synthguard.redaction._patterns import _iban_ok

    compact = re.sub(r"[\s\-]", "", value).upper()
    return len(compact) >= 5 and compact.isalnum() and _iban_ok(compact)


@VALIDATORS.register("nhs")
def _nhs(value: str) -> bool:
    from synthguard.redaction._patterns import nhs_ok

    return nhs_ok(_digits(value))


@VALIDATORS.register("digits")
def _has_digits(value: str) -> bool:
    """At least three digits (an identifier, not a word that happens to match)."""
    return len(_digits(value)) >= 3


_ENTITY_NAME = re.compile(r"[A-Z][A-Z0-9_]{1,40}")
_FIELDS = {"name", "entity_type", "regex", "context", "context_boost", "validator", "score"}


@dataclass(frozen=True)
class RecognizerSpec:
    """One user recognizer, validated (regex compiles, validator exists, scores in [0, 1])."""

    name: str
    entity_type: str
    regex: str
    context: tuple[str, ...] = ()
    context_boost: float = 0.35
    validator: str | None = None
    score: float = 0.6

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "entity_type": self.entity_type,
                               "regex": self.regex, "score": self.score}
        if self.context:
            out["context"] = list(self.context)
            out["context_boost"] = self.context_boost
        if self.validator:
            out["validator"] = self.validator
        return out


def parse_recognizers(raw: Any) -> tuple[RecognizerSpec, ...]:
    """The policy's ``recognizers`` list as specs; any problem names the entry and field."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ParameterError("policy 'recognizers' must be a list of recognizer entries")
    specs: list[RecognizerSpec] = []
    for i, entry in enumerate(raw):
        where = f"policy recognizers[{i}]"
        if not isinstance(entry, Mapping):
            raise ParameterError(f"{where} must be a mapping with name, entity_type and regex")
        extra = sorted(set(map(str, entry)) - _FIELDS)
        if extra:
            raise ParameterError(f"{where}: unknown field {extra[0]!r}; fields are {sorted(_FIELDS)}")
        for key in ("name", "entity_type", "regex"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise ParameterError(f"{where}: field {key!r} is required (a non-empty string)")
        name = str(entry["name"])
        where = f"policy recognizer {name!r}"
        entity = str(entry["entity_type"])
        if not _ENTITY_NAME.fullmatch(entity):
            raise ParameterError(f"{where}: field 'entity_type' must be UPPER_CASE letters, digits "
                                 f"or _ (got {entity!r})")
        try:
            compiled = re.compile(str(entry["regex"]))
        except re.error as exc:
            raise ParameterError(f"{where}: field 'regex' does not compile: {exc}") from None
        if compiled.match(""):
            raise ParameterError(f"{where}: field 'regex' matches the empty string")
        context = entry.get("context", [])
        if isinstance(context, str):
            context = [context]
        if not isinstance(context, list) or not all(isinstance(w, str) and w.strip() for w in context):
            raise ParameterError(f"{where}: field 'context' must be a list of words")
        validator = entry.get("validator")
        if validator is not None and (not isinstance(validator, str) or validator not in VALIDATORS):
            raise ParameterError(f"{where}: field 'validator' must be one of "
                                 f"{', '.join(VALIDATORS.names())} (got {validator!r})")
        score = _unit(entry.get("score", 0.6), where, "score")
        boost = _unit(entry.get("context_boost", 0.35), where, "context_boost")
        specs.append(RecognizerSpec(name, entity, str(entry["regex"]),
                                    tuple(w.strip().lower() for w in context), boost, validator, score))
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ParameterError(f"policy recognizer name {dup[0]!r} is used twice (field 'name')")
    return tuple(specs)


def _unit(value: Any, where: str, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
        raise ParameterError(f"{where}: field {key!r} must be a number in [0, 1] (got {value!r})")
    return float(value)


_CONTEXT_BEFORE = 48
_CONTEXT_AFTER = 16


def scan_custom(spec: RecognizerSpec, text: str, compiled: re.Pattern[str],
                context: re.Pattern[str] | None) -> list[tuple[int, int, float]]:
    """(start, end, score) of every match of one user recognizer in ``text``."""
    check = VALIDATORS.get(spec.validator) if spec.validator else None
    out = []
    lower: str | None = None
    for m in compiled.finditer(text):
        a, b = m.span()
        if b <= a or (check is not None and not check(m.group(0))):
            continue
        score = spec.score
        if context is not None:
            lower = lower if lower is not None else text.lower()
            window = lower[max(0, a - _CONTEXT_BEFORE):a] + " " + lower[b:b + _CONTEXT_AFTER]
            if context.search(window):
                score += spec.context_boost
        out.append((a, b, min(score, 1.0)))
    return out


def compile_custom(spec: RecognizerSpec) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    context = (re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in spec.context)
                          + r")(?![a-z])") if spec.context else None)
    return re.compile(spec.regex), context

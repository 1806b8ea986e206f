"""Operators (one registry) and per-entity policies.

An operator turns one detected value into its replacement: ``redact`` (remove), ``mask``
(``****1234``), ``replace`` (``<PERSON>``), ``hash`` (salted SHA-256), ``encrypt`` (AES-SIV,
reversible with ``decrypt``) and ``surrogate`` (realistic fake of the same type). Operators are
pure functions of (value, entity, context): no per-process state, so results are identical
across documents, columns and worker processes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synthguard.errors import ParameterError
from synthguard.redaction._types import Span
from synthguard.registry import Registry


@dataclass(frozen=True)
class OperatorCaps:
    """What an operator needs and promises (read by the CLI, docs and contract tests)."""

    reversible: bool = False
    needs_key: bool = False
    needs_salt: bool = False
    consistent: bool = True  # same value -> same output within a run
    keeps_format: bool = False


@dataclass(frozen=True)
class OperatorContext:
    """Run-wide inputs shared by all operators: seed, key, salt."""

    seed: int = 0
    key: bytes | None = None
    salt: bytes | None = None


@dataclass(frozen=True)
class Operator:
    name: str
    caps: OperatorCaps
    fn: Callable[[str, str, OperatorContext, Mapping[str, Any]], str]

    def apply(self, value: str, *, entity: str, ctx: OperatorContext,
              params: Mapping[str, Any] | None = None) -> str:
        return self.fn(value, entity, ctx, params or {})


OPERATORS: Registry[Operator] = Registry("operator")


def register_operator(name: str, caps: OperatorCaps) -> Callable[[Callable[..., str]], Callable[..., str]]:
    def decorator(fn: Callable[..., str]) -> Callable[..., str]:
        OPERATORS.add(name, Operator(name, caps, fn))
        return fn

    return decorator


@register_operator("redact", OperatorCaps())
def _redact(value: str, entity: str, ctx: OperatorContext, params: Mapping[str, Any]) -> str:
    return ""


@register_operator("replace", OperatorCaps())
def _replace(value: str, entity: str, ctx: OperatorContext, params: Mapping[str, Any]) -> str:
    return str(params.get("new_value", f"<{entity}>"))


@register_operator("mask", OperatorCaps(keeps_format=True))
def _mask(value: str, entity: str, ctx: OperatorContext, params: Mapping[str, Any]) -> str:
    """Mask letters/digits, keep the last ``keep_last`` (default 4 for number-like values,
    0 otherwise) and the separators, e.g. ``4111 1111 1111 1234`` -> ``**** **** **** 1234``."""
    char = str(params.get("char", "*"))[:1] or "*"
    digits = sum(c.isdigit() for c in value)
    keep = int(params.get("keep_last", 4 if digits >= 8 else 0))
    alnum_positions = [i for i, c in enumerate(value) if c.isalnum()]
    keep_from = set(alnum_positions[-keep:]) if keep > 0 and len(alnum_positions) > keep else set()
    return "".join(c if (not c.isalnum() or i in keep_from) else char for i, c in enumerate(value))


@register_operator("hash", OperatorCaps(needs_salt=True))
def _hash(value: str, entity: str, ctx: OperatorContext, params: Mapping[str, Any]) -> str:
    if not ctx.salt:
        from synthguard.redaction._crypto import SALT_ENV

        raise ParameterError(
            f"the hash operator needs a salt: give salt=bytes or set {SALT_ENV}"
        )
    digest = hashlib.sha256(ctx.salt + b"\x00" + value.encode("utf-8")).hexdigest()
    n = int(params.get("length", 64))
    return digest[: max(8, min(64, n))]


@register_operator("encrypt", OperatorCaps(reversible=True, needs_key=True))
def _encrypt(value: str, entity: str, ctx: OperatorContext, params: Mapping[str, Any]) -> str:
    from synthguard.redaction._crypto import KEY_HELP, encrypt_value

    if not ctx.key:
        raise ParameterError(f"the encrypt operator needs a key: {KEY_HELP}")
    return encrypt_value(value, entity, ctx.key)


@register_operator("surrogate", OperatorCaps(keeps_format=True))
def _surrogate(value: str, entity: str, ctx: OperatorContext, params: Mapping[str, Any]) -> str:
    from synthguard.redaction.surrogate import surrogate_value

    return surrogate_value(value, entity, seed=ctx.seed, key=ctx.key)


# -------------------------------------------------------------------- policy


@dataclass(frozen=True)
class Rule:
    operator: str
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"operator": self.operator, **self.params}


@dataclass(frozen=True)
class Policy:
    """Operator per entity type, with a default for the rest.

    File form (YAML or JSON)::

        default: replace
        entities:
          PERSON: surrogate
          CREDIT_CARD: {operator: mask, keep_last: 4}
    """

    default: Rule = field(default_factory=lambda: Rule("replace"))
    entities: dict[str, Rule] = field(default_factory=dict)
    # user recognizers (``recognizers:`` section, see synthguard.redaction.custom)
    recognizers: tuple[Any, ...] = ()

    def custom_entities(self) -> list[str]:
        """Entity types the policy's own recognizers add (not among the built-in ones)."""
        from synthguard.redaction.entities import ALL_ENTITIES

        return sorted({r.entity_type for r in self.recognizers} - set(ALL_ENTITIES))

    def rule_for(self, entity: str) -> Rule:
        return self.entities.get(entity, self.default)

    def operators(self) -> set[str]:
        return {self.default.operator} | {r.operator for r in self.entities.values()}

    def check(self, ctx: OperatorContext) -> None:
        """Fail early (before any output) if an operator is unknown or lacks its key/salt."""
        for name in self.operators():
            op = OPERATORS.get(name)
            if op.caps.needs_key and not ctx.key:
                from synthguard.redaction._crypto import KEY_HELP

                raise ParameterError(f"the {name} operator needs a key: {KEY_HELP}")
            if op.caps.needs_salt and not ctx.salt:
                from synthguard.redaction._crypto import SALT_ENV

                raise ParameterError(
                    f"the {name} operator needs a salt: give salt=bytes or set {SALT_ENV}"
                )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"default": self.default.to_dict(),
                               "entities": {k: v.to_dict() for k, v in sorted(self.entities.items())}}
        if self.recognizers:
            out["recognizers"] = [r.to_dict() for r in self.recognizers]
        return out

    @staticmethod
    def _rule(value: Any, where: str) -> Rule:
        if isinstance(value, str):
            rule = Rule(value)
        elif isinstance(value, Mapping) and "operator" in value:
            rule = Rule(str(value["operator"]), {k: v for k, v in value.items() if k != "operator"})
        else:
            raise ParameterError(
                f"policy entry {where} must be an operator name or a mapping with 'operator'"
            )
        OPERATORS.get(rule.operator)  # unknown names list the known ones
        return rule

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any], *, default: str = "replace") -> Policy:
        from synthguard.redaction.custom import parse_recognizers
        from synthguard.redaction.entities import ALL_ENTITIES

        extra = sorted(set(map(str, payload)) - {"default", "entities", "recognizers"})
        if extra:
            raise ParameterError(f"policy has unknown field {extra[0]!r}; fields are default, "
                                 "entities, recognizers")
        base = cls._rule(payload.get("default", default), "'default'")
        recognizers = parse_recognizers(payload.get("recognizers"))
        raw = payload.get("entities", {})
        if not isinstance(raw, Mapping):
            raise ParameterError("policy 'entities' must be a mapping ENTITY -> operator")
        known = set(ALL_ENTITIES) | {r.entity_type for r in recognizers}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ParameterError(
                f"policy names unknown entity type(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        return cls(base, {str(k): cls._rule(v, repr(k)) for k, v in raw.items()}, recognizers)

    @classmethod
    def from_file(cls, path: str | Path, *, default: str = "replace") -> Policy:
        p = Path(path)
        if not p.is_file():
            raise ParameterError(f"policy file {str(p)!r} does not exist")
        text = p.read_text(encoding="utf-8")
        try:
            if p.suffix.lower() == ".json":
                payload = json.loads(text)
            else:
                import yaml

                payload = yaml.safe_load(text)
        except Exception as exc:  # yaml/json raise many types
            raise ParameterError(f"policy file {str(p)!r} is not valid YAML/JSON: {exc}") from None
        if not isinstance(payload, Mapping):
            raise ParameterError(f"policy file {str(p)!r} must hold a mapping")
        return cls.from_dict(payload, default=default)

    @classmethod
    def coerce(cls, policy: Policy | Mapping[str, Any] | None, *, default: str = "replace") -> Policy:
        if isinstance(policy, Policy):
            return policy
        if policy is None:
            return cls(cls._rule(default, "'operator'"))
        return cls.from_dict(policy, default=default)

    def with_overrides(self, overrides: Mapping[str, str]) -> Policy:
        """A copy where ``overrides`` (ENTITY -> operator, e.g. from CLI flags) win."""
        merged = dict(self.entities)
        for ent, op in overrides.items():
            merged[ent] = self._rule(op, repr(ent))
        return Policy(self.default, merged, self.recognizers)


def apply_policy(text: str, spans: list[Span], policy: Policy, ctx: OperatorContext) -> tuple[str, Counter[str]]:
    """Rebuild ``text`` with every span replaced by its operator's output."""
    counts: Counter[str] = Counter()
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor:  # defensive: spans from the engine never overlap
            continue
        rule = policy.rule_for(span.entity_type)
        op = OPERATORS.get(rule.operator)
        pieces.append(text[cursor:span.start])
        pieces.append(op.apply(text[span.start:span.end], entity=span.entity_type, ctx=ctx,
                               params=rule.params))
        cursor = span.end
        counts[span.entity_type] += 1
    pieces.append(text[cursor:])
    return "".join(pieces), counts

"""PII and identifier columns never reach a generator as values (invariant 1).

Every tabular ``fit`` goes through :func:`guard_fit` (installed on each generator class by
``Generator.__init_subclass__``), so the CLI, the app, distillation's transfer generator and a
plain ``create_generator(name).fit(df)`` all apply the same policy. Before the generator sees
the table:

- the table must be one a generator can model honestly: at least ``min_rows`` rows (default
  10: below that a generator can only reproduce the records it saw), and not one column
  whose header holds a delimiter (a ``;``/tab/``|`` file read with the wrong separator);
- every sensitive column gets its policy: ``fake`` (default) replaces each real value with a
  surrogate of the same type from the redaction package's surrogate operator, the same real
  value always getting the same fake and no fake equal to a real value of any sensitive
  column; identifier columns get fresh unique ids instead; ``drop`` removes the column;
  ``keep`` passes the real values through and is warned loudly (:class:`PiiKeptWarning`).
  DP generators default to ``drop``: a surrogate's value set is derived from the data, so it
  cannot be treated as a public domain.

Sensitive columns are those of schema kind ``pii`` or ``id``, plus (``detect=True``) columns
the redaction package recognises: a direct-identifier column name (``email``, ``ssn``,
``name``...) on a mostly-unique column, or values of which at least 80 % are fully matched by
one structured recognizer (e-mail, SSN, phone, card, IBAN, IP, URL). What was done per column
is a :class:`PiiReport` kept on the generator (``describe()``, the saved manifest, the run
record). The surrogate key is derived from the sensitive values themselves (plus an optional
user key), so it is reproducible for the same table but cannot be recomputed from anything a
run records (seed, dataset hash).
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import logging
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.loading import table_fingerprint
from synthguard.data.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from synthguard.errors import ParameterError, SchemaError, UnsafeInputError

log = logging.getLogger(__name__)

POLICIES = ("fake", "drop", "keep")
MIN_ROWS = 10
_DELIMITERS = (";", "\t", "|")
_ENTITY_SDTYPE = {"EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone_number", "US_SSN": "ssn",
                  "CREDIT_CARD": "credit_card_number", "PERSON": "name", "ADDRESS": "address",
                  "POSTCODE": "postcode", "IP_ADDRESS": "ipv4_address", "IBAN_CODE": "iban",
                  "URL": "url", "ORGANIZATION": "company"}

_ACTIVE: contextvars.ContextVar[bool] = contextvars.ContextVar("synthguard_pii_fit", default=False)


class PiiKeptWarning(UserWarning):
    """Real values of PII/identifier columns were given to a generator (``keep``)."""


@dataclass(frozen=True)
class PiiPolicy:
    """What happens to sensitive columns before a generator sees them.

    ``default``: ``"auto"`` (``fake``; ``drop`` for DP generators), ``"fake"``, ``"drop"`` or
    ``"keep"``. ``columns``: per-column choice ``{column: "fake" | "drop" | "keep"}``; it also
    applies to columns that were not detected (e.g. ``{"notes": "drop"}``). ``detect``: look
    beyond schema kinds (column names and values, see the module doc). ``key``: extra secret
    for the surrogate mapping. ``min_rows``: smallest table a generator may fit.
    """

    default: str = "auto"
    columns: Mapping[str, str] = field(default_factory=dict)
    detect: bool = True
    key: bytes | None = None
    min_rows: int = MIN_ROWS

    def __post_init__(self) -> None:
        if self.default not in ("auto", *POLICIES):
            raise ParameterError(f"PII policy must be one of auto, {', '.join(POLICIES)}; "
                                 f"got {self.default!r}")
        bad = {c: p for c, p in self.columns.items() if p not in POLICIES}
        if bad:
            raise ParameterError(f"per-column PII policy must be one of {', '.join(POLICIES)}; "
                                 f"got {bad}")
        if not isinstance(self.min_rows, int) or self.min_rows < 1:
            raise ParameterError(f"min_rows must be a positive integer, got {self.min_rows!r}")

    @classmethod
    def coerce(cls, value: PiiPolicy | str | Mapping[str, str] | None) -> PiiPolicy:
        """A policy from a policy, a default name (``"drop"``) or a ``{column: policy}`` map."""
        if value is None:
            return cls()
        if isinstance(value, PiiPolicy):
            return value
        if isinstance(value, str):
            return cls(default=value)
        if isinstance(value, Mapping):
            return cls(columns=dict(value))
        raise ParameterError(f"a PII policy is a name, a {{column: policy}} map or a PiiPolicy, "
                             f"not {type(value).__name__}")

    def for_column(self, column: str, *, dp: bool) -> str:
        if column in self.columns:
            return self.columns[column]
        if self.default == "auto":
            return "drop" if dp else "fake"
        return self.default

    def to_dict(self) -> dict[str, Any]:
        return {"default": self.default, "columns": dict(self.columns), "detect": self.detect,
                "keyed": self.key is not None, "min_rows": self.min_rows}


@dataclass(frozen=True)
class ColumnAction:
    """What was done to one sensitive column (aggregates only: never a value)."""

    column: str
    kind: str  # "pii" | "id" | "user" (named in the per-column policy only)
    entity: str  # redaction entity type, or IDENTIFIER
    source: str  # "schema" | "name" | "values" | "user"
    action: str  # "fake" | "drop" | "keep"
    distinct: int  # distinct real values replaced (fake) or seen

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "entity": self.entity, "source": self.source,
                "action": self.action, "distinct": self.distinct}


@dataclass(frozen=True)
class PiiReport:
    """Per sensitive column, what the generator was given instead of its real values."""

    actions: tuple[ColumnAction, ...] = ()
    policy: dict[str, Any] = field(default_factory=dict)

    @property
    def kept(self) -> list[str]:
        return [a.column for a in self.actions if a.action == "keep"]

    @property
    def dropped(self) -> list[str]:
        return [a.column for a in self.actions if a.action == "drop"]

    def to_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "columns": {a.column: a.to_dict() for a in self.actions},
                "kept_real_values": self.kept}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PiiReport:
        actions = tuple(ColumnAction(column=name, **spec)
                        for name, spec in (data.get("columns") or {}).items())
        return cls(actions=actions, policy=dict(data.get("policy") or {}))

    def summary(self) -> str:
        """One line for people: ``email: fake, ssn: drop`` (or that there were none)."""
        if not self.actions:
            return "no PII or identifier columns found"
        return ", ".join(f"{a.column}: {a.action}" for a in self.actions)


# ------------------------------------------------------------------ checks


def check_modelable(frame: pd.DataFrame, *, min_rows: int = MIN_ROWS) -> None:
    """Refuse a table a generator cannot model honestly (typed error naming what to do)."""
    if len(frame) < min_rows:
        raise UnsafeInputError(
            f"the table has {len(frame)} row(s); a generator fitted on fewer than {min_rows} rows "
            "can only reproduce the records it saw. Use a larger table (or lower the limit "
            "knowingly: min_rows=N)")
    if frame.shape[1] == 1:
        header = str(frame.columns[0])
        for sep in _DELIMITERS:
            if sep in header:
                shown = "tab" if sep == "\t" else repr(sep)
                raise UnsafeInputError(
                    f"the table has one column whose header contains {shown}: the file was "
                    f"probably read with the wrong delimiter; re-save it comma-separated or "
                    f"load it with sep={sep!r}")


def check_policy(frame: pd.DataFrame, policy: PiiPolicy) -> None:
    """What :func:`protect_table` refuses, checked without fitting (the CLI calls it before
    writing anything): a table too small or misread, a policy naming an unknown column."""
    check_modelable(frame, min_rows=policy.min_rows)
    unknown = sorted(set(policy.columns) - {str(c) for c in frame.columns})
    if unknown:
        raise SchemaError(f"PII policy names column(s) {unknown} that are not in the table; "
                          f"columns: {[str(c) for c in frame.columns]}")


# --------------------------------------------------------------- surrogates


def _norm(value: str) -> str:
    return " ".join(value.split()).casefold()


def _mapping_key(frame: pd.DataFrame, columns: list[str], user_key: bytes | None) -> bytes:
    """A key only someone holding every sensitive value (and the user key) can recompute."""
    digest = hashlib.sha256(b"synthguard-pii-surrogate-key\x00" + (user_key or b""))
    for column in sorted(columns):
        digest.update(column.encode() + b"\x1f")
        for value in sorted({str(v) for v in frame[column].dropna()}):
            digest.update(value.encode() + b"\x1e")
    return digest.digest()


def _fake_values(series: pd.Series, entity: str, *, key: bytes, forbidden: set[str],
                 seed: int) -> pd.Series:
    """Each distinct real value -> one distinct fake, none equal to a ``forbidden`` value."""
    from synthguard.redaction.identifiers import IDENTIFIER
    from synthguard.redaction.surrogate import surrogate_value

    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    present = series.dropna()
    uniques = list(pd.unique(present))
    used: set[str] = set()
    mapping: dict[Any, Any] = {}
    if entity == IDENTIFIER and numeric:
        # fresh ids above every real one, in an order unrelated to the real one
        order = np.random.default_rng([seed, int.from_bytes(key[:8], "big")]).permutation(len(uniques))
        start = int(np.floor(np.nanmax(present.to_numpy(dtype=float)))) + 1 if uniques else 0
        mapping = {v: start + int(i) for v, i in zip(uniques, order, strict=True)}
    else:
        surrogate_entity = "ID" if entity == IDENTIFIER else entity
        for index, value in enumerate(uniques):
            text = str(value)
            fake = None
            for attempt in range(8):
                candidate = surrogate_value(text, surrogate_entity, seed=seed,
                                            key=key + b"#" + str(attempt).encode())
                normed = _norm(candidate)
                if normed and normed not in forbidden and normed not in used:
                    fake = candidate
                    break
            if fake is None:  # a tiny format (one digit) cannot hold enough distinct fakes
                fake = f"{surrogate_entity.lower()}-{index:06d}"
            used.add(_norm(fake))
            mapping[value] = fake
        if numeric:
            converted = pd.to_numeric(pd.Series(list(mapping.values())), errors="coerce")
            if converted.notna().all():
                mapping = dict(zip(mapping, converted.tolist(), strict=True))
            else:
                numeric = False
    out = series.map(mapping)
    if numeric and pd.api.types.is_integer_dtype(series):
        out = out.astype(series.dtype)
    return out.where(series.notna(), None) if not numeric else out


def protect_table(frame: pd.DataFrame, *, schema: Schema | None, policy: PiiPolicy,
                  seed: int = 0, dp: bool = False) -> tuple[pd.DataFrame, Schema, PiiReport]:
    """The table (and schema) a generator may see under ``policy``, and what was done."""
    from synthguard.redaction.identifiers import IDENTIFIER, name_entity, sensitive_columns

    check_policy(frame, policy)
    schema = schema if isinstance(schema, Schema) else infer_schema(frame)
    found = sensitive_columns(frame, schema, detect=policy.detect, seed=seed)
    for column in policy.columns:
        if column not in found:
            found[column] = ("user", name_entity(column) or IDENTIFIER, "user")
    found = {str(c): found[str(c)] for c in frame.columns if str(c) in found}  # table order
    actions: list[ColumnAction] = []
    out = frame.copy()
    columns = dict(schema.columns)
    fake_columns = [c for c in found if policy.for_column(c, dp=dp) == "fake"]
    key = _mapping_key(frame, list(found), policy.key) if fake_columns else b""
    forbidden = {_norm(str(v)) for c in found for v in frame[c].dropna()} if fake_columns else set()
    for column, (kind, entity, source) in found.items():
        action = policy.for_column(column, dp=dp)
        distinct = int(frame[column].nunique(dropna=True))
        if action == "drop":
            out = out.drop(columns=[column])
            columns.pop(column, None)
        elif action == "fake":
            out[column] = _fake_values(frame[column], entity, key=key, forbidden=forbidden, seed=seed)
            columns[column] = _faked_spec(columns.get(column), kind, entity)
        actions.append(ColumnAction(column, kind, entity, source, action, distinct))
    report = PiiReport(tuple(actions), policy.to_dict())
    if report.kept:
        message = (f"PII policy 'keep': real values of column(s) {report.kept} are given to the "
                   "generator and can appear verbatim in its output")
        log.warning(message)
        warnings.warn(message, PiiKeptWarning, stacklevel=3)
    kept = schema.restricted({c: s for c, s in columns.items() if c in out.columns})
    # a fixed combination holds on real values, not on faked ones
    changed = {c for c in found if policy.for_column(c, dp=dp) != "keep"}
    kept = Schema(kept.columns, tuple(fc for fc in kept.fixed_combinations
                                      if not changed & set(fc.columns)))
    return out, kept, report


def _faked_spec(spec: ColumnSpec | None, kind: str, entity: str) -> ColumnSpec:
    if kind == "id":
        return spec if spec is not None else ColumnSpec(ColumnKind.ID, "id")
    if spec is not None and spec.kind not in (ColumnKind.PII, ColumnKind.ID):
        return spec  # named in the per-column policy only: modelled as it was
    # modelled as categories of surrogates (known never to equal a real value), not handed to
    # SDV's own Faker anonymiser, whose random names can coincide with real ones
    return ColumnSpec(ColumnKind.PII, "categorical", pii_type=_ENTITY_SDTYPE.get(entity, entity))


# ---------------------------------------------------------------- the hook


def guard_fit(fit: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a generator's ``fit`` so that the PII policy is applied on every fit path.

    Text generators (their own surrogate pipeline) and nested fits (a generator fitting
    another one on the already protected table) pass through unchanged.
    """
    if getattr(fit, "__synthguard_guarded__", False):
        return fit

    @functools.wraps(fit)
    def guarded(self: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        if (getattr(self.caps, "modality", "tabular") != "tabular" or _ACTIVE.get()
                or not isinstance(data, pd.DataFrame)):
            return fit(self, data, *args, **kwargs)
        policy = PiiPolicy.coerce(getattr(self, "pii_policy", None))
        frame, schema, report = protect_table(
            data, schema=kwargs.get("schema"), policy=policy, seed=int(kwargs.get("seed", 0)),
            dp=bool(self.caps.dp))
        kwargs["schema"] = schema
        token = _ACTIVE.set(True)
        try:
            result = fit(self, frame, *args, **kwargs)
        finally:
            _ACTIVE.reset(token)
        self.pii_report = report
        self.fit_info.data_sha256 = table_fingerprint(data)
        return result

    guarded.__synthguard_guarded__ = True  # type: ignore[attr-defined]
    return guarded


__all__ = ["POLICIES", "ColumnAction", "PiiKeptWarning", "PiiPolicy", "PiiReport",
           "check_modelable", "check_policy", "guard_fit", "protect_table"]

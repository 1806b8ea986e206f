"""``dp_lm``: a small character-level language model trained with DP-SGD, sampling new documents.

The corpus is first passed through the surrogate redaction (``redact=True``, the default):
DP-SGD bounds what any one privacy unit can change in the weights, and the redaction
removes identifiers a document repeats to itself or that many documents share (a company's
phone number). A unit is one document, or several: documents with the same ``group_field``
value and documents sharing a rare identifier are joined (user-level DP, see
:mod:`synthguard.generators.text.units`), so a secret repeated across a person's documents
is protected by ε once, not once per document. The reported ε is per unit.

Weights are saved as safetensors, the configuration as JSON: nothing pickled.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard._io import sha256_bytes
from synthguard.errors import NotFittedError, ParameterError, SchemaError
from synthguard.generators._charged import LedgerChargedGenerator
from synthguard.generators.base import (
    Capabilities,
    GeneratorParams,
    PrivacySpend,
    check_rows,
)
from synthguard.generators.registry import register_generator
from synthguard.generators.text.charlm import (
    ALPHABET,
    CharLM,
    CharLMConfig,
    DPConfig,
    TrainReport,
    train_char_lm,
)
from synthguard.generators.text.corpus import texts_from
from synthguard.generators.text.units import privacy_units
from synthguard.progress import ProgressCallback, report

_WEIGHTS = "model.safetensors"
_CONFIG = "model.json"


@dataclass(frozen=True)
class DpLmParams(GeneratorParams):
    text_field: str = "text"
    epsilon: float = 8.0
    delta: float | None = None  # default: 1 / (10 * number of documents)
    max_grad_norm: float = 1.0
    accountant: str = "rdp"  # "rdp" | "prv"
    redact: bool = True  # surrogate-redact the corpus before training
    group_field: str | None = None  # documents with one value here are one privacy unit
    link_identifiers: bool = True  # documents sharing a rare identifier are one unit
    link_max_docs: int | None = None  # identifiers in more documents are common values
    # the language model's settings, flat for --param; defaults are CharLMConfig's own
    max_chars: int = CharLMConfig.max_chars
    d_model: int = CharLMConfig.d_model
    n_layers: int = CharLMConfig.n_layers
    n_heads: int = CharLMConfig.n_heads
    epochs: int = CharLMConfig.epochs
    batch_size: int = CharLMConfig.batch_size
    lr: float = CharLMConfig.lr
    temperature: float = 0.8

    def __post_init__(self) -> None:
        if not (isinstance(self.epsilon, int | float) and 0 < self.epsilon < math.inf):
            raise ParameterError(f"epsilon must be a positive finite number, got {self.epsilon!r}")
        if self.delta is not None and not 0 < self.delta < 1:
            raise ParameterError(f"delta must be in (0, 1), got {self.delta!r}")
        if not self.max_grad_norm > 0:
            raise ParameterError(f"max_grad_norm must be positive, got {self.max_grad_norm!r}")
        if self.accountant not in ("rdp", "prv"):
            raise ParameterError(f"accountant must be 'rdp' or 'prv', got {self.accountant!r}")
        if not self.temperature > 0:
            raise ParameterError(f"temperature must be positive, got {self.temperature!r}")
        if not self.text_field:
            raise ParameterError("text_field must be a non-empty column name")
        if self.link_max_docs is not None and not (
            isinstance(self.link_max_docs, int) and self.link_max_docs >= 2
        ):
            raise ParameterError(f"link_max_docs must be an integer >= 2, got {self.link_max_docs!r}")
        self.lm_config()  # validates the architecture/training fields

    def lm_config(self) -> CharLMConfig:
        return CharLMConfig(
            max_chars=self.max_chars, d_model=self.d_model, n_layers=self.n_layers,
            n_heads=self.n_heads, epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
        )


@register_generator
class DpLm(LedgerChargedGenerator):
    """Character-level transformer trained with opacus DP-SGD on the (redacted) corpus."""

    name = "dp_lm"
    summary = "small char-level language model trained with DP-SGD (opacus); new documents"
    caps = Capabilities(modality="text", dp=True, mechanism="DP-SGD", accountant="RDP")
    Params = DpLmParams
    params: DpLmParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._lm: CharLM | None = None
        self._spend: PrivacySpend | None = None
        self.train_report: TrainReport | None = None
        self.redaction_counts: dict[str, int] = {}

    def resolve_delta(self, n_docs: int) -> float:
        return self.params.delta if self.params.delta is not None else 1.0 / (10 * max(n_docs, 1))

    def planned_spend(self, n_rows: int) -> PrivacySpend:
        """The (ε, δ) a fit on ``n_rows`` documents will at most report (for the ledger)."""
        return PrivacySpend(
            epsilon=float(self.params.epsilon), delta=self.resolve_delta(n_rows),
            mechanism="DP-SGD", accountant=self.params.accountant.upper(),
            notes="planned: opacus calibrates the noise to this target",
        )

    def _ledger_table(self, data: Any) -> pd.DataFrame:
        """The documents as a one-column table: the corpus whose budget pays."""
        return pd.DataFrame({self.params.text_field: texts_from(
            data, text_field=self.params.text_field)})

    def _fit_private(
        self, data: Any, *, schema: Any = None, seed: int = 0,
        progress: ProgressCallback | None = None,
    ) -> None:
        texts = texts_from(data, text_field=self.params.text_field)
        units = privacy_units(
            texts, groups=_groups(data, self.params.group_field),
            link_identifiers=self.params.link_identifiers, max_docs=self.params.link_max_docs,
        )
        self.fit_info.data_sha256 = sha256_bytes("\x1e".join(texts).encode("utf-8"))
        self.fit_info.n_rows = len(texts)
        self.fit_info.columns = [self.params.text_field]
        if self.params.redact:
            texts, self.redaction_counts = _redact(texts, seed=seed, progress=progress)
        delta = self.resolve_delta(len(texts))
        privacy = DPConfig(
            epsilon=float(self.params.epsilon), delta=delta,
            max_grad_norm=self.params.max_grad_norm, accountant=self.params.accountant,
        )
        lm, train = train_char_lm(
            texts, self.params.lm_config(), seed=seed, privacy=privacy, units=units,
            progress=progress,
        )
        self._lm, self.train_report = lm, train
        self._spend = _spend(train, self.params, redacted=self.params.redact)

    def sample(
        self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None
    ) -> pd.DataFrame:
        check_rows(n)
        lm = self._require()
        docs = lm.sample(n, seed=seed, temperature=self.params.temperature, progress=progress)
        report(progress, "sampling documents", n, n)
        return pd.DataFrame({self.params.text_field: docs})

    def log_perplexity(self, texts: list[str]) -> Any:
        """Bits needed to encode each text under the model (for canary exposure)."""
        return self._require().log_perplexity(texts)

    def privacy_spent(self) -> PrivacySpend | None:
        return self._spend

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        if self.train_report is not None:
            out["training"] = {
                "steps": self.train_report.steps,
                "final_loss": round(self.train_report.final_loss, 4),
                "documents": self.train_report.n_docs,
                "truncated_documents": self.train_report.n_truncated,
                "noise_multiplier": self.train_report.noise_multiplier,
                "privacy_units": self.train_report.n_units,
                "largest_unit": self.train_report.largest_unit,
            }
        out["redaction"] = dict(self.redaction_counts)
        return out

    def _require(self) -> CharLM:
        if self._lm is None:
            raise NotFittedError("dp_lm is not fitted: call fit() or load a saved model")
        return self._lm

    def save_files(self, folder: Path) -> None:
        from safetensors.torch import save_file

        lm = self._require()
        save_file(lm.state_dict(), str(folder / _WEIGHTS))
        payload = {
            "config": lm.config.to_dict(),
            "alphabet": ALPHABET,
            "privacy": self._spend.to_dict() if self._spend else None,
            "train": None if self.train_report is None else self.train_report.__dict__,
            "redaction": self.redaction_counts,
        }
        (folder / _CONFIG).write_text(json.dumps(payload, indent=2), encoding="utf-8")

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> DpLm:
        from safetensors.torch import load_file

        payload = json.loads((folder / _CONFIG).read_text(encoding="utf-8"))
        if payload.get("alphabet") != ALPHABET:
            raise ParameterError(
                "saved dp_lm uses a different character alphabet than this synthguard version"
            )
        generator = cls(params)
        config = CharLMConfig(**payload["config"])
        generator._lm = CharLM.from_state_dict(load_file(str(folder / _WEIGHTS)), config)
        if payload.get("privacy"):
            spend = dict(payload["privacy"])
            spend["public"] = tuple(spend.get("public", ()))
            generator._spend = PrivacySpend(**spend)
        if payload.get("train"):
            generator.train_report = TrainReport(**payload["train"])
        generator.redaction_counts = dict(payload.get("redaction") or {})
        return generator


def _spend(train: TrainReport, params: DpLmParams, *, redacted: bool) -> PrivacySpend:
    if train.epsilon is None or train.delta is None:  # pragma: no cover - private path only
        raise RuntimeError("DP training returned no epsilon")
    if train.n_units is not None and train.n_units < train.n_docs:
        shared = [f"a {params.group_field!r} value"] if params.group_field else []
        shared += ["a rare identifier"] if params.link_identifiers else []
        unit = (
            f"per-unit DP-SGD: {train.n_docs} documents in {train.n_units} privacy units "
            f"(largest {train.largest_unit}; documents sharing {' or '.join(shared)} are one "
            "unit, at most one document per unit per step)"
        )
    else:
        unit = "per-document DP-SGD"
    notes = (
        f"{unit}, noise multiplier {train.noise_multiplier:.3f}, clip "
        f"{params.max_grad_norm}, {train.steps} steps; documents longer than "
        f"{params.max_chars} chars truncated ({train.n_truncated})"
    )
    if redacted:
        notes += "; corpus surrogate-redacted before training"
    return PrivacySpend(
        epsilon=float(train.epsilon), delta=float(train.delta), mechanism="DP-SGD",
        accountant=params.accountant.upper(),
        public=("character alphabet (printable ASCII)", "model architecture"),
        notes=notes,
    )


def _groups(data: Any, field: str | None) -> list[Any] | None:
    """The ``group_field`` values of ``data`` (None when no field is set)."""
    if field is None:
        return None
    if not isinstance(data, pd.DataFrame) or field not in data.columns:
        columns = [str(c) for c in data.columns] if isinstance(data, pd.DataFrame) else []
        raise SchemaError(
            f"group_field {field!r} is not a field of the corpus (fields: {columns}); name the "
            "field that identifies the person or account each document belongs to"
        )
    return list(data[field].tolist())


def _redact(
    texts: list[str], *, seed: int, progress: ProgressCallback | None
) -> tuple[list[str], dict[str, int]]:
    """Surrogate-redact ``texts`` with the redaction engine (counts only are kept)."""
    from synthguard.generators.text.surrogate import surrogate_redact

    return surrogate_redact(texts, seed=seed, progress=progress)

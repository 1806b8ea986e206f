"""The generator protocol every tabular and text generator follows.

``fit(data, *, schema, seed) -> self``; ``sample(n, *, seed) -> data`` (never mutates the
model); ``save(dir) -> manifest sha``; ``load(dir)``; ``describe()``; ``privacy_spent()``.
Capabilities are a frozen dataclass the CLI, the app and the contract tests read.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from synthguard.errors import NotFittedError, ParameterError
from synthguard.generators._pii import PiiPolicy, PiiReport
from synthguard.progress import ProgressCallback, report


@dataclass(frozen=True)
class Capabilities:
    """What a generator can do; read instead of ``isinstance``."""

    modality: str = "tabular"  # "tabular" | "text"
    dp: bool = False
    mechanism: str | None = None  # e.g. "AIM (zCDP, Gaussian)", "DP-SGD"
    accountant: str | None = None  # e.g. "zCDP", "RDP", "PRV"
    seeded: bool = True
    conditional: bool = False
    pickled: bool = False  # saved model contains a pickle: load needs a trusted manifest
    extra: str | None = None  # optional dependency group, shown by `synthguard doctor`

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PrivacySpend:
    """The (ε, δ) guarantee of one DP fit, and how it was accounted."""

    epsilon: float
    delta: float
    mechanism: str
    accountant: str
    rho: float | None = None  # zCDP parameter when the mechanism is zCDP
    public: tuple[str, ...] = ()  # what was treated as public (schema, bounds, domain)
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["public"] = list(self.public)
        return out


@dataclass(frozen=True)
class GeneratorParams:
    """Base of each generator's typed parameters; subclasses add fields and validate them."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GeneratorParams:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(
                f"unknown parameter(s) {unknown} for this generator; it takes {sorted(known)}"
            )
        return cls(**values)

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Parameter names with their defaults (for `synthguard generators`)."""
        return {f.name: f.default for f in fields(cls)}


@dataclass
class FitInfo:
    """What a fit learned about its training data (hash, rows), recorded in the manifest."""

    data_sha256: str | None = None
    n_rows: int = 0
    columns: list[str] = field(default_factory=list)


class Generator(ABC):
    """Abstract base of every generator. Subclasses set ``name``, ``caps`` and ``Params``."""

    name: ClassVar[str]
    caps: ClassVar[Capabilities] = Capabilities()
    Params: ClassVar[type[GeneratorParams]] = GeneratorParams
    summary: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every tabular ``fit`` goes through the PII guard (``generators._pii``), whoever calls it."""
        super().__init_subclass__(**kwargs)
        fit = cls.__dict__.get("fit")
        if fit is not None and not getattr(fit, "__isabstractmethod__", False):
            from synthguard.generators._pii import guard_fit

            setattr(cls, "fit", guard_fit(fit))  # noqa: B010 (mypy: no assignment to a method)

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        if params is None:
            params = self.Params.from_dict(kwargs)
        elif kwargs:
            raise ParameterError("pass either a params object or keyword parameters, not both")
        self.params = params
        self.fit_info = FitInfo()
        self.pii_policy: PiiPolicy = PiiPolicy()  # applied by every fit (generators._pii)
        self.pii_report: PiiReport | None = None  # what the last fit did to PII/id columns

    def with_pii(self, policy: PiiPolicy | str | Mapping[str, str] | None) -> Generator:
        """Set the PII policy (``"fake"``/``"drop"``/``"keep"``, ``{column: policy}`` or a
        :class:`PiiPolicy`) used by the next ``fit``; returns ``self``."""
        self.pii_policy = PiiPolicy.coerce(policy)
        return self

    @abstractmethod
    def fit(
        self, data: Any, *, schema: Any = None, seed: int = 0,
        progress: ProgressCallback | None = None,
    ) -> Generator:
        """Learn from ``data``; return ``self``."""

    @abstractmethod
    def sample(
        self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None
    ) -> pd.DataFrame:
        """Draw ``n`` synthetic rows (or documents); the same seed gives the same output."""

    def privacy_spent(self) -> PrivacySpend | None:
        """The DP guarantee of the last fit; ``None`` for non-private generators."""
        return None

    @abstractmethod
    def save_files(self, folder: Path) -> None:
        """Write the model's own files into ``folder`` (the manifest is written by ``save``)."""

    @classmethod
    @abstractmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> Generator:
        """Rebuild a fitted generator from files already verified against their manifest."""

    def record_fit(self, data: pd.DataFrame) -> None:
        """Remember what the fit saw (order-free fingerprint, rows, columns) for the manifest
        and the ledger, never the values."""
        from synthguard.data.loading import table_fingerprint

        self.fit_info.data_sha256 = table_fingerprint(data)
        self.fit_info.n_rows = len(data)
        self.fit_info.columns = [str(c) for c in data.columns]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "capabilities": self.caps.to_dict(),
            "params": self.params.to_dict(),
            "fit": asdict(self.fit_info),
            "pii": self.pii_report.to_dict() if self.pii_report is not None else None,
        }


def check_rows(n: int) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        raise ParameterError(f"rows={n!r} must be a positive integer")


# Largest output a command produces unless told otherwise (`--rows-limit`): 10x the largest
# run measured (benchmarks/scale.py, 10M rows); a typo such as --rows 10**12 would otherwise
# run for days and fill the disk before anyone noticed.
ROWS_LIMIT = 100_000_000


def check_rows_limit(n: int | None, *, limit: int | None, name: str = "rows") -> None:
    """Refuse, before any work, a requested output larger than ``limit`` (default
    :data:`ROWS_LIMIT`), saying how to allow it."""
    limit = ROWS_LIMIT if limit is None else limit
    if n is not None and not isinstance(n, bool) and isinstance(n, int) and n > limit:
        raise ParameterError(
            f"{name}={n} is above the limit of {limit:,} rows; if you mean it, raise the limit "
            f"with rows_limit={n} (and check the disk can hold the output)")


class ChunkedGenerator(Generator):
    """A tabular generator whose rows come in chunks, each from a random stream keyed by
    ``(seed, chunk_index)``: ``sample`` and the streamed writer (``streaming.py``) then give the
    same rows whatever the chunking of the output. Subclasses hold their fitted model in
    ``_model``, a ``batch_size`` parameter, and implement :meth:`sample_chunk`."""

    _model: dict[str, Any] | None = None

    @abstractmethod
    def sample_chunk(self, size: int, *, seed: int, chunk_index: int) -> pd.DataFrame:
        """``size`` rows of chunk ``chunk_index`` of the stream for ``seed``."""

    def fitted_model(self) -> dict[str, Any]:
        """The fitted model, or a clear error before any fit (or load)."""
        if self._model is None:
            raise NotFittedError(f"{self.name} is not fitted; call fit() first")
        return self._model

    def sample(self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None) -> pd.DataFrame:
        check_rows(n)
        self.fitted_model()
        batch = int(getattr(self.params, "batch_size"))  # noqa: B009 (every subclass declares it)
        parts = []
        for index, start in enumerate(range(0, n, batch)):
            size = min(batch, n - start)
            parts.append(self.sample_chunk(size, seed=seed, chunk_index=index))
            report(progress, f"sample {self.name}", start + size, n)
        return pd.concat(parts, ignore_index=True)

"""The attack protocol, its result object and the ATTACKS registry.

An attack on a synthetic table sees the real train table (the people to protect), a real
holdout that the generator never saw (non-members and a reference population) and the
synthetic table. Every attack returns an immutable :class:`AttackResult`; the membership
family reports AUC and TPR at low FPR, the Anonymeter family a residual risk over the
holdout (control) with its interval and the random-guess baseline.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar

import pandas as pd

from synthguard.errors import ParameterError, SchemaError
from synthguard.progress import ProgressCallback
from synthguard.registry import Registry

MEMBERSHIP = "membership"
ATTRIBUTE_INFERENCE = "attribute_inference"
SINGLING_OUT = "singling_out"
LINKABILITY = "linkability"
REPRODUCTION = "reproduction"
KINDS = (MEMBERSHIP, ATTRIBUTE_INFERENCE, SINGLING_OUT, LINKABILITY, REPRODUCTION)


@dataclass(frozen=True)
class ThreatModel:
    """What the adversary knows and which question the attack answers (read, not isinstance)."""

    kind: str  # one of KINDS
    knows: str  # plain words: what the adversary holds
    uses_reference: bool = False  # needs a slice of the holdout as reference population
    needs_secret: bool = False
    min_holdout: int = 20  # fewer holdout rows than this: the attack cannot be calibrated

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AttackOptions:
    """Settings shared by every attack of one evaluation."""

    secret: str | None = None
    quasi_identifiers: tuple[str, ...] | None = None
    max_targets: int = 2000
    n_bootstrap: int = 200
    confidence_level: float = 0.95
    progress: ProgressCallback | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.max_targets, int) or self.max_targets < 20:
            raise ParameterError(
                f"max_targets must be an integer >= 20, got {self.max_targets!r}"
            )
        if not 0.5 <= self.confidence_level < 1.0:
            raise ParameterError(
                f"confidence_level must be in [0.5, 1), got {self.confidence_level!r}"
            )


@dataclass(frozen=True)
class AttackResult:
    """One attack's outcome: metrics with intervals; aggregates only, never real rows."""

    name: str
    kind: str
    metrics: Mapping[str, float]
    ci: Mapping[str, tuple[float, float]]
    n_targets: int
    details: Mapping[str, Any] = field(default_factory=dict)
    roc: tuple[tuple[float, ...], tuple[float, ...]] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", MappingProxyType(dict(self.metrics)))
        object.__setattr__(self, "ci", MappingProxyType({k: tuple(v) for k, v in self.ci.items()}))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        out.update({k: float(v) for k, v in self.metrics.items()})
        out["ci"] = {k: [float(v[0]), float(v[1])] for k, v in self.ci.items()}
        out["n_targets"] = int(self.n_targets)
        out.update(dict(self.details))
        if self.roc is not None:
            out["roc"] = {"fpr": list(self.roc[0]), "tpr": list(self.roc[1])}
        return out


class Attack(ABC):
    """Base of every attack on a synthetic table. Subclasses set ``name`` and ``threat``."""

    name: ClassVar[str]
    threat: ClassVar[ThreatModel]
    summary: ClassVar[str] = ""

    @abstractmethod
    def run(
        self,
        *,
        train: pd.DataFrame,
        holdout: pd.DataFrame,
        synthetic: pd.DataFrame,
        seed: int = 0,
        options: AttackOptions | None = None,
        context: Any = None,
    ) -> AttackResult:
        """Attack ``synthetic`` on behalf of the people in ``train``; calibrate on ``holdout``."""


ATTACKS: Registry[type[Attack]] = Registry("attack")


def register_attack(cls: type[Attack]) -> type[Attack]:
    """Class decorator: register an attack under its ``name``."""
    ATTACKS.add(cls.name, cls)
    return cls


def check_tables(
    train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame
) -> list[str]:
    """Columns shared by all three tables; typed errors when they cannot be attacked."""
    for label, frame in (("train", train), ("holdout", holdout), ("synthetic", synthetic)):
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"{label} must be a pandas DataFrame, got {type(frame).__name__}")
        if len(frame) == 0:
            raise SchemaError(f"the {label} table is empty; an attack needs rows in it")
    shared = set(holdout.columns) & set(synthetic.columns)
    columns = [c for c in train.columns if c in shared]
    if not columns:
        raise SchemaError(
            "train, holdout and synthetic tables share no column (train: "
            f"{list(train.columns)[:8]}, synthetic: {list(synthetic.columns)[:8]}); "
            "attack a synthetic table generated from this train table"
        )
    missing = [c for c in train.columns if c not in set(synthetic.columns)]
    if len(missing) > len(train.columns) / 2:
        raise SchemaError(
            f"the synthetic table lacks {len(missing)} of {len(train.columns)} train columns "
            f"({missing[:8]}); the schemas do not overlap enough to attack"
        )
    return columns

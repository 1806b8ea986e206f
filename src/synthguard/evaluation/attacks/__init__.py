"""Privacy attacks on synthetic tables and trained models, each with a confidence interval.

``ATTACKS`` holds the attacks on a synthetic table (membership: ``dcr``, ``dcr_ratio``,
``domias``, ``exact_match``; Anonymeter-style: ``attribute_inference``, ``singling_out``,
``linkability``; ``reproduction``: copies of train rows beyond chance). ``model_membership`` / ``shadow_model_membership`` attack a classifier.
Run them all through :func:`synthguard.evaluation.leakage.evaluate_leakage`.
"""

from __future__ import annotations

from synthguard.evaluation.attacks import (
    inference,
    linkability,
    membership,
    reproduction,
    singling_out,
)
from synthguard.evaluation.attacks._base import (
    ATTACKS,
    KINDS,
    Attack,
    AttackOptions,
    AttackResult,
    ThreatModel,
    register_attack,
)
from synthguard.evaluation.attacks.membership import HoldoutTooSmallError
from synthguard.evaluation.attacks.model import (
    MODEL_ATTACKS,
    as_predict_proba,
    model_membership,
    shadow_model_membership,
    sklearn_trainer,
)

_ = (inference, linkability, membership, reproduction, singling_out)  # modules register their attacks


def list_attacks() -> list[dict[str, object]]:
    """Name, summary and threat model of every registered attack (for the CLI and doctor)."""
    return [{"name": name, "summary": cls.summary, "threat": cls.threat.to_dict()}
            for name, cls in ATTACKS.items()]

__all__ = [
    "ATTACKS",
    "KINDS",
    "MODEL_ATTACKS",
    "Attack",
    "AttackOptions",
    "AttackResult",
    "HoldoutTooSmallError",
    "ThreatModel",
    "as_predict_proba",
    "list_attacks",
    "model_membership",
    "register_attack",
    "shadow_model_membership",
    "sklearn_trainer",
]

"""Membership inference on a synthetic table: was this person's record in the train table?

Candidate targets are half train rows (members) and half holdout rows (non-members); the
rest of the holdout is a reference sample of the population the generator never saw. Four
scores, all vectorised nearest-neighbour or hashing work in the shared encoder space:

* ``dcr``: naive distance to the closest synthetic record (for comparison: on tables where
  common records recur, real non-members also sit at distance 0 and this attack is blind);
* ``dcr_ratio``: distance to the closest reference record over distance to the closest
  synthetic record, so "close because the record is common" cancels out;
* ``domias``: DOMIAS (van Breugel et al. 2023): synthetic density over reference density,
  both kernel estimates over the k nearest neighbours;
* ``exact_match``: how often the exact record occurs in the synthetic table relative to the
  reference, the discrete-space density ratio; it flags copied rows on any kind of table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.special import logsumexp

from synthguard.errors import InputError
from synthguard.evaluation.attacks._base import (
    MEMBERSHIP,
    Attack,
    AttackOptions,
    AttackResult,
    ThreatModel,
    check_tables,
    register_attack,
)
from synthguard.evaluation.attacks._neighbors import count_matches, row_keys
from synthguard.evaluation.attacks._stats import summarize_scores
from synthguard.evaluation.encoding import TableEncoder
from synthguard.evaluation.neighbors import index_kind, nearest_distances

MIN_NONMEMBERS = 20
MIN_REFERENCE = 20
KDE_NEIGHBOURS = 20
_QUERY_CHUNK = 2048  # targets per neighbour query (one progress step each)
BANDWIDTH = 0.2  # kernel width as a share of the median real nearest-neighbour distance


class HoldoutTooSmallError(InputError):
    """The holdout cannot supply enough non-member targets and reference rows."""


@dataclass
class MembershipSetup:
    """Targets and neighbour distances shared by the membership attacks of one evaluation."""

    n_members: int
    n_nonmembers: int
    n_reference: int
    n_synthetic: int
    n_train: int
    n_holdout: int
    d_syn: np.ndarray  # (targets, k) sorted distances to synthetic rows
    d_ref: np.ndarray  # (targets, k) sorted distances to reference rows
    c_syn: np.ndarray  # exact copies of each target in the synthetic table
    c_ref: np.ndarray  # exact copies of each target in the reference sample
    neighbour_index: str  # "exact" or "hnsw" (approximate index over the synthetic rows)

    def split(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return scores[: self.n_members], scores[self.n_members:]


def membership_setup(
    *,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    synthetic: pd.DataFrame,
    seed: int,
    options: AttackOptions,
    context: dict[Any, Any] | None = None,
) -> MembershipSetup:
    """Draw the targets and compute every distance once (cached in ``context``)."""
    key = ("membership_setup", seed, options.max_targets)
    if context is not None and key in context:
        cached: MembershipSetup = context[key]
        return cached
    columns = check_tables(train, holdout, synthetic)
    if len(holdout) < MIN_NONMEMBERS + MIN_REFERENCE:
        raise HoldoutTooSmallError(
            f"the holdout has {len(holdout)} rows; membership attacks need at least "
            f"{MIN_NONMEMBERS + MIN_REFERENCE} ({MIN_NONMEMBERS} non-member targets and "
            f"{MIN_REFERENCE} reference rows). Hold out more rows of the real table"
        )
    n_half = int(min(options.max_targets // 2, len(train), len(holdout) // 2))
    rng = np.random.default_rng(seed)
    members = train.iloc[np.sort(rng.choice(len(train), n_half, replace=False))]
    perm = rng.permutation(len(holdout))
    nonmembers = holdout.iloc[np.sort(perm[:n_half])]
    reference = holdout.iloc[np.sort(perm[n_half:])]
    targets = pd.concat([members[columns], nonmembers[columns]], ignore_index=True)

    encoder = TableEncoder().fit(train[columns])
    x_targets = encoder.transform(targets)
    x_syn = encoder.transform(synthetic[columns])
    x_ref = encoder.transform(reference[columns])
    k = KDE_NEIGHBOURS
    progress = options.progress
    d_syn = nearest_distances(x_syn, x_targets, k=k, chunk=_QUERY_CHUNK, progress=progress,
                              stage="membership: synthetic")
    d_ref = nearest_distances(x_ref, x_targets, k=k, chunk=_QUERY_CHUNK, progress=progress,
                              stage="membership: reference")

    target_keys = row_keys(targets, columns)
    c_syn = count_matches(target_keys, row_keys(synthetic, columns))
    c_ref = count_matches(target_keys, row_keys(reference, columns))
    setup = MembershipSetup(
        n_members=n_half, n_nonmembers=n_half, n_reference=len(reference),
        n_synthetic=len(synthetic), n_train=len(train), n_holdout=len(holdout),
        d_syn=d_syn, d_ref=d_ref, c_syn=c_syn, c_ref=c_ref,
        neighbour_index=index_kind(len(x_syn)),
    )
    if context is not None:
        context[key] = setup
    return setup


class _MembershipAttack(Attack):
    """Shared run(): build the setup, score targets, summarise the ROC."""

    threat: ClassVar[ThreatModel]

    def score(self, setup: MembershipSetup) -> np.ndarray:
        raise NotImplementedError

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
        options = options or AttackOptions()
        setup = membership_setup(
            train=train, holdout=holdout, synthetic=synthetic, seed=seed, options=options,
            context=context if isinstance(context, dict) else None,
        )
        members, nonmembers = setup.split(self.score(setup))
        summary = summarize_scores(
            members, nonmembers, seed=seed, n_bootstrap=options.n_bootstrap,
            level=options.confidence_level,
        )
        return AttackResult(
            name=self.name,
            kind=MEMBERSHIP,
            metrics={"auc": summary.auc, "tpr_at_fpr_0.01": summary.tpr[0.01],
                     "tpr_at_fpr_0.1": summary.tpr[0.1]},
            ci=summary.ci,
            n_targets=setup.n_members + setup.n_nonmembers,
            details={
                "n_members": setup.n_members, "n_nonmembers": setup.n_nonmembers,
                "n_reference": setup.n_reference,
                "targets_sampled": setup.n_members < setup.n_train,
                "neighbour_index": setup.neighbour_index,
                "confidence_level": summary.level,
            },
            roc=(summary.fpr_curve, summary.tpr_curve),
        )


def _floor(values: np.ndarray) -> float:
    """A tiny positive distance scale so log ratios of zero distances stay finite."""
    positive = values[values > 0]
    return float(np.median(positive)) * 1e-3 if positive.size else 1e-6


@register_attack
class DcrAttack(_MembershipAttack):
    name = "dcr"
    summary = "naive distance to the closest synthetic record (baseline for comparison)"
    threat = ThreatModel(kind=MEMBERSHIP, knows="the synthetic table and the target record",
                         min_holdout=MIN_NONMEMBERS + MIN_REFERENCE)

    def score(self, setup: MembershipSetup) -> np.ndarray:
        return np.asarray(-setup.d_syn[:, 0], dtype=float)


@register_attack
class DcrRatioAttack(_MembershipAttack):
    name = "dcr_ratio"
    summary = "distance to closest reference record over distance to closest synthetic record"
    threat = ThreatModel(
        kind=MEMBERSHIP, uses_reference=True,
        knows="the synthetic table, the target record and a reference sample of the population",
        min_holdout=MIN_NONMEMBERS + MIN_REFERENCE,
    )

    def score(self, setup: MembershipSetup) -> np.ndarray:
        eps = _floor(np.r_[setup.d_ref[:, 0], setup.d_syn[:, 0]])
        return np.asarray(np.log(setup.d_ref[:, 0] + eps) - np.log(setup.d_syn[:, 0] + eps))


@register_attack
class DomiasAttack(_MembershipAttack):
    name = "domias"
    summary = "DOMIAS density ratio: synthetic density over reference density (kNN kernels)"
    threat = ThreatModel(
        kind=MEMBERSHIP, uses_reference=True,
        knows="the synthetic table, the target record and a reference sample of the population",
        min_holdout=MIN_NONMEMBERS + MIN_REFERENCE,
    )

    def score(self, setup: MembershipSetup) -> np.ndarray:
        # bandwidth: a fraction of the typical distance between real neighbours
        h = max(BANDWIDTH * float(np.median(setup.d_ref[:, 0])), _floor(setup.d_ref[:, 0]) * 10)
        log_syn = logsumexp(-(setup.d_syn**2) / (2 * h * h), axis=1) - np.log(setup.n_synthetic)
        log_ref = logsumexp(-(setup.d_ref**2) / (2 * h * h), axis=1) - np.log(setup.n_reference)
        return np.asarray(log_syn - log_ref)


@register_attack
class ExactMatchAttack(_MembershipAttack):
    name = "exact_match"
    summary = "rate of exact copies of the target in the synthetic table vs in the reference"
    threat = ThreatModel(
        kind=MEMBERSHIP, uses_reference=True,
        knows="the synthetic table, the target record and a reference sample of the population",
        min_holdout=MIN_NONMEMBERS + MIN_REFERENCE,
    )

    def score(self, setup: MembershipSetup) -> np.ndarray:
        syn_rate = (setup.c_syn + 0.5) / setup.n_synthetic
        ref_rate = (setup.c_ref + 0.5) / setup.n_reference
        return np.asarray(np.log(syn_rate) - np.log(ref_rate))

"""Reproduction: how many synthetic rows are copies of training records, beyond chance?

Per-record membership attacks cannot single out the copy of a *common* record (the same
record also arises by chance), so on low-cardinality tables a generator that copies half of
its rows from train moves their AUC only a little. Counting over the whole synthetic table
does see it: the share of synthetic rows that exactly match a train record is compared with
the share that match a holdout record of the same size (train is cut into holdout-sized
chunks and averaged, so "matches by chance" is the same on both sides). With Anonymeter's
residual ``(train - holdout) / (1 - holdout)`` divided by the chunk share of train, the risk
estimates the share of synthetic rows copied from train (about ``copied_share`` for
``copy_leaky``, 0 for a generator that copies nothing), with a Wilson interval.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthguard.evaluation.attacks._base import (
    REPRODUCTION,
    Attack,
    AttackOptions,
    AttackResult,
    ThreatModel,
    check_tables,
    register_attack,
)
from synthguard.evaluation.attacks._neighbors import row_keys
from synthguard.evaluation.attacks._stats import bind, residual_success, success_rate
from synthguard.evaluation.attacks._tabular import check_control


@register_attack
class ReproductionAttack(Attack):
    name = "reproduction"
    summary = "share of synthetic rows that copy a train record, beyond copies of holdout records"
    threat = ThreatModel(
        kind=REPRODUCTION, min_holdout=20,
        knows="the synthetic table and a set of real records to look up in it",
    )

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
        columns = check_tables(train, holdout, synthetic)
        check_control(holdout, self.name)
        rng = np.random.default_rng(seed)
        size = min(len(train), len(holdout))
        syn_keys = row_keys(synthetic, columns)
        train_keys = row_keys(train, columns)[rng.permutation(len(train))]
        hold_keys = row_keys(holdout, columns)[rng.permutation(len(holdout))[:size]]
        n_chunks = len(train) // size
        chunk_rates = [
            float(np.isin(syn_keys, train_keys[i * size:(i + 1) * size]).mean())
            for i in range(n_chunks)
        ]
        n_syn = len(synthetic)
        train_matches = float(np.mean(chunk_rates)) * n_syn
        hold_matches = float(np.isin(syn_keys, hold_keys).sum())
        level = options.confidence_level
        attack = success_rate(n_syn, train_matches, level)
        control = success_rate(n_syn, hold_matches, level)
        residual = residual_success(attack, control)
        share = size / len(train)
        scaled = type(residual)(residual.value / share, residual.error / share)
        risk, ci = bind(scaled)
        return AttackResult(
            name=self.name, kind=REPRODUCTION, metrics={"risk": risk}, ci={"risk": ci},
            n_targets=n_syn,
            details={
                "train_match_rate": train_matches / n_syn,
                "holdout_match_rate": hold_matches / n_syn,
                "attack_rate": attack.value, "control_rate": control.value,
                "population_size": size, "train_chunks": n_chunks,
                "chunk_share_of_train": share, "confidence_level": level,
            },
        )

"""Reproduction: how many synthetic rows are copies of training records, beyond chance?

Per-record membership attacks cannot single out the copy of a *common* record (the same
record also arises by chance), so on low-cardinality tables a generator that copies half of
its rows from train moves their AUC only a little. Counting over the whole synthetic table
does see it: the share of synthetic rows that exactly match a train record is compared with
the share that match a holdout record of the same size (train is cut into holdout-sized
chunks and averaged, so "matches by chance" is the same on both sides). With Anonymeter's
residual ``(train - holdout) / (1 - holdout)`` divided by the chunk share of train, the risk
estimates the share of synthetic rows copied from train (about ``copied_share`` for
``copy_leaky``, 0 for a generator that copies nothing). Its interval is a bootstrap over the
synthetic rows and over the real rows of every chunk and of the holdout, since which real
people landed in the holdout matters as much as which synthetic rows were drawn.
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
    register_attack,
)
from synthguard.evaluation.attacks._neighbors import row_keys
from synthguard.evaluation.attacks._tabular import prepare_tables


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
        options, columns = prepare_tables(self.name, train, holdout, synthetic, options)
        rng = np.random.default_rng(seed)
        size = min(len(train), len(holdout))
        all_keys = np.concatenate([row_keys(synthetic, columns), row_keys(train, columns),
                                   row_keys(holdout, columns)])
        codes, uniques = pd.factorize(all_keys)
        n_syn, n_keys = len(synthetic), len(uniques)
        syn_codes = codes[:n_syn]
        train_codes = codes[n_syn:n_syn + len(train)][rng.permutation(len(train))]
        hold_codes = codes[n_syn + len(train):][rng.permutation(len(holdout))[:size]]
        n_chunks = len(train) // size
        chunks = [train_codes[i * size:(i + 1) * size] for i in range(n_chunks)]
        share = size / len(train)

        def rates(syn: np.ndarray, parts: list[np.ndarray], hold: np.ndarray
                  ) -> tuple[float, float]:
            r_train = 0.0
            for part in parts:
                present = np.zeros(n_keys, dtype=bool)
                present[part] = True
                r_train += float(present[syn].mean()) / len(parts)
            present = np.zeros(n_keys, dtype=bool)
            present[hold] = True
            return r_train, float(present[syn].mean())

        def estimate(r_train: float, r_hold: float) -> float:
            return (r_train - r_hold) / max(1.0 - r_hold, 1e-12) / share

        r_train, r_hold = rates(syn_codes, chunks, hold_codes)
        point = estimate(r_train, r_hold)
        # bootstrap synthetic rows and the real rows of every chunk and of the holdout: the
        # real-population sampling, not only the synthetic rows, drives the uncertainty
        boot = np.empty(options.n_bootstrap)
        for b in range(options.n_bootstrap):
            syn_b = syn_codes[rng.integers(0, n_syn, n_syn)]
            parts_b = [part[rng.integers(0, len(part), len(part))] for part in chunks]
            hold_b = hold_codes[rng.integers(0, size, size)]
            boot[b] = estimate(*rates(syn_b, parts_b, hold_b))
        level = options.confidence_level
        q_lo, q_mid, q_hi = np.percentile(boot, [(1 - level) / 2 * 100, 50,
                                                 (1 + level) / 2 * 100])
        lo, hi = point - (q_mid - q_lo), point + (q_hi - q_mid)
        risk = min(max(point, 0.0), 1.0)
        ci = (min(max(lo, 0.0), 1.0), min(max(hi, 0.0), 1.0))
        return AttackResult(
            name=self.name, kind=REPRODUCTION, metrics={"risk": risk}, ci={"risk": ci},
            n_targets=n_syn,
            details={
                "attack_rate": r_train, "control_rate": r_hold,
                "population_size": size, "train_chunks": n_chunks,
                "chunk_share_of_train": share, "confidence_level": level,
            },
        )

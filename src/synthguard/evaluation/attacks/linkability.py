"""Linkability (Anonymeter's definition): can the synthetic table join two halves of a person?

The adversary holds two tables that each carry some columns of the same people (the known
columns split in two halves). For each target, the nearest synthetic record is searched with
each half; if both searches land on the same synthetic record, the two halves are linked.
Risk is success on train targets beyond success on holdout (control) targets, normalised;
the baseline links at random.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthguard.errors import SchemaError
from synthguard.evaluation.attacks._base import (
    LINKABILITY,
    Attack,
    AttackOptions,
    AttackResult,
    ThreatModel,
    register_attack,
)
from synthguard.evaluation.attacks._neighbors import GowerSpace, gower_nearest
from synthguard.evaluation.attacks._tabular import (
    auxiliary_columns,
    prepare_tables,
    risk_result,
    sample_rows,
)


def split_columns(aux: list[str]) -> tuple[list[str], list[str]]:
    """First half / second half of the known columns, in the order given."""
    if len(aux) < 2:
        raise SchemaError(
            f"linkability needs at least two known columns to split in two, got {aux}"
        )
    half = len(aux) // 2
    return aux[:half], aux[half:]


def count_links(idx0: np.ndarray, idx1: np.ndarray) -> np.ndarray:
    """Per target: do the two neighbour sets share a synthetic record?"""
    return np.array([bool(set(a) & set(b)) for a, b in zip(idx0, idx1, strict=True)])


@register_attack
class LinkabilityAttack(Attack):
    name = "linkability"
    summary = "both halves of a target's columns find the same nearest synthetic record"
    threat = ThreatModel(
        kind=LINKABILITY, min_holdout=20,
        knows="two tables holding disjoint columns of the same people, and the synthetic table",
    )

    def __init__(
        self, *, aux_cols: tuple[list[str], list[str]] | None = None, n_neighbors: int = 1
    ) -> None:
        self.aux_cols = aux_cols
        self.n_neighbors = n_neighbors

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
        if self.aux_cols is not None:
            cols0, cols1 = list(self.aux_cols[0]), list(self.aux_cols[1])
            unknown = [c for c in cols0 + cols1 if c not in set(columns)]
            if unknown:
                raise SchemaError(f"linkability column(s) {unknown} are not in all tables")
        else:
            cols0, cols1 = split_columns(auxiliary_columns(columns, options))
        rng = np.random.default_rng(seed)
        n_attacks = min(options.max_targets // 2, len(train))
        n_control = min(n_attacks, len(holdout))
        k = self.n_neighbors
        targets = sample_rows(train, n_attacks, rng)
        control = sample_rows(holdout, n_control, rng)
        queries = pd.concat([targets, control], ignore_index=True)
        found = []
        for i, cols in enumerate((cols0, cols1)):
            space = GowerSpace(synthetic[cols], queries[cols], cols)
            idx, _ = gower_nearest(space, k=k, progress=options.progress,
                                   stage=f"linkability: half {i + 1}", rng=rng)
            found.append(idx)
        linked = count_links(found[0], found[1])
        n_syn = len(synthetic)
        kk = min(k, n_syn)
        rand0 = np.array([rng.choice(n_syn, kk, replace=False) for _ in range(n_attacks)])
        rand1 = np.array([rng.choice(n_syn, kk, replace=False) for _ in range(n_attacks)])
        n_base = int(count_links(rand0, rand1).sum())
        return risk_result(
            name=self.name, kind=LINKABILITY, n_attacks=(n_attacks, n_attacks, n_control),
            n_success=int(linked[:n_attacks].sum()), n_baseline=n_base,
            n_control=int(linked[n_attacks:].sum()), options=options,
            details={"auxiliary_columns": [cols0, cols1], "n_neighbors": k},
        )

"""Attribute inference (Anonymeter's definition): guess a secret column from the others.

The adversary knows some columns of a target (the listed quasi-identifiers, else all but
the secret), finds the closest synthetic record in Anonymeter's mixed distance and guesses
its secret. Risk is the success on train targets beyond the success on holdout (control)
targets, normalised: ``(attack - control) / (1 - control)``, with Anonymeter's Wilson
interval. A random synthetic row's secret is the baseline the attack must beat.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synthguard.errors import SchemaError
from synthguard.evaluation.attacks._base import (
    ATTRIBUTE_INFERENCE,
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

REGRESSION_MIN_UNIQUE = 20
TOLERANCE = 0.05


def correct_guesses(guesses: pd.Series, secrets: pd.Series, *, regression: bool) -> np.ndarray:
    """Anonymeter's rule: exact match, or relative error <= 5 % for a numeric secret."""
    g = guesses.to_numpy()
    s = secrets.to_numpy()
    if regression:
        gf = pd.to_numeric(pd.Series(g), errors="coerce").to_numpy(dtype=float)
        sf = pd.to_numeric(pd.Series(s), errors="coerce").to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            match = np.abs(gf - sf) / (gf + 1e-12) <= TOLERANCE
    else:
        match = np.asarray(pd.Series(g).astype(str).to_numpy() == pd.Series(s).astype(str)
                           .to_numpy())
    both_null = pd.isna(pd.Series(g)).to_numpy() & pd.isna(pd.Series(s)).to_numpy()
    return np.asarray(match | both_null)


def resolve_secret(columns: list[str], options: AttackOptions, train: pd.DataFrame,
                   synthetic: pd.DataFrame, holdout: pd.DataFrame) -> tuple[str, bool]:
    """The secret column, defaulting to the table's last column (often the label)."""
    if options.secret is None:
        return columns[-1], True
    secret = options.secret
    for label, frame in (("train", train), ("holdout", holdout), ("synthetic", synthetic)):
        if secret not in frame.columns:
            raise SchemaError(
                f"secret column {secret!r} is missing from the {label} table; columns: "
                f"{list(frame.columns)}. Pass secret= with one of them"
            )
    return secret, False


@register_attack
class AttributeInferenceAttack(Attack):
    name = "attribute_inference"
    summary = "nearest synthetic record on the known columns guesses the secret (Anonymeter)"
    threat = ThreatModel(
        kind=ATTRIBUTE_INFERENCE, needs_secret=True, min_holdout=20,
        knows="the synthetic table and the quasi-identifier columns of the target",
    )

    def __init__(self, regression: bool | None = None) -> None:
        self.regression = regression

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
        secret, defaulted = resolve_secret(columns, options, train, synthetic, holdout)
        aux = auxiliary_columns(columns, options, exclude=[secret])
        regression = self.regression
        if regression is None:
            regression = bool(pd.api.types.is_numeric_dtype(train[secret])
                              and train[secret].nunique() > REGRESSION_MIN_UNIQUE)
        rng = np.random.default_rng(seed)
        n_attacks = min(options.max_targets // 2, len(train))
        n_control = min(n_attacks, len(holdout))
        n_baseline = min(len(synthetic), n_attacks)
        targets = sample_rows(train, n_attacks, rng)
        control = sample_rows(holdout, n_control, rng)
        syn_secret = synthetic[secret].reset_index(drop=True)

        queries = pd.concat([targets[aux], control[aux]], ignore_index=True)
        space = GowerSpace(synthetic[aux], queries, aux)
        idx, _ = gower_nearest(space, k=1, progress=options.progress,
                               stage="attribute inference", rng=rng)
        guesses = syn_secret.iloc[idx[:, 0]].reset_index(drop=True)
        hit = correct_guesses(guesses, pd.concat([targets[secret], control[secret]],
                                                 ignore_index=True), regression=regression)
        n_success = int(hit[:n_attacks].sum())
        n_ctrl = int(hit[n_attacks:].sum())
        random_rows = rng.choice(len(synthetic), n_baseline, replace=False)
        base_guess = syn_secret.iloc[random_rows].reset_index(drop=True)
        n_base = int(correct_guesses(base_guess, targets[secret].iloc[:n_baseline]
                                     .reset_index(drop=True), regression=regression).sum())
        return risk_result(
            name=self.name, kind=ATTRIBUTE_INFERENCE,
            n_attacks=(n_attacks, n_baseline, n_control), n_success=n_success,
            n_baseline=n_base, n_control=n_ctrl, options=options,
            details={"secret": secret, "secret_defaulted": defaulted,
                     "auxiliary_columns": aux, "regression": regression},
        )

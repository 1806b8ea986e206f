"""Helpers shared by the Anonymeter-style attacks: columns, targets, result assembly."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synthguard.errors import SchemaError
from synthguard.evaluation.attacks._base import AttackOptions, AttackResult, check_tables
from synthguard.evaluation.attacks._stats import Rate, bind, residual_success, success_rate
from synthguard.evaluation.attacks.membership import HoldoutTooSmallError

MIN_CONTROL = 20


def check_control(holdout: pd.DataFrame, attack: str) -> None:
    if len(holdout) < MIN_CONTROL:
        raise HoldoutTooSmallError(
            f"the holdout has {len(holdout)} rows; the {attack} attack needs at least "
            f"{MIN_CONTROL} control rows to tell leakage from what anyone could guess. "
            "Hold out more rows of the real table"
        )


def prepare_tables(
    attack: str, train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame,
    options: AttackOptions | None,
) -> tuple[AttackOptions, list[str]]:
    """The checks every control-set attack starts with: options, shared columns, control size."""
    columns = check_tables(train, holdout, synthetic)
    check_control(holdout, attack)
    return options or AttackOptions(), columns


def auxiliary_columns(
    columns: Sequence[str], options: AttackOptions, *, exclude: Sequence[str] = ()
) -> list[str]:
    """The columns the adversary knows: the listed quasi-identifiers, else all others."""
    if options.quasi_identifiers:
        unknown = [c for c in options.quasi_identifiers if c not in set(columns)]
        if unknown:
            raise SchemaError(
                f"quasi-identifier column(s) {unknown} are not in train, holdout and synthetic "
                f"tables; shared columns: {list(columns)}"
            )
        aux = [c for c in options.quasi_identifiers if c not in set(exclude)]
    else:
        aux = [c for c in columns if c not in set(exclude)]
    if not aux:
        raise SchemaError("no auxiliary column left for the adversary; list quasi-identifiers "
                          "other than the secret")
    return aux


def sample_rows(frame: pd.DataFrame, n: int, rng: np.random.Generator) -> pd.DataFrame:
    if n >= len(frame):
        return frame.reset_index(drop=True)
    return frame.iloc[np.sort(rng.choice(len(frame), n, replace=False))].reset_index(drop=True)


def risk_result(
    *,
    name: str,
    kind: str,
    n_attacks: tuple[int, int, int],
    n_success: float,
    n_baseline: float,
    n_control: float,
    options: AttackOptions,
    details: dict[str, object],
) -> AttackResult:
    """Anonymeter's EvaluationResults.risk(): residual success over control, Wilson errors."""
    level = options.confidence_level
    attack: Rate = success_rate(n_attacks[0], n_success, level)
    baseline: Rate = success_rate(n_attacks[1], n_baseline, level)
    control: Rate = success_rate(n_attacks[2], n_control, level)
    risk, ci = bind(residual_success(attack, control))
    base_value, base_ci = bind(baseline)
    info = dict(details)
    info.update({
        "attack_rate": attack.value, "baseline_rate": base_value, "control_rate": control.value,
        "baseline_ci": list(base_ci), "n_success": float(n_success),
        "n_baseline_success": float(n_baseline), "n_control_success": float(n_control),
        "confidence_level": level,
        "baseline_beaten": bool(attack.value > baseline.value),
    })
    return AttackResult(
        name=name, kind=kind, metrics={"risk": risk}, ci={"risk": ci},
        n_targets=int(n_attacks[0]), details=info,
    )

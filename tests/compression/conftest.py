"""Shared fixtures: a small Adult split and one tiny distillation run reused by many tests."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from synthguard.compression import DistillConfig, StudentConfig, TeacherConfig, distill
from synthguard.data import load_table, train_holdout_split

TINY_TEACHER = TeacherConfig(hidden=(64, 32), epochs=10, n_estimators=40)
TINY_STUDENT = StudentConfig(hidden=(16, 8), epochs=6, finetune_epochs=2, patience=3)


def tiny_config(**overrides: Any) -> DistillConfig:
    values: dict[str, Any] = {
        "target": "class", "sensitive": ("sex", "race"), "teacher_config": TINY_TEACHER,
        "student": TINY_STUDENT, "prune": 0.5, "transfer_rows": 4000, "latency_repeats": 5,
        "membership_rows": 500, "seed": 0, "max_params_ratio": None,
    }
    values.update(overrides)
    return DistillConfig(**values)


@pytest.fixture(scope="session", name="tiny_config")
def tiny_config_fixture() -> Any:
    """The builder of tiny configs, as a fixture (tests/ is not a package)."""
    return tiny_config


@pytest.fixture(scope="session")
def adult_split() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = load_table("adult").sample(4000, random_state=1).reset_index(drop=True)
    split = train_holdout_split(frame, stratify="class", seed=0)
    return split.train, split.holdout


@pytest.fixture(scope="session")
def tiny_run(adult_split: tuple[pd.DataFrame, pd.DataFrame]) -> Any:
    train, holdout = adult_split
    return distill(train, holdout, tiny_config())

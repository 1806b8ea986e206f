"""Small real tables of different shapes, and generators fitted on them, shared by tests.

Three kinds of table, because an attack that works on one shape can be blind on another:
Adult with mixed columns (continuous + categorical), Adult's categorical columns only (low
cardinality: common records recur, so copies hide among chance matches), and a purely
numeric table from sklearn's make_classification.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification

from synthguard.data import load_table, train_holdout_split
from synthguard.generators import create_generator

CATEGORICAL = ["work_class", "education", "marital_status", "occupation", "relationship",
               "race", "sex", "class"]
KINDS = ("adult_mixed", "adult_categorical", "numeric")


@dataclass(frozen=True)
class Tables:
    train: pd.DataFrame
    holdout: pd.DataFrame
    extra: pd.DataFrame  # real rows from the same population, in neither train nor holdout


@cache
def make_tables(kind: str, n: int = 3000) -> Tables:
    if kind == "numeric":
        x, y = make_classification(n_samples=n + 1000, n_features=6, n_informative=4,
                                   random_state=0)
        frame = pd.DataFrame(x, columns=[f"x{i}" for i in range(6)])
        frame["label"] = np.where(y == 1, "yes", "no")
    else:
        adult = load_table("adult")
        if kind == "adult_categorical":
            adult = adult[CATEGORICAL]
        frame = adult.sample(n + 1000, random_state=0).reset_index(drop=True)
    extra = frame.iloc[n:].reset_index(drop=True)
    split = train_holdout_split(frame.iloc[:n], holdout_fraction=1 / 3, seed=0)
    return Tables(split.train, split.holdout, extra)


@cache
def make_synthetic(kind: str, generator: str, share: float = 0.0) -> pd.DataFrame:
    t = make_tables(kind)
    if generator == "copy_leaky":
        model = create_generator("copy_leaky", copied_share=share).fit(t.train, seed=0)
    else:
        model = create_generator(generator).fit(t.train, seed=0)
    return model.sample(len(t.train), seed=1)


@pytest.fixture
def tables() -> Callable[..., Tables]:
    """``tables(kind)``: train / holdout / extra real rows of one table kind (cached)."""
    return make_tables


@pytest.fixture
def synthetic() -> Callable[..., pd.DataFrame]:
    """``synthetic(kind, generator, share)``: a synthetic table fitted on that train (cached)."""
    return make_synthetic


@pytest.fixture(autouse=True)
def _private_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))

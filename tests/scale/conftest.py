from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from synthguard.data import load_table
from synthguard.generators import create_generator


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))


@pytest.fixture(scope="session")
def adult_small() -> pd.DataFrame:
    return load_table("adult").sample(4000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def copula(adult_small: pd.DataFrame) -> Any:
    return create_generator("gaussian_copula").fit(adult_small, seed=0)


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    """One local Ray (2 CPUs, loopback, no dashboard) per test module."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray

    from synthguard._engine import _quiet_ray_data

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
             object_store_memory=256 * 1024 * 1024, log_to_driver=False)
    _quiet_ray_data()
    try:
        yield ray
    finally:
        ray.shutdown()

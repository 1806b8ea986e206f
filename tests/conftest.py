"""Shared fixtures: an isolated run store per test and small samples of the built-in Adult data."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pandas as pd
import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")  # see synthguard._threads: no oversubscription


@pytest.fixture(autouse=True)
def isolated_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test writes run records to its own SQLite file, never to the user's data dir."""
    path = tmp_path_factory.mktemp("store") / "runs.sqlite"
    monkeypatch.setenv("SYNTHGUARD_STORE", str(path))
    return str(path)


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    from synthguard.data import load_table

    return load_table("adult")


@pytest.fixture(scope="session")
def adult_small(adult: pd.DataFrame) -> pd.DataFrame:
    """3,000 rows of Adult (stratified by nothing; seed fixed)."""
    return adult.sample(3000, random_state=0).reset_index(drop=True)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any attempt to open a network connection (loopback included) inside the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted during an offline test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield

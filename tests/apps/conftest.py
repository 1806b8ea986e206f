"""Fixtures for the workbench tests: a temporary run store and an AppTest on the real entry
script with a small Adult sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from synthguard._commands.app import entry_script

ROWS = 2000


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "runs.sqlite"
    monkeypatch.setenv("SYNTHGUARD_STORE", str(path))
    yield path


@pytest.fixture
def app(store: Path) -> AppTest:
    """The workbench on a 2,000-row sample of Adult, after its first run (the Data page)."""
    at = AppTest.from_file(str(entry_script()), default_timeout=180)
    at.session_state["w.data.rows"] = ROWS
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

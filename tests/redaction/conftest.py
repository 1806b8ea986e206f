from __future__ import annotations

import pytest

from synthguard.redaction import RedactionEngine


@pytest.fixture(scope="session")
def engine() -> RedactionEngine:
    """One loaded engine (spaCy + recognizers) shared by the redaction tests."""
    eng = RedactionEngine(workers=1)
    eng.analyze(["warm-up"])
    return eng


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))

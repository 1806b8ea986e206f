from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from typing import Any

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


@pytest.fixture(scope="session")
def handwritten() -> Any:
    """The hand-written held-back documents (``handwritten.py`` next to this file)."""
    spec = importlib.util.spec_from_file_location("sg_handwritten", Path(__file__).with_name("handwritten.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    """A copy of the shipped NER model that a test may tamper with."""
    from synthguard.redaction._model import SHIPPED_DIR

    target = tmp_path / "ner"
    shutil.copytree(SHIPPED_DIR, target)
    return target

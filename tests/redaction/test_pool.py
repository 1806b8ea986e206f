"""The redaction process pool with spawned workers (what the app and any process that has
loaded torch/JAX use): it never runs the parent's ``__main__`` script, and a worker that cannot
load its engine is an error, not a pool that restarts workers forever."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from synthguard.errors import SynthguardError
from synthguard.redaction import RedactionEngine, batch

TEXTS = ["Please ask Maria Gonzalez to call 020 7946 0958.", "Mail ops@example.com today."] * 4


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the spawn start, as a process with torch/JAX threads running does."""
    monkeypatch.setattr(batch, "_threaded_runtime_loaded", lambda: True)


@pytest.mark.timeout(300)
def test_workers_do_not_run_the_parents_main_script(tmp_path: Path, spawned: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Streamlit (and its AppTest) leave a page script as __main__; here one that fails when run
    script = tmp_path / "page.py"
    script.write_text("raise SystemExit('a page script ran in a redaction worker')\n")
    page = types.ModuleType("__main__")
    page.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", page)
    spans = batch.parallel_map_analyze(RedactionEngine(workers=2), TEXTS, chunk=2)
    assert len(spans) == len(TEXTS)
    found = {(s.entity_type, TEXTS[0][s.start:s.end]) for s in spans[0]}
    assert ("PERSON", "Maria Gonzalez") in found
    assert sys.modules["__main__"] is page  # put back after the pool started


@pytest.mark.timeout(300)
def test_a_worker_that_cannot_load_its_engine_is_an_error(model_copy: Path, spawned: None) -> None:
    (model_copy / "ner" / "model").unlink()  # the parent checks the folder only; workers load it
    engine = RedactionEngine(ner_model=str(model_copy), workers=2)
    with pytest.raises(SynthguardError, match=r"could not load its engine.*IntegrityError"):
        batch.parallel_map_analyze(engine, TEXTS, chunk=2)

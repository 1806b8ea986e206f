"""One contract over every registered text generator (modality == "text")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synthguard.generators import GENERATORS, create_generator, load_generator, save_generator
from synthguard.generators.registry import _load_builtin_plugins

_load_builtin_plugins()

TEXT = [n for n in GENERATORS.names() if GENERATORS.get(n).caps.modality == "text"]
FAST: dict[str, dict[str, Any]] = {
    "dp_lm": {"max_chars": 32, "d_model": 16, "n_layers": 1, "n_heads": 2, "epochs": 1,
              "batch_size": 16, "redact": False},
}
DOCS = [f"Note {i}: Laura Keane called from 555-0{100 + i} about the printer." for i in range(40)]


@pytest.fixture(autouse=True)
def _store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTHGUARD_STORE", str(tmp_path / "runs.sqlite"))


def test_both_text_generators_are_registered() -> None:
    assert {"surrogate_text", "dp_lm"} <= set(TEXT)


@pytest.mark.parametrize("name", TEXT)
def test_text_contract(name: str, tmp_path: Path) -> None:
    frame = pd.DataFrame({"note": DOCS})
    gen = create_generator(name, text_field="note", **FAST.get(name, {})).fit(frame, seed=0)
    out = gen.sample(9, seed=1)
    assert list(out.columns) == ["note"] and len(out) == 9
    assert out["note"].map(type).eq(str).all()
    pd.testing.assert_frame_equal(out, gen.sample(9, seed=1))  # sample never mutates
    spend = gen.privacy_spent()
    assert (spend is not None) == gen.caps.dp
    save_generator(gen, tmp_path / "m")
    assert not [p for p in (tmp_path / "m").iterdir() if p.suffix in (".pkl", ".pickle", ".pt")]
    pd.testing.assert_frame_equal(load_generator(tmp_path / "m").sample(9, seed=1), out)

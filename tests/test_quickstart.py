"""The Python quick start (docs/quickstart.md) runs as written, block after block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

QUICKSTART = Path(__file__).resolve().parents[1] / "docs" / "quickstart.md"


def test_quickstart_code_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", QUICKSTART.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(QUICKSTART), "exec"), namespace)
    assert (tmp_path / "report.html").exists()
    assert (tmp_path / "model" / "manifest.json").exists()

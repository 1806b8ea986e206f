"""Every script a Makefile target runs exists and takes the flags the target passes
(issue 15: `make bench` called benchmarks/quality_vs_sdv.py, which never existed)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_script_named_by_the_makefile_exists_and_takes_its_flags() -> None:
    recipes = [line.strip() for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
               if line.startswith("\t")]
    calls = [(m.group(1), re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line))
             for line in recipes if (m := re.search(r"((?:benchmarks|scripts)/\S+\.py)", line))]
    assert any(script.startswith("benchmarks/") for script, _ in calls), "make bench runs no benchmark"
    for script, flags in calls:
        path = ROOT / script
        assert path.is_file(), f"the Makefile runs {script}, which does not exist"
        source = path.read_text(encoding="utf-8")
        for flag in flags:
            assert f'"{flag}"' in source, f"{script} has no {flag} option (the Makefile passes it)"

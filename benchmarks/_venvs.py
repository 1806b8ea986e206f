"""Rival tools that cannot share the project's environment (Anonymeter pins numpy < 1.27;
mostlyai-engine pulls torchvision/torchaudio that break the CPU torch) live in venvs of their
own, built on first use from the package index and reused while their imports still work."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def rival_venv(venv: Path, probe_imports: str, installs: Sequence[Sequence[str]],
               uninstall: Sequence[str] = ()) -> Path:
    """Python of ``venv``: reused when ``import probe_imports`` works there, else created and
    filled with each ``pip install`` step in order (e.g. the CPU torch before a package that
    would pull another), then ``uninstall`` removed. Returns the venv's python."""
    python = venv / "bin" / "python"
    probe = [str(python), "-c", f"import {probe_imports}"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    for packages in installs:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    if uninstall:
        subprocess.run([str(python), "-m", "pip", "uninstall", "-y", "-q", *uninstall], check=False)
    return python

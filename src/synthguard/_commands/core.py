"""Core commands: generate, evaluate, generators, runs, demo, doctor."""

from __future__ import annotations

import argparse
from typing import Any


def add_parsers(sub: Any) -> None:
    """Register the core commands (filled in below as they land)."""
    _ = (sub, argparse)

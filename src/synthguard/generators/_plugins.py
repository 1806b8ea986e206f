"""The explicit list of modules defining built-in generators. Add a line per new module."""

from __future__ import annotations

import importlib

BUILTIN_MODULES = [
    "synthguard.generators.copula",
    "synthguard.generators.sequential",
    "synthguard.generators.sdv_models",
    "synthguard.generators.dp.aim",
    "synthguard.generators.dp.mst",
    "synthguard.generators.dp.dpgan",
    "synthguard.generators.copy_leaky",
    "synthguard.generators.text.surrogate",
    "synthguard.generators.text.dp_lm",
]


def load_all() -> None:
    for module in BUILTIN_MODULES:
        importlib.import_module(module)

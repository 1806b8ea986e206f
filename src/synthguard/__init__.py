"""synthguard: synthetic data, redaction, distillation and leakage evaluation in one workbench.

Quick start::

    import synthguard
    result = synthguard.synthesize("adult", seed=0)  # default generator: sequential_trees
    result.report.quality, result.report.tstr_trtr_ratio

The one-call entry points live in :mod:`synthguard.api` and are imported on first use, so that
``import synthguard`` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("EvaluationReport", "SynthesisResult", "evaluate", "synthesize")
_LAZY = {"leaderboard": "synthguard.evaluation.leaderboard", "Provenance": "synthguard.evaluation.provenance"}

__all__ = ["__version__", *_API, *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _API:
        from synthguard import api

        return getattr(api, name)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'synthguard' has no attribute {name!r}")

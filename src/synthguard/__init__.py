"""synthguard: synthetic data, redaction, distillation and leakage evaluation in one workbench."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

"""Differentially private generators: AIM and MST (zCDP, Private-PGM) and DP-SGD (opacus).

Each declares ``Capabilities(dp=True, mechanism=..., accountant=...)``, reports its
:class:`~synthguard.generators.base.PrivacySpend`, and exposes ``planned_spend(n_rows)`` so
the ledger can reserve the budget before the data is read. Their ``fit`` charges the
privacy ledger itself (:mod:`synthguard.generators._charged`,
:func:`synthguard.ledger.budget.charge_dp_fit`): there is no uncharged DP fit.
"""

from __future__ import annotations

import os

# Private-PGM compiles a new XLA program whenever the model's cliques change (every AIM
# round); on CPU the compile dominates the fit. Cheaper LLVM passes cut it by ~30 % at no
# measurable cost for these small programs. Only set if the user has not chosen flags, and
# before JAX initialises its backend.
os.environ.setdefault(
    "XLA_FLAGS", "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true")

import jax

# mbi (Private-PGM) asks for float64; set it before any module imports mbi.
jax.config.update("jax_enable_x64", True)
# No persistent cache directory is configured; turning the flag off silences mbi's warning
# that such a cache is counterproductive for its many small programs.
jax.config.update("jax_enable_compilation_cache", False)

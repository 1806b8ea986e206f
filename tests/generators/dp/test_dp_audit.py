"""A short run of benchmarks/dp_audit.py on the fastest mechanism (MST, categorical table):
the empirical ε lower bound never exceeds the claim, while the same attack on a generator
that copies its training rows gives a clearly positive bound (the audit can fail)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def _audit_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dp_audit", ROOT / "benchmarks" / "dp_audit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["dp_audit"] = module
    spec.loader.exec_module(module)
    return module


def test_lower_bound_formula_on_known_rates() -> None:
    audit = _audit_module()
    lb, info = audit.epsilon_lower_bound(np.zeros(80), np.full(80, 5.0), delta=1e-5)
    # a perfect attack on 40 evaluation runs: TPR ≥ 0.91, FPR ≤ 0.09 at 95 % -> ε ≥ ln 10
    assert info["fpr"] == 0.0 and info["tpr"] == 1.0 and lb > 2.0
    lb_same, _ = audit.epsilon_lower_bound(np.zeros(80), np.zeros(80), delta=1e-5)
    assert lb_same == 0.0
    # each ratio must use the pessimistic interval ends: a test that fires more often on D0
    # (FPR 8/10) than on D1 (TPR 6/10) proves nothing
    assert audit.bound_from_counts(6, 10, 8, 10, delta=1e-5) == 0.0
    assert audit.bound_from_counts(10, 10, 0, 10, delta=1e-5) == pytest.approx(
        np.log((0.025 ** 0.1) / (1 - 0.025 ** 0.1)), rel=1e-3)


def test_short_audit_mst_and_leaky_control() -> None:
    audit = _audit_module()
    res = audit.audit("mst", epsilon=1.0, delta=1e-5, runs=16, numeric=False,
                      params={"iters": 100})
    assert res.claimed_epsilon == 1.0
    assert res.epsilon_lb <= res.claimed_epsilon
    control = audit.audit("copy_leaky", epsilon=1.0, delta=1e-5, runs=60, numeric=False,
                          params={"copied_share": 1.0})
    assert control.claimed_epsilon is None
    assert control.tpr == 1.0 and control.fpr == 0.0
    assert control.epsilon_lb > 1.5  # the same attack catches a leaky generator

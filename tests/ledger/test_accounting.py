"""zCDP conversion and composition: checked against closed forms and known bounds."""

from __future__ import annotations

import math

import pytest

from synthguard.ledger.accounting import (
    SpendEntry,
    cdp_delta,
    cdp_eps,
    cdp_rho,
    compose,
    dpsgd_epsilon,
    dpsgd_noise_for_epsilon,
    fits_budget,
)


@pytest.mark.parametrize(("eps", "delta"), [(0.1, 1e-6), (1.0, 1e-6), (3.0, 1e-9), (10.0, 1e-5)])
def test_rho_and_eps_are_inverse(eps: float, delta: float) -> None:
    rho = cdp_rho(eps, delta)
    assert cdp_eps(rho, delta) == pytest.approx(eps, rel=1e-6)
    assert cdp_delta(rho, eps) <= delta * (1 + 1e-9)


@pytest.mark.parametrize("rho", [1e-4, 0.02, 0.5, 3.0])
def test_tight_conversion_beats_the_classic_bound(rho: float) -> None:
    delta = 1e-6
    classic = rho + 2 * math.sqrt(rho * math.log(1 / delta))  # Bun & Steinke 2016
    assert cdp_eps(rho, delta) < classic
    assert cdp_eps(rho, delta) > rho  # never better than the mean of the privacy loss


def test_zcdp_runs_compose_in_rho_below_sequential() -> None:
    rho = cdp_rho(1.0, 1e-6)
    total = compose([SpendEntry(1.0, 1e-6, rho)] * 2, delta_budget=1e-6)
    assert total.rho == pytest.approx(2 * rho)
    assert 1.0 < total.epsilon < 2.0  # tighter than ε adding up
    assert total.delta == pytest.approx(1e-6)
    assert "zCDP" in total.method


def test_mixed_runs_fall_back_to_sequential() -> None:
    rho = cdp_rho(1.0, 1e-6)
    total = compose([SpendEntry(1.0, 1e-6, rho), SpendEntry(0.5, 1e-7, None)],
                    delta_budget=2e-6)
    # zCDP part converted at δ_budget − δ_other, then ε and δ add
    assert total.epsilon == pytest.approx(cdp_eps(rho, 2e-6 - 1e-7) + 0.5)
    assert total.delta == pytest.approx(2e-6)
    assert total.method.startswith("mixed")
    ok, _ = fits_budget([SpendEntry(1.0, 1e-6, rho), SpendEntry(0.5, 1e-7, None)],
                        epsilon=1.4, delta=2e-6)
    assert not ok


def test_dpsgd_noise_reaches_target_epsilon() -> None:
    sigma = dpsgd_noise_for_epsilon(target_epsilon=1.0, sample_rate=0.05, steps=200,
                                    delta=1e-5, extra_rho=1e-3)
    eps = dpsgd_epsilon(noise_multiplier=sigma, sample_rate=0.05, steps=200, delta=1e-5,
                        extra_rho=1e-3)
    assert 0.95 <= eps <= 1.0
    more_noise = dpsgd_epsilon(noise_multiplier=2 * sigma, sample_rate=0.05, steps=200,
                               delta=1e-5)
    assert more_noise < eps

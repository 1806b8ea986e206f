"""Privacy accounting helpers: zCDP <-> (ε, δ), RDP of DP-SGD, and composition of a ledger.

Why here and not in the generators: the ledger must compose spends of any mechanism without
importing model code. Conventions (stated in every ledger answer):

* zCDP mechanisms (AIM, MST, the DP histograms used for discretisation) compose by adding ρ;
  the total is converted to (ε, δ) with the tight conversion of Canonne, Kamath & Steinke
  (2020, "The Discrete Gaussian for Differential Privacy", Prop. 12 / Cor. 13).
* DP-SGD runs carry the (ε, δ) of their RDP/PRV accountant (opacus) and compose with the
  rest sequentially: ε and δ add.
* A mixed history is therefore (ε_z(δ_z) + Σε_o, δ_z + Σδ_o) where the zCDP part is converted
  at δ_z = (budget δ − Σδ_o), the tightest valid choice.

Neighbouring datasets are add/remove-one-record throughout.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_ITERS = 200  # bisection steps; 200 is far past float precision


def cdp_delta(rho: float, eps: float) -> float:
    """Smallest δ such that ρ-zCDP implies (ε, δ)-DP (tight, CKS 2020)."""
    if rho < 0 or eps < 0:
        raise ValueError("rho and eps must be non-negative")
    if rho == 0:
        return 0.0
    amin, amax = 1.01, (eps + 1.0) / (2.0 * rho) + 2.0
    alpha = amin
    for _ in range(_ITERS):
        alpha = (amin + amax) / 2.0
        derivative = (2.0 * alpha - 1.0) * rho - eps + math.log1p(-1.0 / alpha)
        if derivative < 0:
            amin = alpha
        else:
            amax = alpha
    log_delta = (alpha - 1.0) * (alpha * rho - eps) + alpha * math.log1p(-1.0 / alpha)
    delta = math.exp(min(log_delta, 0.0)) / (alpha - 1.0)
    return min(delta, 1.0)


def cdp_eps(rho: float, delta: float) -> float:
    """Smallest ε such that ρ-zCDP implies (ε, δ)-DP (tight, CKS 2020)."""
    if not delta > 0:
        raise ValueError("delta must be positive to convert zCDP to (eps, delta)")
    if delta >= 1 or rho == 0:
        return 0.0
    lo, hi = 0.0, rho + 2.0 * math.sqrt(rho * math.log(1.0 / delta))
    for _ in range(_ITERS):
        mid = (lo + hi) / 2.0
        if cdp_delta(rho, mid) <= delta:
            hi = mid
        else:
            lo = mid
    return hi


def cdp_rho(eps: float, delta: float) -> float:
    """Largest ρ such that ρ-zCDP implies (ε, δ)-DP (tight, CKS 2020)."""
    if eps <= 0 or not 0 < delta < 1:
        raise ValueError("need eps > 0 and 0 < delta < 1")
    lo, hi = 0.0, eps + 1.0
    for _ in range(_ITERS):
        mid = (lo + hi) / 2.0
        if cdp_delta(mid, eps) <= delta:
            lo = mid
        else:
            hi = mid
    return lo


def gaussian_sigma(rho: float, sensitivity: float = 1.0) -> float:
    """Noise scale of the Gaussian mechanism that is ρ-zCDP for an L2 sensitivity."""
    return sensitivity / math.sqrt(2.0 * rho)


def exp_mech_rho(epsilon: float) -> float:
    """The exponential mechanism with parameter ε is ε²/8-zCDP (Cesar & Rogers 2021)."""
    return epsilon**2 / 8.0


# -- DP-SGD (RDP) -------------------------------------------------------------------------

RDP_ORDERS: tuple[float, ...] = tuple(
    [1.0 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)) + [80.0, 128.0, 256.0]
)


def dpsgd_epsilon(
    *, noise_multiplier: float, sample_rate: float, steps: int, delta: float,
    extra_rho: float = 0.0,
) -> float:
    """ε of ``steps`` Poisson-subsampled Gaussian steps (opacus RDP analysis), with an
    optional ρ-zCDP mechanism composed in RDP (ρ-zCDP is (α, ρα)-RDP for every α)."""
    from opacus.accountants.analysis.rdp import compute_rdp, get_privacy_spent

    orders = list(RDP_ORDERS)
    rdp = compute_rdp(q=sample_rate, noise_multiplier=noise_multiplier, steps=steps,
                      orders=orders)
    total = [float(r) + extra_rho * a for r, a in zip(rdp, orders, strict=True)]
    eps, _ = get_privacy_spent(orders=orders, rdp=total, delta=delta)
    return float(eps)


def dpsgd_noise_for_epsilon(
    *, target_epsilon: float, sample_rate: float, steps: int, delta: float,
    extra_rho: float = 0.0,
) -> float:
    """Smallest noise multiplier whose RDP ε (with ``extra_rho`` composed in) is ≤ target."""
    if extra_rho > 0:
        floor = cdp_eps(extra_rho, delta)
        if floor >= target_epsilon:
            raise ValueError("the zCDP part alone already exceeds the target epsilon")
    lo, hi = 0.05, 1.0
    while dpsgd_epsilon(noise_multiplier=hi, sample_rate=sample_rate, steps=steps,
                        delta=delta, extra_rho=extra_rho) > target_epsilon:
        hi *= 2.0
        if hi > 1e4:
            raise ValueError("target epsilon is unreachable with DP-SGD at these settings")
    while hi - lo > 1e-3 * hi:
        mid = (lo + hi) / 2.0
        eps = dpsgd_epsilon(noise_multiplier=mid, sample_rate=sample_rate, steps=steps,
                            delta=delta, extra_rho=extra_rho)
        if eps > target_epsilon:
            lo = mid
        else:
            hi = mid
    return hi


# -- composition of a ledger ---------------------------------------------------------------


@dataclass(frozen=True)
class SpendEntry:
    """One recorded (or reserved) spend, as the ledger composes it."""

    epsilon: float
    delta: float
    rho: float | None = None  # set for zCDP mechanisms: they compose in ρ


@dataclass(frozen=True)
class Composition:
    """The (ε, δ) of a set of spends and how it was obtained."""

    epsilon: float
    delta: float
    rho: float  # total ρ of the zCDP part (0 when none)
    method: str  # "none" | "zCDP (ρ adds, tight conversion)" | "sequential" | "mixed: ..."
    n_zcdp: int
    n_other: int

    def to_dict(self) -> dict[str, Any]:
        return {"epsilon": self.epsilon, "delta": self.delta, "rho": self.rho,
                "method": self.method, "n_zcdp": self.n_zcdp, "n_other": self.n_other}


ZCDP_METHOD = "zCDP: ρ adds, converted with the tight conversion (Canonne-Kamath-Steinke 2020)"
SEQ_METHOD = "sequential composition: ε and δ add"


def compose(entries: Sequence[SpendEntry] | Iterable[SpendEntry], *,
            delta_budget: float | None = None) -> Composition:
    """Compose ``entries``; the zCDP part is converted at δ_budget − Σδ_other when a budget
    δ is given, else at the sum of the δ its runs asked for."""
    entries = list(entries)
    zcdp = [e for e in entries if e.rho is not None]
    other = [e for e in entries if e.rho is None]
    rho = sum(e.rho for e in zcdp if e.rho is not None)
    eps_o = sum(e.epsilon for e in other)
    delta_o = sum(e.delta for e in other)
    if not entries:
        return Composition(0.0, 0.0, 0.0, "none", 0, 0)
    if zcdp:
        delta_z = (delta_budget - delta_o if delta_budget is not None
                   else sum(e.delta for e in zcdp))
        eps_z = cdp_eps(rho, delta_z) if delta_z > 0 else math.inf
    else:
        delta_z, eps_z = 0.0, 0.0
    if zcdp and other:
        method = f"mixed: {ZCDP_METHOD}; then {SEQ_METHOD} with the other runs"
    elif zcdp:
        method = ZCDP_METHOD
    else:
        method = SEQ_METHOD
    return Composition(eps_z + eps_o, delta_z + delta_o, rho, method, len(zcdp), len(other))


def fits_budget(entries: Sequence[SpendEntry], *, epsilon: float, delta: float,
                tol: float = 1e-9) -> tuple[bool, Composition]:
    """Whether ``entries`` compose within the budget (ε, δ)."""
    total = compose(entries, delta_budget=delta)
    ok = total.epsilon <= epsilon * (1 + tol) + tol and total.delta <= delta * (1 + tol)
    return ok, total


__all__ = [
    "SEQ_METHOD",
    "ZCDP_METHOD",
    "Composition",
    "SpendEntry",
    "cdp_delta",
    "cdp_eps",
    "cdp_rho",
    "compose",
    "dpsgd_epsilon",
    "dpsgd_noise_for_epsilon",
    "exp_mech_rho",
    "fits_budget",
    "gaussian_sigma",
]

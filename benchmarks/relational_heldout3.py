"""A third held-out relational schema: a seeded insurer, 3 tables, depth 2 (a star).

``holders -> policies`` and ``holders -> claims``, written on 2026-12-06 after every default
of the relational generators was chosen, to check how the figures carry over once more:
string keys, a 12-level region, heavy-tailed claim amounts (Pareto), heaped excesses, a
nullable settlement delay (open claims), a rare fraud flag, a premium driven by the
holder's age and smoking, and claims that depend on the holder's products. Every value is
drawn from the distributions written below; no real data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthguard.data.relational import (
    RelationalData,
    RelationalMetadata,
    Relationship,
    TableMeta,
    validate,
)

REGIONS = [f"R{i:02d}" for i in range(12)]


def heldout_insurer(n_holders: int = 600, *, seed: int = 23) -> RelationalData:
    """The insurer (3 tables, depth 2; HMA can model it)."""
    rng = np.random.default_rng(seed)
    n = n_holders
    age = np.clip(rng.normal(47, 15, n), 18, 95).round()
    smoker = rng.random(n) < np.where(age < 40, 0.22, 0.14)
    region = rng.choice(REGIONS, n, p=np.r_[np.full(4, 0.15), np.full(8, 0.05)])
    income_band = np.array(["low", "mid", "high"])[np.digitize(rng.normal(0, 1, n) + (age - 47) / 40,
                                                               [-0.6, 0.9])]
    since = pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.uniform(0, 7000, n).round(), unit="D")
    holders = pd.DataFrame({
        "holder_id": [f"PH-{i:06d}" for i in range(n)], "age": age.astype(int), "smoker": smoker,
        "region": region, "income_band": income_band,
        "household": rng.choice([1, 2, 3, 4, 5], n, p=[0.3, 0.35, 0.15, 0.15, 0.05]),
        "customer_since": since})

    n_pol = 1 + rng.binomial(2, np.where(income_band == "high", 0.5, 0.25))
    owner = np.repeat(np.arange(n), n_pol)
    m = owner.size
    product = rng.choice(["motor", "home", "travel", "pet"], m, p=[0.45, 0.3, 0.15, 0.1])
    premium = np.select([product == "motor", product == "home", product == "travel"],
                        [rng.lognormal(6.4, 0.35, m) * (1 + 0.6 * (age[owner] < 25)),
                         rng.lognormal(5.9, 0.3, m), rng.lognormal(3.8, 0.5, m)],
                        rng.lognormal(5.2, 0.3, m)) * (1 + 0.25 * smoker[owner])
    excess = np.where(product == "travel", rng.choice([0, 50, 100], m),
                      rng.choice([100, 250, 500, 1000], m, p=[0.2, 0.4, 0.3, 0.1]))
    start = since[owner] + pd.to_timedelta(rng.exponential(900, m).round(), unit="D")
    policies = pd.DataFrame({
        "policy_id": [f"POL{i:07d}" for i in range(m)], "holder_id": holders["holder_id"].to_numpy()[owner],
        "product": product, "premium": premium.round(2), "excess": excess,
        "term_months": np.where(product == "travel", rng.choice([1, 12], m, p=[0.7, 0.3]), 12),
        "start_date": start, "channel": rng.choice(["broker", "direct", "aggregator"], m, p=[0.25, 0.35, 0.4]),
        "auto_renew": rng.random(m) < 0.65})

    motor = np.bincount(owner[product == "motor"], minlength=n)
    rate = 0.25 + 0.35 * (motor > 0) + 0.2 * (age < 25)
    n_claims = rng.poisson(rate)
    claimant = np.repeat(np.arange(n), n_claims)
    k = claimant.size
    peril = np.where(motor[claimant] > 0, rng.choice(["collision", "theft", "glass", "water", "other"], k,
                                                     p=[0.45, 0.1, 0.2, 0.1, 0.15]),
                     rng.choice(["water", "theft", "fire", "other"], k, p=[0.45, 0.2, 0.05, 0.3]))
    amount = np.where(peril == "glass", rng.uniform(80, 600, k),
                      (rng.pareto(1.6, k) + 1) * np.where(peril == "fire", 4000, 700)).round(2)
    status = rng.choice(["settled", "open", "rejected"], k, p=[0.72, 0.18, 0.10])
    delay = np.where(status == "open", np.nan, rng.gamma(2.0, 20 + amount / 400).round())
    reported = since[claimant] + pd.to_timedelta(rng.uniform(30, 2500, k).round(), unit="D")
    claims = pd.DataFrame({
        "claim_id": [f"CL-{i:06d}" for i in range(k)], "holder_id": holders["holder_id"].to_numpy()[claimant],
        "peril": peril, "amount": amount, "status": status, "days_to_settle": delay,
        "reported": reported, "fraud_flag": rng.random(k) < np.where(amount > 5000, 0.08, 0.015)})

    meta = {
        "holders": TableMeta("holders", {
            "holder_id": "id", "age": "numerical", "smoker": "boolean", "region": "categorical",
            "income_band": "categorical", "household": "numerical", "customer_since": "datetime"},
            "holder_id", "customer_since"),
        "policies": TableMeta("policies", {
            "policy_id": "id", "holder_id": "id", "product": "categorical", "premium": "numerical",
            "excess": "numerical", "term_months": "numerical", "start_date": "datetime",
            "channel": "categorical", "auto_renew": "boolean"}, "policy_id", "start_date"),
        "claims": TableMeta("claims", {
            "claim_id": "id", "holder_id": "id", "peril": "categorical", "amount": "numerical",
            "status": "categorical", "days_to_settle": "numerical", "reported": "datetime",
            "fraud_flag": "boolean"}, "claim_id", "reported"),
    }
    rels = (Relationship("holders", "holder_id", "policies", "holder_id"),
            Relationship("holders", "holder_id", "claims", "holder_id"))
    return validate({"holders": holders, "policies": policies, "claims": claims},
                    RelationalMetadata(meta, rels))

"""A second held-out relational schema: a seeded building society, 3 tables, depth 2.

``clients -> accounts`` and ``clients -> loans``, written *after* every default of the
relational generators was chosen (2026-12-05), so no default was tuned on it: a check of how
the figures measured on the first held-out bank (:mod:`relational_heldout`) carry over to a
schema of the same shape with other columns. Wider tables than the first bank (9–11 columns),
integer keys, a nullable income and a nullable close date, a 20-level skewed categorical, a
zero-inflated count, heaped rates and terms, both-sign balances, booleans, and dependencies
across tables (a client's risk band drives loan rates, arrears and missed payments). Every
value is drawn from the distributions written below; no real data.
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

AREAS = [f"area_{i:02d}" for i in range(20)]


def heldout_bank2(n_clients: int = 600, *, seed: int = 11) -> RelationalData:
    """The building society (3 tables, depth 2; HMA can model it)."""
    rng = np.random.default_rng(seed)
    n = n_clients
    birth_year = rng.integers(1940, 2006, n)
    age = 2026 - birth_year
    employment = np.where(age >= 66, np.where(rng.random(n) < 0.85, "retired", "employed"),
                          rng.choice(["employed", "self_employed", "student", "unemployed"], n,
                                     p=[0.7, 0.15, 0.08, 0.07]))
    employment = np.where((age < 24) & (rng.random(n) < 0.5), "student", employment)
    base = {"employed": 10.4, "self_employed": 10.6, "retired": 9.9, "student": 8.9,
            "unemployed": 8.7}
    income = np.exp(np.array([base[e] for e in employment]) + rng.normal(0, 0.5, n)).round(-2)
    income = np.where(rng.random(n) < 0.06, np.nan, income)
    dependants = np.where((age > 25) & (age < 60), rng.poisson(1.1, n), rng.poisson(0.2, n))
    area = rng.choice(AREAS, n, p=np.r_[np.full(5, 0.1), np.full(15, 0.5 / 15)])
    risk_score = (np.nan_to_num(np.log(income), nan=9.5) - 9.5) * 1.5 + rng.normal(0, 0.8, n) \
        - (employment == "unemployed") * 1.5
    risk_band = np.array(list("EDCBA"))[np.digitize(risk_score, [-1.5, -0.5, 0.5, 1.5])]
    joined = pd.Timestamp("2001-01-01") + pd.to_timedelta(
        np.minimum(rng.exponential(2500, n), 9000).round(), unit="D")
    clients = pd.DataFrame({
        "client_no": np.arange(100001, 100001 + n), "birth_year": birth_year,
        "gender": rng.choice(["f", "m", "x"], n, p=[0.5, 0.48, 0.02]),
        "marital": np.where(age < 25, "single", rng.choice(
            ["single", "married", "divorced", "widowed"], n, p=[0.3, 0.5, 0.15, 0.05])),
        "employment": employment, "annual_income": income, "dependants": dependants,
        "postcode_area": area, "risk_band": risk_band, "joined": joined,
        "vip": (np.nan_to_num(income) > 90000) & (rng.random(n) < 0.7)})

    n_acc = 1 + rng.binomial(3, np.where(clients["vip"], 0.6, 0.2))
    owner = np.repeat(np.arange(n), n_acc)
    m = owner.size
    kind = np.array([rng.choice(["current", "savings", "fixed_term", "junior"],
                                p=[0.55, 0.3, 0.1, 0.05] if dependants[o] else [0.6, 0.3, 0.1, 0.0])
                     for o in owner])
    monthly = np.nan_to_num(income[owner], nan=30000) / 12
    balance = np.select([kind == "current", kind == "savings", kind == "fixed_term"],
                        [rng.normal(monthly * 0.3, monthly * 0.5),
                         rng.lognormal(0, 1.1, m) * monthly * 3,
                         rng.choice([5000, 10000, 25000, 50000], m, p=[0.4, 0.3, 0.2, 0.1])],
                        rng.lognormal(6.5, 1.0, m)).round(2)
    inflow = np.where(kind == "current", monthly * rng.uniform(0.6, 1.1, m),
                      rng.exponential(120, m) * (rng.random(m) < 0.4)).round(2)
    interest = np.select([kind == "current", kind == "savings", kind == "fixed_term"],
                         [0.0, rng.choice([1.5, 2.25, 3.1], m, p=[0.5, 0.3, 0.2]),
                          rng.choice([3.75, 4.2, 4.6], m)], 2.5)
    opened = joined[owner] + pd.to_timedelta(rng.exponential(300, m).round(), unit="D")
    closed = pd.Series(opened + pd.to_timedelta(rng.uniform(90, 2500, m).round(), unit="D"))
    closed[rng.random(m) > 0.15] = pd.NaT
    accounts = pd.DataFrame({
        "acct_no": np.arange(5000001, 5000001 + m), "client_no": clients["client_no"].to_numpy()[owner],
        "kind": kind, "currency": rng.choice(["GBP", "EUR", "USD"], m, p=[0.9, 0.07, 0.03]),
        "balance": balance, "avg_inflow": inflow, "interest_rate": interest, "opened": opened,
        "closed": closed.to_numpy(), "channel": rng.choice(["branch", "online", "app", "phone"], m,
                                                           p=[0.3, 0.3, 0.35, 0.05])})

    p_loan = np.select([risk_band == "A", risk_band == "B", risk_band == "C"], [0.45, 0.4, 0.3], 0.15)
    n_loans = np.where(rng.random(n) < p_loan, 1 + rng.binomial(2, 0.25, n), 0)
    borrower = np.repeat(np.arange(n), n_loans)
    k = borrower.size
    purpose = rng.choice(["car", "home_improvement", "debt_consolidation", "mortgage", "holiday",
                          "education"], k, p=[0.25, 0.2, 0.2, 0.15, 0.1, 0.1])
    term_years = np.where(purpose == "mortgage", rng.choice([15, 25, 30], k),
                          rng.choice([1, 2, 3, 5, 7], k, p=[0.1, 0.2, 0.3, 0.3, 0.1]))
    amount = np.round(np.nan_to_num(income[borrower], nan=30000) * np.where(
        purpose == "mortgage", rng.uniform(2.5, 4.5, k), rng.uniform(0.05, 0.5, k)) / 500) * 500
    band = risk_band[borrower]
    apr = (np.select([band == "A", band == "B", band == "C", band == "D"], [4.9, 6.9, 9.9, 14.9], 19.9)
           - (purpose == "mortgage") * 2.5 + rng.normal(0, 0.4, k)).round(1)
    arrears_p = np.select([band == "A", band == "B", band == "C", band == "D"], [0.02, 0.05, 0.1, 0.2], 0.35)
    status = np.where(rng.random(k) < arrears_p, "arrears",
                      np.where(rng.random(k) < 0.3, "paid_off", "current"))
    missed = np.where(status == "arrears", 1 + rng.poisson(2.0, k), rng.poisson(0.1, k))
    start = joined[borrower] + pd.to_timedelta(rng.uniform(60, 4000, k).round(), unit="D")
    loans = pd.DataFrame({
        "loan_no": np.arange(900001, 900001 + k), "client_no": clients["client_no"].to_numpy()[borrower],
        "purpose": purpose, "amount": amount, "term_years": term_years, "apr": apr,
        "status": status, "missed_payments": missed, "secured": purpose == "mortgage",
        "start": start})

    meta = {
        "clients": TableMeta("clients", {
            "client_no": "id", "birth_year": "numerical", "gender": "categorical",
            "marital": "categorical", "employment": "categorical", "annual_income": "numerical",
            "dependants": "numerical", "postcode_area": "categorical", "risk_band": "categorical",
            "joined": "datetime", "vip": "boolean"}, "client_no", "joined"),
        "accounts": TableMeta("accounts", {
            "acct_no": "id", "client_no": "id", "kind": "categorical", "currency": "categorical",
            "balance": "numerical", "avg_inflow": "numerical", "interest_rate": "numerical",
            "opened": "datetime", "closed": "datetime", "channel": "categorical"},
            "acct_no", "opened"),
        "loans": TableMeta("loans", {
            "loan_no": "id", "client_no": "id", "purpose": "categorical", "amount": "numerical",
            "term_years": "numerical", "apr": "numerical", "status": "categorical",
            "missed_payments": "numerical", "secured": "boolean", "start": "datetime"},
            "loan_no", "start"),
    }
    rels = (Relationship("clients", "client_no", "accounts", "client_no"),
            Relationship("clients", "client_no", "loans", "client_no"))
    return validate({"clients": clients, "accounts": accounts, "loans": loans},
                    RelationalMetadata(meta, rels))

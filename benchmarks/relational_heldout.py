"""A held-out relational schema for the relational benchmarks: a seeded retail bank.

``customers -> accounts -> transactions`` and ``customers -> loans`` (4 tables, depth 3); its
3-table sub-schema ``customers -> accounts, customers -> loans`` (depth 2) is what SDV's HMA can
model. Written for the benchmark and deliberately *not* the toy bank of the tests
(``synthguard.data._toy_relational``) the generator was developed on: string ids, skewed
categoricals with many levels, a nullable column that depends on another (overdraft limit only
on current accounts), negative balances, integer scores, booleans, event times with bursty
gaps, loans with terms and defaults driven by the customer's credit score. Every value is drawn
from the distributions written below; no real data.

    .venv/bin/python benchmarks/relational_heldout.py OUT_DIR [--customers 1000] [--seed 7]
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from synthguard.data.relational import RelationalData, RelationalMetadata, TableMeta, validate

REGIONS = ["london", "south_east", "north_west", "midlands", "scotland", "wales", "south_west",
           "north_east"]
MCC = ["grocery", "fuel", "restaurants", "travel", "utilities", "online", "pharmacy", "clothing",
       "electronics", "entertainment", "cash", "other"]


def heldout_bank(n_customers: int = 1000, *, seed: int = 7, full: bool = True) -> RelationalData:
    """The held-out bank (``full``: 4 tables, depth 3; else the 3-table HMA sub-schema)."""
    rng = np.random.default_rng(seed)
    n = n_customers
    age = rng.integers(18, 86, n)
    income = np.exp(rng.normal(10.1 + 0.012 * np.minimum(age, 55), 0.55, n)).round(0)
    region = rng.choice(REGIONS, n, p=[0.22, 0.18, 0.14, 0.14, 0.1, 0.06, 0.1, 0.06])
    segment = np.where(income > 60000, np.where(rng.random(n) < 0.25, "business", "affluent"),
                       np.where(rng.random(n) < 0.05, "business", "retail"))
    score = np.clip(np.round(520 + 2.2 * age + 0.0018 * income + rng.normal(0, 60, n)), 300, 850)
    since = pd.Timestamp("2008-01-01") + pd.to_timedelta(
        rng.uniform(0, 5000, n).round(), unit="D")
    customers = pd.DataFrame({
        "customer_id": [f"C{i:06d}" for i in range(1, n + 1)], "age": age, "income": income,
        "region": region, "segment": segment, "credit_score": score.astype(int),
        "since": since, "e_statements": rng.random(n) < np.clip((70 - age) / 60, 0.1, 0.9)})

    n_acc = 1 + rng.poisson(np.select([segment == "business", segment == "affluent"],
                                      [2.2, 1.6], 0.7))
    owner = np.repeat(np.arange(n), n_acc)
    m = owner.size
    products = np.array(["current", "savings", "credit_card", "isa", "business"])
    probs = {"retail": [0.5, 0.2, 0.25, 0.05, 0.0], "affluent": [0.3, 0.25, 0.2, 0.25, 0.0],
             "business": [0.25, 0.1, 0.15, 0.05, 0.45]}
    product = np.array([rng.choice(products, p=probs[segment[c]]) for c in owner])
    opened = since[owner] + pd.to_timedelta(rng.exponential(400, m).round(), unit="D")
    base = income[owner] / 12
    balance = np.select(
        [product == "credit_card", product == "savings", product == "isa"],
        [-rng.gamma(2.0, base / 6), rng.lognormal(0, 0.9, m) * base * 2,
         rng.lognormal(0, 0.5, m) * base * 3],
        rng.normal(base * 0.8, base * 0.6)).round(2)
    overdraft = np.where(product == "current",
                         rng.choice([250, 500, 1000, 2000], m, p=[0.4, 0.3, 0.2, 0.1]) *
                         np.where(score[owner] > 650, 2, 1), np.nan)
    status = np.where(rng.random(m) < 0.08, "dormant",
                      np.where(rng.random(m) < 0.05, "closed", "active"))
    accounts = pd.DataFrame({
        "account_id": [f"A{i:07d}" for i in range(1, m + 1)],
        "customer_id": customers["customer_id"].to_numpy()[owner], "product": product,
        "opened": opened, "balance": balance, "overdraft_limit": overdraft, "status": status})
    meta = {
        "customers": TableMeta("customers", {
            "customer_id": "id", "age": "numerical", "income": "numerical", "region": "categorical",
            "segment": "categorical", "credit_score": "numerical", "since": "datetime",
            "e_statements": "boolean"}, "customer_id", "since"),
        "accounts": TableMeta("accounts", {
            "account_id": "id", "customer_id": "id", "product": "categorical", "opened": "datetime",
            "balance": "numerical", "overdraft_limit": "numerical", "status": "categorical"},
            "account_id", "opened"),
    }
    rels = [("customers", "customer_id", "accounts", "customer_id")]
    tables = {"customers": customers, "accounts": accounts}

    has_loan = rng.random(n) < np.clip((score - 450) / 700, 0.05, 0.6)
    n_loans = np.where(has_loan, 1 + rng.binomial(2, 0.2, n), 0)
    borrower = np.repeat(np.arange(n), n_loans)
    k = borrower.size
    term = rng.choice([12, 24, 36, 48, 60, 120, 300], k, p=[0.1, 0.15, 0.25, 0.15, 0.2, 0.05, 0.1])
    principal = np.round(income[borrower] * rng.uniform(0.1, 0.8, k) *
                         np.where(term >= 120, 6, 1), -2)
    rate = np.clip(14 - 0.012 * score[borrower] + rng.normal(0, 1.2, k) + (term >= 120) * -1.5,
                   1.5, 29.9).round(2)
    start = since[borrower] + pd.to_timedelta(rng.uniform(30, 3000, k).round(), unit="D")
    default_p = 1 / (1 + np.exp((score[borrower] - 560) / 45))
    loans = pd.DataFrame({
        "loan_id": [f"L{i:06d}" for i in range(1, k + 1)],
        "customer_id": customers["customer_id"].to_numpy()[borrower], "principal": principal,
        "rate": rate, "term_months": term, "start": start,
        "defaulted": np.where(rng.random(k) < default_p, "yes", "no")})
    tables["loans"] = loans
    meta["loans"] = TableMeta("loans", {
        "loan_id": "id", "customer_id": "id", "principal": "numerical", "rate": "numerical",
        "term_months": "numerical", "start": "datetime", "defaulted": "categorical"},
        "loan_id", "start")
    rels.append(("customers", "customer_id", "loans", "customer_id"))

    if full:
        active = accounts["status"].to_numpy() != "closed"
        rate_per_day = np.select([product == "current", product == "credit_card",
                                  product == "business"], [0.5, 0.3, 0.8], 0.03) * active
        n_tx = rng.poisson(rate_per_day * 60)
        acc = np.repeat(np.arange(m), n_tx)
        t = acc.size
        burst = rng.random(t) < 0.3
        gaps_h = np.where(burst, rng.exponential(2.0, t), rng.exponential(24 / np.maximum(
            rate_per_day[acc], 0.01), t))
        offset_h = pd.Series(gaps_h).groupby(acc).cumsum().to_numpy() + 24 * 30
        ts = opened[acc] + pd.to_timedelta(np.round(offset_h * 60), unit="min")
        channel = np.array([rng.choice(["card", "transfer", "atm", "direct_debit"],
                                       p=[0.6, 0.15, 0.1, 0.15] if product[a] != "business"
                                       else [0.3, 0.5, 0.02, 0.18]) for a in acc])
        mcc = np.where(channel == "card", rng.choice(MCC, t, p=[0.25, 0.08, 0.12, 0.05, 0.02, 0.2,
                                                               0.04, 0.08, 0.04, 0.06, 0.0, 0.06]),
                       np.where(channel == "atm", "cash", "other"))
        size = np.select([channel == "transfer", channel == "direct_debit", channel == "atm"],
                         [rng.lognormal(5.5, 1.0, t), rng.lognormal(4.2, 0.6, t),
                          rng.choice([20, 50, 100, 200], t).astype(float)],
                         rng.lognormal(3.0, 0.9, t))
        sign = np.where((channel == "transfer") & (rng.random(t) < 0.45), 1.0, -1.0)
        transactions = pd.DataFrame({
            "txn_id": np.arange(1, t + 1), "account_id": accounts["account_id"].to_numpy()[acc],
            "ts": ts, "amount": (sign * size).round(2), "channel": channel, "mcc": mcc})
        tables["transactions"] = transactions
        meta["transactions"] = TableMeta("transactions", {
            "txn_id": "id", "account_id": "id", "ts": "datetime", "amount": "numerical",
            "channel": "categorical", "mcc": "categorical"}, "txn_id", "ts")
        rels.append(("accounts", "account_id", "transactions", "account_id"))
    from synthguard.data.relational import Relationship

    metadata = RelationalMetadata(meta, tuple(Relationship(*r) for r in rels))
    return validate(tables, metadata)


# what the bank itself knows without looking at its customers' rows (its product catalogue and
# the score scale it uses), declared as metadata public facts: ``--public-facts`` of
# relational_vs_hma.py; every figure without that flag declares none
PUBLIC_FACTS = {
    "customers": {
        "age": {"bounds": [18, 120], "source": "accounts are for adults; 120: a stated cap"},
        "credit_score": {"bounds": [300, 850], "source": "the credit score's published scale"},
        "since": {"bounds": ["2000-01-01", "2030-01-01"], "source": "the bank's records start in 2000"}},
    "accounts": {
        "overdraft_limit": {"values": [250, 500, 1000, 2000, 4000],
                            "source": "overdraft tiers of the product catalogue"}},
    "loans": {
        "term_months": {"values": [12, 24, 36, 48, 60, 120, 300],
                        "source": "loan terms of the product catalogue"},
        "rate": {"bounds": [0, 30], "source": "rates offered: 0-30 % (catalogue)"}},
}


def with_public_facts(data: RelationalData) -> RelationalData:
    """``data`` with :data:`PUBLIC_FACTS` declared in its metadata (tables present only)."""
    raw = data.metadata.to_dict()
    for table, columns in PUBLIC_FACTS.items():
        for column, facts in columns.items():
            if table in raw["tables"]:
                raw["tables"][table]["columns"][column].update(facts)
    return RelationalData(data.tables, RelationalMetadata.from_dict(raw), data.report)


def main() -> None:
    from synthguard.data.relational import write_tables

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hma-subschema", action="store_true", help="3 tables, depth 2")
    args = parser.parse_args()
    data = heldout_bank(args.customers, seed=args.seed, full=not args.hma_subschema)
    write_tables(data.tables, args.out, data.metadata)
    print({t: len(f) for t, f in data.tables.items()}, "depth", data.metadata.depth())


if __name__ == "__main__":
    main()

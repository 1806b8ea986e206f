"""A seeded toy relational schema (bank clients -> accounts -> transactions, loans, cards ->
card payments) for tests and benchmarks: depth, multiple children, event times, parent-child
dependencies. Not real data; every value is drawn from stated distributions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from synthguard.data.relational import RelationalData, RelationalMetadata, TableMeta, validate


def toy_bank(n_clients: int = 500, *, seed: int = 0, depth: int = 4) -> RelationalData:
    """``depth`` 2: clients -> accounts; 3: + transactions, loans; 4: + cards -> payments."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "east", "west"], n_clients, p=[0.4, 0.3, 0.2, 0.1])
    segment = np.where(rng.random(n_clients) < 0.3, "premium", "standard")
    age = np.clip(rng.normal(45, 12, n_clients), 18, 90).round()
    income = np.exp(rng.normal(10.3, 0.5, n_clients)) * np.where(segment == "premium", 1.8, 1.0)
    joined = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.uniform(0, 2000, n_clients).round(), unit="D")
    clients = pd.DataFrame({"client_id": np.arange(1, n_clients + 1), "region": region, "segment": segment,
                            "age": age, "income": income.round(2), "joined": joined})
    n_acc = rng.poisson(np.where(segment == "premium", 2.5, 1.2)) + 1
    owner = np.repeat(clients.client_id.to_numpy(), n_acc)
    ci = owner - 1
    m = len(owner)
    kind = np.where(rng.random(m) < np.where(segment[ci] == "premium", 0.6, 0.3), "savings", "checking")
    balance = (income[ci] * rng.lognormal(-1.5, 0.6, m) * np.where(kind == "savings", 2.0, 0.6)).round(2)
    opened = joined[ci] + pd.to_timedelta(rng.exponential(200, m).round(), unit="D")
    accounts = pd.DataFrame({"account_id": np.arange(1, m + 1), "client_id": owner, "kind": kind,
                             "balance": balance, "opened": opened})
    meta_tables = {
        "clients": TableMeta("clients", {"client_id": "id", "region": "categorical", "segment": "categorical",
                                         "age": "numerical", "income": "numerical", "joined": "datetime"},
                             "client_id", "joined"),
        "accounts": TableMeta("accounts", {"account_id": "id", "client_id": "id", "kind": "categorical",
                                           "balance": "numerical", "opened": "datetime"}, "account_id", "opened"),
    }
    rels = [("clients", "client_id", "accounts", "client_id")]
    tables = {"clients": clients, "accounts": accounts}
    if depth >= 3:
        n_tx = rng.poisson(np.where(kind == "checking", 8, 3))
        acc = np.repeat(accounts.account_id.to_numpy(), n_tx)
        ai = acc - 1
        k = len(acc)
        gaps = rng.exponential(np.where(kind[ai] == "checking", 3.0, 20.0))
        start = pd.Series(gaps).groupby(acc).cumsum().to_numpy()
        when = opened[ai] + pd.to_timedelta(np.round(start * 24 * 3600), unit="s")
        amount = (rng.lognormal(3.5, 1.0, k) * (balance[ai] / 5000) ** 0.3).round(2)
        ttype = np.where(rng.random(k) < np.where(kind[ai] == "checking", 0.7, 0.2), "debit", "credit")
        tables["transactions"] = pd.DataFrame({"tx_id": np.arange(1, k + 1), "account_id": acc, "when": when,
                                               "amount": amount, "type": ttype})
        has_loan = rng.random(m) < np.where(segment[ci] == "premium", 0.5, 0.2)
        la = accounts.account_id.to_numpy()[has_loan]
        li = la - 1
        loan_amount = (balance[li] * rng.uniform(1, 5, len(la))).round(-2)
        status = np.where(rng.random(len(la)) < np.clip(60 / age[ci[li]], 0.05, 0.9) * 0.4, "late", "ok")
        tables["loans"] = pd.DataFrame({"loan_id": np.arange(1, len(la) + 1), "account_id": la,
                                        "amount": loan_amount, "status": status,
                                        "months": rng.choice([12, 24, 36, 60], len(la))})
        meta_tables["transactions"] = TableMeta("transactions", {"tx_id": "id", "account_id": "id",
                                                                 "when": "datetime", "amount": "numerical",
                                                                 "type": "categorical"}, "tx_id", "when")
        meta_tables["loans"] = TableMeta("loans", {"loan_id": "id", "account_id": "id", "amount": "numerical",
                                                   "status": "categorical", "months": "numerical"}, "loan_id")
        rels += [("accounts", "account_id", "transactions", "account_id"),
                 ("accounts", "account_id", "loans", "account_id")]
    if depth >= 4:
        has_card = rng.random(m) < np.where(kind == "checking", 0.8, 0.1)
        ca = accounts.account_id.to_numpy()[has_card]
        limit = (income[ci[ca - 1]] * rng.uniform(0.05, 0.15, len(ca))).round(-2)
        cards = pd.DataFrame({"card_id": np.arange(1, len(ca) + 1), "account_id": ca,
                              "network": rng.choice(["visa", "mc"], len(ca)), "limit": limit})
        n_pay = rng.poisson(4, len(ca))
        pc = np.repeat(cards.card_id.to_numpy(), n_pay)
        pay = (limit[pc - 1] * rng.beta(2, 5, len(pc))).round(2)
        tables["cards"] = cards
        tables["payments"] = pd.DataFrame({"payment_id": np.arange(1, len(pc) + 1), "card_id": pc,
                                           "value": pay, "channel": rng.choice(["online", "store"], len(pc))})
        meta_tables["cards"] = TableMeta("cards", {"card_id": "id", "account_id": "id", "network": "categorical",
                                                   "limit": "numerical"}, "card_id")
        meta_tables["payments"] = TableMeta("payments", {"payment_id": "id", "card_id": "id", "value": "numerical",
                                                         "channel": "categorical"}, "payment_id")
        rels += [("accounts", "account_id", "cards", "account_id"), ("cards", "card_id", "payments", "card_id")]
    from synthguard.data.relational import Relationship

    meta = RelationalMetadata(meta_tables, tuple(Relationship(*r) for r in rels))
    return validate(tables, meta)

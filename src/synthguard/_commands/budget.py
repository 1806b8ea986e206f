"""``synthguard budget set DATA --epsilon E --delta D`` and ``synthguard budget show DATA``."""

from __future__ import annotations

import argparse
from typing import Any

from synthguard._commands._common import console, print_json, store_from


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("budget", help="per-dataset differential-privacy budget (set / show)")
    bsub = p.add_subparsers(dest="budget_command", metavar="ACTION", required=True)

    s = bsub.add_parser("set", help="set the total (ε, δ) a dataset may spend on DP fits")
    s.add_argument("data", metavar="DATA", help="CSV/Parquet file or built-in dataset name")
    s.add_argument("--epsilon", type=float, required=True, help="total ε (> 0)")
    s.add_argument("--delta", type=float, required=True, help="total δ (0 < δ < 1/n)")
    s.add_argument("--note", default="", help="free-text note stored with the budget")
    s.set_defaults(handler=cmd_budget_set)

    s = bsub.add_parser("show", help="budget, spent and remaining (ε, δ), and the runs")
    s.add_argument("data", metavar="DATA", help="CSV/Parquet file or built-in dataset name")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(handler=cmd_budget_show)


def _fingerprint(data: str) -> tuple[str, int]:
    from synthguard.data import load_table, table_fingerprint

    frame = load_table(data)
    return table_fingerprint(frame), len(frame)


def cmd_budget_set(args: argparse.Namespace) -> int:
    from synthguard.errors import ParameterError
    from synthguard.ledger.budget import BudgetLedger

    sha, n = _fingerprint(args.data)
    if args.delta is not None and args.delta >= 1.0 / n:
        raise ParameterError(f"--delta {args.delta:g} must be smaller than 1/n = {1.0 / n:.3g} "
                             f"for {args.data!r} ({n} rows)")
    budget = BudgetLedger(store_from(args)).set_budget(sha, epsilon=args.epsilon,
                                                        delta=args.delta, note=args.note)
    console.print(f"budget of {args.data} ({sha[:12]}…) set to ε={budget.epsilon:g}, "
                  f"δ={budget.delta:g}")
    return 0


def cmd_budget_show(args: argparse.Namespace) -> int:
    from synthguard.ledger.budget import BudgetLedger

    sha, _ = _fingerprint(args.data)
    status = BudgetLedger(store_from(args)).status(sha)
    if args.json:
        print_json(status.to_dict())
        return 0
    spent = status.spent
    print(f"dataset {args.data} (SHA-256 {sha[:16]}…)")
    if status.budget is None:
        print("budget: none set (`synthguard budget set DATA --epsilon E --delta D`)")
    else:
        print(f"budget: ε={status.budget.epsilon:g}, δ={status.budget.delta:g}")
    print(f"spent: ε={spent.epsilon:.4g}, δ={spent.delta:.3g} over {len(status.spends)} run(s)"
          + (f", ρ(zCDP)={spent.rho:.4g}" if spent.rho else ""))
    print(f"composition: {spent.method}")
    if status.budget is not None:
        print(f"remaining: ε={status.remaining_epsilon:.4g}, δ={status.remaining_delta:.3g}")
    if status.spends:
        from rich.table import Table

        table = Table("run", "when", "status", "generator", "accountant", "ε", "δ", "ρ")
        for s in status.spends:
            table.add_row(s.run_id, s.created, s.status, s.generator, s.accountant,
                          f"{s.epsilon:.4g}", f"{s.delta:.3g}",
                          "-" if s.rho is None else f"{s.rho:.4g}")
        console.print(table)
    return 0

"""``synthguard budget set DATA --epsilon E --delta D`` and ``synthguard budget show DATA``.

DATA may be a folder of tables (or ``mimic3_demo``): the budget of a relational dataset is set
on the dataset of every one of its tables, which is what an entity-level DP fit charges
(:func:`synthguard.generators.relational.dp.relational_budget_keys`)."""

from __future__ import annotations

import argparse
from typing import Any

from synthguard._commands._common import console, print_json, store_from


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("budget", help="per-dataset differential-privacy budget (set / show)")
    bsub = p.add_subparsers(dest="budget_command", metavar="ACTION", required=True)

    s = bsub.add_parser("set", help="set the total (ε, δ) a dataset may spend on DP fits")
    s.add_argument("data", metavar="DATA", help="CSV/Parquet file, folder of tables or built-in dataset name")
    s.add_argument("--metadata", metavar="JSON", help="SDV multi-table metadata of a folder DATA")
    s.add_argument("--epsilon", type=float, required=True, help="total ε (> 0)")
    s.add_argument("--delta", type=float, required=True, help="total δ (0 < δ < 1/n)")
    s.add_argument("--note", default="", help="free-text note stored with the budget")
    s.set_defaults(handler=cmd_budget_set)

    s = bsub.add_parser("show", help="budget, spent and remaining (ε, δ), and the runs")
    s.add_argument("data", metavar="DATA", help="CSV/Parquet file, folder of tables or built-in dataset name")
    s.add_argument("--metadata", metavar="JSON", help="SDV multi-table metadata of a folder DATA")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(handler=cmd_budget_show)


def _dataset(data: str, ledger: Any, *, register: bool) -> tuple[str, int, list[Any]]:
    """(budget key, rows, near-copy matches) of DATA under the ledger's identity rules."""
    from synthguard.data import load_table
    from synthguard.ledger.identity import TableRows

    frame = load_table(data)
    rows = TableRows(frame)
    matches = ledger.resolve(rows, register=register, label=data)
    return ledger.key_for(rows, register=False), len(frame), matches


def _relational(data: str) -> bool:
    from synthguard.data.relational import is_relational_source

    return is_relational_source(data)


def _tables(args: argparse.Namespace, ledger: Any, *, register: bool) -> tuple[Any, dict[str, str]]:
    from synthguard.data.relational import load_relational
    from synthguard.generators.relational.dp import relational_budget_keys

    data = load_relational(args.data, metadata=args.metadata)
    keys = relational_budget_keys(data, store=ledger.store, register=register, label=str(args.data))
    return data, keys


def _set_relational(args: argparse.Namespace, ledger: Any) -> int:
    from synthguard.errors import ParameterError

    data, keys = _tables(args, ledger, register=True)
    root = next(iter(keys))
    n = len(data.tables[root])
    if args.delta >= 1.0 / n:
        raise ParameterError(f"--delta {args.delta:g} must be smaller than 1/n = {1.0 / n:.3g} "
                             f"for {args.data!r} ({n} root entities in {root!r})")
    ledger.set_budgets(list(keys.values()), epsilon=args.epsilon, delta=args.delta, note=args.note)
    console.print(f"budget of {args.data} (entity: a {root!r} row with all its rows) set to "
                  f"ε={args.epsilon:g}, δ={args.delta:g} on each of its {len(keys)} tables: "
                  + ", ".join(f"{t} ({k[:12]}…)" for t, k in keys.items()))
    return 0


def _show_relational(args: argparse.Namespace, ledger: Any) -> int:
    _, keys = _tables(args, ledger, register=False)
    statuses = {t: ledger.status(k) for t, k in keys.items()}
    if args.json:
        print_json({"tables": {t: s.to_dict() for t, s in statuses.items()}})
        return 0
    from rich.table import Table

    table = Table("table", "dataset", "budget ε / δ", "spent ε / δ", "remaining ε", "runs")
    for name, st in statuses.items():
        budget = "none" if st.budget is None else f"{st.budget.epsilon:g} / {st.budget.delta:g}"
        table.add_row(name, st.dataset_sha256[:12] + "…", budget,
                      f"{st.spent.epsilon:.4g} / {st.spent.delta:.3g}",
                      "-" if st.remaining_epsilon is None else f"{st.remaining_epsilon:.4g}",
                      str(len(st.spends)))
    console.print(f"relational dataset {args.data}: {len(keys)} tables (root {next(iter(keys))!r})")
    console.print(table)
    return 0


def _say_matches(data: str, key: str, matches: list[Any]) -> None:
    for m in matches:
        if m.rule == "near copy":
            console.print(f"{data} is a near copy of dataset {m.dataset_sha256[:12]}… "
                          f"(rows shared: {m.containment:.0%} of the smaller table, "
                          f"{m.columns_compared} columns compared)"
                          + ("; its budget applies" if m.dataset_sha256 == key else
                             "; fits of it are charged there too"))


def cmd_budget_set(args: argparse.Namespace) -> int:
    from synthguard.errors import ParameterError
    from synthguard.ledger.budget import BudgetLedger

    if not args.epsilon > 0 or not 0 < args.delta < 1:  # before the table is read
        raise ParameterError("--epsilon must be > 0 and --delta in (0, 1)")
    ledger = BudgetLedger(store_from(args))
    if _relational(args.data):
        return _set_relational(args, ledger)
    sha, n, matches = _dataset(args.data, ledger, register=True)
    if args.delta is not None and args.delta >= 1.0 / n:
        raise ParameterError(f"--delta {args.delta:g} must be smaller than 1/n = {1.0 / n:.3g} "
                             f"for {args.data!r} ({n} rows)")
    _say_matches(args.data, sha, matches)
    budget = ledger.set_budget(sha, epsilon=args.epsilon, delta=args.delta, note=args.note)
    console.print(f"budget of {args.data} ({sha[:12]}…) set to ε={budget.epsilon:g}, "
                  f"δ={budget.delta:g}")
    return 0


def cmd_budget_show(args: argparse.Namespace) -> int:
    from synthguard.ledger.budget import BudgetLedger

    ledger = BudgetLedger(store_from(args))
    if _relational(args.data):
        return _show_relational(args, ledger)
    sha, _, matches = _dataset(args.data, ledger, register=False)
    status = ledger.status(sha)
    if args.json:
        print_json({**status.to_dict(), "matches": [m.to_dict() for m in matches]})
        return 0
    spent = status.spent
    print(f"dataset {args.data} (SHA-256 {sha[:16]}…)")
    _say_matches(args.data, sha, matches)
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
            table.add_row(s.run_id, s.created, s.label, s.generator, s.accountant,
                          f"{s.epsilon:.4g}", f"{s.delta:.3g}",
                          "-" if s.rho is None else f"{s.rho:.4g}")
        console.print(table)
    return 0

"""Relational generators vs SDV's HMASynthesizer: quality, integrity, time, entity-level DP.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/relational_vs_hma.py [--customers 600]
        [--datasets mimic,mimic_hma,bank,bank_hma] [--no-hma] [--no-dp] [--seed 0] [--ceiling]
        [--epsilon 1] [--public-facts] [--dp-params '{"range_sigmas": 1.0, "max_depth": null}']
        [--breakdown]

Datasets: ``mimic`` (the built-in MIMIC-III demo, 8 tables, depth 4: HMA refuses it),
``mimic_hma`` (its HMA-sized sub-schema: PATIENTS -> ADMISSIONS, ICUSTAYS, SERVICES,
PROCEDURES_ICD by ``subject_id``; 5 tables, depth 2), ``bank`` (the held-out bank of
``relational_heldout.py``, 4 tables, depth 3) and ``bank_hma`` (its 3-table depth-2
sub-schema), ``bank2`` (a second held-out schema, ``relational_heldout2.py``: a building
society, 3 tables, depth 2, written after the defaults were chosen; ``--customers`` sets its
clients), ``insurer`` (a third, ``relational_heldout3.py``: holders -> policies, claims,
string keys, heavy-tailed claims; ``--customers`` sets its holders). For each: our default
``hierarchical`` generator and, where it can run, SDV HMA; then ``hierarchical_dp`` at ε=1 (entity-level; charged to a throw-away run store).

Printed per run: SDMetrics ``MultiTableQualityReport`` score and its four properties, our
:func:`multi_table_quality` score and |difference| (target ≤ 0.02), referential integrity
(target 100 %), fit+sample seconds and the ratio ours/HMA (target ≤ 0.2). Targets: quality ≥
0.85 (non-DP), ≥ 0.75 (ε=1 entity-level DP). ``--breakdown``: also each column's shape
score, the score of each column pair that meets SDMetrics' threshold, cardinality and
intertable trends per relationship, and ``hierarchical_dp``'s numeric ranges (model units;
estimated with DP or public), to see where a run loses.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from relational_heldout import heldout_bank, with_public_facts
from relational_heldout2 import heldout_bank2
from relational_heldout3 import heldout_insurer
from synthguard.data.relational import (
    RelationalData,
    RelationalMetadata,
    Relationship,
    TableMeta,
    load_relational,
    validate,
)
from synthguard.evaluation.relational import multi_table_quality, referential_integrity
from synthguard.generators.relational import create_relational_generator

MIMIC_HMA = ("PATIENTS", "ADMISSIONS", "ICUSTAYS", "SERVICES", "PROCEDURES_ICD")


def subschema(data: RelationalData, tables: tuple[str, ...], root: str) -> RelationalData:
    """Keep ``tables``, link each non-root one to ``root`` only (the other key columns are
    dropped): a depth-2 star HMA can model."""
    meta = data.metadata
    rpk = meta.tables[root].primary_key
    assert rpk is not None
    out_meta: dict[str, TableMeta] = {}
    out_tables = {}
    rels = []
    for name in tables:
        tmeta = meta.tables[name]
        keep = [tmeta.primary_key] if tmeta.primary_key else []
        if name != root:
            keep.append(rpk)
            rels.append(Relationship(root, rpk, name, rpk))
        drop = [c for c in meta.key_columns(name) if c not in keep]
        frame = data.tables[name].drop(columns=drop)
        out_tables[name] = frame
        out_meta[name] = TableMeta(name, {c: s for c, s in tmeta.columns.items() if c not in drop},
                                   tmeta.primary_key, tmeta.sequence_index)
    return validate(out_tables, RelationalMetadata(out_meta, tuple(rels)))


def datasets(names: list[str], customers: int, *, public_facts: bool = False,
             ) -> dict[str, RelationalData]:
    """``public_facts``: the bank declares its catalogue facts (relational_heldout.PUBLIC_FACTS);
    MIMIC always carries the built-in's public facts (only DP generators use them)."""
    out = {}
    for name in names:
        if name == "mimic":
            out[name] = load_relational("mimic3_demo")
        elif name == "mimic_hma":
            out[name] = subschema(load_relational("mimic3_demo"), MIMIC_HMA, "PATIENTS")
        elif name == "bank":
            out[name] = heldout_bank(customers, seed=7, full=True)
        elif name == "bank_hma":
            out[name] = heldout_bank(customers, seed=7, full=False)
        elif name == "bank2":  # the second held-out schema (3 tables), written after tuning
            out[name] = heldout_bank2(customers)
        elif name == "insurer":  # a third held-out star schema (holders), written 2026-12-06
            out[name] = heldout_insurer(customers)
        else:
            raise SystemExit(f"unknown dataset {name!r}")
        if public_facts and name.startswith("bank"):
            out[name] = with_public_facts(out[name])
    return out


def sdmetrics_report(data: RelationalData, synthetic: dict[str, Any]) -> dict[str, float]:
    from sdmetrics.reports.multi_table import QualityReport

    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(data.tables, synthetic, data.metadata.to_sdv().to_dict(), verbose=False)
    props = report.get_properties()
    return {"score": float(report.get_score()),
            **{str(p): float(s) for p, s in zip(props["Property"], props["Score"], strict=True)}}


def breakdown(data: RelationalData, synthetic: dict[str, Any], generator: Any) -> dict[str, Any]:
    """Per column, per scored pair and per relationship: where a run loses (aggregates of
    the comparison only; the DP ranges are outputs of the mechanism or public)."""
    from itertools import combinations

    from synthguard.evaluation import relational as rel

    meta = data.metadata
    ours = multi_table_quality(data.tables, synthetic, meta)
    pairs = {}
    for table in meta.tables:
        cols = rel._scored(meta, table)
        for a, b in combinations(cols, 2):
            score, meets = rel._pair(data.tables[table][a], data.tables[table][b],
                                     synthetic[table][a], synthetic[table][b],
                                     cols[a] in rel._CONTINUOUS, cols[b] in rel._CONTINUOUS)
            if meets:
                pairs[f"{table}: {a} ~ {b}"] = round(score, 3)
    return {"shapes": {t: {c: round(v, 3) for c, v in p["per_column"].items()}
                       for t, p in ours["per_table"].items()},
            "pairs": pairs,
            "cardinality": {k: round(v, 3) for k, v in ours["cardinality_by_relationship"].items()},
            "intertable": {k: round(v, 3) for k, v in ours["intertable_by_relationship"].items()},
            "dp_ranges": {k: [float(f"{v[0]:.4g}"), float(f"{v[1]:.4g}")]
                          for k, v in getattr(generator, "_bounds", {}).items()}}


def run(name: str, data: RelationalData, generator_name: str, *, seed: int,
        store: Any = None, detail: bool = False, **params: Any) -> dict[str, Any]:
    generator = create_relational_generator(generator_name, **params)
    cpu = time.process_time()
    started = time.perf_counter()
    if generator.caps.dp:
        from synthguard.ledger.budget import DPLedger

        generator.fit(data, seed=seed, ledger=DPLedger(store=store))  # type: ignore[call-arg]
    else:
        generator.fit(data, seed=seed)
    fit_s = time.perf_counter() - started
    started = time.perf_counter()
    synthetic = generator.sample(seed=seed + 1)
    sample_s = time.perf_counter() - started
    cpu_s = time.process_time() - cpu  # this process's CPU (all threads): robust to a loaded machine
    sdm = sdmetrics_report(data, synthetic)
    ours = multi_table_quality(data.tables, synthetic, data.metadata)
    integrity = referential_integrity(synthetic, data.metadata)["overall"]
    spend = generator.privacy_spent()
    row = {"dataset": name, "generator": generator_name, "tables": len(data.tables),
           "depth": data.metadata.depth(), "fit_s": round(fit_s, 2), "sample_s": round(sample_s, 2),
           "total_s": round(fit_s + sample_s, 2), "cpu_s": round(cpu_s, 2), "sdmetrics": {k: round(v, 4) for k, v in sdm.items()},
           "ours": round(ours["quality_score"], 4),
           "ours_properties": {k: round(ours[k], 4) for k in
                               ("column_shapes", "column_pair_trends", "cardinality", "intertable_trends")},
           "agreement": round(abs(ours["quality_score"] - sdm["score"]), 4),
           "integrity": integrity,
           "per_table": {t: round(v["quality_score"], 3) for t, v in ours["per_table"].items()},
           "privacy": None if spend is None else {"epsilon": spend.epsilon, "delta": spend.delta,
                                                   "unit": spend.notes.split(";")[0]}}
    print(json.dumps(row), flush=True)
    if detail:
        print(json.dumps({"breakdown": f"{name} {generator_name}",
                          **breakdown(data, synthetic, generator)}), flush=True)
    return row


def ceiling(data_sets: dict[str, RelationalData]) -> None:
    """Real vs real: two disjoint halves of the entities, and the same at 40/60/80 % of them,
    4 splits each; the score grows with the number of entities per side (sampling noise,
    chance "trends" that pass SDMetrics' thresholds), so a half-vs-half figure understates
    what an independent sample of the *full* size would score. Fitted as a + b/sqrt(n) and
    read at n = all entities. Then ``hierarchical`` fitted on one half vs the other half."""
    import numpy as np

    from synthguard.evaluation.relational import split_entities

    keys = ("quality_score", "column_shapes", "column_pair_trends", "cardinality", "intertable_trends")
    for name, data in data_sets.items():
        root = data.metadata.roots()[0]
        sizes, scores = [], []
        for share in (0.4, 0.6, 0.8, 1.0):
            runs = []
            for seed in range(4):
                sub = data if share == 1.0 else split_entities(data, holdout_fraction=1 - share,
                                                               seed=100 + seed)[0]
                a, b = split_entities(sub, holdout_fraction=0.5, seed=seed)
                runs.append([multi_table_quality(b.tables, a.tables, data.metadata)[k] for k in keys])
                n_side = (len(a.tables[root]) + len(b.tables[root])) / 2
            sizes.append(n_side)
            scores.append(np.mean(runs, axis=0))
            print(f"{name}: real vs real, {n_side:.0f} entities a side (4 splits): "
                  f"{[round(float(x), 3) for x in scores[-1]]}", flush=True)
        x = 1 / np.sqrt(np.asarray(sizes))
        full = len(data.tables[root])
        fit = [np.polyfit(x, np.asarray(scores)[:, j], 1) for j in range(len(keys))]
        at_full = [float(np.polyval(f, 1 / np.sqrt(full))) for f in fit]
        print(f"{name}: real vs real extrapolated to {full} entities a side (a + b/sqrt(n)): "
              f"{[round(v, 3) for v in at_full]}", flush=True)
        for seed in (0, 1):
            a, b = split_entities(data, holdout_fraction=0.5, seed=seed)
            gen = create_relational_generator("hierarchical").fit(a, seed=0)
            syn = gen.sample(scale=len(b.tables[root]) / len(a.tables[root]), seed=1)
            ours = multi_table_quality(b.tables, syn, data.metadata)
            print(f"{name} split {seed}: hierarchical(half A) vs half B "
                  f"{[round(ours[k], 3) for k in keys]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="mimic,mimic_hma,bank,bank_hma")
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-hma", action="store_true")
    parser.add_argument("--no-dp", action="store_true")
    parser.add_argument("--epsilon", type=float, default=1.0, help="ε of hierarchical_dp (default 1)")
    parser.add_argument("--public-facts", action="store_true",
                        help="the bank declares its catalogue facts (bounds, value sets) in its metadata")
    parser.add_argument("--dp-params", default="{}",
                        help="JSON object of further hierarchical_dp parameters (e.g. the settings "
                             "docs/relational.md compares)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also per-column shapes, scored pairs, per-relationship scores and "
                             "hierarchical_dp's numeric ranges")
    parser.add_argument("--ceiling", action="store_true",
                        help="only: real vs real halves of the entities (and extrapolated to the "
                             "full size), and hierarchical fitted on one half vs the other")
    args = parser.parse_args()
    if args.ceiling:
        ceiling(datasets(args.datasets.split(","), args.customers))
        return
    from synthguard.errors import UnsupportedSchemaError
    from synthguard.ledger import RunStore

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "runs.sqlite")
        for name, data in datasets(args.datasets.split(","), args.customers,
                                   public_facts=args.public_facts).items():
            print(f"# {name}: " + ", ".join(f"{t} {len(f)}" for t, f in data.tables.items())
                  + f"; depth {data.metadata.depth()}", flush=True)
            ours = run(name, data, "hierarchical", seed=args.seed, detail=args.breakdown)
            rows.append(ours)
            if not args.no_hma:
                try:
                    hma = run(name, data, "sdv_hma", seed=args.seed)
                    rows.append(hma)
                    print(f"# {name}: time ours/HMA = {ours['total_s'] / hma['total_s']:.3f} "
                          f"(CPU {ours['cpu_s'] / hma['cpu_s']:.3f}; target <= 0.2); "
                          f"quality ours {ours['sdmetrics']['score']:.3f} vs HMA "
                          f"{hma['sdmetrics']['score']:.3f}", flush=True)
                except UnsupportedSchemaError as exc:
                    print(f"# {name}: sdv_hma refused: {exc}", flush=True)
            if not args.no_dp:
                rows.append(run(name, data, "hierarchical_dp", seed=args.seed, store=store,
                                detail=args.breakdown, epsilon=args.epsilon,
                                **json.loads(args.dp_params)))
    print("# summary: dataset generator sdmetrics ours |diff| integrity seconds cpu-seconds")
    for r in rows:
        print(f"  {r['dataset']:10s} {r['generator']:16s} {r['sdmetrics']['score']:.3f} {r['ours']:.3f} "
              f"{r['agreement']:.3f} {r['integrity']:.0%} {r['total_s']:.1f} {r['cpu_s']:.1f}")


if __name__ == "__main__":
    main()

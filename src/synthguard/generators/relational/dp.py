"""``hierarchical_dp``: entity-level differential privacy for relational data.

Privacy unit: one **root entity** (a row of the root table) together with every row it owns in
every table.

Each table is encoded as for ``hierarchical`` (own columns, child counts clipped to a cap
estimated with DP below the public ceiling ``max_children``, event gaps; a child row carries
``parent_context`` of its parent's columns, chosen from public facts, its rank and its number
of siblings as context). Contribution is bounded by **sampling one row per entity**
from each table (uniformly among the rows the entity owns there) before a row-level zCDP
generator (``mst`` or ``aim``) is fitted on it at ``ρ_t``: adding or removing an entity adds or
removes at most one row of each fitted table, so each table costs ``ρ_t`` per entity and the
tables compose to ``ρ = Σ ρ_t`` (``root_share`` of it to the root table, the rest split
evenly), reported as (ε, δ) by the tight zCDP
conversion. (Scaling every row in by zCDP group privacy instead would cost ``M²`` for an
entity owning up to ``M`` rows; one sampled row keeps the signal-to-noise of ``n`` rows at
sensitivity 1, which is better whenever entities own fewer rows than a worst-case cap.)
Sampling is post-processing: root rows (with their child counts) are drawn from the root
model; each child slot takes the row of a pool drawn from the child model whose context is
nearest to its parent's (ties broken at random); each numeric column is clipped to the
[p, 1 − p] quantiles of a draw from its own model (``tail_clip``).

``fit`` itself charges the privacy ledger (as single-table DP generators do, so plain Python
cannot skip it): every table of the dataset is a dataset of the ledger
(:mod:`synthguard.ledger.identity` rules), each charged the entity-level guarantee, which
bounds what any one entity's rows in that table can reveal (:func:`charge_relational_fit`).

Public (stated in the guarantee): schema, keys and relationships, categorical value sets,
``max_children``, the number of root entities (for the default δ = 1/n²), user-given bounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synthguard.data.relational import RelationalData, RelationalMetadata, public_facts
from synthguard.data.schema import ColumnKind, ColumnSpec, Schema
from synthguard.errors import (
    IntegrityError,
    NotFittedError,
    ParameterError,
    SchemaError,
    SynthguardError,
)
from synthguard.generators.base import Capabilities, Generator, GeneratorParams, PrivacySpend
from synthguard.generators.dp._base import check_max_depth
from synthguard.generators.dp._discretise import NumericCodec, dp_range, signed_powers
from synthguard.generators.relational import _plan
from synthguard.generators.relational.base import RelationalGenerator, register_relational
from synthguard.ledger import RunStore
from synthguard.ledger.accounting import ZCDP_METHOD, cdp_eps, cdp_rho
from synthguard.progress import ProgressCallback, report

if TYPE_CHECKING:
    from synthguard.ledger.budget import DPLedger

CTX = "^"  # prefix of context columns in a child table's DP frame
# aim's final Private-PGM iterations here: a table's model is fitted on one row per entity
# (a few hundred rows at small n), where 300 scored as 1000 did (toy bank, 600 clients, ε=1:
# 0.759 vs 0.756 over two seeds) at a third of the final estimation
AIM_FINAL_ITERS = 300
# rows drawn from each fitted table model to place its columns' clipping quantiles (tail_clip):
# at 20,000 the 2 % quantile moves by about 0.1 % of the rows between draws
TAIL_DRAW = 20_000


@dataclass(frozen=True)
class HierarchicalDPParams(GeneratorParams):
    epsilon: float = 1.0
    delta: float | None = None  # None: 1/n² with n = root entities
    # public ceiling of child counts; each count column's own cap is estimated with DP below
    # it (noisy histogram over [0, 1, 4, 16, ...]) unless estimate_counts=False (cap = this).
    # A fixed cap of 20 truncated the MIMIC demo's ~80 prescriptions per admission (toy bank,
    # 600 clients, ε=1, seed 0: fixed 20 → 0.784, estimated → 0.805)
    max_children: int = 256
    estimate_counts: bool = True
    # how many of its parent's columns a child table's DP model sees as context besides its
    # rank and number of siblings (chosen from the schema: categorical ones with the fewest
    # public levels first, then numeric ones in column order). Every context column is one more
    # marginal AIM measures at the table's small ρ: MIMIC's children carried all 16
    parent_context: int = 4
    # every event's time as its offset from its parent's time, siblings ordered by sorting
    # (False: first offset and then gaps, whose noisy sum drifts over long sequences)
    event_offsets: bool = True
    mechanism: str = "aim"  # row-level zCDP generator per table: aim | mst (toy bank, 600 clients, ε=1: 0.756 vs 0.716)
    bounds: dict[str, Any] | None = None  # public bounds {"TABLE.column": [low, high]}
    max_bins: int = 8  # coarse bins per numeric column (toy bank, 600 clients: 8 → 0.793, 16 → 0.764)
    pool_factor: float = 3.0  # child pool rows drawn per needed child row (post-processing)
    iters: int | None = None  # final Private-PGM iterations per table (None: aim 300, mst its 2000)
    # aim: rounds = this × columns (None: aim's own 3). Fewer rounds give each measurement
    # more of the table's ρ: 0.75 vs 1.0, seeds 0-2, ε=1: toy bank 0.803 vs 0.794, held-out
    # bank (600 customers) 0.764 vs 0.758
    rounds_per_column: float | None = 0.75
    table_split: str = "even"  # ρ per table: even | columns (in proportion to modelled columns)
    # the root table's share of the tables' ρ, the rest split among the others by table_split
    # (None: the root is one table like the others). The root holds one row per entity and its
    # columns are also every child's context, so its errors reach every table. ε=1, 600 root
    # entities, no public facts, paired against an even split: bank_hma (3 tables, seeds
    # 0-19) mean 0.768 vs 0.756, higher on 14 of 20, 16 of 20 seeds ≥ 0.75 instead of 13,
    # floor 0.714 vs 0.683; held-out bank (4 tables, seeds 0-9) 0.765 vs 0.744, 9 of 10 seeds
    # ≥ 0.75 instead of 4; toy bank (seeds 0-9) +0.002
    root_share: float | None = 0.5
    discretisation_share: float = 0.3  # share of each table's ρ for its numeric histograms
    bounds_share: float = 0.2  # share of ρ for numeric bounds the user did not give
    # a child table's numeric column gets this many times a root column's share of the bounds
    # ρ (its range histogram σ is 1/√this of the root's): a root column's range is measured
    # over one value per entity, a child's over the entities that have rows there (and
    # non-null values), often a third of them, whose few hundred values spread over a few
    # buckets were the ranges that caught a bucket of noise (loan terms in [−1.8e13, −2.7e11]).
    # Public (the schema says which tables are children). Second held-out bank (bank2), ε=1,
    # 600 clients, seeds 0-7: mean 0.720 → 0.729, floor 0.659 → 0.712, same or higher on 5
    # of 8; range simulation on 27 columns of both banks: ranges holding < half the data
    # 11.2 % → 7.1 % (docs/relational.md). 1: every column alike (the earlier rule)
    child_bounds_weight: float = 2.7
    # aim: a child table's workload leaves out pairs of two parent (context) columns: the
    # parent's own model measures those; here they would only spend the child's small ρ
    context_pairs: bool = True
    # numeric ranges estimated with DP: the run of buckets kept is the one with the largest
    # total of (noisy count − this many σ) (_discretise.dp_range). At 1σ a bucket of pure
    # noise next to the data joined the run in about a quarter of the columns (held-out
    # bank, 600 customers: ages up to 1,023, credit scores to 4,095, dates 50 years late)
    range_sigmas: float = 1.5
    # a range is also widened to the best run of buckets on either side of the chosen one
    # whose total (noisy count − range_sigmas·σ) clears this many σ (None: off): a column of
    # both signs (balances, amounts) has two runs apart by the empty buckets around 0, and
    # only the luckier one won (held-out bank, seed 1: balances in [-4,096, -16] only)
    second_run: float | None = 3.0
    # levels of each numeric column's DP histogram (aim plans 3-4): each level is one more
    # histogram sharing the table's discretisation ρ; at ~600 rows the third level rarely
    # had a cell over its 3σ threshold to refine, and two levels cut σ by ~20 %
    max_depth: int | None = 2
    # a child table's numeric context columns (its parent's columns, rank, siblings) take
    # their bins from the parent's fitted model, and its categorical ones their shares
    # (post-processing: no ρ), instead of being measured again with the child's ρ, which
    # then buys the histograms of its own columns only; AIM's tree start also leaves out
    # their 1-ways (AIMParams.prior_oneways). About half of a child's histograms were of
    # context (toy accounts: 9 of ~18). ε=1, 600 root entities, no public facts: toy bank
    # (seeds 0-4) mean 0.802 → 0.815, floor 0.767 → 0.801; bank_hma (0-9) 0.743 → 0.751,
    # 7 of 10 seeds ≥ 0.75 instead of 5; held-out bank (0-9) 0.739 → 0.744, floor 0.701 →
    # 0.686 (seed 9: its transactions table 0.773 → 0.608). Higher on 20 of 25 paired seeds
    # over the three (sign test p ≈ 0.002), so the default; False: the earlier behaviour
    context_codecs: bool = True
    # every numeric column of a synthetic table (not its child counts) is clipped to the
    # [p, 1 − p] quantiles of its own fitted model's distribution (a large draw from the model
    # after the fit: post-processing, no ρ, no data). A range that took a bucket of noise puts a
    # few values far beyond the data, and one stray value stretches SDMetrics' bins for every
    # pair of that column (held-out bank, seed 9: credit scores up to 4,095, two pairs at 0.09).
    # ε=1, 600 customers, no public facts, paired against root_share alone: bank_hma (seeds
    # 0-19) mean 0.780 vs 0.768, higher on 17 of 20, 19 of 20 ≥ 0.75, floor 0.747 vs 0.714;
    # held-out bank (4 tables, 0-9) 0.771 vs 0.765, 10 of 10 ≥ 0.75; toy bank (0-9) 0.802 vs
    # 0.806 (its ranges rarely take noise). Offline on 22 fits, 1/2/3/5 %: 0.780 / 0.781 /
    # 0.782 / 0.780 against 0.777. None: off
    tail_clip: float | None = 0.02
    # further parameters of every table's mechanism (e.g. {"tree_share": 0.7} for aim); not
    # those set above (ε, δ, bounds, bins, depth, share, rounds, iterations, workload)
    mechanism_params: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, int | float) or not (math.isfinite(eps) and eps > 0):
            raise ParameterError(f"epsilon={eps!r} must be a finite number > 0")
        if self.delta is not None and not (isinstance(self.delta, int | float) and 0 < self.delta < 1):
            raise ParameterError(f"delta={self.delta!r} must be in (0, 1)")
        if isinstance(self.max_children, bool) or not isinstance(self.max_children, int) \
                or self.max_children < 1:
            raise ParameterError(f"max_children must be an integer >= 1, got {self.max_children!r}")
        if isinstance(self.parent_context, bool) or not isinstance(self.parent_context, int) \
                or self.parent_context < 0:
            raise ParameterError(f"parent_context must be an integer >= 0, got {self.parent_context!r}")
        if self.mechanism not in ("mst", "aim"):
            raise ParameterError(f"mechanism must be mst or aim, got {self.mechanism!r}")
        if self.rounds_per_column is not None and not (
                isinstance(self.rounds_per_column, int | float) and 0 < self.rounds_per_column <= 16):
            raise ParameterError(f"rounds_per_column must be in (0, 16], got {self.rounds_per_column!r}")
        if self.table_split not in ("even", "columns"):
            raise ParameterError(f"table_split must be even or columns, got {self.table_split!r}")
        share = self.root_share
        if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)
                                  or not (math.isfinite(share) and 0 < share < 1)):
            raise ParameterError(f"root_share must be None or a number in (0, 1), got {share!r}")
        clip = self.tail_clip
        if clip is not None and (isinstance(clip, bool) or not isinstance(clip, int | float)
                                 or not (math.isfinite(clip) and 0 <= clip < 0.25)):
            raise ParameterError(f"tail_clip must be None or a number in [0, 0.25), got {clip!r}")
        rs = self.range_sigmas
        if isinstance(rs, bool) or not isinstance(rs, int | float) or not (math.isfinite(rs) and 0 <= rs <= 10):
            raise ParameterError(f"range_sigmas must be a number in [0, 10], got {rs!r}")
        sr = self.second_run
        if sr is not None and (isinstance(sr, bool) or not isinstance(sr, int | float)
                               or not (math.isfinite(sr) and sr >= 0)):
            raise ParameterError(f"second_run must be None or a number >= 0, got {sr!r}")
        check_max_depth(self.max_depth)
        _check_mechanism_params(self.mechanism, self.mechanism_params)
        if self.pool_factor < 1:
            raise ParameterError("pool_factor must be >= 1")
        cbw = self.child_bounds_weight
        if isinstance(cbw, bool) or not isinstance(cbw, int | float) or not (math.isfinite(cbw) and 0 < cbw <= 100):
            raise ParameterError(f"child_bounds_weight must be a number in (0, 100], got {cbw!r}")
        if not 0 < self.bounds_share < 1 or not 0 < self.discretisation_share <= 0.5:
            raise ParameterError("bounds_share must be in (0, 1) and discretisation_share in (0, 0.5]")


@register_relational
class HierarchicalDPGenerator(RelationalGenerator):
    """Entity-level zCDP: per-table MST/AIM at ρ_t on one row per entity, children matched
    to parents."""

    name = "hierarchical_dp"
    summary = ("entity-level DP: one row per root entity and table, per-table MST/AIM under "
               "zCDP, children matched to their parent's context")
    caps = Capabilities(modality="relational", dp=True,
                        mechanism="per-table MST/AIM, one row per entity, zCDP (unit: root entity)",
                        accountant="zCDP", seeded=True)
    Params = HierarchicalDPParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.plans: dict[str, dict[str, Any]] = {}
        self.models: dict[str, Generator] = {}
        self._spend: PrivacySpend | None = None
        self.info: dict[str, Any] = {}
        self._bounds: dict[str, list[float]] = {}
        self._values: dict[str, tuple[float, ...]] = {}
        self._saved_models: list[dict[str, Any]] = []
        self._tails: dict[str, dict[str, list[float]]] = {}  # table -> column -> [low, high]

    @property
    def p(self) -> HierarchicalDPParams:
        assert isinstance(self.params, HierarchicalDPParams)
        return self.params

    # ------------------------------------------------------------- accounting
    def resolve_delta(self, n_entities: int) -> float:
        if n_entities < 2:
            raise ParameterError("entity-level DP needs at least 2 root entities")
        delta = self.p.delta if self.p.delta is not None else 1.0 / float(n_entities) ** 2
        if delta >= 1.0 / n_entities:
            raise ParameterError(f"delta={delta:g} must be smaller than 1/n = {1 / n_entities:.3g} "
                                 f"for {n_entities} root entities")
        return float(delta)

    def planned_spend(self, n_entities: int) -> PrivacySpend:
        delta = self.resolve_delta(n_entities)
        return PrivacySpend(epsilon=float(self.p.epsilon), delta=delta,
                            mechanism=self.caps.mechanism or self.name, accountant="zCDP",
                            rho=cdp_rho(self.p.epsilon, delta), notes="planned; unit: root entity")

    def privacy_spent(self) -> PrivacySpend | None:
        return self._spend

    # -------------------------------------------------------------------- fit
    @staticmethod
    def _root(data: RelationalData) -> str:
        roots = data.metadata.roots()
        if len(roots) != 1 or not data.metadata.tables[roots[0]].primary_key:
            raise SchemaError(f"entity-level DP needs exactly one root table with a primary key "
                              f"(the privacy unit); this schema has roots {roots}")
        return roots[0]

    def fit(self, data: RelationalData, *, seed: int = 0,
            progress: ProgressCallback | None = None, ledger: DPLedger | None = None,
            source: RelationalData | None = None) -> HierarchicalDPGenerator:
        """Check the budget, reserve, fit, record: the ledger is charged by the fit itself, as
        for single-table DP generators (so plain Python ``fit`` cannot skip it).

        Charged: every table of ``data`` as a dataset of its own under the ledger's identity
        rules (:mod:`synthguard.ledger.identity`; the root table first), so a budget set on the
        root table (the people) or on any child table (their rows) is respected, and a later
        single-table DP fit of any of these tables composes with this one. ``ledger``: store
        and run (default: the user's store); ``source``: the loaded relational dataset
        ``data`` was split from (its tables are charged too). Refused before any data is read
        by a model (:class:`BudgetExceededError`, nothing spent)."""
        root = self._root(data)
        planned = self.planned_spend(len(data.tables[root]))  # validates ε/δ first
        charge_relational_fit(self, data, planned, lambda: self._fit_private(
            data, seed=seed, progress=progress), ledger=ledger, source=source, seed=seed)
        return self

    def _table_shares(self, encoded: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]],
                      root: str) -> dict[str, float]:
        """Each table's share of the tables' ρ (from the schema only: public): root_share to
        the root, the rest even or in proportion to the modelled columns (table_split)."""
        width = {t: len(tg.columns) + (0 if ctx is None else len(ctx.columns))
                 for t, (tg, ctx) in encoded.items()}
        rest = [t for t in encoded if t != root]
        root_share = self.p.root_share if rest else None
        others = rest if root_share is not None else list(encoded)
        left = 1.0 - (root_share or 0.0)
        total = sum(width[t] for t in others)
        share = {t: left * (width[t] / total if self.p.table_split == "columns" else 1.0 / len(others))
                 for t in others}
        if root_share is not None:
            share[root] = root_share
        return share

    def _fit_private(self, data: RelationalData, *, seed: int,
                     progress: ProgressCallback | None) -> PrivacySpend | None:
        """The mechanism (no ledger): per-table zCDP fits on one row per entity."""
        from synthguard.generators.registry import create_generator

        root = self._root(data)
        n_entities = len(data.tables[root])
        delta = self.resolve_delta(n_entities)
        rho = cdp_rho(self.p.epsilon, delta)
        entities: dict[str, np.ndarray] = {}
        self.plans = _plan.build_plans(data, offsets_only=self.p.event_offsets)
        encoded = _plan.encode(data, self.plans, entities)
        k = self.p.max_children
        rng = np.random.default_rng(seed)
        # public bounds first (the user's, then those the metadata declares, in model units);
        # the others are estimated once per column, here
        declared, self._values = public_encoded(data.metadata, self.plans)
        self._bounds = {**declared, **{key: [float(v[0]), float(v[1])]
                                       for key, v in (self.p.bounds or {}).items()}}
        missing = [(t, c) for t, plan in self.plans.items() for c, kind in plan["targets"].items()
                   if kind != "categorical"
                   and (not c.startswith("__") or (self.p.estimate_counts and c.startswith("__n.")))
                   and f"{t}.{c}" not in self._bounds and f"{t}.{c}" not in self._values]
        rho_bounds = self.p.bounds_share * rho if missing else 0.0
        sigmas = _bounds_sigmas(missing, root, rho_bounds, self.p.child_bounds_weight)
        if missing:
            for t, c in missing:
                sigma = sigmas[(t, c)]  # Σ 1/(2σ²) over the columns is rho_bounds
                values = _one_value_per_entity(encoded[t][0][c], entities[t], rng)
                integer = self.plans[t]["targets"][c] == "integer"
                if c.startswith("__n."):  # a count: in [0, max_children] (public), cap estimated
                    edges = _count_edges(k)
                    low, high = 0.0, min(float(k), dp_range(values, sigma, rng, integer=True,
                                                             edges=edges,
                                                             run_sigmas=self.p.range_sigmas,
                                                             second_run=self.p.second_run)[1])
                else:  # a time (seconds, or seconds between two times) spans less than the
                    # datetime type's 1677-2262 (public): no bucket of noise beyond it can win
                    time = c in self.plans[t].get("resolution", {})
                    low, high = dp_range(values, sigma, rng, integer=integer,
                                         base=4.0, run_sigmas=self.p.range_sigmas,
                                         second_run=self.p.second_run,
                                         edges=_time_edges() if time else None)
                self._bounds[f"{t}.{c}"] = [low, high]
        share = self._table_shares(encoded, root)
        rho_entity = rho_bounds
        per_table: dict[str, Any] = {"(bounds)": {
            "columns": len(missing), "rho": rho_bounds,
            "sigma": {f"{t}.{c}": round(v, 3) for (t, c), v in sigmas.items()}}}
        for plan in self.plans.values():  # what each child's model sees of its parent
            plan["dp_context"] = _context_columns(data, self.plans, plan, self.p.parent_context)
        for i, (table, (targets, context)) in enumerate(encoded.items()):
            report(progress, "fit hierarchical_dp", i, len(encoded))
            frame, schema, bounds = self._dp_frame(table, targets, context)
            one = _one_per_entity(entities[table], rng)  # the contribution bound
            frame = frame.iloc[one].reset_index(drop=True)
            n_rows = len(frame)
            if n_rows < 2:
                raise SchemaError(f"table {table!r} has rows for fewer than 2 entities; entity-level "
                                  "DP cannot fit it")
            delta_row = min(delta, 1.0 / (n_rows + 2) ** 2)
            eps_row = cdp_eps((rho - rho_bounds) * share[table] * (1 - 1e-9), delta_row)
            if self.p.mechanism == "mst":
                extra: dict[str, Any] = {} if self.p.iters is None else {"iters": self.p.iters}
            else:
                extra = {"final_iters": AIM_FINAL_ITERS if self.p.iters is None else self.p.iters}
            if self.p.mechanism == "aim" and self.p.rounds_per_column is not None:
                extra["rounds"] = max(2, math.ceil(self.p.rounds_per_column * frame.shape[1]))
            if self.p.mechanism == "aim" and not self.p.context_pairs and context is not None:
                extra["workload"] = _child_workload(list(frame.columns))
            extra.update(self.p.mechanism_params or {})
            model = create_generator(self.p.mechanism, epsilon=eps_row, delta=delta_row,
                                     bounds=bounds, estimate_bounds=False, max_bins=self.p.max_bins,
                                     discretisation_share=self.p.discretisation_share,
                                     max_depth=self.p.max_depth,
                                     **extra)
            if self.p.context_codecs and context is not None:
                model.derived_codecs = self._context_codecs(table)  # type: ignore[attr-defined]
                model.derived_shares = self._context_shares(table)  # type: ignore[attr-defined]
            # the mechanism only: this fit's entity-level spend is charged once, above;
            # the per-table frames are derived data, not datasets of their own
            model._fit_private(frame, schema=schema, seed=seed + i)  # type: ignore[attr-defined]
            spent = model.privacy_spent()
            if spent is None or spent.rho is None:
                raise SynthguardError(f"{self.p.mechanism} reported no zCDP spend for table {table!r}")
            rho_entity += spent.rho
            self.models[table] = model
            per_table[table] = {"rows": len(targets), "rows_fitted": n_rows, "rho": spent.rho}
        if rho_entity > rho * (1 + 1e-6):
            raise AssertionError(f"entity-level ρ {rho_entity} exceeds the budget ρ {rho}")
        self.info = {"root": root, "entities": n_entities, "per_table": per_table}
        public = ("schema, keys and relationships (column kinds, whole-numbered or not, near-unique "
                  "text faked rather than modelled)",
                  "categorical value sets",
                  f"max_children={k} (ceiling of child counts)",
                  "user-given bounds",
                  *((f"metadata public facts (bounds, value sets, time offsets) of {len(declared)} "
                     "modelled columns",) if declared or self._values else ()),
                  *(("number of root entities n (default δ = 1/n²)",) if self.p.delta is None else ()))
        self._spend = PrivacySpend(
            epsilon=float(cdp_eps(rho_entity, delta)), delta=delta,
            mechanism=self.caps.mechanism or self.name, accountant="zCDP", rho=rho_entity,
            public=public,
            notes=(f"unit: one {root!r} row with all its rows in every table; each table's "
                   f"{self.p.mechanism} is fitted on one row per entity (sampled uniformly), so an "
                   f"entity changes at most one fitted row per table; ρ = Σ ρ_t over "
                   f"{len(self.plans)} tables; ρ→(ε, δ) by {ZCDP_METHOD}; child counts clipped to "
                   + (f"[0, {k}]" if not self.p.estimate_counts
                      else f"[0, a cap estimated with DP per count column, at most {k}]")
                   + "; numeric bounds not given were estimated with DP inside the budget (one noisy "
                   f"histogram over signed powers of 4 per column, {self.p.bounds_share:.0%} of ρ, "
                   f"a child table's column {self.p.child_bounds_weight:g}× a root column's share)"))
        self._tails = self._model_tails(seed)
        self.metadata = data.metadata
        self.real_rows = {root: n_entities}  # only the root count is used when sampling
        self.fit_info.data_sha256 = data.fingerprint()
        self.fit_info.n_rows = sum(self.real_rows.values())
        report(progress, "fit hierarchical_dp", len(encoded), len(encoded))
        return self._spend

    def _model_tails(self, seed: int) -> dict[str, dict[str, list[float]]]:
        """Per table and numeric column (not child counts): the [p, 1 − p] quantiles of a
        draw of TAIL_DRAW rows from the table's own fitted model, p = ``tail_clip``. They are
        computed from the released model only (post-processing: no data, no ρ) and are values
        the model itself produces, so an integer column stays integer."""
        p = self.p.tail_clip
        tails: dict[str, dict[str, list[float]]] = {}
        if not p:
            return tails
        for i, (table, model) in enumerate(self.models.items()):
            columns = [c for c, kind in self.plans[table]["targets"].items()
                       if kind != "categorical" and not c.startswith("__n.")]
            if not columns:
                continue
            draw = model.sample(TAIL_DRAW, seed=seed + 7919 + i)
            for column in columns:
                x = pd.to_numeric(draw[column], errors="coerce").to_numpy(dtype=float)
                x = x[np.isfinite(x)]
                if x.size:
                    low, high = np.quantile(x, [p, 1 - p], method="inverted_cdf")
                    tails.setdefault(table, {})[column] = [float(low), float(high)]
        return tails

    def _clip_tails(self, table: str, frame: pd.DataFrame) -> pd.DataFrame:
        """A sampled table's numeric columns clipped to the quantiles of ``_model_tails``."""
        for column, (low, high) in self._tails.get(table, {}).items():
            frame[column] = pd.to_numeric(frame[column], errors="coerce").clip(low, high)
        return frame

    def _count_cap(self, parent: str, child: str) -> int:
        """Largest number of ``child`` rows a ``parent`` row has: ``max_children`` (public) or
        the DP-estimated upper bound of the parent's count column."""
        key = f"{parent}.__n.{child}"
        if key in self._bounds:  # estimated with DP (or given as a bound by the user)
            return max(1, min(self.p.max_children, int(self._bounds[key][1])))
        return self.p.max_children

    def _dp_frame(self, table: str, targets: pd.DataFrame, context: pd.DataFrame | None,
                  ) -> tuple[pd.DataFrame, Schema, dict[str, list[float]]]:
        plan = self.plans[table]
        user = {key.split(".", 1)[1]: v for key, v in self._bounds.items()
                if key.split(".", 1)[0] == table}
        columns: dict[str, ColumnSpec] = {}
        bounds: dict[str, list[float]] = {}
        frame = targets.copy()
        for col, kind in plan["targets"].items():
            if kind == "categorical":
                columns[col] = ColumnSpec(ColumnKind.CATEGORICAL, "categorical")
                frame[col] = frame[col].astype(object)
            else:
                columns[col] = ColumnSpec(ColumnKind.NUMERIC, "numerical", integer=kind == "integer",
                                          values=self._values.get(f"{table}.{col}"))
            if col.startswith("__n."):
                cap = self._count_cap(table, col[len("__n."):])
                frame[col] = frame[col].clip(0, cap)
                bounds[col] = [0.0, float(cap) + 1e-9]
            elif col in user:
                bounds[col] = [float(user[col][0]), float(user[col][1])]
        if context is not None:
            for col in plan.get("dp_context", context.columns):
                name = CTX + col
                frame[name] = context[col].to_numpy()
                numeric = col in plan["context_numeric"]
                columns[name] = ColumnSpec(ColumnKind.NUMERIC if numeric else ColumnKind.CATEGORICAL,
                                           "numerical" if numeric else "categorical",
                                           integer=col in ("__rank", "__nsib"),
                                           values=self._values.get(f"{plan['parent']['table']}.{col}")
                                           if numeric else None)
                if col in ("__rank", "__nsib"):
                    cap = self._count_cap(plan["parent"]["table"], table)
                    frame[name] = frame[name].clip(1, cap)
                    bounds[name] = [1.0, float(cap) + 1e-9]
                parent_bounds = self._parent_bounds(plan, col)
                if parent_bounds is not None:
                    bounds[name] = parent_bounds
        return frame, Schema(columns), bounds

    def _context_codecs(self, table: str) -> dict[str, NumericCodec]:
        """Codecs of a child table's numeric context columns, from its parent's fitted model
        (already released: post-processing, no ρ). A parent column takes the parent's own
        codec (leaves, weights, decimals; regrouped by the child's fit). ``__nsib`` and
        ``__rank`` take the parent's child-count codec: the siblings of a sampled child row
        are distributed as the parent's count N given N ≥ 1, its rank as Σ_{n ≥ r} P(n)/n
        (exact for a child of the root, whose one row per entity is drawn uniformly; an
        approximation below it, which only moves bin edges)."""
        plan = self.plans[table]
        parent = plan["parent"]["table"]
        codec = getattr(self.models.get(parent), "_codec", None)
        if codec is None:
            return {}
        out: dict[str, NumericCodec] = {}
        for col in plan.get("dp_context", []):
            if col not in plan["context_numeric"]:
                continue
            if col in ("__rank", "__nsib"):
                count = codec.numeric.get(f"__n.{table}")
                if count is None or count.has_null:
                    continue
                cap = self._count_cap(parent, table)
                weights = _per_integer(count, cap)[1:]  # P(N = n), n = 1..cap
                if col == "__rank":
                    share = weights / np.arange(1, cap + 1)
                    weights = np.cumsum(share[::-1])[::-1]  # Σ_{n ≥ r} P(n)/n
                out[CTX + col] = NumericCodec(
                    low=1.0, high=float(cap), integer=True,
                    leaf_edges=[float(v) for v in range(1, cap + 2)],
                    leaf_weights=[float(w) for w in weights], bin_of_leaf=[0] * cap,
                    has_null=False, bounds_source="derived")
            elif col in codec.numeric:
                out[CTX + col] = codec.numeric[col]
        return out

    def _context_shares(self, table: str) -> dict[str, dict[str, float]]:
        """A child's categorical context columns' value shares under its parent's fitted
        model (released: post-processing), keyed as the codecs key values."""
        from synthguard.generators.dp import _pgm

        plan = self.plans[table]
        parent = self.models.get(plan["parent"]["table"])
        codec, model = getattr(parent, "_codec", None), getattr(parent, "_model", None)
        if codec is None or model is None:
            return {}
        out: dict[str, dict[str, float]] = {}
        for col in plan.get("dp_context", []):
            if col in plan["context_numeric"] or col not in codec.categorical:
                continue
            mass = np.maximum(_pgm.project(model, (col,)), 0.0)
            keys = codec.categorical[col].keys
            if mass.size != len(keys) or mass.sum() <= 0:
                continue
            out[CTX + col] = {k: float(m / mass.sum()) for k, m in zip(keys, mass, strict=True)}
        return out

    def _parent_bounds(self, plan: dict[str, Any], col: str) -> list[float] | None:
        parent = plan["parent"]
        if parent is None:
            return None
        value = self._bounds.get(f"{parent['table']}.{col}")
        return None if value is None else [float(value[0]), float(value[1])]

    # ----------------------------------------------------------------- sample
    def _sample_table(self, table: str, size: int, rng: np.random.Generator,
                      context: pd.DataFrame | None) -> pd.DataFrame:
        model = self.models[table]
        targets = list(self.plans[table]["targets"])
        if context is None:
            frame = model.sample(size, seed=int(rng.integers(2**31))).loc[:, targets].reset_index(drop=True)
            return self._clip_tails(table, frame)
        pool_n = max(int(self.p.pool_factor * size), 500)
        pool = model.sample(pool_n, seed=int(rng.integers(2**31))).reset_index(drop=True)
        kept = self.plans[table].get("dp_context", list(context.columns))
        chosen = _match(pool, context.loc[:, kept], self.plans[table], rng)
        return self._clip_tails(table, pool.iloc[chosen][targets].reset_index(drop=True))

    def iter_blocks(self, *, scale: float = 1.0, seed: int = 0,
                    progress: ProgressCallback | None = None) -> Iterator[dict[str, pd.DataFrame]]:
        if not self.models:
            raise NotFittedError("hierarchical_dp is not fitted; call fit() first")
        if not (isinstance(scale, int | float) and not isinstance(scale, bool) and scale > 0):
            raise ParameterError(f"scale={scale!r} must be a number > 0")
        yield from _plan.sample_blocks(self.plans, self.real_rows, self._sample_table, scale=scale,
                                       seed=seed, progress=progress)

    # ------------------------------------------------------------ persistence
    _INNER = ("mst", "aim")  # the per-table generators a saved model may name

    def state(self) -> dict[str, Any]:
        """Plans, schema, bounds and the guarantee as JSON; each table's MST/AIM model is
        written by :meth:`save_files` under ``tables/<i>/`` (JSON + ``.npz``, no pickle).
        Saving is post-processing: it spends nothing."""
        if not self.models or self.metadata is None or self._spend is None:
            raise NotFittedError("cannot save an unfitted hierarchical_dp generator")
        return {"plans": self.plans, "metadata": self.metadata.to_dict(), "real_rows": self.real_rows,
                "bounds": self._bounds, "values": {k: list(v) for k, v in self._values.items()},
                "info": self.info, "spend": self._spend.to_dict(), "tails": self._tails,
                "models": [{"table": t, "generator": m.name, "params": m.params.to_dict()}
                           for t, m in self.models.items()]}

    def save_files(self, folder: Path) -> None:
        for i, model in enumerate(self.models.values()):
            sub = folder / "tables" / str(i)
            sub.mkdir(parents=True)
            model.save_files(sub)

    @classmethod
    def from_state(cls, state: dict[str, Any], params: GeneratorParams) -> HierarchicalDPGenerator:
        generator = cls(params)
        generator.plans = state["plans"]
        generator.metadata = RelationalMetadata.from_dict(state["metadata"])
        generator.real_rows = {t: int(n) for t, n in state["real_rows"].items()}
        generator._bounds = {k: [float(v[0]), float(v[1])] for k, v in state["bounds"].items()}
        generator._values = {k: tuple(float(x) for x in v) for k, v in state.get("values", {}).items()}
        generator.info = dict(state["info"])
        generator._tails = {t: {c: [float(v[0]), float(v[1])] for c, v in cols.items()}
                            for t, cols in state.get("tails", {}).items()}
        spend = dict(state["spend"])
        spend["public"] = tuple(spend.get("public", ()))
        generator._spend = PrivacySpend(**spend)
        generator._saved_models = list(state["models"])
        return generator

    def load_files(self, folder: Path) -> None:
        from synthguard.generators.registry import get_generator

        self.models = {}
        for i, entry in enumerate(self._saved_models):
            name = entry["generator"]
            if name not in self._INNER or entry["table"] not in self.plans:
                raise IntegrityError(f"saved hierarchical_dp model names table {entry['table']!r} "
                                     f"and generator {name!r}; expected one of {list(self._INNER)} "
                                     "for a table of its plans")
            cls = get_generator(name)
            model = cls.load_files(folder / "tables" / str(i), cls.Params.from_dict(entry["params"]))
            self.models[entry["table"]] = model
        if set(self.models) != set(self.plans):
            raise IntegrityError(f"saved hierarchical_dp model in {str(folder)!r} lacks the models "
                                 f"of {sorted(set(self.plans) - set(self.models))}")


def public_encoded(meta: RelationalMetadata, plans: dict[str, dict[str, Any]],
                   ) -> tuple[dict[str, list[float]], dict[str, tuple[float, ...]]]:
    """Bounds and value sets of the modelled columns (``"TABLE.column"``, model units) that
    follow from the metadata's public facts alone (:func:`public_facts`), so they cost no ε.

    A numeric column takes its ``bounds`` / ``values``. A time is modelled as an offset from a
    reference (an event from its parent's event, another time from its row's event): its
    bounds are its declared ``offset_days``, else the difference of the two columns' declared
    ``bounds`` (interval arithmetic: [low − ref high, high − ref low]); an absolute time (a
    root's event) takes its ``bounds``."""
    bounds: dict[str, list[float]] = {}
    values: dict[str, tuple[float, ...]] = {}
    for table, plan in plans.items():
        anchor = plan["anchor"]
        parent = plan["parent"]
        for col, kind in plan["own"].items():
            if kind == "categorical":
                continue
            facts = public_facts(meta, table, col)
            if col == anchor and plan["anchor_mode"] != "absolute":
                if not plan.get("offsets_only"):
                    continue  # gap coding (event_offsets=False): no public rule here
                ref = (parent["table"], plan["parent_anchor"]) if plan["parent_anchor"] else None
            elif col in plan["offsets"]:
                ref = (table, anchor)
            else:
                ref = None
            if ref is None:
                found = facts.get("bounds")
            elif "offset_days" in facts:
                found = facts["offset_days"]
            else:
                other = public_facts(meta, *ref).get("bounds")
                own = facts.get("bounds")
                found = None if own is None or other is None else [own[0] - other[1], own[1] - other[0]]
            if found is not None:
                bounds[f"{table}.{col}"] = [float(found[0]), float(found[1])]
            if "values" in facts and ref is None:
                values[f"{table}.{col}"] = facts["values"]
    return bounds, values


# parameters of the per-table mechanism that hierarchical_dp sets itself (from its own)
_RESERVED = frozenset({"epsilon", "delta", "bounds", "estimate_bounds", "max_bins",
                       "discretisation_share", "max_depth", "rounds", "final_iters", "workload"})


def _check_mechanism_params(mechanism: str, values: dict[str, Any] | None) -> None:
    """``mechanism_params``: a JSON object of the mechanism's own parameters, validated by
    building its parameters (so a bad value fails here, before any data is read)."""
    from synthguard.generators.registry import get_generator

    if values is None:
        return
    if not isinstance(values, dict):
        raise ParameterError(f"mechanism_params must be a JSON object, got {values!r}")
    params_cls = get_generator(mechanism).Params
    known = {f.name for f in fields(params_cls)} - _RESERVED
    unknown = sorted(set(values) - known)
    if unknown:
        raise ParameterError(f"mechanism_params: {unknown} cannot be set for {mechanism}; it takes "
                             f"{sorted(known)} (the others follow hierarchical_dp's own parameters)")
    params_cls(**values)  # validates the values


def _child_workload(columns: list[str]) -> tuple[tuple[str, str], ...]:
    """All pairs of a child table's DP frame except context × context (see ``context_pairs``)."""
    return tuple((a, b) for i, a in enumerate(columns) for b in columns[i + 1:]
                 if not (a.startswith(CTX) and b.startswith(CTX)))


def _context_columns(data: RelationalData, plans: dict[str, dict[str, Any]], plan: dict[str, Any],
                     limit: int) -> list[str]:
    """The parent columns a child's DP model is given (at most ``limit``), then rank and
    sibling count. Chosen from public facts only: categorical columns by their number of
    levels (value sets are public), then numeric ones in column order."""
    if plan["parent"] is None:
        return []
    parent = plan["parent"]["table"]
    own = plans[parent]["own"]
    categorical = sorted((c for c, kind in own.items() if kind == "categorical"),
                         key=lambda c: data.tables[parent][c].nunique(dropna=False))
    numeric = [c for c, kind in own.items() if kind != "categorical"]
    return [*(categorical + numeric)[:limit], "__rank", "__nsib"]


def _per_integer(codec: NumericCodec, cap: int) -> np.ndarray:
    """Weights of the integers 0..cap under an integer codec's leaf weights (each leaf's
    weight spread evenly over its integers)."""
    out = np.zeros(cap + 1)
    edges = codec.leaf_edges
    for i, w in enumerate(codec.leaf_weights):
        first, end = math.ceil(edges[i]), math.ceil(edges[i + 1])  # the leaf's integers
        lo, hi = max(first, 0), min(end, cap + 1)
        if hi > lo:
            out[lo:hi] += max(float(w), 0.0) / (end - first)
    return out


def _bounds_sigmas(columns: list[tuple[str, str]], root: str, rho: float,
                   child_weight: float) -> dict[tuple[str, str], float]:
    """Noise σ of each (table, column)'s unit-sensitivity range histogram so that the
    histograms together cost ``rho`` (Σ 1/(2σ²) = ρ): a root column weight 1, any other
    ``child_weight``, each column ρ·weight/Σweights."""
    weight = {key: 1.0 if key[0] == root else float(child_weight) for key in columns}
    total = sum(weight.values())
    return {key: math.sqrt(total / (2.0 * rho * w)) for key, w in weight.items()}


def _time_edges() -> np.ndarray:
    """Buckets of a time in seconds (since 1970, or between two times): signed powers of 4 up
    to 4^18 s (~2,180 years), which holds any difference of two datetime64[ns] values
    (1677-2262, ±1.8e10 s); 39 buckets instead of the 64 of a float's whole range."""
    return signed_powers(4.0, 19)


def _count_edges(ceiling: int) -> np.ndarray:
    """Buckets of a child count: [0, 1), [1, 4), [4, 16), ... up to ``ceiling`` (public).
    Few buckets, so a noisy one far from the data rarely wins at small budgets."""
    edges = [0.0, 1.0]
    while edges[-1] <= ceiling:
        edges.append(edges[-1] * 4)
    return np.array(edges)


def _one_per_entity(entity: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row positions: one uniformly random row for every entity that owns rows."""
    order = rng.permutation(len(entity))
    _, first = np.unique(entity[order], return_index=True)
    return np.sort(order[first])


def _one_value_per_entity(column: pd.Series, entity: np.ndarray, rng: np.random.Generator,
                          ) -> np.ndarray:
    """One finite value of ``column`` for every entity that has one in some row, drawn
    uniformly among those rows: a range histogram over these has sensitivity 1, as over one
    row per entity, but a column that is mostly null (an account's close date: 85 % of rows,
    ~90 values in one row per entity of the second held-out bank) keeps every entity with a
    value in any of its rows (~130 there)."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    known = np.flatnonzero(np.isfinite(values))
    return np.asarray(values[known[_one_per_entity(entity[known], rng)]])


def _match(pool: pd.DataFrame, context: pd.DataFrame, plan: dict[str, Any],
           rng: np.random.Generator) -> np.ndarray:
    """For each context row, a random one of the pool rows with the nearest context."""
    from sklearn.neighbors import NearestNeighbors

    numeric = set(plan["context_numeric"])
    blocks_pool, blocks_ctx = [], []
    for col in context.columns:
        p = pool[CTX + col]
        c = context[col]
        weight = 3.0 if col in ("__rank", "__nsib") else 1.0
        if col in numeric:
            pv = pd.to_numeric(p, errors="coerce").to_numpy(dtype=float)
            cv = pd.to_numeric(c, errors="coerce").to_numpy(dtype=float)
            mu, sd = np.nanmean(pv) if np.isfinite(pv).any() else 0.0, np.nanstd(pv) if np.isfinite(pv).any() else 1.0
            sd = sd if sd > 0 else 1.0
            blocks_pool.append(weight * np.nan_to_num((pv - mu) / sd, nan=-3.0)[:, None])
            blocks_ctx.append(weight * np.nan_to_num((cv - mu) / sd, nan=-3.0)[:, None])
        else:
            levels = pd.Index(pd.concat([p, c]).astype(str).unique()[:50])
            ph = (p.astype(str).to_numpy()[:, None] == levels.to_numpy()[None, :]).astype(float)
            ch = (c.astype(str).to_numpy()[:, None] == levels.to_numpy()[None, :]).astype(float)
            blocks_pool.append(weight * ph / math.sqrt(2))
            blocks_ctx.append(weight * ch / math.sqrt(2))
    xp = np.hstack(blocks_pool) if blocks_pool else np.zeros((len(pool), 1))
    xc = np.hstack(blocks_ctx) if blocks_ctx else np.zeros((len(context), 1))
    k = min(5, len(pool))
    index = NearestNeighbors(n_neighbors=k).fit(xp).kneighbors(xc, return_distance=False)
    pick = rng.integers(0, k, len(context))
    return np.asarray(index[np.arange(len(context)), pick])


def charge_relational_fit(generator: RelationalGenerator, data: RelationalData,
                          planned: PrivacySpend, fit: Callable[[], PrivacySpend | None], *,
                          ledger: DPLedger | None = None, source: RelationalData | None = None,
                          seed: int | None = None) -> PrivacySpend:
    """Reserve ``planned`` on the dataset of every table of ``data`` (and of ``source``, and
    of ``ledger.source``) in one transaction, run ``fit``, record what it reports; the same
    protocol as :func:`synthguard.ledger.budget.charge_dp_fit` for one table."""
    from synthguard.ledger.budget import BudgetLedger, DPLedger, spend_reserved
    from synthguard.ledger.identity import TableRows

    ledger = ledger or DPLedger()
    root = data.metadata.roots()[0]
    order = [root, *(t for t in data.tables if t != root)]
    rows = TableRows(data.tables[root])
    also = [TableRows(data.tables[t]) for t in order[1:]]
    if source is not None:
        also += [TableRows(source.tables[t]) for t in source.tables]
    if ledger.source is not None:
        also.append(TableRows(ledger.source))
    book = BudgetLedger(ledger.store)
    reservations = book.reserve_for(
        rows, also=also, epsilon=planned.epsilon, delta=planned.delta, rho=planned.rho,
        generator=generator.name, mechanism=planned.mechanism, accountant=planned.accountant,
        run_id=ledger.run_id, label=ledger.label or root,
        detail={"planned": planned.to_dict(), "seed": seed, "unit": f"root entity ({root})",
                "tables": order})
    return spend_reserved(book, reservations, fit, name=generator.name, run_id=ledger.run_id)


def run_relational_dp_fit(generator: RelationalGenerator, data: RelationalData, *,
                          store: RunStore | None = None, seed: int = 0,
                          progress: ProgressCallback | None = None, run_id: str = "",
                          source: RelationalData | None = None) -> PrivacySpend:
    """Fit an entity-level DP generator with the ledger charged exactly once (see
    :meth:`HierarchicalDPGenerator.fit`), tied to ``run_id``; return the recorded guarantee.
    ``source``: the loaded dataset ``data`` was split from."""
    from synthguard.ledger.budget import DPLedger

    if not isinstance(generator, HierarchicalDPGenerator):
        raise ParameterError(f"{generator.name!r} is not an entity-level DP generator")
    generator.fit(data, seed=seed, progress=progress, source=source,
                  ledger=DPLedger(store=store, run_id=run_id))
    spent = generator.privacy_spent()
    assert spent is not None  # charge_relational_fit refused a fit without one
    return spent


def relational_budget_keys(data: RelationalData, *, store: RunStore | None = None,
                           register: bool = True, label: str = "") -> dict[str, str]:
    """The ledger key of every table of ``data`` (root first): the datasets an entity-level
    DP fit of ``data`` charges (:func:`charge_relational_fit`), hence where the budget of a
    relational dataset is set (the same total on each: a fit spends its entity-level (ε, δ)
    on every table; a single-table DP fit of one of them composes on that table)."""
    from synthguard.ledger.budget import BudgetLedger
    from synthguard.ledger.identity import TableRows

    book = BudgetLedger(store or RunStore())
    root = data.metadata.roots()[0]
    order = [root, *(t for t in data.tables if t != root)]
    return {t: book.key_for(TableRows(data.tables[t]), register=register,
                            label=f"{label or root}/{t}") for t in order}

"""``hierarchical``: synthguard's default relational generator.

Each table is a :class:`~synthguard.generators.relational._conditional.ConditionalCopula`
(our ``gaussian_copula`` made conditional): root tables are modelled alone, together with how
many children of each kind every row has; a child table is modelled given its parent's
attributes, its rank among its siblings and their number, with event times as first-event
offsets and inter-event gaps (see :mod:`._plan`). Sampling walks the tables parents-first in
blocks of root entities, so any scale is streamed and every foreign key points at a row that
exists. Any number of tables and any depth of a foreign-key DAG. Plain JSON state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.relational import RelationalData, RelationalMetadata
from synthguard.errors import NotFittedError, ParameterError
from synthguard.generators.base import Capabilities, GeneratorParams
from synthguard.generators.relational import _plan
from synthguard.generators.relational._conditional import ConditionalCopula
from synthguard.generators.relational.base import RelationalGenerator, register_relational
from synthguard.progress import ProgressCallback, report


@dataclass(frozen=True)
class HierarchicalParams(GeneratorParams):
    bins: int = 20  # numeric bins of each table's network skeleton
    max_parents: int = 3  # parents per column in a table's network (context columns included)
    quantiles: int = 200  # points of each numeric column's quantile grid
    block_entities: int = _plan.BLOCK_ENTITIES  # root entities per sampled block

    def __post_init__(self) -> None:
        if not 2 <= self.bins <= 200:
            raise ParameterError("bins must be in [2, 200]")
        if not 0 <= self.max_parents <= 5:
            raise ParameterError("max_parents must be in [0, 5]")
        if self.quantiles < 10:
            raise ParameterError("quantiles must be >= 10")
        if self.block_entities < 1:
            raise ParameterError("block_entities must be >= 1")


@register_relational
class HierarchicalGenerator(RelationalGenerator):
    """Per-table conditional copulas, child counts from the parent, gap-coded event times."""

    name = "hierarchical"
    summary = ("per-table conditional Gaussian copula (children given parent attributes, rank "
               "and sibling count; child counts from the parent; time gaps); any depth; JSON")
    caps = Capabilities(modality="relational", dp=False, seeded=True)
    Params = HierarchicalParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.plans: dict[str, dict[str, Any]] = {}
        self.models: dict[str, ConditionalCopula] = {}

    @property
    def p(self) -> HierarchicalParams:
        assert isinstance(self.params, HierarchicalParams)
        return self.params

    def fit(self, data: RelationalData, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> HierarchicalGenerator:
        self.plans = _plan.build_plans(data, choose_reference=True)
        encoded = _plan.encode(data, self.plans)
        self.models = {}
        for i, (table, (targets, context)) in enumerate(encoded.items()):
            plan = self.plans[table]
            report(progress, "fit hierarchical", i, len(encoded))
            self.models[table] = ConditionalCopula().fit(
                targets, plan["targets"], context=context,
                context_numeric=set(plan["context_numeric"]), seed=seed, bins=self.p.bins,
                quantiles=self.p.quantiles, max_parents=self.p.max_parents)
        report(progress, "fit hierarchical", len(encoded), len(encoded))
        self.metadata = data.metadata
        self.real_rows = data.n_rows()
        self.fit_info.data_sha256 = data.fingerprint()
        self.fit_info.n_rows = sum(self.real_rows.values())
        self.fit_info.columns = [f"{t}.{c}" for t, p in self.plans.items() for c in p["columns"]]
        return self

    def _sample_table(self, table: str, size: int, rng: np.random.Generator,
                      context: pd.DataFrame | None) -> pd.DataFrame:
        return self.models[table].sample(size, rng, context=context)

    def iter_blocks(self, *, scale: float = 1.0, seed: int = 0,
                    progress: ProgressCallback | None = None) -> Iterator[dict[str, pd.DataFrame]]:
        if not self.models:
            raise NotFittedError("hierarchical is not fitted; call fit() first")
        if not (isinstance(scale, int | float) and not isinstance(scale, bool) and scale > 0):
            raise ParameterError(f"scale={scale!r} must be a number > 0")
        yield from _plan.sample_blocks(self.plans, self.real_rows, self._sample_table, scale=scale,
                                       seed=seed, block_entities=self.p.block_entities,
                                       progress=progress)

    def state(self) -> dict[str, Any]:
        if not self.models or self.metadata is None:
            raise NotFittedError("cannot save an unfitted hierarchical generator")
        return {"plans": self.plans, "models": {t: m.state for t, m in self.models.items()},
                "metadata": self.metadata.to_dict(), "real_rows": self.real_rows}

    @classmethod
    def from_state(cls, state: dict[str, Any], params: GeneratorParams) -> HierarchicalGenerator:
        generator = cls(params)
        generator.plans = state["plans"]
        generator.models = {t: ConditionalCopula(s) for t, s in state["models"].items()}
        generator.metadata = RelationalMetadata.from_dict(state["metadata"])
        generator.real_rows = {t: int(n) for t, n in state["real_rows"].items()}
        return generator

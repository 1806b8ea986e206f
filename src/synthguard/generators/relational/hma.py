"""``sdv_hma``: SDV's HMASynthesizer behind the relational protocol, where its limits allow.

HMA (hierarchical modelling: each parent row carries the Gaussian-copula parameters of its
children) refuses schemas with more than 5 tables or a foreign-key chain longer than 2 tables
(SDV asks for its Enterprise edition); that refusal is a typed
:class:`~synthguard.errors.UnsupportedSchemaError` raised before any fit, naming the limit and
pointing at ``hierarchical``. HMA samples all tables in one go (no blocks) and its models are
pickles, so this wrapper is not saved.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synthguard.data.relational import RelationalData
from synthguard.errors import NotFittedError, ParameterError, UnsupportedSchemaError
from synthguard.generators.base import Capabilities, GeneratorParams
from synthguard.generators.relational.base import RelationalGenerator, register_relational
from synthguard.generators.sdv_models import _quiet
from synthguard.progress import ProgressCallback, report

MAX_TABLES = 5
MAX_DEPTH = 2


@dataclass(frozen=True)
class HMAParams(GeneratorParams):
    default_distribution: str = "beta"  # SDV's default for each table's GaussianCopula

    def __post_init__(self) -> None:
        allowed = ("norm", "beta", "truncnorm", "uniform", "gamma", "gaussian_kde")
        if self.default_distribution not in allowed:
            raise ParameterError(f"default_distribution must be one of {allowed}")


@register_relational
class SDVHMAGenerator(RelationalGenerator):
    """SDV HMASynthesizer (≤ 5 tables, depth ≤ 2)."""

    name = "sdv_hma"
    summary = "SDV HMASynthesizer (hierarchical Gaussian copulas); ≤ 5 tables, depth ≤ 2"
    caps = Capabilities(modality="relational", dp=False, seeded=True, pickled=True)
    Params = HMAParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._synth: Any = None

    @staticmethod
    def check_schema(data: RelationalData) -> None:
        n, depth = len(data.metadata.tables), data.metadata.depth()
        if n > MAX_TABLES or depth > MAX_DEPTH:
            raise UnsupportedSchemaError(
                f"sdv_hma cannot model this schema ({n} tables, depth {depth}): SDV's HMA refuses "
                f"more than {MAX_TABLES} tables or depth > {MAX_DEPTH}; use generator='hierarchical'")

    def fit(self, data: RelationalData, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> SDVHMAGenerator:
        self.check_schema(data)
        from sdv.errors import SynthesizerInputError
        from sdv.multi_table import HMASynthesizer

        assert isinstance(self.params, HMAParams)
        report(progress, "fit sdv_hma", 0, 1)
        random.seed(seed)
        np.random.seed(seed % 2**32)
        with _quiet():
            synth = HMASynthesizer(data.metadata.to_sdv(), verbose=False)
            for table in data.metadata.tables:
                synth.set_table_parameters(
                    table, {"default_distribution": self.params.default_distribution})
            try:
                synth.fit(data.tables)
            except SynthesizerInputError as exc:
                raise UnsupportedSchemaError(f"sdv_hma refused the data: {str(exc).splitlines()[0]}") from None
        self._synth = synth
        self.metadata = data.metadata
        self.real_rows = data.n_rows()
        self.fit_info.data_sha256 = data.fingerprint()
        self.fit_info.n_rows = sum(self.real_rows.values())
        report(progress, "fit sdv_hma", 1, 1)
        return self

    def iter_blocks(self, *, scale: float = 1.0, seed: int = 0,
                    progress: ProgressCallback | None = None) -> Iterator[dict[str, pd.DataFrame]]:
        if self._synth is None:
            raise NotFittedError("sdv_hma is not fitted; call fit() first")
        random.seed(seed)
        np.random.seed(seed % 2**32)
        with _quiet():
            self._synth.reset_sampling()
            tables = self._synth.sample_scale(scale=scale)
        report(progress, "sample sdv_hma", 1, 1)
        yield dict(tables)

"""Shared fit/sample/save of the marginal-based zCDP generators (AIM, MST).

A fit: ρ = tight zCDP of (ε, δ); a stated share of ρ buys the numeric discretisation
(DP adaptive histograms), the rest goes to the mechanism (``_run``), which measures noisy
marginals and returns a Private-PGM model. The sum of ρ spent is checked against ρ.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from synthguard.data.loading import table_fingerprint
from synthguard.errors import InputError
from synthguard.generators.base import GeneratorParams, PrivacySpend
from synthguard.generators.dp import _pgm
from synthguard.generators.dp._base import DEFAULT_DELTA_RULE, DPGeneratorBase, DPParams
from synthguard.generators.dp._discretise import NumericCodec, fit_codec, fused_combinations
from synthguard.ledger.accounting import ZCDP_METHOD, cdp_rho
from synthguard.progress import ProgressCallback, report


@dataclass(frozen=True)
class RunResult:
    model: Any  # mbi.MarkovRandomField
    rho_used: float
    cliques: list[tuple[str, ...]]
    rounds: int


class MarginalDPGenerator(DPGeneratorBase):
    """Base of AIM and MST. Subclasses implement ``_run``."""

    mechanism_name: ClassVar[str] = ""
    fuses_combinations: ClassVar[bool] = True

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._model: Any = None
        self._ordered: set[str] = set()
        self._paid: list[Any] = []  # 1-way measurements the discretisation already paid for
        # numeric columns whose codec is known from already-released DP outputs (a child
        # table's copies of its parent's columns, set by hierarchical_dp): no histogram
        # is measured for them, so the discretisation's ρ is spread over the others only
        self.derived_codecs: dict[str, NumericCodec] = {}
        # categorical columns' value shares known from released outputs (value key -> share)
        self.derived_shares: dict[str, dict[str, float]] = {}
        self._priors: dict[str, np.ndarray] = {}  # 1-way shares over codes, of those columns

    def _spend_for(self, epsilon: float, delta: float, *, planned: bool) -> PrivacySpend:
        rho = cdp_rho(epsilon, delta)
        default = self.p.delta is None
        notes = (f"{self.mechanism_name}; ρ={rho:.6g} from (ε, δ) by {ZCDP_METHOD}; "
                 f"δ {'default ' + DEFAULT_DELTA_RULE if default else 'given by the user'}")
        return PrivacySpend(epsilon=float(epsilon), delta=float(delta),
                            mechanism=self.caps.mechanism or self.name, accountant="zCDP",
                            rho=rho, public=(), notes=notes)

    def min_bin_mass(self, n_columns: int, rho: float) -> float:
        """Least noisy mass of a numeric column's coarse bin, from public quantities only (the
        number of modelled columns and the mechanism's ρ); 0: bins of equal mass only."""
        return 0.0

    @abstractmethod
    def _run(self, data: Any, domain: Any, rho: float, rng: np.random.Generator,
             progress: ProgressCallback | None) -> RunResult:
        """Spend exactly ``rho`` (zCDP) on the encoded data; return the model."""

    def _fit_private(self, data: Any, *, schema: Any = None, seed: int = 0,
                     progress: ProgressCallback | None = None) -> None:
        if not isinstance(data, pd.DataFrame):
            raise InputError(f"{self.name} fits a pandas DataFrame")
        frame = data
        delta = self.resolve_delta(len(frame))
        plans = self.plan(frame, schema)
        rho = cdp_rho(self.p.epsilon, delta)
        unknown = sorted(set(self.derived_codecs) - {p.name for p in plans if p.kind == "numeric"})
        if unknown:
            raise InputError(f"{self.name}: derived codecs given for {unknown}, which are not "
                             "numeric columns of the table")
        rho_disc = self.discretisation_rho(
            [p for p in plans if p.name not in self.derived_codecs], rho)
        rng = np.random.default_rng(seed)
        report(progress, "discretise", 0, 1)
        n_attributes = sum(p.kind not in ("id", "fused") for p in plans) + (len(
            fused_combinations(frame, schema)) if any(p.kind == "fused" for p in plans) else 0)
        min_mass = self.min_bin_mass(n_attributes, rho - rho_disc)
        codec = fit_codec(frame, plans, rho=rho_disc if rho_disc > 0 else 1.0,
                          max_bins=self.p.max_bins, rng=rng, min_bin_mass=min_mass,
                          smoothing=self.p.smoothing, schema=schema,
                          derived=self.derived_codecs)
        report(progress, "discretise", 1, 1)
        sizes = codec.domain_sizes()
        if not sizes:
            raise InputError(f"{self.name}: the table has no column to model")
        domain = _pgm.make_domain(sizes)
        dataset = _pgm.make_dataset(codec.encode(frame), domain)
        self._ordered = set(codec.numeric)  # columns whose adjacent codes may be merged
        self._paid = _pgm.bin_measurements(codec)
        self._priors = _priors(codec, self.derived_codecs, self.derived_shares)
        try:
            result = self._run(dataset, domain, rho - rho_disc, rng, progress)
        finally:
            _pgm.release_compiled()  # or a long-lived process runs out of memory mappings
        total = rho_disc + result.rho_used
        if total > rho * (1 + 1e-9):
            raise AssertionError(f"mechanism spent ρ={total} > budget ρ={rho}")
        self._model, self._codec = result.model, codec
        self._info = {"cliques": [list(c) for c in result.cliques], "rounds": result.rounds,
                      "rho_discretisation": rho_disc, "rho_mechanism": result.rho_used,
                      "domain": sizes, "codec_notes": codec.notes}
        spend = self._spend_for(self.p.epsilon, delta, planned=False)
        # ρ = cdp_rho(ε, δ) is tight, so the ε reported is the ε asked
        self._spend = PrivacySpend(
            epsilon=float(self.p.epsilon), delta=delta, mechanism=spend.mechanism,
            accountant="zCDP", rho=rho, public=self.public_items(plans, self.p.delta is None),
            notes=spend.notes + f"; ρ split: discretisation {rho_disc:.4g}, mechanism "
            f"{result.rho_used:.4g}; {result.rounds} measurement round(s)")
        self.fit_info.data_sha256 = table_fingerprint(frame)
        self.fit_info.n_rows = len(frame)
        self.fit_info.columns = [str(c) for c in frame.columns]

    def sample(self, n: int, *, seed: int = 0,
               progress: ProgressCallback | None = None) -> pd.DataFrame:
        from synthguard.generators.base import check_rows

        check_rows(n)
        self._require_fitted()
        assert self._codec is not None
        report(progress, "sample", 0, n)
        codes = _pgm.sample_model(self._model, n, seed)
        rng = np.random.default_rng([seed, 1])
        frame = self._codec.decode(self._postprocess_codes(codes, rng), n, rng)
        report(progress, "sample", n, n)
        return frame

    def _postprocess_codes(self, codes: dict[str, np.ndarray],
                           rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Hook for mechanisms that model a transformed domain (MST's compression)."""
        return codes

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["model"] = self._info
        return out

    def save_files(self, folder: Path) -> None:
        self._require_fitted()
        assert self._codec is not None and self._spend is not None
        _pgm.save_model(self._model, folder)
        self._save_meta(folder)

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> MarginalDPGenerator:
        assert isinstance(params, DPParams)
        gen = cls(params)
        gen._load_meta(folder)
        gen._model = _pgm.load_model(folder)
        return gen


def _priors(codec: Any, derived: dict[str, NumericCodec],
            shares: dict[str, dict[str, float]]) -> dict[str, np.ndarray]:
    """Each derived column's 1-way shares over its codes (post-processing of released
    outputs): a numeric column's coarse bins sum its leaf weights (not for a column with
    nulls: their share is not known); a categorical column's values take their given share
    (a value without one: none)."""
    out: dict[str, np.ndarray] = {}
    for name in derived:
        numeric = codec.numeric[name]
        if numeric.has_null:
            continue
        size = numeric.n_bins
        mass = np.bincount(np.asarray(numeric.bin_of_leaf), minlength=size,
                           weights=np.maximum(np.asarray(numeric.leaf_weights, dtype=float), 0))
        if mass.sum() > 0:
            out[name] = mass / mass.sum()
    for name, given in shares.items():
        if name not in codec.categorical:
            continue
        mass = np.array([max(float(given.get(k, 0.0)), 0.0) for k in codec.categorical[name].keys])
        if mass.sum() > 0:
            out[name] = mass / mass.sum()
    return out

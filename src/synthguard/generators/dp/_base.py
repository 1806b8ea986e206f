"""What every DP generator shares: validated (ε, δ), the default δ, bounds, the planned
spend the ledger reserves before the data is read, and the honest statement of what was
treated as public."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd

from synthguard.data.schema import Schema, infer_schema
from synthguard.errors import NotFittedError, ParameterError
from synthguard.generators._charged import LedgerChargedGenerator
from synthguard.generators.base import GeneratorParams, PrivacySpend
from synthguard.generators.dp._discretise import (
    ColumnPlan,
    TableCodec,
    histogram_measurements,
    load_bounds,
    plan_columns,
)
from synthguard.generators.dp._shape import SMOOTHINGS

DEFAULT_DELTA_RULE = "1/n² (n = training rows), capped below 1/n"

PUBLIC_ITEMS: tuple[str, ...] = (
    "column names and kinds (schema: numeric or categorical, whole-numbered or not)",
    "categorical value sets",
    "numeric bounds given by the user/schema",
    "number of training rows n (used for the default δ)",
)


def check_max_depth(value: Any) -> None:
    """``max_depth`` (levels of a numeric column's DP histogram): None or an integer >= 1."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ParameterError(f"max_depth must be an integer >= 1 or None, got {value!r}")


@dataclass(frozen=True)
class DPParams(GeneratorParams):
    """Parameters shared by DP generators (validated when built)."""

    epsilon: float = 1.0
    delta: float | None = None  # None: 1/n² computed at fit (stated in the guarantee)
    bounds: str | dict[str, Any] | None = None  # JSON file or {"col": [low, high]}
    estimate_bounds: bool = False  # spend part of the budget on missing numeric bounds
    max_bins: int = 32  # coarse bins per numeric column
    discretisation_share: float = 0.1  # share of ρ for numeric histograms (if any)
    smoothing: str = "bins"  # how noisy leaf counts are denoised for decoding (_shape.py)
    # at most this many levels of each numeric column's adaptive histogram (None: as planned,
    # up to 3-4); every level is one more histogram sharing the discretisation's ρ
    max_depth: int | None = None

    def __post_init__(self) -> None:
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, int | float) or not (
                math.isfinite(eps) and eps > 0):
            raise ParameterError(f"epsilon={eps!r} must be a finite number > 0")
        if self.delta is not None and not (
                isinstance(self.delta, int | float) and 0 < self.delta < 1):
            raise ParameterError(f"delta={self.delta!r} must be in (0, 1)")
        if not isinstance(self.max_bins, int) or self.max_bins < 2:
            raise ParameterError(f"max_bins must be an integer >= 2, got {self.max_bins!r}")
        if not 0 < self.discretisation_share <= 0.5:
            raise ParameterError("discretisation_share must be in (0, 0.5]")
        check_max_depth(self.max_depth)
        if self.smoothing not in SMOOTHINGS:
            raise ParameterError(f"smoothing must be one of {list(SMOOTHINGS)}, "
                                 f"got {self.smoothing!r}")


class DPGeneratorBase(LedgerChargedGenerator):
    """Base of the DP generators: resolves δ, plans columns, reports the spend; ``fit``
    charges the privacy ledger (see :mod:`synthguard.generators._charged`)."""

    Params = DPParams
    # model a public fixed combination of columns as one attribute (the marginal generators)
    fuses_combinations: ClassVar[bool] = False

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._spend: PrivacySpend | None = None
        self._codec: TableCodec | None = None
        self._info: dict[str, Any] = {}

    _META_FILE = "dp.json"

    def _save_meta(self, folder: Path) -> None:
        """Write the codec, the guarantee and fit details as JSON (model weights are separate)."""
        assert self._codec is not None and self._spend is not None
        meta = {"codec": self._codec.to_dict(), "spend": self._spend.to_dict(), "info": self._info}
        (folder / self._META_FILE).write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")

    def _load_meta(self, folder: Path) -> None:
        """Read back what :meth:`_save_meta` wrote."""
        meta = json.loads((folder / self._META_FILE).read_text(encoding="utf-8"))
        self._codec = TableCodec.from_dict(meta["codec"])
        spend = dict(meta["spend"])
        spend["public"] = tuple(spend.get("public", ()))
        self._spend = PrivacySpend(**spend)
        self._info = dict(meta["info"])

    @property
    def p(self) -> DPParams:
        assert isinstance(self.params, DPParams)
        return self.params

    def resolve_delta(self, n_rows: int) -> float:
        """The δ of this fit: the user's, or 1/n²; must be < 1/n (else it allows leaking a
        whole record with probability δ·n ≥ 1)."""
        if n_rows < 2:
            raise ParameterError("a DP fit needs at least 2 rows")
        delta = self.p.delta if self.p.delta is not None else 1.0 / float(n_rows) ** 2
        if delta >= 1.0 / n_rows:
            raise ParameterError(
                f"delta={delta:g} must be smaller than 1/n = {1.0 / n_rows:.3g} for a table "
                f"of {n_rows} rows (δ ≥ 1/n permits publishing a record); use e.g. "
                f"{1.0 / n_rows**2:.2g}")
        return float(delta)

    def planned_spend(self, n_rows: int) -> PrivacySpend:
        """The spend a fit on ``n_rows`` rows will report, checked before any data is read."""
        delta = self.resolve_delta(n_rows)
        return self._spend_for(self.p.epsilon, delta, planned=True)

    def _spend_for(self, epsilon: float, delta: float, *, planned: bool) -> PrivacySpend:
        raise NotImplementedError

    def plan(self, frame: pd.DataFrame, schema: Schema | None) -> list[ColumnPlan]:
        plans = plan_columns(frame, schema or infer_schema(frame), load_bounds(self.p.bounds),
                             estimate_bounds=self.p.estimate_bounds,
                             fuse=self.fuses_combinations)
        if self.p.max_depth is None:
            return plans
        return [dataclasses.replace(p, depth=min(p.depth, self.p.max_depth)) if p.kind == "numeric"
                else p for p in plans]

    def discretisation_rho(self, plans: list[ColumnPlan], rho_total: float) -> float:
        return self.p.discretisation_share * rho_total if histogram_measurements(plans) else 0.0

    def privacy_spent(self) -> PrivacySpend | None:
        return self._spend

    def _require_fitted(self) -> None:
        if self._spend is None:
            raise NotFittedError(f"{self.name}: call fit() before sample()/save()")

    def public_items(self, plans: list[ColumnPlan], delta_default: bool) -> tuple[str, ...]:
        items = list(PUBLIC_ITEMS)
        if not delta_default:
            items.remove("number of training rows n (used for the default δ)")
        given_values = [p.name for p in plans if p.values is not None]
        if given_values:
            items.append("numeric value sets of " + ", ".join(given_values) + " (metadata)")
        fused = [p.name for p in plans if p.kind == "fused"]
        if fused:
            items.append("fixed combinations of " + ", ".join(fused) + " (metadata; modelled "
                         "as one attribute each)")
        given_decimals = [p.name for p in plans if p.decimals is not None and p.values is None]
        if given_decimals:
            items.append("decimals of " + ", ".join(given_decimals) + " (metadata)")
        if any(p.bounds_source == "dp-estimated" for p in plans):
            items.append("bounds of " + ", ".join(
                p.name for p in plans if p.bounds_source == "dp-estimated")
                + " were NOT public: estimated with DP inside this budget")
        return tuple(items)

"""JSON round trip for :class:`TableEncoder`, so a shipped student carries its preprocessing.

The student's encoder is fitted on the synthetic transfer set, never on real rows, so its
medians, scales and category lists are statistics of synthetic data.
"""

from __future__ import annotations

from typing import Any

from synthguard.errors import IntegrityError
from synthguard.evaluation.encoding import TableEncoder


def encoder_to_dict(encoder: TableEncoder) -> dict[str, Any]:
    return {
        "max_categories": encoder.max_categories,
        "numeric": list(encoder.numeric),
        # a list of [column, levels] pairs: column order fixes the one-hot layout, and JSON
        # writers may sort object keys
        "categorical": [[k, list(v)] for k, v in encoder.categorical.items()],
        "center": dict(encoder._center),
        "scale": dict(encoder._scale),
        "nullable": sorted(encoder._nullable),
    }


def encoder_from_dict(data: dict[str, Any]) -> TableEncoder:
    try:
        encoder = TableEncoder(
            max_categories=int(data["max_categories"]),
            numeric=[str(c) for c in data["numeric"]],
            categorical={str(k): [str(x) for x in v] for k, v in data["categorical"]},
        )
        encoder._center = {str(k): float(v) for k, v in data["center"].items()}
        encoder._scale = {str(k): float(v) for k, v in data["scale"].items()}
        encoder._nullable = {str(c) for c in data["nullable"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise IntegrityError(f"student config has an invalid encoder section: {exc}") from None
    return encoder

"""Provenance of a synthetic artifact: how it was made, carried in every report about it.

A report that says "quality 0.91, ε = 1" is only useful when a reader can tell which
generator, which parameters, which run and which real data it is about. :class:`Provenance`
holds that (no values of the data: a fingerprint), is built from the run store's record of
the producing run (:func:`provenance_for_file` finds it by the artifact's SHA-256), and is
rendered in the HTML report and embedded in the JSON one under ``"provenance"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from synthguard import __version__
from synthguard._io import sha256_file, to_jsonable


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Provenance:
    """Where an artifact comes from. Every field but ``synthguard_version`` and ``created``
    may be unknown (None): a table from elsewhere has no producing run."""

    generator: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    epsilon: float | None = None
    delta: float | None = None
    accountant: str | None = None
    run_id: str | None = None
    dataset_fingerprint: str | None = None  # SHA-256 of the real table the generator saw
    artifact_sha256: str | None = None
    seed: int | None = None
    synthguard_version: str = __version__  # of the producing run when known, else this one
    created: str = field(default_factory=_now)  # when the artifact was made (UTC, ISO 8601)

    @classmethod
    def from_run(cls, record: Mapping[str, Any], *, artifact_sha256: str | None = None) -> Provenance:
        """From a run-store record (``RunStore.get`` / ``find_by_output``)."""
        privacy = record.get("privacy") or {}
        versions = record.get("versions") or {}
        params = {k: v for k, v in (record.get("params") or {}).items() if k != "pii"}
        return cls(
            generator=record.get("plugin"), params=params,
            epsilon=privacy.get("epsilon"), delta=privacy.get("delta"),
            accountant=privacy.get("accountant"), run_id=record.get("run_id"),
            dataset_fingerprint=record.get("dataset_sha256"), artifact_sha256=artifact_sha256,
            seed=record.get("seed"), synthguard_version=str(versions.get("synthguard", __version__)),
            created=str(record.get("finished") or record.get("started") or _now()),
        )

    @classmethod
    def from_generator(cls, generator: Any, *, seed: int | None = None, run_id: str | None = None,
                       dataset_fingerprint: str | None = None) -> Provenance:
        """From a fitted generator in this process (``synthesize``, ``demo``, the app)."""
        spend = generator.privacy_spent()
        return cls(
            generator=generator.name, params=generator.params.to_dict(),
            epsilon=None if spend is None else spend.epsilon,
            delta=None if spend is None else spend.delta,
            accountant=None if spend is None else spend.accountant, run_id=run_id,
            dataset_fingerprint=dataset_fingerprint or generator.fit_info.data_sha256, seed=seed,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def to_dict(self) -> dict[str, Any]:
        return {
            "generator": self.generator, "params": to_jsonable(dict(self.params)),
            "epsilon": self.epsilon, "delta": self.delta, "accountant": self.accountant,
            "run_id": self.run_id, "dataset_fingerprint": self.dataset_fingerprint,
            "artifact_sha256": self.artifact_sha256, "seed": self.seed,
            "synthguard_version": self.synthguard_version, "created": self.created,
        }

    def to_frame(self) -> pd.DataFrame:
        """Readable two-column table (field, value) for a report; parameters as compact JSON."""
        labels = {
            "generator": "generator", "params": "parameters", "epsilon": "ε spent",
            "delta": "δ spent", "accountant": "accountant", "run_id": "run id",
            "dataset_fingerprint": "dataset fingerprint (SHA-256)",
            "artifact_sha256": "artifact SHA-256", "seed": "seed",
            "synthguard_version": "synthguard version", "created": "created (UTC)",
        }
        rows = []
        for key, value in self.to_dict().items():
            if isinstance(value, dict):
                value = json.dumps(value, sort_keys=True) if value else "–"
            rows.append({"field": labels[key], "value": "–" if value is None else str(value)})
        return pd.DataFrame(rows).set_index("field")

    def _repr_html_(self) -> str:
        return self.to_frame().to_html()


def provenance_for_file(path: str | Path, *, store: Any | None = None) -> Provenance | None:
    """The provenance of the table at ``path``: the newest successful run in the run store
    that wrote a file with the same SHA-256 (``generate``, the app, ``synthesize``), or None
    when no recorded run made it."""
    from synthguard.ledger.runstore import RunStore

    digest = sha256_file(path)
    record = (store or RunStore()).find_by_output(digest)
    return None if record is None else Provenance.from_run(record, artifact_sha256=digest)


def as_provenance(value: Provenance | Mapping[str, Any] | None) -> Provenance | None:
    """A :class:`Provenance` from itself, its ``to_dict()`` form, or None."""
    if value is None or isinstance(value, Provenance):
        return value
    return Provenance.from_dict(value)


__all__ = ["Provenance", "as_provenance", "provenance_for_file"]

"""The relational generator protocol, its registry, streamed sampling and JSON persistence.

``fit(data: RelationalData, *, seed) -> self``; ``sample(*, scale, seed) -> {table: frame}``;
``iter_blocks(*, scale, seed)`` yields the same tables a block of root entities at a time
(every block is referentially complete, keys are offset across blocks), which is how
:func:`sample_to_folder` writes any scale in bounded memory. Capabilities are the same frozen
dataclass as single-table generators (``modality="relational"``); the registry is the same
:class:`~synthguard.registry.Registry` class.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from synthguard.data.relational import RelationalData, RelationalMetadata
from synthguard.errors import IntegrityError, ParameterError
from synthguard.generators.base import Capabilities, FitInfo, GeneratorParams, PrivacySpend
from synthguard.ledger import Manifest, RunStore, read_manifest, verify_folder, versions, write_manifest
from synthguard.progress import ProgressCallback, report
from synthguard.registry import Registry

STATE_FILE = "relational.json"


class RelationalGenerator(ABC):
    """Abstract base of relational generators. Subclasses set ``name``, ``caps``, ``Params``."""

    name: ClassVar[str]
    caps: ClassVar[Capabilities] = Capabilities(modality="relational")
    Params: ClassVar[type[GeneratorParams]] = GeneratorParams
    summary: ClassVar[str] = ""

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        if params is None:
            params = self.Params.from_dict(kwargs)
        elif kwargs:
            raise ParameterError("pass either a params object or keyword parameters, not both")
        self.params = params
        self.fit_info = FitInfo()
        self.metadata: RelationalMetadata | None = None
        self.real_rows: dict[str, int] = {}

    @abstractmethod
    def fit(self, data: RelationalData, *, seed: int = 0,
            progress: ProgressCallback | None = None) -> RelationalGenerator:
        """Learn from every table of ``data``; return ``self``."""

    def sample(self, *, scale: float = 1.0, seed: int = 0,
               progress: ProgressCallback | None = None) -> dict[str, pd.DataFrame]:
        """All tables, ``scale`` times as many root entities as the real data."""
        parts: dict[str, list[pd.DataFrame]] = {}
        for block in self.iter_blocks(scale=scale, seed=seed, progress=progress):
            for name, frame in block.items():
                parts.setdefault(name, []).append(frame)
        return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}

    @abstractmethod
    def iter_blocks(self, *, scale: float = 1.0, seed: int = 0,
                    progress: ProgressCallback | None = None) -> Iterator[dict[str, pd.DataFrame]]:
        """Blocks of root entities with all their descendants (keys unique across blocks)."""

    def privacy_spent(self) -> PrivacySpend | None:
        return None

    def state(self) -> dict[str, Any]:
        """JSON-ready fitted state (no pickle)."""
        raise ParameterError(f"relational generator {self.name!r} cannot be saved")

    @classmethod
    def from_state(cls, state: dict[str, Any], params: GeneratorParams) -> RelationalGenerator:
        raise ParameterError(f"relational generator {cls.name!r} cannot be loaded")

    def save_files(self, folder: Path) -> None:
        """Write weights beside the JSON state, in safe formats (JSON, ``.npz`` without
        objects; never pickle). None by default."""
        return None

    def load_files(self, folder: Path) -> None:
        """Read back what :meth:`save_files` wrote (after :meth:`from_state`)."""
        return None

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "summary": self.summary, "capabilities": self.caps.to_dict(),
                "params": self.params.to_dict(), "fit": asdict(self.fit_info)}


RELATIONAL_GENERATORS: Registry[type[RelationalGenerator]] = Registry("relational generator")


def register_relational(cls: type[RelationalGenerator]) -> type[RelationalGenerator]:
    RELATIONAL_GENERATORS.add(cls.name, cls)
    return cls


_MODULES = ("synthguard.generators.relational.hierarchical", "synthguard.generators.relational.hma",
            "synthguard.generators.relational.dp")


def _load() -> None:
    import importlib

    for module in _MODULES:
        importlib.import_module(module)


def get_relational_generator(name: str) -> type[RelationalGenerator]:
    _load()
    return RELATIONAL_GENERATORS.get(name)


def create_relational_generator(name: str = "hierarchical", **params: Any) -> RelationalGenerator:
    return get_relational_generator(name)(**params)


def list_relational_generators() -> list[dict[str, Any]]:
    _load()
    return [{"name": n, "summary": c.summary, "capabilities": c.caps.to_dict(),
             "params": c.Params.describe()} for n, c in RELATIONAL_GENERATORS.items()]


# ------------------------------------------------------------------ streaming


@dataclass(frozen=True)
class RelationalSampleSummary:
    rows: dict[str, int]
    blocks: int
    seconds: float
    path: str

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "blocks": self.blocks, "seconds": round(self.seconds, 3)}


def sample_to_folder(generator: RelationalGenerator, out: str | Path, *, scale: float = 1.0,
                     seed: int = 0, fmt: str = "parquet",
                     progress: ProgressCallback | None = None) -> RelationalSampleSummary:
    """Stream every table into ``out/<table>.<fmt>`` block by block; the folder appears only
    when all tables are complete (temporary folder renamed)."""
    if fmt not in ("parquet", "csv"):
        raise ParameterError(f"relational output format must be parquet or csv, got {fmt!r}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ParameterError(f"out={str(out)!r} exists and is not an empty folder; "
                             "give a new folder for the synthetic tables")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    writers: dict[str, Any] = {}
    schemas: dict[str, pa.Schema] = {}
    rows: dict[str, int] = {}
    started = time.perf_counter()
    blocks = 0
    try:
        for block in generator.iter_blocks(scale=scale, seed=seed, progress=progress):
            blocks += 1
            for name, frame in block.items():
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if name not in writers:
                    schemas[name] = pa.schema([f.with_nullable(True) if not pa.types.is_null(f.type)
                                               else f.with_type(pa.string()) for f in table.schema])
                    path = tmp / f"{name}.{fmt}"
                    if fmt == "parquet":
                        writers[name] = pq.ParquetWriter(str(path), schemas[name], compression="zstd")
                    else:
                        from pyarrow import csv

                        writers[name] = csv.CSVWriter(str(path), schemas[name])
                table = pa.Table.from_arrays(
                    [table.column(f.name).cast(f.type) for f in schemas[name]], schema=schemas[name])
                writers[name].write_table(table)
                rows[name] = rows.get(name, 0) + len(frame)
        for writer in writers.values():
            writer.close()
        writers.clear()
        if generator.metadata is not None:
            generator.metadata.write(tmp / "metadata.json")
        if out.exists():
            out.rmdir()
        tmp.rename(out)
    except BaseException:
        for writer in writers.values():
            writer.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report(progress, "write tables", 1, 1)
    return RelationalSampleSummary(rows, blocks, time.perf_counter() - started, str(out))


# ---------------------------------------------------------------- persistence


def save_relational_generator(generator: RelationalGenerator, folder: str | Path, *,
                              store: RunStore | None = None, run_id: str = "") -> str:
    """Save as ``relational.json`` (+ the generator's weight files) + ``manifest.json`` with
    the SHA-256 of every file (atomic folder); return the manifest's SHA-256."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    state = generator.state()
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        (tmp / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
        generator.save_files(tmp)
        spend = generator.privacy_spent()
        manifest = Manifest(kind="relational_generator", name=generator.name,
                            params=generator.params.to_dict(), versions=versions(),
                            data_sha256=generator.fit_info.data_sha256,
                            extra={"capabilities": generator.caps.to_dict(),
                                   "rows": generator.real_rows,
                                   "privacy": spend.to_dict() if spend else None})
        digest = write_manifest(tmp, manifest)
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (store or RunStore()).trust_manifest(digest, run_id=run_id or "save", path=folder)
    return digest


def load_relational_generator(folder: str | Path) -> RelationalGenerator:
    folder = Path(folder)
    if not folder.is_dir():
        raise IntegrityError(f"model folder {str(folder)!r} does not exist")
    manifest = verify_folder(folder)
    read_manifest(folder)
    if manifest.kind != "relational_generator":
        raise IntegrityError(f"{str(folder)!r} holds a {manifest.kind}, not a relational generator")
    cls = get_relational_generator(manifest.name)
    state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    generator = cls.from_state(state, cls.Params.from_dict(manifest.params))
    generator.load_files(folder)
    generator.fit_info.data_sha256 = manifest.data_sha256
    return generator

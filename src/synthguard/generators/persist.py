"""Save and load fitted generators as a folder with a manifest.

Files are hashed into ``manifest.json``; loading verifies every hash before reading a byte of
model. Models whose format is a pickle (SDV's) load only if the manifest's own SHA-256 was
recorded by a save in the local run store: a model received from someone else is code.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from synthguard.errors import IntegrityError
from synthguard.generators.base import Generator
from synthguard.generators.registry import get_generator
from synthguard.ledger import (
    Manifest,
    RunStore,
    read_manifest,
    verify_folder,
    versions,
    write_manifest,
)


def save_generator(
    generator: Generator, folder: str | Path, *, store: RunStore | None = None, run_id: str = ""
) -> str:
    """Write ``generator`` to ``folder`` atomically; return the manifest SHA-256."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        generator.save_files(tmp)
        spend = generator.privacy_spent()
        manifest = Manifest(
            kind="generator",
            name=generator.name,
            params=generator.params.to_dict(),
            versions=versions(),
            data_sha256=generator.fit_info.data_sha256,
            extra={
                "capabilities": generator.caps.to_dict(),
                "n_rows": generator.fit_info.n_rows,
                "columns": generator.fit_info.columns,
                "privacy": spend.to_dict() if spend else None,
            },
        )
        digest = write_manifest(tmp, manifest)
        if folder.exists():
            shutil.rmtree(folder)
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    (store or RunStore()).trust_manifest(digest, run_id=run_id or "save", path=folder)
    return digest


def load_generator(folder: str | Path, *, store: RunStore | None = None) -> Generator:
    """Load a generator saved by :func:`save_generator`, after checking its integrity."""
    folder = Path(folder)
    if not folder.is_dir():
        raise IntegrityError(f"model folder {str(folder)!r} does not exist")
    manifest = verify_folder(folder)
    _, digest = read_manifest(folder)
    cls = get_generator(manifest.name)
    if cls.caps.pickled and not (store or RunStore()).is_trusted(digest):
        raise IntegrityError(
            f"model {str(folder)!r} ({manifest.name}) contains a pickle and its manifest "
            f"(SHA-256 {digest[:12]}…) is not in this machine's run records; a pickle from "
            "elsewhere can run arbitrary code, so it is not loaded. Re-fit the model here, or "
            "load it only on the machine that saved it."
        )
    generator = cls.load_files(folder, cls.Params.from_dict(manifest.params))
    generator.fit_info.data_sha256 = manifest.data_sha256
    generator.fit_info.n_rows = int(manifest.extra.get("n_rows", 0))
    generator.fit_info.columns = list(manifest.extra.get("columns", []))
    return generator

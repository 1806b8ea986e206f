"""Save and load fitted generators as a folder with a manifest.

Files are hashed into ``manifest.json``; loading verifies every hash before reading a byte of
model. Any pickle in the folder (SDV models, a nested base model) is read only through
:func:`synthguard.ledger.trust.load_pickle`, which requires the manifest's own SHA-256 to be
recorded by a save in the local run store: a model received from someone else is code.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from synthguard._outputs import check_new_folder, make_temp_dir, publish_folder
from synthguard.errors import IntegrityError
from synthguard.generators._pii import PiiReport
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
from synthguard.ledger.trust import untrusted_message, verified_folder


def save_generator(
    generator: Generator, folder: str | Path, *, store: RunStore | None = None, run_id: str = "",
    force: bool = False,
) -> str:
    """Write ``generator`` to ``folder`` atomically; return the manifest SHA-256.

    ``folder`` must be new or empty; with ``force`` a model folder synthguard saved earlier is
    replaced. Nothing synthguard did not write is ever deleted (``synthguard._outputs``).
    """
    folder = Path(os.path.abspath(folder))
    check_new_folder(folder, flag="save_model=", force=force)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(folder)
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
                "pii": generator.pii_report.to_dict() if generator.pii_report else None,
            },
        )
        digest = write_manifest(tmp, manifest)
        publish_folder(tmp, folder, flag="save_model=", force=force)
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
    store = store or RunStore()
    if cls.caps.pickled and not store.is_trusted(digest):
        raise IntegrityError(untrusted_message(folder, manifest.name, digest))
    # nested models (copy_leaky's base, ...) unpickle through ledger.trust.load_pickle, which
    # checks the same trusted manifest inside this scope
    with verified_folder(folder, manifest, digest, store):
        generator = cls.load_files(folder, cls.Params.from_dict(manifest.params))
    generator.fit_info.data_sha256 = manifest.data_sha256
    generator.fit_info.n_rows = int(manifest.extra.get("n_rows", 0))
    generator.fit_info.columns = list(manifest.extra.get("columns", []))
    if manifest.extra.get("pii"):
        generator.pii_report = PiiReport.from_dict(manifest.extra["pii"])
    return generator

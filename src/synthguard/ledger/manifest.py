"""Folder manifests: name, params, versions and the SHA-256 of every file.

Saving writes the files first, then ``manifest.json`` last; loading checks every hash before
anything is deserialised, and (for formats that execute code, such as pickles) that the
manifest itself was written by a run recorded in the local run store.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from synthguard._io import sha256_bytes, sha256_file, write_text_atomic
from synthguard.errors import IntegrityError

MANIFEST = "manifest.json"


@dataclass
class Manifest:
    kind: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    data_sha256: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_manifest(folder: str | Path, manifest: Manifest) -> str:
    """Hash every file in ``folder`` into ``manifest`` and write it; return the manifest's SHA-256."""
    folder = Path(folder)
    manifest.files = {
        str(p.relative_to(folder)): sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")
    }
    text = json.dumps(manifest.to_dict(), indent=2, sort_keys=True, default=str)
    write_text_atomic(folder / MANIFEST, text)
    return sha256_bytes(text.encode("utf-8"))


def read_manifest(folder: str | Path) -> tuple[Manifest, str]:
    """Read ``manifest.json``; return it and its SHA-256."""
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise IntegrityError(f"{str(folder)!r} has no {MANIFEST}; it was not saved by synthguard")
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
        manifest = Manifest(**data)
    except (json.JSONDecodeError, TypeError) as exc:
        raise IntegrityError(f"{str(path)!r} is not a valid synthguard manifest: {exc}") from None
    return manifest, sha256_bytes(raw)


def verify_folder(folder: str | Path) -> Manifest:
    """Check that every file listed in the manifest exists with the recorded SHA-256."""
    folder = Path(folder)
    manifest, _ = read_manifest(folder)
    for rel, expected in manifest.files.items():
        path = folder / rel
        if not path.exists():
            raise IntegrityError(f"{rel!r} listed in the manifest of {str(folder)!r} is missing")
        actual = sha256_file(path)
        if actual != expected:
            raise IntegrityError(
                f"{rel!r} in {str(folder)!r} does not match its manifest (SHA-256 {actual[:12]}… "
                f"!= {expected[:12]}…); the file was changed after saving: refusing to load it"
            )
    return manifest

"""Run records, manifests and (for DP runs) privacy-budget accounting in a local SQLite store."""

from __future__ import annotations

from synthguard.ledger.manifest import Manifest, read_manifest, verify_folder, write_manifest
from synthguard.ledger.runstore import RunRecord, RunStore, default_store_path, versions

__all__ = [
    "Manifest",
    "RunRecord",
    "RunStore",
    "default_store_path",
    "read_manifest",
    "verify_folder",
    "versions",
    "write_manifest",
]

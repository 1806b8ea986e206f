"""The local run store: every command records what it read, did and wrote.

SQLite under the user's data dir (``SYNTHGUARD_HOME`` or ``--store`` overrides). A record
holds hashes and parameters, never raw values. Saved-model manifests are trusted only if their
SHA-256 is recorded here, because SDV models are pickles and a pickle from elsewhere is code.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from synthguard._io import to_jsonable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    code_version TEXT NOT NULL,
    seed INTEGER,
    dataset_sha256 TEXT,
    plugin TEXT,
    record_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS trusted_manifests (
    manifest_sha256 TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    path TEXT NOT NULL,
    created TEXT NOT NULL
);
"""

_TRACKED_PACKAGES = ("synthguard", "sdv", "sdmetrics", "rdt", "torch", "numpy", "pandas",
                     "scikit-learn", "fairlearn", "presidio-analyzer", "opacus", "mbi")


def versions() -> dict[str, str]:
    """Installed versions of the packages that shape results (for manifests and run records)."""
    found = {"python": platform.python_version()}
    for name in _TRACKED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def default_store_path() -> Path:
    """``$SYNTHGUARD_STORE``, else ``$SYNTHGUARD_HOME/runs.sqlite``, else the user data dir."""
    explicit = os.environ.get("SYNTHGUARD_STORE")
    if explicit:
        return Path(explicit)
    home = os.environ.get("SYNTHGUARD_HOME")
    if home:
        return Path(home) / "runs.sqlite"
    from platformdirs import user_data_dir

    return Path(user_data_dir("synthguard")) / "runs.sqlite"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


HOST = socket.gethostname()


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (a zombie counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class RunRecord:
    """What one command did: inputs' and outputs' SHA-256, parameters, versions, results."""

    command: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started: str = field(default_factory=_now)
    finished: str | None = None
    status: str = "running"
    seed: int | None = None
    dataset_sha256: str | None = None
    plugin: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    privacy: dict[str, Any] | None = None
    versions: dict[str, str] = field(default_factory=versions)
    pid: int = field(default_factory=os.getpid)
    host: str = HOST

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(asdict(self))  # type: ignore[no-any-return]


class RunStore:
    """SQLite-backed store of run records and trusted manifests."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # executescript() commits any open transaction itself, so it runs outside connect()
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            conn.executescript(_SCHEMA)
        finally:
            conn.close()

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction (committed on success, rolled back on error)."""
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.close()

    def save(self, record: RunRecord, conn: sqlite3.Connection | None = None) -> None:
        """Insert or update ``record`` (optionally inside an open transaction)."""
        row = (
            record.run_id, record.command, record.started, record.finished, record.status,
            record.versions.get("synthguard", "dev"), record.seed, record.dataset_sha256,
            record.plugin, json.dumps(record.to_dict(), sort_keys=True),
        )
        sql = "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)"
        if conn is not None:
            conn.execute(sql, row)
            return
        with self.connect() as own:
            own.execute(sql, row)

    def finish(self, record: RunRecord, *, status: str = "ok") -> None:
        record.finished = _now()
        record.status = status
        self.save(record)

    @contextmanager
    def recording(self, command: str, **fields: Any) -> Iterator[RunRecord]:
        """Record a run around a block: 'ok' on success, 'interrupted' on KeyboardInterrupt /
        SystemExit (Ctrl-C, SIGTERM in the CLI), 'failed' (with the error type) otherwise.

        The record is saved as 'running' when the block starts, so a run killed outright
        (SIGKILL) is found later by :meth:`settle_dead_runs` and marked 'interrupted'.
        The CLI and the app both record through this, so a run looks the same whoever ran it.
        """
        record = RunRecord(command=command, **fields)
        self.save(record)
        try:
            yield record
        except (KeyboardInterrupt, SystemExit) as exc:
            record.metrics.setdefault("error", type(exc).__name__)
            self.finish(record, status="interrupted")
            raise
        except BaseException as exc:
            record.metrics.setdefault("error", type(exc).__name__)
            self.finish(record, status="failed")
            raise
        self.finish(record, status="ok")

    def settle_dead_runs(self) -> int:
        """Mark 'running' records of processes gone from this host 'interrupted'; return how
        many were settled."""
        settled = 0
        with self.connect() as conn:
            rows = conn.execute("SELECT run_id, record_json FROM runs WHERE status = 'running'"
                                ).fetchall()
            for r in rows:
                data = json.loads(r["record_json"])
                pid = data.get("pid")
                if (isinstance(pid, int) and data.get("host") == HOST and pid != os.getpid()
                        and not pid_alive(pid)):
                    data["status"] = "interrupted"
                    data.setdefault("metrics", {})["error"] = f"process {pid} gone (killed)"
                    conn.execute("UPDATE runs SET status=?, record_json=? WHERE run_id=?",
                                 ("interrupted", json.dumps(data, sort_keys=True), r["run_id"]))
                    settled += 1
        return settled

    def list(self, *, limit: int = 50, command: str | None = None) -> list[dict[str, Any]]:
        self.settle_dead_runs()
        sql = "SELECT record_json FROM runs"
        args: tuple[Any, ...] = ()
        if command:
            sql += " WHERE command = ?"
            args = (command,)
        sql += " ORDER BY started DESC, rowid DESC LIMIT ?"
        with self.connect() as conn:
            rows = conn.execute(sql, (*args, limit)).fetchall()
        return [json.loads(r["record_json"]) for r in rows]

    def get(self, run_id: str) -> dict[str, Any] | None:
        with self.connect() as conn:
            row = conn.execute("SELECT record_json FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return json.loads(row["record_json"]) if row else None

    def find_by_output(self, sha256: str, *, status: str = "ok") -> dict[str, Any] | None:
        """The newest run with ``status`` that wrote a file of this SHA-256 (any output name),
        or None: how a report finds the run that produced the table it judges."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            return None
        with self.connect() as conn:
            rows = conn.execute(
                "SELECT record_json FROM runs WHERE status = ? AND record_json LIKE ? "
                "ORDER BY started DESC, rowid DESC", (status, f"%{sha256}%")).fetchall()
        for r in rows:
            record = json.loads(r["record_json"])
            if sha256 in (record.get("outputs") or {}).values():
                return record  # type: ignore[no-any-return]
        return None

    def trust_manifest(self, manifest_sha256: str, *, run_id: str, path: str | Path) -> None:
        with self.connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO trusted_manifests VALUES (?,?,?,?)",
                (manifest_sha256, run_id, str(path), _now()),
            )

    def is_trusted(self, manifest_sha256: str) -> bool:
        with self.connect() as conn:
            row = conn.execute(
                "SELECT 1 FROM trusted_manifests WHERE manifest_sha256 = ?", (manifest_sha256,)
            ).fetchone()
        return row is not None

"""The one place a pickle is deserialised, and the one check that guards it.

A pickle is code: unpickling runs whatever its ``__reduce__`` names. synthguard unpickles only
files of a model folder that

1. is being loaded by :func:`synthguard.generators.load_generator` (which opens a
   :func:`verified_folder` scope after checking every file against ``manifest.json``), and
2. whose manifest's SHA-256 is recorded in the local run store by a save made here
   (:meth:`RunStore.is_trusted`), and
3. whose bytes, read once, still hash to the manifest's entry (no swap between check and load).

Every loader that needs a pickle (SDV models, nested models such as ``copy_leaky``'s base,
anything added later) calls :func:`load_pickle`; nothing else in the package calls
``pickle``/``cloudpickle``/``joblib``/``torch.load``. A loader called outside such a scope
(``SomeGenerator.load_files(folder)`` directly) is refused the same way.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synthguard.errors import IntegrityError
from synthguard.ledger.manifest import Manifest
from synthguard.ledger.runstore import RunStore


@dataclass(frozen=True)
class _Scope:
    folder: Path
    manifest: Manifest
    digest: str
    store: RunStore


_SCOPE: ContextVar[_Scope | None] = ContextVar("synthguard_verified_folder", default=None)


@contextmanager
def verified_folder(folder: str | Path, manifest: Manifest, digest: str,
                    store: RunStore) -> Iterator[None]:
    """Open the scope in which :func:`load_pickle` may read files of ``folder``.

    The caller has verified every file of ``folder`` against ``manifest`` (whose own SHA-256
    is ``digest``); whether the manifest is trusted is checked by :func:`load_pickle` itself,
    at the moment a pickle would be read.
    """
    token = _SCOPE.set(_Scope(Path(folder).resolve(), manifest, digest, store))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def untrusted_message(folder: str | Path, name: str, digest: str) -> str:
    return (f"model {str(folder)!r} ({name}) contains a pickle and its manifest (SHA-256 "
            f"{digest[:12]}…) is not in this machine's run records; a pickle from elsewhere "
            "can run arbitrary code, so it is not loaded. Re-fit the model here, or load it "
            "only on the machine that saved it.")


def load_pickle(path: str | Path) -> Any:
    """Unpickle ``path`` if, and only if, it belongs to a verified folder whose manifest the
    local run store recorded; raise :class:`IntegrityError` (before reading it) otherwise."""
    path = Path(path).resolve()
    scope = _SCOPE.get()
    if scope is None:
        raise IntegrityError(
            f"refusing to unpickle {str(path)!r}: pickles are loaded only through "
            "load_generator() from a folder whose manifest this machine's run store recorded")
    try:
        rel = path.relative_to(scope.folder).as_posix()
    except ValueError:
        raise IntegrityError(
            f"refusing to unpickle {str(path)!r}: it lies outside the verified model folder "
            f"{str(scope.folder)!r}") from None
    if not scope.store.is_trusted(scope.digest):
        raise IntegrityError(untrusted_message(scope.folder, scope.manifest.name, scope.digest))
    expected = scope.manifest.files.get(rel)
    if expected is None:
        raise IntegrityError(f"refusing to unpickle {rel!r}: it is not listed in the manifest "
                             f"of {str(scope.folder)!r}")
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != expected:
        raise IntegrityError(f"{rel!r} in {str(scope.folder)!r} changed after its manifest was "
                             "checked; refusing to load it")
    return pickle.loads(raw)  # trusted: a recorded save, hash re-checked above


__all__ = ["load_pickle", "untrusted_message", "verified_folder"]

"""Outputs never clobber: one place for how synthguard writes what it writes.

- **Temp naming.** Every temporary file or folder synthguard creates beside an output is named
  ``.<target name>.sgtmp-<pid>-<random>.tmp``, so a later run can recognise its own leftovers
  (:func:`sweep_stale`: only that pattern, only when the writing process is gone or the temp is
  older than :data:`STALE_HOURS`, only files owned by this user) and never anything else.
- **Permissions follow the umask.** ``mkstemp``/``mkdtemp`` create 0600/0700; a published
  output gets ``0666 & ~umask`` (files) and ``0777 & ~umask`` (folders), like any file a user
  writes with ``open``.
- **Folders.** :func:`check_new_folder` refuses a non-empty output folder unless ``force``; with
  ``force`` only a folder synthguard itself wrote (a ``manifest.json`` listing every file in it)
  is replaced, and :func:`publish_folder` only ever removes files that manifest lists: nothing
  synthguard did not write is deleted.
- **Inputs are never outputs.** :func:`check_paths` refuses an output equal to, inside or
  containing an input (or another output) before any work, for every command.
- **Interruption.** :func:`install_sigterm` turns SIGTERM into :class:`Terminated` (a
  ``KeyboardInterrupt``), so the ``except BaseException`` clean-up of every temp file runs on a
  kill exactly as on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from synthguard.errors import ParameterError

TEMP_TAG = "sgtmp"
STALE_HOURS = 6.0  # a temp of a live process older than this is stale too (pid reuse)
_TEMP_RE = re.compile(r"^\..+\.sgtmp-(\d+)-[0-9a-f]+\.tmp$")
_MANIFEST = "manifest.json"

# ----------------------------------------------------------------- temp names and clean-up


def temp_path(target: str | Path) -> Path:
    """A fresh temp path beside ``target`` in synthguard's recognisable naming (not created)."""
    target = Path(target)
    name = target.name or "output"
    return target.parent / f".{name}.{TEMP_TAG}-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def make_temp_file(target: str | Path) -> Path:
    """Create an empty private temp file beside ``target`` (mode 0600) and return its path."""
    for _ in range(100):
        path = temp_path(target)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(errno.EEXIST, "no free temp name", str(target))  # pragma: no cover


def make_temp_dir(target: str | Path) -> Path:
    """Create an empty private temp folder beside ``target`` (mode 0700) and return its path."""
    for _ in range(100):
        path = temp_path(target)
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no free temp name", str(target))  # pragma: no cover


def temp_owner_pid(name: str) -> int | None:
    """The writing process of a temp of our naming, or None if ``name`` is not one of ours."""
    match = _TEMP_RE.match(name)
    return int(match.group(1)) if match else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def sweep_stale(folder: str | Path, *, max_age_hours: float = STALE_HOURS) -> list[Path]:
    """Remove temps of our naming in ``folder`` left by killed runs; return what was removed.

    A temp is stale when the process named in it no longer runs, or when it is older than
    ``max_age_hours`` (a reused pid). Only this user's temps are touched; nothing else is.
    """
    folder = Path(folder)
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        pid = temp_owner_pid(entry.name)
        if pid is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid != os.getuid() or entry.is_symlink():
            continue
        if _alive(pid) and now - info.st_mtime < max_age_hours * 3600:
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(path)
    return removed


# ----------------------------------------------------------------- permissions


def current_umask() -> int:
    """The process umask, read without changing it when /proc allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def apply_umask(path: str | Path) -> None:
    """Give ``path`` (a file, or a folder and everything in it) the modes the umask asks for."""
    path = Path(path)
    mask = current_umask()
    if path.is_dir() and not path.is_symlink():
        for root, dirs, files in os.walk(path):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o777 & ~mask)
            for name in files:
                os.chmod(os.path.join(root, name), 0o666 & ~mask)
        os.chmod(path, 0o777 & ~mask)
    else:
        os.chmod(path, 0o666 & ~mask)


# ----------------------------------------------------------------- folders


def _written_by_us(folder: Path) -> set[str] | None:
    """The files synthguard's manifest lists in ``folder`` (plus the manifest), or None."""
    try:
        data = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
        files = {str(name) for name in data["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return files | {_MANIFEST}


def _present(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if not p.is_dir() and temp_owner_pid(p.name) is None}


def check_new_folder(folder: str | Path, *, flag: str, force: bool = False,
                     can_force: bool = True) -> Path:
    """Refuse an output folder that is a file or not empty; with ``force``, allow only one that
    synthguard wrote (every file in it is listed by its ``manifest.json``).

    ``flag`` names the parameter: ``"save_model="`` from the library (the CLI maps it to its
    flag when it prints the error), or a flag such as ``"--out"`` from the CLI itself."""
    folder = Path(folder)
    named = f"{flag}{str(folder)!r}" if flag.endswith("=") else f"{flag} {str(folder)!r}"
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{named} exists and is not a folder; choose a new folder")
    if not folder.exists() or not any(folder.iterdir()):
        return folder
    if not force:
        raise ParameterError(f"{named} is not empty; choose a new or empty folder"
                             + (", or pass force=True to replace a folder synthguard wrote"
                                if can_force else ""))
    ours = _written_by_us(folder)
    if ours is None or not _present(folder) <= ours:
        raise ParameterError(f"{named} holds files synthguard did not write; even "
                             "with force=True only a folder it saved is replaced: choose a new folder")
    return folder


def publish_folder(tmp: str | Path, folder: str | Path, *, flag: str = "output folder",
                   force: bool = False) -> None:
    """Move the finished temp folder ``tmp`` to ``folder`` (modes from the umask).

    A new folder is one rename. Into an existing (empty, or with ``force`` synthguard-written)
    folder, files are moved one by one with the manifest last, then the files the old
    manifest listed and the new one does not are removed: nothing else is ever deleted.
    """
    tmp, folder = Path(tmp), Path(folder)
    apply_umask(tmp)
    if not folder.exists():
        os.replace(tmp, folder)
        return
    check_new_folder(folder, flag=flag, force=force)
    old = _written_by_us(folder) or set()
    new = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if not p.is_dir())
    for rel in sorted(new, key=lambda r: r == _MANIFEST):  # manifest last
        dst = folder / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, dst)
    for rel in sorted(old - set(new)):
        with contextlib.suppress(OSError):
            (folder / rel).unlink()
    shutil.rmtree(tmp, ignore_errors=True)


# ----------------------------------------------------------------- inputs vs outputs

# Argument names every command uses for what it reads and what it writes. A new command that
# uses these names is covered by :func:`check_paths` without any code of its own.
INPUT_ARGS: dict[str, str] = {
    "data": "--data", "real": "--real", "synthetic": "--synthetic", "holdout": "--holdout",
    "in_path": "--in", "metadata": "--metadata", "bounds": "--bounds", "policy": "--policy",
    "key_file": "--key-file", "salt_file": "--salt-file", "corpus": "--corpus",
    "label_map": "--label-map", "constraints": "--constraints", "model": "--model",
}
OUTPUT_ARGS: dict[str, str] = {
    "out": "--out", "out_path": "--out", "save_model": "--save-model", "split_dir": "--split-dir",
    "write_metadata": "--write-metadata",
}


def _real(path: str) -> Path:
    return Path(os.path.abspath(os.path.realpath(os.path.expanduser(path))))


def _overlap(a: Path, b: Path) -> bool:
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def _writable_ancestor(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` if a file can really be created in it, else
    None (a probe file, not ``os.access``: root passes ``access`` on read-only mounts)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return None
            try:
                make_temp_file(parent / "probe").unlink()
            except OSError:
                return None
            return parent
    return None


def check_paths(args: Any) -> None:
    """Before any work: no output equals, lies inside or contains an input or another output,
    and every output's folder is writable. Then sweep our stale temps beside the outputs."""
    inputs = [(flag, str(getattr(args, name))) for name, flag in INPUT_ARGS.items()
              if isinstance(getattr(args, name, None), str)]
    outputs = [(flag, str(getattr(args, name))) for name, flag in OUTPUT_ARGS.items()
               if isinstance(getattr(args, name, None), str)]
    for flag, raw in outputs:
        if not raw.strip():
            raise ParameterError(f"{flag} is empty; give a path")
    checked: list[tuple[str, str, Path]] = []
    for flag, raw in outputs:
        out = _real(raw)
        for in_flag, in_raw in inputs:
            if not os.path.exists(in_raw):
                continue  # a built-in dataset name, or a missing file the command reports
            if _overlap(out, _real(in_raw)) or _same_file(raw, in_raw):
                raise ParameterError(
                    f"{flag} {raw!r} is or overlaps the input {in_flag} {in_raw!r}; an output "
                    "never replaces an input: choose another path")
        for other_flag, other_raw, other in checked:
            if _overlap(out, other):
                raise ParameterError(f"{flag} {raw!r} and {other_flag} {other_raw!r} overlap; "
                                     "give each output its own path")
        if out.exists() and out.is_dir() and not _folder_output(args, flag):
            raise ParameterError(f"{flag} {raw!r} is a folder; give a file path")
        if _writable_ancestor(out) is None:
            raise ParameterError(f"{flag} {raw!r}: nothing can be written in its folder (read-only, "
                                 "no permission, or not a folder); choose a writable location")
        if flag == "--save-model" or (flag == "--out" and _folder_output(args, flag)
                                      and getattr(args, "command", None) != "demo"):
            check_new_folder(Path(raw), flag=flag, force=bool(getattr(args, "force", False)),
                             can_force=hasattr(args, "force"))  # a command without --force
        checked.append((flag, raw, out))
    for _, _, out in checked:
        sweep_stale(out.parent)
        if out.is_dir():
            sweep_stale(out)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _folder_output(args: Any, flag: str) -> bool:
    """Whether ``flag`` names a folder for this command (``--out`` of demo and distill)."""
    if flag in ("--save-model", "--split-dir"):
        return True
    if getattr(args, "command", None) == "sample" and flag == "--out":  # relational: a folder
        return Path(str(args.out)).suffix.lower() not in (".csv", ".parquet", ".pq")
    return getattr(args, "command", None) in FOLDER_OUT_COMMANDS


FOLDER_OUT_COMMANDS = frozenset({"demo", "distill"})


# ----------------------------------------------------------------- SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C so every clean-up path runs."""


_MAIN_PID: int | None = None


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _MAIN_PID:  # a forked worker inherited the handler: die as usual
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated()


def _redeliver_swallowed(unraisable: Any) -> None:
    """``sys.unraisablehook``: an interrupt raised where Python must ignore exceptions (a gc
    callback such as JAX's, a ``__del__``) is delivered again instead of being lost, so a
    SIGTERM or Ctrl-C during a fit always stops it."""
    exc = getattr(unraisable, "exc_value", None)
    if isinstance(exc, KeyboardInterrupt) and os.getpid() == _MAIN_PID:
        # Not from inside this hook (it would be ignored again): a moment later, from a thread.
        signum = signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT
        timer = threading.Timer(0.05, os.kill, (os.getpid(), signum))
        timer.daemon = True
        timer.start()
        return
    _previous_unraisablehook(unraisable)


_previous_unraisablehook: Any = sys.unraisablehook


def _default_sigterm_in_child() -> None:
    """A forked child (a redaction pool worker) gets SIGTERM's default action back at once.
    With a Python-level handler, a SIGTERM that lands just before the child blocks in a
    semaphore wait is never acted on: the handler would run at the next bytecode, which never
    comes (seen: ``Pool.terminate()`` after a bad input waited forever on such a worker)."""
    with contextlib.suppress(ValueError):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


_AT_FORK_REGISTERED = False


def install_sigterm() -> None:
    """Handle SIGTERM like SIGINT in this (main) process; interrupts never get swallowed;
    forked children keep the default SIGTERM."""
    global _MAIN_PID, _AT_FORK_REGISTERED
    _MAIN_PID = os.getpid()
    if not _AT_FORK_REGISTERED:
        os.register_at_fork(after_in_child=_default_sigterm_in_child)
        _AT_FORK_REGISTERED = True
    with contextlib.suppress(ValueError):  # not the main thread (embedded use): leave it alone
        signal.signal(signal.SIGTERM, _on_sigterm)
        if sys.unraisablehook is not _redeliver_swallowed:
            global _previous_unraisablehook
            _previous_unraisablehook = sys.unraisablehook
            sys.unraisablehook = _redeliver_swallowed


@contextlib.contextmanager
def staged_file(target: str | Path) -> Iterator[Path]:
    """A path with ``target``'s own name inside a temp folder beside it; :func:`commit_staged`
    moves it into place. Writers that pick a format by suffix see the real name."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = make_temp_dir(target)
    try:
        yield folder / target.name
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def commit_staged(staged: Path, target: str | Path) -> None:
    """Move a file from :func:`staged_file` to ``target`` and drop its temp folder."""
    target = Path(target)
    apply_umask(staged)
    os.replace(staged, target)
    shutil.rmtree(staged.parent, ignore_errors=True)


# ----------------------------------------------------------------- one-line errors

# OS errors a user fixes in their environment (not bugs): reported as one line, exit code 2.
_ENVIRONMENT_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC,
                                 errno.EDQUOT, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG})


def environment_error(exc: OSError) -> str | None:
    """One line for an OS error the user can fix (permissions, read-only, full disk), else None."""
    if exc.errno not in _ENVIRONMENT_ERRNOS:
        return None
    where = f" {exc.filename!r}" if exc.filename else ""
    return f"cannot write or read{where}: {exc.strerror}; check the path and its permissions"


def one_line(exc: BaseException) -> str:
    """An error message on one line (the CLI contract: exactly one stderr line)."""
    return " ".join(str(exc).split()) or type(exc).__name__

"""Session state of the workbench: the chosen dataset, its split, and the session's artifacts.

Pages never hold data themselves: they call :func:`workspace` (the current real table, split
and schema, built from the Data page's settings through cached library calls) and read or add
:class:`Artifact` objects. Every cache is keyed by a hash of its inputs (a built-in name or the
uploaded bytes' SHA-256, sample size, split settings), so revisiting a page recomputes nothing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.data import Schema, infer_schema, load_table, table_fingerprint, train_holdout_split
from synthguard.data.builtin import builtin_defaults, builtin_names

# Widget keys start with "w." and are kept across pages by the entry script.
W = "w."
ARTIFACTS = "sg.artifacts"
UPLOAD = "sg.upload"
DISTILLS = "sg.distills"

DEFAULT_ROWS = int(os.environ.get("SYNTHGUARD_APP_ROWS", "5000"))


@dataclass(frozen=True)
class DataConfig:
    """The Data page's settings (everything the split depends on)."""

    source: str  # a built-in name, or "upload:<sha256>"
    rows: int  # 0 = all rows
    target: str | None
    sensitive: tuple[str, ...]
    holdout_fraction: float
    stratify: bool
    seed: int


@dataclass(frozen=True)
class Workspace:
    """The real data every other page works on (they show aggregates of it only)."""

    name: str
    config: DataConfig
    frame: pd.DataFrame
    train: pd.DataFrame
    holdout: pd.DataFrame
    schema: Schema
    train_sha: str
    holdout_sha: str

    @property
    def key(self) -> str:
        """Identifies the split: artifacts and results belong to one workspace key."""
        return f"{self.train_sha}:{self.holdout_sha}"


@dataclass
class Artifact:
    """A synthetic table made in this session, with how it was made."""

    name: str
    generator: str
    params: dict[str, Any]
    seed: int
    frame: pd.DataFrame
    sha256: str
    workspace_key: str
    privacy: dict[str, Any] | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    run_id: str | None = None


def get(key: str, default: Any = None) -> Any:
    """A persisted widget value (``w.<key>``) or ``default``."""
    return st.session_state.get(W + key, default)


def artifacts() -> dict[str, Artifact]:
    if ARTIFACTS not in st.session_state:
        st.session_state[ARTIFACTS] = {}
    value: dict[str, Artifact] = st.session_state[ARTIFACTS]
    return value


def current_artifacts(ws: Workspace) -> dict[str, Artifact]:
    return {name: a for name, a in artifacts().items() if a.workspace_key == ws.key}


def distills() -> dict[str, dict[str, Any]]:
    """Finished distillation results of the session (aggregates only), by name."""
    if DISTILLS not in st.session_state:
        st.session_state[DISTILLS] = {}
    value: dict[str, dict[str, Any]] = st.session_state[DISTILLS]
    return value


# -- cached library calls ---------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=8)
def _load(source: str, _upload: bytes | None = None, _suffix: str = ".csv") -> pd.DataFrame:
    """A built-in table by name, or uploaded bytes read through ``load_table`` (same checks
    as the CLI). Cached by ``source`` (the name or the upload's SHA-256); never mutated."""
    if _upload is None:
        return load_table(source)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{_suffix}"
        path.write_bytes(_upload)
        return load_table(path)


@st.cache_resource(show_spinner=False, max_entries=16)
def _sampled(source: str, rows: int, seed: int, _frame: pd.DataFrame) -> pd.DataFrame:
    if rows <= 0 or rows >= len(_frame):
        return _frame
    return _frame.sample(rows, random_state=seed).reset_index(drop=True)


@st.cache_resource(show_spinner=False, max_entries=16)
def _split(key: str, fraction: float, stratify: str | None, seed: int,
           _frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, str, str]:
    split = train_holdout_split(_frame, holdout_fraction=fraction, stratify=stratify, seed=seed)
    return split.train, split.holdout, table_fingerprint(split.train), table_fingerprint(split.holdout)


@st.cache_data(show_spinner=False, max_entries=16)
def _schema(train_sha: str, _train: pd.DataFrame) -> Schema:
    return infer_schema(_train)


def upload() -> tuple[str, bytes] | None:
    """The uploaded file kept in the session as (file name, bytes)."""
    value: tuple[str, bytes] | None = st.session_state.get(UPLOAD)
    return value


def set_upload(name: str, data: bytes) -> str:
    st.session_state[UPLOAD] = (name, data)
    return "upload:" + hashlib.sha256(data).hexdigest()


def source_frame(source: str) -> tuple[str, pd.DataFrame]:
    """(display name, full table) of a source: a built-in name or ``upload:<sha>``."""
    if source.startswith("upload:"):
        up = upload()
        if up is None or "upload:" + hashlib.sha256(up[1]).hexdigest() != source:
            raise LookupError("the uploaded file is no longer in this session; upload it again")
        suffix = Path(up[0]).suffix.lower() or ".csv"
        return up[0], _load(source, up[1], suffix)
    return source, _load(source)


def default_target_sensitive(source: str, columns: list[str]) -> tuple[str | None, tuple[str, ...]]:
    if source in builtin_names():
        target, sensitive = builtin_defaults(source)
        return target, sensitive
    return (columns[-1] if columns else None), ()


def data_config(columns: list[str]) -> DataConfig:
    """The Data page's settings from the session (defaults: Adult, class, sex + race)."""
    source = str(get("data.source", builtin_names()[0]))
    target_default, sensitive_default = default_target_sensitive(source, columns)
    target = get("data.target", target_default)
    target = target if target in columns else target_default
    sensitive = tuple(c for c in get("data.sensitive", list(sensitive_default)) if c in columns
                      and c != target)
    return DataConfig(
        source=source, rows=int(get("data.rows", DEFAULT_ROWS)), target=target,
        sensitive=sensitive, holdout_fraction=float(get("data.holdout", 0.3)),
        stratify=bool(get("data.stratify", True)), seed=int(get("data.seed", 0)),
    )


def workspace() -> Workspace:
    """The current workspace, built from the session's settings through the caches above."""
    source = str(get("data.source", builtin_names()[0]))
    name, full = source_frame(source)
    config = data_config([str(c) for c in full.columns])
    frame = _sampled(source, config.rows, config.seed, full)
    frame_key = f"{source}:{config.rows}:{config.seed}"
    stratify = config.target if config.stratify else None
    train, holdout, train_sha, holdout_sha = _split(frame_key, config.holdout_fraction, stratify,
                                                    config.seed, frame)
    schema = _schema(train_sha, train)
    return Workspace(name, config, frame, train, holdout, schema, train_sha, holdout_sha)


def workspace_or_stop() -> Workspace:
    """The workspace, or a clear message (and stop) when the data cannot be loaded."""
    from synthguard.errors import SynthguardError

    try:
        return workspace()
    except (SynthguardError, LookupError) as exc:
        st.error(f"No usable dataset: {exc}. Choose one on the Data page.")
        st.stop()
        raise  # unreachable: st.stop() raises


def schema_table(schema: Schema) -> pd.DataFrame:
    """The schema as a table of kinds (no values)."""
    rows = {name: {"kind": spec.kind.value, "sdtype": spec.sdtype,
                   "PII type": spec.pii_type or "", "integer": spec.integer,
                   "bounds": "" if spec.bounds is None else f"{spec.bounds[0]:g} .. {spec.bounds[1]:g}"}
            for name, spec in schema.columns.items()}
    return pd.DataFrame(rows).T

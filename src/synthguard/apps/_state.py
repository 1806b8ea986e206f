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
from synthguard.data import builtin as _builtin
from synthguard.data.builtin import builtin_defaults, builtin_names

# Widget keys start with "w." and are kept across pages by the entry script.
W = "w."
ARTIFACTS = "sg.artifacts"
UPLOAD = "sg.upload"
DISTILLS = "sg.distills"
SCHEMA_EDITS = "sg.schema.edits"  # {source: {column: {"kind": ..., "pii": ...}}}
BOUNDS = "sg.bounds"  # {source: {column: [low, high] | None}}
SCOPE_SOURCE = "sg.scope.source"  # the source the dataset-scoped state belongs to
SCOPE_SPLIT = "sg.scope.split"  # the workspace key the split-scoped state belongs to

# Widget values derived from one dataset (columns, sizes): forgotten when the dataset changes,
# so the next dataset gets its own defaults instead of the last one's choices.
DATASET_WIDGETS = ("data.rows", "data.target", "data.sensitive", "gen.conditions", "gen.rebalance",
                   "cmp.sort")
# Widget values derived from one split (row counts, artifact names): forgotten when it changes.
SPLIT_WIDGETS = ("gen.rows", "dst.source", "dst.transfer_rows", "cmp.fid", "cmp.dcr", "cmp.fair",
                 "cmp.html", "gen.download", "dst.models")
# Pending job references and messages of the pages: a result, error or refusal belongs to the
# inputs it was computed from and is not shown once they change.
PENDING = ("sg.generate.job", "sg.compare.run", "sg.distill.job", "sg.pii.scan", "sg.message")

PII_HANDLING = ("auto", "fake", "drop", "keep")

# The Data page's third source mode: a folder of related tables (or a built-in relational
# dataset). Its schema is shown on the Data page and a synthetic folder is evaluated on Compare;
# the single-table pages keep the last single table.
MODES = ("Built-in dataset", "Upload CSV/Parquet", "Relational (folder of tables)")
RELATIONAL_MODE = MODES[2]
RELATIONAL_RUN = "sg.compare.relational"  # {"scope": source, "key": job key}


def default_rows() -> int:
    """Rows of the seeded sample a dataset starts with (``$SYNTHGUARD_APP_ROWS``, 5000)."""
    try:
        return max(0, int(os.environ.get("SYNTHGUARD_APP_ROWS", "5000")))
    except ValueError:
        return 5000


DEFAULT_ROWS = default_rows()


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
    pii: dict[str, str] = field(default_factory=dict)  # column -> fake/drop/keep (user's choice)

    @property
    def key(self) -> str:
        """Identifies the split: artifacts and results belong to one workspace key."""
        return f"{self.train_sha}:{self.holdout_sha}"

    @property
    def settings_key(self) -> str:
        """The split plus the user's schema and PII choices: what a fit or an evaluation
        depends on besides its own parameters."""
        import json

        payload = json.dumps([self.key, self.schema.to_dict(), self.pii], sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


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
    model_zip: bytes | None = None  # the saved generator folder, zipped (None if not saved)
    dataset: str = ""  # display name of the dataset it was fitted on
    pii: dict[str, Any] | None = None  # what the PII guard did per column (aggregates)


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


@st.cache_data(show_spinner=False, max_entries=8)
def dataset_key(source: str, _frame: pd.DataFrame) -> str:
    """The privacy ledger's budget key of the loaded dataset (registered on first use). DP
    fits on any sample/split of it are charged to this budget, so re-splitting never resets
    it."""
    from synthguard.ledger.budget import BudgetLedger

    return BudgetLedger().key_for(_frame, label=source)


def loaded_dataset(ws: Workspace) -> tuple[str, pd.DataFrame]:
    """(budget key, full loaded table) of the workspace's source."""
    _, full = source_frame(ws.config.source)
    return dataset_key(ws.config.source, full), full


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


def folder_stamp(source: str) -> str:
    """What identifies the contents of a relational source for the caches: a built-in's name,
    or a folder's table files with their sizes and modification times."""
    folder = Path(source)
    if not folder.is_dir():
        return source
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return hashlib.sha256(repr([(p.name, p.stat().st_size, p.stat().st_mtime_ns)
                                for p in files]).encode()).hexdigest()


@st.cache_resource(show_spinner=False, max_entries=4)
def _relational(source: str, stamp: str) -> Any:
    from synthguard.data.relational import load_relational

    return load_relational(source)


def relational_source() -> str | None:
    """The relational source chosen on the Data page, when that is the current mode."""
    if get("data.mode") != RELATIONAL_MODE:
        return None
    folder = str(get("data.relational_folder", "") or "").strip()
    return folder or str(get("data.relational", "") or "") or None


def relational_data(source: str) -> Any:
    """The loaded :class:`~synthguard.data.relational.RelationalData` of ``source`` (cached by
    the folder's contents, never mutated)."""
    return _relational(source, folder_stamp(source))


# -- scoping: what belongs to the current dataset and split ---------------------------------


def _forget(widgets: tuple[str, ...], *, pending: bool = True) -> None:
    for key in widgets:
        st.session_state.pop(W + key, None)
    if pending:
        for key in PENDING:
            st.session_state.pop(key, None)


def enter_source(source: str) -> bool:
    """Called by the Data page before it draws its widgets: when ``source`` is another
    dataset than the one the session's choices were made for, forget those choices (rows to
    use, target, sensitive columns, per-split defaults) and the pages' pending results and
    messages. Returns whether the dataset changed."""
    previous = st.session_state.get(SCOPE_SOURCE)
    st.session_state[SCOPE_SOURCE] = source
    if previous is None or previous == source:
        return False
    _forget(DATASET_WIDGETS + SPLIT_WIDGETS)
    st.session_state.pop(SCOPE_SPLIT, None)
    return True


def enter_split(ws: Workspace) -> bool:
    """Called by every page once the workspace is known: when the split changed (other rows,
    seed, holdout fraction, dataset), forget the defaults derived from the old one (synthetic
    rows, transfer rows and source, chosen artifacts) and pending results and messages."""
    previous = st.session_state.get(SCOPE_SPLIT)
    st.session_state[SCOPE_SPLIT] = ws.key
    if previous is None or previous == ws.key:
        return False
    _forget(SPLIT_WIDGETS)
    return True


def schema_edits(source: str) -> dict[str, dict[str, str]]:
    """The user's per-column choices for ``source`` (kind, PII handling), by column."""
    edits: dict[str, dict[str, dict[str, str]]] = st.session_state.setdefault(SCHEMA_EDITS, {})
    return edits.setdefault(source, {})


def public_bounds(source: str, columns: list[str]) -> dict[str, list[float] | None]:
    """The public bounds of ``source``'s numeric ``columns`` kept in the session (first use:
    the built-in dataset's published bounds, empty for an upload)."""
    stored: dict[str, dict[str, list[float] | None]] = st.session_state.setdefault(BOUNDS, {})
    if source not in stored:
        defaults = builtin_bounds(source)
        stored[source] = {c: defaults.get(c) for c in columns}
    mine = stored[source]
    for c in columns:
        mine.setdefault(c, None)
    return mine


def builtin_bounds(source: str) -> dict[str, list[float]]:
    """Public bounds of a built-in dataset's numeric columns as the library publishes them
    (:func:`synthguard.data.builtin.public_bounds`: the dataset's documented domain, never its
    rows), or {} for anything else."""
    if not _builtin.is_builtin(source):
        return {}
    return {column: [low, high] for column, (low, high) in _builtin.public_bounds(source).items()}


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
        source=source, rows=int(get("data.rows", default_rows())), target=target,
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
    edits = schema_edits(source)
    kinds = {c: {"kind": e["kind"]} for c, e in edits.items()
             if "kind" in e and c in schema.columns and e["kind"] != schema.columns[c].kind.value}
    if kinds:
        from synthguard.data.schema import apply_overrides

        schema = apply_overrides(schema, {"columns": kinds})
    pii = {c: e["pii"] for c, e in edits.items()
           if e.get("pii", "auto") != "auto" and c in schema.columns}
    return Workspace(name, config, frame, train, holdout, schema, train_sha, holdout_sha, pii)


def workspace_or_stop() -> Workspace:
    """The workspace, or a clear message (and stop) when the data cannot be loaded."""
    from synthguard.errors import SynthguardError

    try:
        ws = workspace()
    except (SynthguardError, LookupError) as exc:
        st.error(f"No usable dataset: {exc}. Choose one on the Data page.")
        st.stop()
        raise  # unreachable: st.stop() raises
    enter_split(ws)
    relational = relational_source()
    if relational is not None:
        st.info(f"The Data page has the relational dataset {relational!r} selected; this page works "
                f"on single tables and uses **{ws.name}**.")
    return ws


def provenance(art: Artifact | None, ws: Workspace, dataset_key: str, *, name: str) -> dict[str, Any]:
    """How a table the pages work on was made (no values): for a session artifact its generator,
    parameters, seed, ε/δ and accountant, generate run id, SHA-256 and PII handling; for the
    real train table (``art`` None) that it is the baseline; both with the dataset, its
    fingerprint, the split's SHA-256s, target and sensitive columns."""
    cfg = ws.config
    base = {"dataset": ws.name, "dataset fingerprint": dataset_key,
            "train sha256": ws.train_sha, "holdout sha256": ws.holdout_sha,
            "target": cfg.target, "sensitive": list(cfg.sensitive)}
    if art is None:
        return {"artifact": name, "generator": "real train table (baseline)", **base}
    privacy = art.privacy or {}
    return {"artifact": name, "generator": art.generator, "parameters": art.params,
            "generator seed": art.seed, "ε": privacy.get("epsilon"), "δ": privacy.get("delta"),
            "accountant": privacy.get("accountant"), "generate run id": art.run_id,
            "synthetic sha256": art.sha256, "synthetic rows": len(art.frame),
            "PII handling": (art.pii or {}).get("columns") or {}, **base}


def artifact_provenance(art: Artifact | None) -> Any:
    """The library's :class:`~synthguard.evaluation.provenance.Provenance` of a session
    artifact: from its generate run in the run store (generator, parameters, ε/δ, accountant,
    run id, the train split's fingerprint, seed, version, time), or from what the session
    kept when the record is gone. None for the real train table."""
    if art is None:
        return None
    from synthguard.evaluation.provenance import Provenance
    from synthguard.ledger import RunStore

    record = RunStore().get(art.run_id) if art.run_id else None
    if record is not None:
        return Provenance.from_run(record, artifact_sha256=art.sha256)
    privacy = art.privacy or {}
    return Provenance(generator=art.generator, params=art.params, epsilon=privacy.get("epsilon"),
                      delta=privacy.get("delta"), accountant=privacy.get("accountant"),
                      run_id=art.run_id, dataset_fingerprint=art.workspace_key.split(":")[0],
                      artifact_sha256=art.sha256, seed=art.seed)


def schema_table(schema: Schema, pii: dict[str, str] | None = None) -> pd.DataFrame:
    """The schema as an editable table of kinds and PII handling (no values)."""
    pii = pii or {}
    rows = {name: {"kind": spec.kind.value, "PII handling": pii.get(name, "auto"),
                   "sdtype": spec.sdtype, "PII type": spec.pii_type or "", "integer": spec.integer}
            for name, spec in schema.columns.items()}
    return pd.DataFrame.from_dict(rows, orient="index")

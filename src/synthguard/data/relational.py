"""Relational data: a folder of tables, their keys, and the checks a loader owes its user.

Input is a folder of CSV/Parquet files (table name = file stem) plus, optionally, SDV's
multi-table metadata JSON (``{"tables": {name: {"primary_key": ..., "columns": {...}}},
"relationships": [{"parent_table_name", "parent_primary_key", "child_table_name",
"child_foreign_key"}]}``). Without metadata the keys are inferred and shown for review
(``synthguard schema --data DIR``):

* primary key of a table: a non-null, unique, id-like column (name ``id``/``*_id``/``*key``),
  preferring the one other tables reference (same column name, not unique there, values
  mostly contained);
* foreign key: a column of another table with the primary key's name whose non-null values
  are at least half contained in the parent's keys.

Rules (stated in :class:`LoadReport` and the manifest of every run):

* bad input is an error naming the table and column: a cycle of foreign keys, a key column
  that does not exist, duplicate or missing primary keys, a foreign key none of whose values
  exists in its parent ("a child referencing nothing");
* an **orphan** (a row whose non-null foreign key has no parent row) is dropped, and so are
  the rows that referenced it, in key order; the counts per table are reported;
* a **missing foreign key** (null) is kept: the row has no parent in that relationship (the
  generator reproduces the share of nulls). A row with a null key to its *primary* parent
  (the one it is generated under) cannot be generated under a parent and is dropped with a
  count.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard._io import write_json_atomic
from synthguard.data.loading import TABLE_SUFFIXES, load_table, table_fingerprint
from synthguard.data.schema import (
    ColumnKind,
    ColumnSpec,
    Schema,
    _id_name,
    infer_schema,
    public_values,
)
from synthguard.errors import DataFileError, SchemaError

METADATA_FILE = "metadata.json"
_SDTYPE_OF_KIND = {ColumnKind.NUMERIC: "numerical", ColumnKind.CATEGORICAL: "categorical",
                   ColumnKind.DATETIME: "datetime", ColumnKind.ID: "id"}
_KIND_OF_SDTYPE = {"numerical": ColumnKind.NUMERIC, "categorical": ColumnKind.CATEGORICAL,
                   "boolean": ColumnKind.CATEGORICAL, "datetime": ColumnKind.DATETIME,
                   "id": ColumnKind.ID, "unknown": ColumnKind.TEXT, "text": ColumnKind.TEXT}
_BUILTIN = {"mimic3_demo": "mimic3_demo"}


@dataclass(frozen=True)
class Relationship:
    """``child.child_key`` references ``parent.parent_key`` (the parent's primary key)."""

    parent: str
    parent_key: str
    child: str
    child_key: str

    def to_dict(self) -> dict[str, str]:
        return {"parent_table_name": self.parent, "parent_primary_key": self.parent_key,
                "child_table_name": self.child, "child_foreign_key": self.child_key}

    def label(self) -> str:
        return f"{self.child}.{self.child_key} -> {self.parent}.{self.parent_key}"


PUBLIC_FACTS = ("bounds", "values", "offset_days", "source")


@dataclass(frozen=True)
class TableMeta:
    """Columns (SDV sdtypes), primary key and sequence index (event time) of one table, and
    the *public facts* its metadata declares per column (``public``, see
    :func:`parse_public_facts`): what the data owner knows without looking at the rows, so a
    DP generator takes it for free instead of spending ε to estimate it."""

    name: str
    columns: dict[str, str]
    primary_key: str | None = None
    sequence_index: str | None = None
    public: dict[str, dict[str, Any]] = field(default_factory=dict)
    # SDV's "datetime_format" of a datetime column stored as text ("%d/%m/%Y"): how to read it
    formats: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"columns": {
            c: {"sdtype": s, **self.public.get(c, {}),
                **({"datetime_format": self.formats[c]} if c in self.formats else {})}
            for c, s in self.columns.items()}}
        if self.primary_key:
            out["primary_key"] = self.primary_key
        if self.sequence_index:
            out["sequence_index"] = self.sequence_index
        return out


@dataclass(frozen=True)
class RelationalMetadata:
    """Tables and foreign keys (a DAG); SDV multi-table metadata JSON in and out."""

    tables: dict[str, TableMeta]
    relationships: tuple[Relationship, ...] = ()

    # -------------------------------------------------------------- structure
    def parents(self, table: str) -> list[Relationship]:
        return [r for r in self.relationships if r.child == table]

    def children(self, table: str) -> list[Relationship]:
        return [r for r in self.relationships if r.parent == table]

    def roots(self) -> list[str]:
        return [t for t in self.tables if not self.parents(t)]

    def order(self) -> list[str]:
        """Tables parents-first (raises :class:`SchemaError` naming a cycle)."""
        done: list[str] = []
        state: dict[str, int] = {}

        def visit(table: str, path: list[Relationship]) -> None:
            if state.get(table) == 2:
                return
            if state.get(table) == 1:
                cycle = list(path)
                start = next(i for i, r in enumerate(cycle) if r.child == table)
                names = "; ".join(r.label() for r in cycle[start:])
                first = cycle[start]
                raise SchemaError(
                    f"foreign keys form a cycle at table {first.child!r} column "
                    f"{first.child_key!r} ({names}); relationships must form a DAG: remove one")
            state[table] = 1
            for rel in self.parents(table):
                visit(rel.parent, [*path, rel])
            state[table] = 2
            done.append(table)

        for table in self.tables:
            visit(table, [])
        return done

    def depth(self) -> int:
        """Tables on the longest parent->child chain (1 for a single table; SDV's count)."""
        memo: dict[str, int] = {}
        for table in self.order():
            memo[table] = 1 + max((memo[r.parent] for r in self.parents(table)), default=0)
        return max(memo.values(), default=0)

    def primary_parent(self, table: str, *, null_counts: dict[str, int] | None = None,
                       ) -> Relationship | None:
        """The parent a table is generated under: the deepest one whose key has the fewest
        nulls (``null_counts``: ``"table.column" -> nulls``), first on a tie."""
        rels = self.parents(table)
        if not rels:
            return None
        level = self.levels()
        nulls = null_counts or {}
        return max(rels, key=lambda r: (-nulls.get(f"{r.child}.{r.child_key}", 0), level[r.parent],
                                        -rels.index(r)))

    def levels(self) -> dict[str, int]:
        memo: dict[str, int] = {}
        for table in self.order():
            memo[table] = 1 + max((memo[r.parent] for r in self.parents(table)), default=-1)
        return memo

    def key_columns(self, table: str) -> list[str]:
        meta = self.tables[table]
        keys = [meta.primary_key] if meta.primary_key else []
        return keys + [r.child_key for r in self.parents(table) if r.child_key not in keys]

    def schema(self, table: str) -> Schema:
        """The single-table :class:`Schema` of ``table`` (keys are ``id`` columns)."""
        keys = set(self.key_columns(table))
        columns = {}
        for name, sdtype in self.tables[table].columns.items():
            kind = ColumnKind.ID if name in keys else _KIND_OF_SDTYPE.get(sdtype, ColumnKind.PII)
            columns[name] = ColumnSpec(kind, sdtype if name not in keys else "id",
                                       pii_type=sdtype if kind is ColumnKind.PII else None)
        return Schema(columns)

    # ----------------------------------------------------------------- JSON
    def to_dict(self) -> dict[str, Any]:
        return {"METADATA_SPEC_VERSION": "V1",
                "tables": {name: meta.to_dict() for name, meta in self.tables.items()},
                "relationships": [r.to_dict() for r in self.relationships]}

    def to_sdv(self) -> Any:
        """An SDV ``Metadata`` object (sequence indices left out: SDV's HMA ignores them)."""
        from sdv.metadata import Metadata

        raw = self.to_dict()
        for table in raw["tables"].values():
            table.pop("sequence_index", None)
            for spec in table["columns"].values():
                for key in PUBLIC_FACTS:  # ours, not SDV's
                    spec.pop(key, None)
                if spec["sdtype"] not in ("numerical", "categorical", "boolean", "datetime", "id"):
                    spec["sdtype"] = "categorical"
        return Metadata.load_from_dict(raw)

    def write(self, path: str | Path) -> Path:
        write_json_atomic(path, self.to_dict())
        return Path(path)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RelationalMetadata:
        if not isinstance(raw, dict) or not isinstance(raw.get("tables"), dict) or not raw["tables"]:
            raise SchemaError('relational metadata needs a "tables" object with at least one table')
        tables = {}
        for name, spec in raw["tables"].items():
            if not isinstance(spec, dict):
                raise SchemaError(f"metadata of table {name!r} must be an object")
            cols = spec.get("columns", {})
            columns = {str(c): str((s or {}).get("sdtype", "categorical")) for c, s in cols.items()}
            public = {str(c): parse_public_facts(str(name), str(c), columns[str(c)], s)
                      for c, s in cols.items() if isinstance(s, dict)
                      and any(k in s for k in PUBLIC_FACTS)}
            pk = spec.get("primary_key")
            if isinstance(pk, list):
                raise SchemaError(f"table {name!r}: composite primary key {pk} is not supported; "
                                  "add a single id column")
            formats = {str(c): str(s["datetime_format"]) for c, s in cols.items()
                       if isinstance(s, dict) and s.get("sdtype") == "datetime"
                       and isinstance(s.get("datetime_format"), str)}
            tables[str(name)] = TableMeta(str(name), columns, pk, spec.get("sequence_index"), public,
                                          formats)
        rels = []
        for item in raw.get("relationships", []) or []:
            try:
                rel = Relationship(str(item["parent_table_name"]), str(item["parent_primary_key"]),
                                   str(item["child_table_name"]), str(item["child_foreign_key"]))
            except (KeyError, TypeError):
                raise SchemaError(
                    "each relationship needs parent_table_name, parent_primary_key, "
                    f"child_table_name and child_foreign_key; got {item!r}") from None
            rels.append(rel)
        meta = cls(tables, tuple(rels))
        meta.check_structure()
        return meta

    @classmethod
    def read(cls, path: str | Path) -> RelationalMetadata:
        path = Path(path)
        if not path.is_file():
            raise SchemaError(f"metadata file {str(path)!r} does not exist")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SchemaError(f"metadata file {str(path)!r} is not valid JSON: {exc}") from None
        return cls.from_dict(raw)

    def check_structure(self) -> None:
        """Tables named by relationships exist, keys are declared, and there is no cycle."""
        for rel in self.relationships:
            for table in (rel.parent, rel.child):
                if table not in self.tables:
                    raise SchemaError(f"relationship {rel.label()} names table {table!r}, which "
                                      f"is not in the metadata; tables: {sorted(self.tables)}")
            parent = self.tables[rel.parent]
            if parent.primary_key != rel.parent_key:
                raise SchemaError(
                    f"table {rel.parent!r} column {rel.parent_key!r} is referenced by "
                    f"{rel.child}.{rel.child_key} but is not its primary key "
                    f"({parent.primary_key!r}); set it as primary_key")
        self.order()


def parse_public_facts(table: str, column: str, sdtype: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Check one column's public facts and return them as given (JSON round trip).

    * ``bounds`` ``[low, high]``: numbers (a datetime column also takes ISO dates);
    * ``values``: a numeric column's value set (at most ``MAX_PUBLIC_VALUES`` numbers): the
      only values it takes (loan terms, credit limits), modelled as one level each;
    * ``offset_days`` ``[low, high]`` (datetime columns): the range of this time minus its
      reference, in days: for the table's sequence index, the parent row's sequence index (an
      age at admission); for any other datetime, the same row's sequence index (a length of
      stay);
    * ``source``: where the facts come from (documentation, a code book), never the rows.

    A DP generator uses them at no cost to ε (stated in its guarantee as public)."""
    where = f"table {table!r} column {column!r}"
    out: dict[str, Any] = {}
    for key in ("bounds", "offset_days"):
        if key not in spec or spec[key] is None:
            continue
        pair = spec[key]
        try:
            low, high = (_public_number(v, datetime=sdtype == "datetime" and key == "bounds")
                         for v in pair)
        except (TypeError, ValueError):
            raise SchemaError(f"{where}: {key} must be [low, high] (numbers"
                              + (", or ISO dates" if sdtype == "datetime" else "") + f"), got {pair!r}") from None
        if not low < high:
            raise SchemaError(f"{where}: {key} {pair!r} must have low < high")
        if key == "offset_days" and sdtype != "datetime":
            raise SchemaError(f"{where}: offset_days applies to datetime columns only (sdtype {sdtype!r})")
        out[key] = list(pair)
    if spec.get("values") is not None:
        values = spec["values"]
        if sdtype != "numerical" or not isinstance(values, list) \
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise SchemaError(f"{where}: values must be a non-empty list of finite numbers of a "
                              f"numerical column (sdtype {sdtype!r})")
        out["values"] = list(public_values(where, values))
    if spec.get("source") is not None:
        out["source"] = str(spec["source"])
    return out


def _public_number(value: Any, *, datetime: bool) -> float:
    """A bound as a float: seconds since the epoch for a datetime's ISO date or number."""
    if isinstance(value, bool):
        raise TypeError(value)
    if datetime and isinstance(value, str):
        return float(pd.Timestamp(value).value) / 1e9
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(value)
    return number


def public_facts(meta: RelationalMetadata, table: str, column: str) -> dict[str, Any]:
    """A column's declared public facts in model units: ``bounds`` and ``offset_days``
    become seconds for a datetime column; empty when none are declared."""
    tmeta = meta.tables[table]
    raw = tmeta.public.get(column, {})
    datetime = tmeta.columns.get(column) == "datetime"
    out: dict[str, Any] = {}
    if "bounds" in raw:
        out["bounds"] = [_public_number(v, datetime=datetime) for v in raw["bounds"]]
    if "offset_days" in raw:
        out["offset_days"] = [float(v) * 86400.0 for v in raw["offset_days"]]
    if "values" in raw:
        out["values"] = tuple(float(v) for v in raw["values"])
    return out


@dataclass
class LoadReport:
    """What the loader found and did (counts only): the stated orphan/missing-key rule."""

    rows_in: dict[str, int] = field(default_factory=dict)
    orphans_dropped: dict[str, int] = field(default_factory=dict)
    null_primary_keys_dropped: dict[str, int] = field(default_factory=dict)
    null_foreign_keys: dict[str, int] = field(default_factory=dict)
    inferred_keys: bool = False
    notes: list[str] = field(default_factory=list)

    RULE = ("orphan rows (a non-null foreign key with no parent row) are dropped, cascading to "
            "the rows that referenced them; null foreign keys are kept as 'no parent' except "
            "to the primary parent (dropped); null primary keys are dropped")

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.RULE, "rows_in": self.rows_in, "orphans_dropped": self.orphans_dropped,
                "null_primary_keys_dropped": self.null_primary_keys_dropped,
                "null_foreign_keys": self.null_foreign_keys, "inferred_keys": self.inferred_keys,
                "notes": self.notes}


@dataclass
class RelationalData:
    """Tables (name -> frame) that satisfy their metadata, and the load report."""

    tables: dict[str, pd.DataFrame]
    metadata: RelationalMetadata
    report: LoadReport = field(default_factory=LoadReport)

    def fingerprint(self) -> str:
        """SHA-256 over the tables' canonical fingerprints and the relationships (the
        dataset a privacy budget is charged against)."""
        digest = hashlib.sha256()
        for name in sorted(self.tables):
            digest.update(f"{name}\x1f{table_fingerprint(self.tables[name])}\x1e".encode())
        rels = sorted(json.dumps(r.to_dict(), sort_keys=True) for r in self.metadata.relationships)
        digest.update("\x1d".join(rels).encode())
        return digest.hexdigest()

    def primary_parent(self, table: str) -> Relationship | None:
        return self.metadata.primary_parent(
            table, null_counts=_null_counts(self.tables[table], self.metadata, table))

    def n_rows(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}


# ------------------------------------------------------------------ loading


def is_relational_source(source: str | Path) -> bool:
    """A folder, or the name of a built-in relational dataset."""
    text = str(source)
    return Path(text).is_dir() or (text in _BUILTIN and not Path(text).exists())


def relational_builtin_names() -> list[str]:
    return sorted(_BUILTIN)


def _table_files(folder: Path) -> dict[str, Path]:
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES and not path.name.startswith("."):
            if path.stem in files:
                raise DataFileError(f"folder {str(folder)!r} holds two files for table {path.stem!r}")
            files[path.stem] = path
    return files


def load_relational(source: str | Path, *, metadata: str | Path | dict[str, Any] | None = None,
                    ) -> RelationalData:
    """Load a folder of tables (or a built-in relational dataset) and check its keys.

    ``metadata``: SDV multi-table metadata (file or dict); a ``metadata.json`` inside the
    folder is used when none is given; otherwise keys are inferred.
    """
    text = str(source)
    folder = Path(text)
    if not folder.exists() and text in _BUILTIN:
        with resources.as_file(resources.files("synthguard.data") / "datasets" / _BUILTIN[text]) as path:
            return load_relational(path, metadata=metadata)
    if not folder.is_dir():
        raise DataFileError(
            f"{text!r} is not a folder of tables; give a folder of .csv/.parquet files or a built-in "
            f"relational dataset ({', '.join(relational_builtin_names())})")
    files = _table_files(folder)
    if not files:
        raise DataFileError(f"folder {text!r} holds no .csv or .parquet tables")
    if metadata is None and (folder / METADATA_FILE).is_file():
        metadata = folder / METADATA_FILE
    meta: RelationalMetadata | None
    if metadata is None:
        meta = None
    elif isinstance(metadata, dict):
        meta = RelationalMetadata.from_dict(metadata)
    else:
        meta = RelationalMetadata.read(metadata)
    if meta is not None:
        missing = [t for t in meta.tables if t not in files]
        if missing:
            raise DataFileError(f"metadata names table(s) {missing} but {text!r} has no such file; "
                                f"files: {sorted(files)}")
        names = list(meta.tables)
    else:
        names = list(files)
    tables = {name: load_table(files[name]) for name in names}
    report = LoadReport(rows_in={n: len(f) for n, f in tables.items()})
    ignored = sorted(set(files) - set(names))
    if ignored:
        report.notes.append(f"files not in the metadata were ignored: {ignored}")
    if meta is None:
        meta = infer_metadata(tables)
        report.inferred_keys = True
    else:
        meta = _complete_columns(meta, tables)
    tables = _parse_datetimes(tables, meta)
    return validate(tables, meta, report)


def _complete_columns(meta: RelationalMetadata, tables: dict[str, pd.DataFrame]) -> RelationalMetadata:
    """Columns the metadata leaves out are inferred; columns it names must exist."""
    out = {}
    for name, tmeta in meta.tables.items():
        frame = tables[name]
        for col in [*tmeta.columns, *(c for c in [tmeta.primary_key, tmeta.sequence_index] if c)]:
            if col not in frame.columns:
                raise SchemaError(f"table {name!r} has no column {col!r} named by the metadata; "
                                  f"its columns: {list(frame.columns)}")
        for rel in meta.parents(name):
            if rel.child_key not in frame.columns:
                raise SchemaError(f"table {name!r} has no foreign-key column {rel.child_key!r} "
                                  f"({rel.label()}); its columns: {list(frame.columns)}")
        if tmeta.columns:
            columns = {c: tmeta.columns.get(c) for c in frame.columns if c in tmeta.columns}
            extra = [c for c in frame.columns if c not in tmeta.columns]
            inferred = _sdtypes(frame[extra]) if extra else {}
            merged = {c: columns.get(c) or inferred[c] for c in frame.columns}
        else:
            merged = _sdtypes(frame)
        keys = set(meta.key_columns(name))
        merged = {c: ("id" if c in keys else s) for c, s in merged.items()}
        seq = tmeta.sequence_index or _default_sequence(merged, keys)
        out[name] = TableMeta(name, merged, tmeta.primary_key, seq, tmeta.public, tmeta.formats)
    return RelationalMetadata(out, meta.relationships)


def _sdtypes(frame: pd.DataFrame) -> dict[str, str]:
    schema = infer_schema(frame)
    out = {}
    for col, spec in schema.columns.items():
        if spec.kind is ColumnKind.ID:
            out[col] = "id"
        elif spec.kind in _SDTYPE_OF_KIND:
            out[col] = _SDTYPE_OF_KIND[spec.kind]
        elif spec.kind is ColumnKind.TEXT:
            out[col] = "unknown"
        else:
            out[col] = spec.sdtype if spec.sdtype not in ("unknown",) else "unknown"
    for col in frame.columns:  # ISO date strings SDV did not flag
        if out[col] not in ("id", "datetime", "numerical") and frame[col].dtype == object \
                and _looks_datetime(frame[col]):
            out[col] = "datetime"
    return out


def _looks_datetime(series: pd.Series) -> bool:
    values = series.dropna().astype(str).head(200)
    if values.empty or not values.str.match(r"^\d{4}-\d{2}-\d{2}").all():
        return False
    return bool(_to_datetime(values, None).notna().all())


def _default_sequence(columns: dict[str, str], keys: set[str]) -> str | None:
    return next((c for c, s in columns.items() if s == "datetime" and c not in keys), None)


def _to_datetime(series: pd.Series, fmt: str | None) -> pd.Series:
    """``pd.to_datetime`` (unparseable -> NaT) without pandas' "Could not infer format"
    UserWarning, which printed a traceback-like line before the CLI's one-line error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(series, errors="coerce", format=fmt)


def _parse_datetimes(tables: dict[str, pd.DataFrame], meta: RelationalMetadata) -> dict[str, pd.DataFrame]:
    out = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for col, sdtype in meta.tables[name].columns.items():
            if sdtype == "datetime" and not pd.api.types.is_datetime64_any_dtype(frame[col]):
                fmt = meta.tables[name].formats.get(col)
                # the declared format first (a day-first "05/01/1995" read month-first turned
                # every later day > 12 into "not a date"), else pandas' own inference
                parsed = _to_datetime(frame[col], fmt) if fmt else None
                if parsed is None or (parsed.isna() & frame[col].notna()).any():
                    parsed = _to_datetime(frame[col], None)
                bad = int((parsed.isna() & frame[col].notna()).sum())
                if bad:
                    raise SchemaError(f"table {name!r} column {col!r} is declared datetime but "
                                      f"{bad} value(s) are not dates; fix them or declare it categorical")
                frame[col] = parsed
        tables_col = frame
        out[name] = tables_col
    return out


def infer_metadata(tables: dict[str, pd.DataFrame]) -> RelationalMetadata:
    """Infer primary keys, foreign keys and column sdtypes (see the module docstring)."""
    candidates: dict[str, list[str]] = {}
    for name, frame in tables.items():
        candidates[name] = [
            str(c) for c in frame.columns
            if _id_name(str(c).lower()) and frame[c].notna().all() and frame[c].is_unique
            and (pd.api.types.is_integer_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c]))
        ]

    def references(table: str, column: str) -> list[str]:
        """Other tables whose ``column`` looks like a foreign key into ``table.column``."""
        keys = set(tables[table][column].tolist())
        out = []
        for other, frame in tables.items():
            if other == table or column not in frame.columns:
                continue
            values = frame[column].dropna()
            if values.empty or (values.is_unique and len(values) == len(frame) and len(frame) == len(keys)):
                continue
            if float(values.isin(keys).mean()) >= 0.5:
                out.append(other)
        return out

    primary: dict[str, str | None] = {}
    for name in tables:
        ranked = sorted(candidates[name], key=lambda c: (-len(references(name, c)),
                                                        c.lower().startswith("row"),
                                                        candidates[name].index(c)))
        primary[name] = ranked[0] if ranked else None
    rels = []
    for parent, pk in primary.items():
        if pk is None:
            continue
        for child in references(parent, pk):
            if primary.get(child) == pk:
                continue
            rels.append(Relationship(parent, pk, child, pk))
    meta = RelationalMetadata({n: TableMeta(n, {}, primary[n]) for n in tables}, tuple(rels))
    try:
        meta.order()
    except SchemaError:  # inferred keys that cycle: keep only edges that follow key uniqueness
        rels = [r for r in rels if not tables[r.child][r.child_key].is_unique]
        meta = RelationalMetadata(meta.tables, tuple(rels))
    return _complete_columns(meta, tables)


def _null_counts(frame: pd.DataFrame, meta: RelationalMetadata, table: str) -> dict[str, int]:
    return {f"{table}.{r.child_key}": int(frame[r.child_key].isna().sum()) for r in meta.parents(table)}


def validate(tables: dict[str, pd.DataFrame], meta: RelationalMetadata,
             report: LoadReport | None = None) -> RelationalData:
    """Check keys; apply the orphan/missing-key rule; return clean :class:`RelationalData`."""
    report = report or LoadReport(rows_in={n: len(f) for n, f in tables.items()})
    meta.check_structure()
    tables = dict(tables)
    for name, tmeta in meta.tables.items():
        frame = tables[name]
        pk = tmeta.primary_key
        if pk is None:
            continue
        if pk not in frame.columns:
            raise SchemaError(f"table {name!r} has no primary-key column {pk!r}; "
                              f"its columns: {list(frame.columns)}")
        null_pk = frame[pk].isna()
        if null_pk.any():
            report.null_primary_keys_dropped[name] = int(null_pk.sum())
            frame = frame.loc[~null_pk]
        dup = frame[pk].duplicated(keep=False)
        if dup.any():
            raise SchemaError(
                f"table {name!r} primary key {pk!r} has {int(frame[pk].duplicated().sum())} "
                "duplicate value(s); a primary key must be unique: fix the data or choose "
                "another key column in the metadata")
        tables[name] = frame
    for rel in meta.relationships:
        if rel.child_key not in tables[rel.child].columns:
            raise SchemaError(f"table {rel.child!r} has no foreign-key column {rel.child_key!r} "
                              f"({rel.label()})")
        values = tables[rel.child][rel.child_key].dropna()
        if not values.empty and not values.isin(set(tables[rel.parent][rel.parent_key])).any():
            raise SchemaError(
                f"table {rel.child!r} column {rel.child_key!r} references {rel.parent}."
                f"{rel.parent_key} but none of its {values.nunique()} key value(s) exists there; "
                "the relationship or the key column is wrong")
    for name in meta.order():  # parents first: a dropped parent drops its children
        frame = tables[name]
        keep = np.ones(len(frame), dtype=bool)
        orphans = 0
        primary = meta.primary_parent(name, null_counts=_null_counts(frame, meta, name))
        for rel in meta.parents(name):
            fk = frame[rel.child_key]
            known = np.asarray(fk.isin(set(tables[rel.parent][rel.parent_key])), dtype=bool)
            null = np.asarray(fk.isna(), dtype=bool)
            orphan = ~known & ~null
            orphans += int((orphan & keep).sum())
            keep &= ~orphan
            if null.any():
                report.null_foreign_keys[f"{name}.{rel.child_key}"] = int(null.sum())
                if rel == primary:
                    report.notes.append(f"{int((null & keep).sum())} row(s) of {name!r} with a null "
                                        f"{rel.child_key!r} (its primary parent key) were dropped")
                    keep &= ~null
        if orphans:
            report.orphans_dropped[name] = orphans
        tables[name] = frame.loc[keep].reset_index(drop=True)
    for name, frame in tables.items():
        if frame.empty:
            raise DataFileError(f"table {name!r} has no rows left after the key checks")
    return RelationalData(tables, meta, report)


def load_tables(folder: str | Path, metadata: RelationalMetadata) -> dict[str, pd.DataFrame]:
    """The tables of ``metadata`` from ``folder`` as they are (no key checks, no rows dropped:
    for judging a synthetic folder, whose integrity is measured, not repaired)."""
    path = Path(folder)
    if not path.is_dir():
        raise DataFileError(f"{str(folder)!r} is not a folder of tables")
    files = _table_files(path)
    missing = [t for t in metadata.tables if t not in files]
    if missing:
        raise DataFileError(f"folder {str(folder)!r} has no file for table(s) {missing}")
    tables = {}
    for name in metadata.tables:
        frame = pd.read_parquet(files[name]) if files[name].suffix.lower() != ".csv" \
            else pd.read_csv(files[name])
        tables[name] = frame
    return _parse_datetimes(tables, metadata)


def write_tables(tables: dict[str, pd.DataFrame], folder: str | Path,
                 metadata: RelationalMetadata | None = None) -> Path:
    """Write every table as ``folder/<name>.parquet`` (and the metadata) atomically as a folder."""
    import shutil
    import tempfile

    from synthguard.data.loading import write_table

    out = Path(folder)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        for name, frame in tables.items():
            write_table(frame, tmp / f"{name}.parquet")
        if metadata is not None:
            metadata.write(tmp / METADATA_FILE)
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out

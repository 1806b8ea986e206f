"""Loading tables, inferring their schema, splitting them, and the built-in datasets."""

from __future__ import annotations

from synthguard.data.builtin import builtin_names, load_builtin
from synthguard.data.loading import load_table, table_fingerprint, write_table
from synthguard.data.schema import ColumnKind, Schema, infer_schema
from synthguard.data.splits import Split, train_holdout_split

__all__ = [
    "ColumnKind",
    "Schema",
    "Split",
    "builtin_names",
    "infer_schema",
    "load_builtin",
    "load_table",
    "table_fingerprint",
    "train_holdout_split",
    "write_table",
]

"""Relational generators: many tables linked by foreign keys, event sequences, entity-level DP."""

from __future__ import annotations

from synthguard.generators.relational.base import (
    RELATIONAL_GENERATORS,
    RelationalGenerator,
    create_relational_generator,
    get_relational_generator,
    list_relational_generators,
    load_relational_generator,
    sample_to_folder,
    save_relational_generator,
)

__all__ = [
    "RELATIONAL_GENERATORS",
    "RelationalGenerator",
    "create_relational_generator",
    "get_relational_generator",
    "list_relational_generators",
    "load_relational_generator",
    "sample_to_folder",
    "save_relational_generator",
]

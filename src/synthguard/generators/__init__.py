"""Generators: one registry of tabular and text generators behind one protocol."""

from __future__ import annotations

from synthguard.generators.base import Capabilities, Generator, GeneratorParams, PrivacySpend
from synthguard.generators.persist import load_generator, save_generator
from synthguard.generators.registry import (
    DEFAULT_TABULAR_GENERATOR,
    FAST_TABULAR_GENERATOR,
    GENERATORS,
    create_generator,
    get_generator,
    list_generators,
    register_generator,
)

__all__ = [
    "DEFAULT_TABULAR_GENERATOR",
    "FAST_TABULAR_GENERATOR",
    "GENERATORS",
    "Capabilities",
    "Generator",
    "GeneratorParams",
    "PrivacySpend",
    "create_generator",
    "get_generator",
    "list_generators",
    "load_generator",
    "register_generator",
    "save_generator",
]

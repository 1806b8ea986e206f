"""The one generator registry (tabular and text, private and not)."""

from __future__ import annotations

from typing import Any

from synthguard.generators.base import Generator
from synthguard.registry import Registry

GENERATORS: Registry[type[Generator]] = Registry("generator")


def register_generator(cls: type[Generator]) -> type[Generator]:
    """Class decorator: register a generator under its ``name``."""
    GENERATORS.add(cls.name, cls)
    return cls


def get_generator(name: str) -> type[Generator]:
    _load_builtin_plugins()
    return GENERATORS.get(name)


def create_generator(name: str, **params: Any) -> Generator:
    """Build generator ``name`` with typed, validated parameters."""
    return get_generator(name)(**params)


def list_generators() -> list[dict[str, Any]]:
    """Name, summary, capabilities and parameters of every registered generator."""
    _load_builtin_plugins()
    return [
        {"name": name, "summary": cls.summary, "capabilities": cls.caps.to_dict(),
         "params": cls.Params.describe()}
        for name, cls in GENERATORS.items()
    ]


_LOADED = False


def _load_builtin_plugins() -> None:
    """Import the modules that define the built-in generators (explicit list, no discovery).

    A module whose optional dependency is missing raises; nothing is silently dropped.
    """
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from synthguard.generators import _plugins

    _plugins.load_all()

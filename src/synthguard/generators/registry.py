"""The one generator registry (tabular and text, private and not)."""

from __future__ import annotations

from typing import Any

from synthguard.generators.base import Generator
from synthguard.registry import Registry

GENERATORS: Registry[type[Generator]] = Registry("generator")

#: The tabular generator used when none is named (CLI ``generate``/``demo``, ``synthesize``, the
#: app): best joint structure (benchmarks/tabular_vs_argn.py).
DEFAULT_TABULAR_GENERATOR = "sequential_trees"
#: The fastest tabular generator (pairwise structure only), for quick looks and huge tables.
FAST_TABULAR_GENERATOR = "gaussian_copula"


def register_generator(cls: type[Generator]) -> type[Generator]:
    """Class decorator: register a generator under its ``name``."""
    GENERATORS.add(cls.name, cls)
    return cls


def get_generator(name: str) -> type[Generator]:
    _load_builtin_plugins()
    return GENERATORS.get(name)


def create_generator(name: str, *, pii: Any = None, **params: Any) -> Generator:
    """Build generator ``name`` with typed, validated parameters.

    ``pii``: the policy for PII/identifier columns applied by every ``fit`` (``"fake"``,
    ``"drop"``, ``"keep"``, ``{column: policy}`` or a ``PiiPolicy``; default: fake, drop for
    DP generators). See ``generators._pii``.
    """
    generator = get_generator(name)(**params)
    return generator.with_pii(pii) if pii is not None else generator


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

"""One error tree for the whole package.

Every failure a user can cause (bad file, bad column, bad parameter, budget overrun) is a
``SynthguardError``; the CLI prints its message on one line and exits with code 2. Foreign
exceptions (SDV, Presidio, opacus, mbi) are mapped to these at the boundary so that callers
never need to know which library failed.
"""

from __future__ import annotations


class SynthguardError(Exception):
    """Root of every error synthguard raises on purpose. The message says what to do."""


class InputError(SynthguardError):
    """A file, table or argument given by the user cannot be used as it is."""


class DataFileError(InputError):
    """A data file is missing, unreadable, empty or malformed."""


class SchemaError(InputError):
    """A column is unknown, has the wrong type, or the schema/metadata file is invalid."""


class UnsupportedSchemaError(SchemaError):
    """A valid schema that a particular generator cannot model (e.g. SDV HMA's limits)."""


class ParameterError(InputError):
    """A parameter is out of range or inconsistent with others."""


class UnsafeInputError(InputError):
    """A table a generator cannot model honestly (too few rows, a misread delimiter)."""


class UnknownPluginError(InputError):
    """A registry was asked for a name it does not hold."""


class NotFittedError(SynthguardError):
    """A model was used before ``fit``."""


class IntegrityError(SynthguardError):
    """A saved artifact does not match its manifest, or its manifest is not trusted."""


class BudgetExceededError(SynthguardError):
    """A differentially private run would spend more than the dataset's budget allows."""


class MissingDependencyError(SynthguardError):
    """An optional dependency of a plug-in is not installed."""


__all__ = [
    "BudgetExceededError",
    "DataFileError",
    "InputError",
    "IntegrityError",
    "MissingDependencyError",
    "NotFittedError",
    "ParameterError",
    "SchemaError",
    "SynthguardError",
    "UnknownPluginError",
    "UnsafeInputError",
    "UnsupportedSchemaError",
]

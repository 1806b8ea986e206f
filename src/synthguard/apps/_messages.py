"""Library errors worded for the workbench: the app has widgets, not command-line flags.

The library's messages say what to do in Python terms (parameter names) or, in older paths,
in the CLI's flags. A person in the app cannot pass ``--bounds FILE``; they fill in the
public-bounds table. This module rewrites the handful of such hints into the app's terms and
leaves everything else as the library said it (the message still names the column or value).
"""

from __future__ import annotations

import re

from synthguard.errors import SynthguardError

# (pattern, replacement), applied in order. Patterns cover the CLI flag and the Python
# parameter spelling, so the message reads the same before and after the library's wording
# changes.
_REWRITES: tuple[tuple[str, str], ...] = (
    (r"(?:with )?--bounds FILE \(\{\"col\": \[low, high\]\}\)( or\s+--metadata)?",
     "in the public-bounds table on the Generate page"),
    (r"--bounds(?: FILE)?", "the public-bounds table on the Generate page"),
    (r"\bbounds=\{[^}]*\}(?: or\s+schema bounds)?", "the public-bounds table on the Generate page"),
    (r"\s*or as column bounds in schema=,?", ""),
    (r"\bset estimate_bounds=True", "tick 'Estimate missing bounds' on the Generate page"),
    (r"\btransfer_rows=(\S+)", r"Transfer rows (\1)"),
    (r"\bschema=", "the schema table on the Data page"),
    (r"(?:in )?--metadata(?: FILE)?", "in the schema table on the Data page"),
    (r"allow estimate_bounds=True", "tick 'Estimate missing bounds' on the Generate page"),
    (r"estimate_bounds=True", "'Estimate missing bounds'"),
    (r"--epsilon\b", "ε"),
    (r"--delta\b", "δ"),
    (r"--rows\b", "Synthetic rows"),
    (r"--target\b", "the target column (Data page)"),
    (r"--sensitive\b", "the sensitive columns (Data page)"),
    (r"--real\b", "train split"),
    (r"--holdout\b", "holdout split"),
    (r"--transfer-rows\b", "Transfer rows"),
    (r"--epochs\b", "epochs"),
    (r"--param ([a-z_]+)=", r"parameter \1="),
    (r"--pii-column\b", "the PII handling column of the schema table (Data page)"),
    (r"--pii\b", "the PII handling column of the schema table (Data page)"),
    (r"`?synthguard budget set`?", "the budget form on the Runs page"),
)


def app_wording(message: str) -> str:
    """``message`` with command-line hints replaced by the app's widgets."""
    for pattern, replacement in _REWRITES:
        message = re.sub(pattern, replacement, message)
    return message


def app_message(error: BaseException) -> str:
    """One line for an error shown in the app. A ``SynthguardError`` is the user's to fix:
    its message (reworded); anything else is a bug: its type too, so it can be reported."""
    if isinstance(error, SynthguardError):
        return app_wording(str(error))
    return f"{type(error).__name__}: {app_wording(str(error))}"

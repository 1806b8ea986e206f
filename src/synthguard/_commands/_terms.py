"""Library errors in the CLI's terms.

Library messages name Python parameters (``bounds=``, ``epsilon=0``, ``force=True``): that is
what a caller of ``synthguard.synthesize`` or a generator can change. The CLI prints the same
messages with its own flags: :data:`PARAM_FLAGS` maps each parameter to the flag that sets it,
and :func:`cli_terms` is applied where the CLI prints an error (``cli.main``).
"""

from __future__ import annotations

import re

# Whole phrases first (a parameter with its value, where the flag takes none or another form).
PHRASES: dict[str, str] = {
    "estimate_bounds=True": "--param estimate_bounds=true",
    "force=True": "--force",
    "key=bytes": "--key-file FILE",
    "salt=bytes": "--salt-file FILE",
}

# Python parameter -> CLI flag (with a word of its argument where the flag takes a file).
PARAM_FLAGS: dict[str, str] = {
    "bounds": "--bounds FILE of",
    "schema": "--metadata",
    "metadata": "--metadata",
    "epsilon": "--epsilon",
    "delta": "--delta",
    "dp_epsilon": "--dp-epsilon",
    "rows": "--rows",
    "rows_limit": "--rows-limit",
    "real": "--real",
    "synthetic": "--synthetic",
    "holdout": "--holdout",
    "holdout_fraction": "--holdout-fraction",
    "target": "--target",
    "sensitive": "--sensitive",
    "positive": "--positive",
    "secret": "--secret",
    "quasi_identifiers": "--quasi-identifiers",
    "attacks": "--attacks",
    "max_rows": "--max-rows",
    "generator": "--generator",
    "seed": "--seed",
    "out": "--out",
    "save_model": "--save-model",
    "min_rows": "--min-rows",
    "min_acceptance": "--min-acceptance",
    "chunk_rows": "--chunk-rows",
    "text_field": "--text-field",
    "columns": "--columns",
    "fmt": "--format",
    "engine": "--engine",
    "ray_address": "--ray-address",
    "prune": "--prune",
    "quantize": "--quantize",
    "int8_mode": "--int8-mode",
    "transfer_rows": "--transfer-rows",
    "max_params_ratio": "--max-params-ratio",
    "latency_repeats": "--latency-repeats",
    "threads": "--threads",
    "hidden": "--student-hidden",
    "temperature": "--temperature",
    "hard_weight": "--hard-weight",
    "fairness": "--fairness",
    "fairness_weight": "--fairness-weight",
    "finetune_epochs": "--finetune-epochs",
}

_NAME = re.compile(r"(?<![\w.\-])(" + "|".join(sorted(map(re.escape, PARAM_FLAGS), key=len, reverse=True))
                   + r")=(.?)")


def _flag(match: re.Match[str]) -> str:
    flag, following = PARAM_FLAGS[match.group(1)], match.group(2)
    if following in ("", " ", ")", ",", ";", ":"):
        return flag + following
    return f"{flag} {following}"


def cli_terms(message: str) -> str:
    """``message`` with Python parameters (``bounds=``, ``epsilon=0``) replaced by the CLI's
    flags (``--bounds FILE of``, ``--epsilon 0``); the rest is left as the library said it."""
    for phrase, flag in PHRASES.items():
        message = re.sub(rf"(?<![\w.\-]){re.escape(phrase)}", flag, message)
    return _NAME.sub(_flag, message)


__all__ = ["PARAM_FLAGS", "PHRASES", "cli_terms"]

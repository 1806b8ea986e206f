"""Small widget helpers shared by the pages (state defaults, parameter forms, tables)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps._state import W


def default(key: str, value: Any, options: Sequence[Any] | None = None) -> str:
    """Seed widget ``w.<key>`` with ``value`` unless it holds a valid one; return the key.

    Widgets are then drawn with ``key=`` only (no ``value=``/``index=``), so a value chosen on
    one visit is the value shown on the next.
    """
    full = W + key
    seeded = full + ".seeded"  # the default we put there: it follows a changed default
    if full not in st.session_state or (
            st.session_state.get(seeded) == st.session_state[full] and value != st.session_state[full]
            and (options is None or value in options)):
        # e.g. Compare's "HTML report for" seeded with the baseline while it alone had finished
        # moves to the artifact once that finishes; a value the user chose stays
        st.session_state[full] = value
        st.session_state[seeded] = value
    elif options is not None:
        current = st.session_state[full]
        if isinstance(current, list):
            kept = [v for v in current if v in options]
            if kept != current:
                st.session_state[full] = kept
        elif current not in options:
            st.session_state[full] = value
            st.session_state[seeded] = value
    return full


def param_inputs(prefix: str, params: dict[str, Any], *, skip: Sequence[str] = ()) -> dict[str, Any]:
    """One widget per generator parameter, typed from its default; returns the values that
    differ from the defaults (what the CLI's ``--param KEY=VALUE`` would pass)."""
    chosen: dict[str, Any] = {}
    columns = st.columns(3)
    names = [n for n in params if n not in skip]
    for i, name in enumerate(names):
        default_value = params[name]
        key = f"{prefix}.{name}"
        with columns[i % 3]:
            if isinstance(default_value, bool):
                value: Any = st.checkbox(name, key=default(key, default_value))
            elif isinstance(default_value, int):
                value = int(st.number_input(name, step=1, key=default(key, default_value)))
            elif isinstance(default_value, float):
                value = float(st.number_input(name, format="%g", key=default(key, default_value)))
            else:
                text = st.text_input(name, key=default(key, "" if default_value is None else
                                                       json.dumps(default_value)),
                                     help="JSON value; leave empty for the default")
                if text.strip() in ("", json.dumps(default_value)):
                    continue
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    value = text
        if value != default_value:
            chosen[name] = value
    return chosen


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def frame(rows: dict[str, dict[str, Any]] | list[dict[str, Any]]) -> pd.DataFrame:
    """A small aggregate table from rows (dict of dicts: index -> columns)."""
    if isinstance(rows, dict):
        return pd.DataFrame.from_dict(rows, orient="index")
    return pd.DataFrame(rows)

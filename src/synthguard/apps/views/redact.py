"""Redact page: paste or upload text, see detected spans by entity type, choose operators,
download the result. Uses ``synthguard.redaction.RedactionEngine`` (Presidio + spaCy, offline)."""

from __future__ import annotations

import html
import json
from typing import Any

import pandas as pd
import streamlit as st

from synthguard.apps._widgets import default
from synthguard.errors import SynthguardError

RESULT = "sg.redact.result"
EXAMPLE = (
    "Dear Dr. Maria Gonzalez, your appointment at 14 Elm Street, Springfield is confirmed for "
    "March 3, 2024. Please call 555-201-7788 or write to maria.gonzalez@example.org if you need "
    "to reschedule. Card on file: 4111 1111 1111 1111. Reference IP 192.168.4.21."
)
PALETTE = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff",
           "#ffadad", "#d0f4de", "#e4c1f9"]


@st.cache_resource(show_spinner="Loading the redaction engine (spaCy + Presidio)…", max_entries=4)
def _engine(config_json: str) -> Any:
    from synthguard.redaction import RedactionEngine

    config = json.loads(config_json)
    salt = config.pop("salt")
    return RedactionEngine(**config, salt=salt.encode("utf-8") if salt else None)


@st.cache_data(show_spinner="Finding and transforming sensitive spans…", max_entries=32)
def _redact(text: str, config_json: str) -> dict[str, Any]:
    doc = _engine(config_json).redact([text])[0]
    return doc.to_dict()  # type: ignore[no-any-return]


def highlighted(text: str, spans: list[dict[str, Any]], colours: dict[str, str]) -> str:
    """HTML of ``text`` with each span marked and labelled by its entity type (escaped)."""
    out, pos = [], 0
    for span in sorted(spans, key=lambda s: s["start"]):
        out.append(html.escape(text[pos:span["start"]]))
        colour = colours.get(span["entity_type"], "#eeeeee")
        out.append(f'<mark style="background:{colour};padding:0 2px;border-radius:3px">'
                   f'{html.escape(text[span["start"]:span["end"]])}'
                   f'<sup style="font-size:0.65em;margin-left:2px">{span["entity_type"]}</sup></mark>')
        pos = span["end"]
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


st.title("Redact")
try:
    from synthguard.redaction import ALL_ENTITIES, ENTITY_DESCRIPTIONS, OPERATORS
except ImportError as exc:
    st.error(f"The redaction package is not available in this install ({exc}).")
    st.stop()

st.caption("Detect personal data in free text (Presidio + spaCy NER and synthguard's patterns, "
           "offline) and replace it with the operator you choose per entity type.")
text = st.text_area("Text", height=160, key=default("red.text", EXAMPLE))
uploaded = st.file_uploader("…or upload a text file", type=["txt", "md", "csv", "jsonl"])
if uploaded is not None:
    text = uploaded.getvalue().decode("utf-8", errors="replace")
    st.caption(f"Using {uploaded.name} ({len(text):,} characters).")

operators = [n for n in OPERATORS.names() if not OPERATORS.get(n).caps.needs_key]
c1, c2, c3 = st.columns(3)
with c1:
    entities = st.multiselect("Entity types", list(ALL_ENTITIES),
                              key=default("red.entities", list(ALL_ENTITIES), ALL_ENTITIES),
                              help="\n".join(f"{e}: {d}" for e, d in ENTITY_DESCRIPTIONS.items()))
with c2:
    operator = st.selectbox("Default operator", operators, key=default("red.operator", "replace", operators))
with c3:
    threshold = st.slider("Score threshold", 0.0, 1.0, step=0.05, key=default("red.threshold", 0.35))
with st.expander("Operator per entity type"):
    cols = st.columns(3)
    overrides: dict[str, str] = {}
    for i, entity in enumerate(entities):
        choice = cols[i % 3].selectbox(entity, ["(default)", *operators],
                                       key=default(f"red.op.{entity}", "(default)", ["(default)", *operators]))
        if choice != "(default)":
            overrides[entity] = str(choice)
    st.caption("encrypt (reversible, AES-SIV) needs a key file: use `synthguard redact --key-file`.")
salt = ""
if "hash" in {operator, *overrides.values()}:
    salt = st.text_input("Salt for the hash operator", type="password", key=default("red.salt", ""))

config = json.dumps({"entities": entities, "threshold": threshold,
                     "policy": {"default": operator, "entities": overrides}, "salt": salt},
                    sort_keys=True)
if st.button("Redact", type="primary"):
    if not entities:
        st.error("Choose at least one entity type.")
    elif not text.strip():
        st.error("Paste or upload some text first.")
    else:
        try:
            st.session_state[RESULT] = (text, _redact(text, config))
        except SynthguardError as exc:
            st.error(str(exc))

stored = st.session_state.get(RESULT)
if stored is not None:
    original, doc = stored
    kinds = sorted({s["entity_type"] for s in doc["spans"]})
    colours = {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(kinds)}
    st.subheader("Detected spans")
    st.markdown(f'<div style="line-height:1.9">{highlighted(original, doc["spans"], colours)}</div>',
                unsafe_allow_html=True)
    counts = pd.DataFrame([{"entity type": k, "spans": sum(s["entity_type"] == k for s in doc["spans"]),
                            "replaced": doc["replaced"].get(k, 0)} for k in kinds])
    if counts.empty:
        st.info("No sensitive span found.")
    else:
        st.dataframe(counts, hide_index=True, width="stretch")
    st.subheader("Redacted text")
    st.code(doc["text"], language=None, wrap_lines=True)
    d1, d2 = st.columns(2)
    d1.download_button("Download redacted text", doc["text"], file_name="redacted.txt", mime="text/plain")
    d2.download_button("Download spans (JSON)", json.dumps({"spans": doc["spans"], "replaced": doc["replaced"]},
                                                          indent=2),
                       file_name="spans.json", mime="application/json")

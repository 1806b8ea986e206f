"""synthguard workbench: the Streamlit entry script (``synthguard app`` runs it).

Pages are glue and layout over the library (the same calls the CLI makes); long work runs in
background jobs (:mod:`synthguard.apps._jobs`). Real rows are previewed on the Data page only;
every other page shows aggregates.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from synthguard.apps._icon import favicon
from synthguard.apps._state import W

HERE = Path(__file__).parent
PAGES = [
    ("views/data.py", "Data", ":material/table:"),
    ("views/generate.py", "Generate", ":material/auto_awesome:"),
    ("views/redact.py", "Redact", ":material/ink_eraser:"),
    ("views/distill.py", "Distill", ":material/compress:"),
    ("views/compare.py", "Compare", ":material/leaderboard:"),
    ("views/runs.py", "Runs", ":material/history:"),
]

# The tab icon is an image served by this server: a ":material/...:" or emoji page_icon makes the
# browser fetch it from a Google/CDN host on every page load (nothing may be fetched).
st.set_page_config(page_title="synthguard workbench", page_icon=favicon(), layout="wide")

# Keep widget values across pages: Streamlit drops the state of widgets not drawn in a run;
# re-assigning them here (every run, before any page) keeps the Data page's settings alive.
for _key in [k for k in st.session_state if isinstance(k, str) and k.startswith(W)]:
    st.session_state[_key] = st.session_state[_key]

page = st.navigation([st.Page(str(HERE / path), title=title, icon=icon)
                      for path, title, icon in PAGES])
with st.sidebar:
    st.caption("synthguard: synthetic data and data-centric privacy. Real rows are shown on "
               "the Data page only; every other page shows aggregates.")
page.run()

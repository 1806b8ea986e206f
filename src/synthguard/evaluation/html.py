"""Self-contained HTML reports: inline CSS, figures as base64 PNG, no scripts from a CDN.

A report opens on an air-gapped machine. Sections take aggregate tables and figures only:
callers must never pass real rows.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from synthguard._io import write_text_atomic

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;
color:#1d2330;line-height:1.45}
h1{border-bottom:3px solid #3b5bdb;padding-bottom:.3rem}h2{margin-top:2.2rem;color:#3b5bdb}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d0d5dd;padding:.25rem .6rem;text-align:right}
th{background:#eef1f8}td:first-child,th:first-child{text-align:left}
.kpis{display:flex;gap:1rem;flex-wrap:wrap}.kpi{background:#f4f6fb;border-radius:8px;
padding:.7rem 1rem;min-width:150px}.kpi b{display:block;font-size:1.5rem}
.low{color:#2b8a3e}.medium{color:#e67700}.high{color:#c92a2a;font-weight:bold}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#555}.note{color:#555;font-size:.9rem}
"""


def figure_to_data_uri(fig: Any) -> str:
    """Render a matplotlib figure to an inline PNG data URI and close it."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class HtmlReport:
    """Build a report section by section, then write it atomically."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._parts: list[str] = []

    def heading(self, text: str) -> None:
        self._parts.append(f"<h2>{html.escape(text)}</h2>")

    def paragraph(self, text: str, *, css_class: str = "") -> None:
        cls = f' class="{css_class}"' if css_class else ""
        self._parts.append(f"<p{cls}>{html.escape(text)}</p>")

    def kpis(self, values: dict[str, Any]) -> None:
        cells = "".join(
            f'<div class="kpi">{html.escape(str(k))}<b>{_fmt(v)}</b></div>' for k, v in values.items()
        )
        self._parts.append(f'<div class="kpis">{cells}</div>')

    def table(self, frame: pd.DataFrame, *, caption: str = "") -> None:
        """An aggregate table (never real rows)."""
        body = frame.to_html(float_format=lambda x: f"{x:.4g}", border=0, escape=True)
        cap = f"<p class='note'>{html.escape(caption)}</p>" if caption else ""
        self._parts.append(cap + body)

    def figure(self, fig: Any, *, caption: str = "") -> None:
        uri = figure_to_data_uri(fig)
        self._parts.append(
            f'<figure><img alt="{html.escape(caption)}" src="{uri}" style="max-width:100%">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )

    def verdict(self, label: str, level: str, detail: str = "") -> None:
        level = level if level in ("low", "medium", "high") else "medium"
        self._parts.append(
            f'<p>{html.escape(label)}: <span class="{level}">{html.escape(level)} risk</span> '
            f'<span class="note">{html.escape(detail)}</span></p>'
        )

    def raw(self, fragment: str) -> None:
        """Trusted HTML produced by synthguard itself (escape anything user-given first)."""
        self._parts.append(fragment)

    def render(self) -> str:
        body = "\n".join(self._parts)
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head>"
            f"<body><h1>{html.escape(self.title)}</h1>{body}</body></html>"
        )

    def write(self, path: str | Path) -> Path:
        write_text_atomic(path, self.render())
        return Path(path)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return html.escape(str(value))

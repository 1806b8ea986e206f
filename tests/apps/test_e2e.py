"""End to end in a real browser: ``synthguard app`` on localhost, driven by Playwright through
Debian's headless Chromium (no browser download). Run with ``make e2e`` (``pytest -m e2e``)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "e2e" / "app.png"
# The machine may be shared and busy: generous limits, the flow itself takes well under a minute
# on an idle 2-core machine.
STEP_TIMEOUT_MS = 600_000

pytestmark = pytest.mark.e2e


def test_generate_and_compare_in_browser(served_app: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    hosts: set[str] = set()  # nothing may be fetched from anywhere but the app
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(served_app, timeout=120_000)
    # Data page: the default split of a 1,000-row Adult sample.
    page.get_by_text("Dataset fingerprint").wait_for(timeout=STEP_TIMEOUT_MS)
    expect(page.get_by_text("700", exact=True)).to_be_visible()
    # Generate with the defaults (sequential_trees).
    page.get_by_role("link", name="Generate").click()
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text("is ready").wait_for(timeout=STEP_TIMEOUT_MS)
    # Compare with the defaults: the leaderboard shows the artifact and the baseline.
    page.get_by_role("link", name="Compare").click()
    page.get_by_role("button", name="Run comparison").click()
    page.get_by_role("heading", name="Leaderboard").wait_for(timeout=STEP_TIMEOUT_MS)
    grid = page.locator("[data-testid='stDataFrame']").first
    expect(grid).to_be_visible()
    page.wait_for_function("() => !document.body.innerText.includes('evaluations finished')",
                           timeout=STEP_TIMEOUT_MS)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Leaderboard" in text and "Sort by" in text
    page.wait_for_timeout(1500)  # let the grid paint before the screenshot
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert hosts <= {urlparse(served_app).netloc, ""}, hosts  # e.g. fonts.gstatic.com
    assert SCREENSHOT.stat().st_size > 10_000


def test_stopping_the_launcher_stops_the_server(
        app_launcher: Callable[[], tuple[subprocess.Popen[bytes], str]]) -> None:
    """SIGTERM to ``synthguard app`` reaches the Streamlit server (no orphaned server)."""
    process, url = app_launcher()
    try:
        process.terminate()
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2).close()
            except OSError:
                return  # the server is gone
            time.sleep(0.5)
        raise AssertionError("the Streamlit server outlived its launcher")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

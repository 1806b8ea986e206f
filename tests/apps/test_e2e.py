"""End to end in a real browser: ``synthguard app`` on localhost, driven by Playwright through
Debian's headless Chromium (no browser download). Run with ``make e2e`` (``pytest -m e2e``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "e2e" / "app.png"
# The machine may be shared and busy: generous limits, the flow itself takes well under a minute
# on an idle 2-core machine.
STEP_TIMEOUT_MS = 600_000

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"synthguard app exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"synthguard app did not answer on {url} within {timeout:.0f} s")


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    """``synthguard app --headless`` on a free port with a temporary run store."""
    synthguard = shutil.which("synthguard", path=str(Path(sys.executable).parent)) or "synthguard"
    port = _free_port()
    env = dict(os.environ, SYNTHGUARD_STORE=str(tmp_path / "runs.sqlite"), SYNTHGUARD_APP_ROWS="2000")
    log = (tmp_path / "app.log").open("wb")
    process = subprocess.Popen([synthguard, "app", "--port", str(port), "--headless"], env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.terminate()  # the launcher forwards SIGTERM to the Streamlit server
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        with contextlib.suppress(ProcessLookupError):  # anything left in its session
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make e2e installs it)")
def test_generate_and_compare_in_browser(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            hosts: set[str] = set()  # nothing may be fetched from anywhere but the app
            page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
            page.goto(app_url, timeout=120_000)
            # Data page: the default split of a 2,000-row Adult sample.
            page.get_by_text("Dataset fingerprint").wait_for(timeout=STEP_TIMEOUT_MS)
            expect(page.get_by_text("1,400", exact=True)).to_be_visible()
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
            page.wait_for_function(
                "() => !document.body.innerText.includes('evaluations finished')",
                timeout=STEP_TIMEOUT_MS)
            text = page.locator("[data-testid='stMain']").inner_text()
            assert "Leaderboard" in text and "Sort by" in text
            page.wait_for_timeout(1500)  # let the grid paint before the screenshot
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            assert hosts <= {urlparse(app_url).netloc, ""}, hosts  # e.g. fonts.gstatic.com
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000


def test_stopping_the_launcher_stops_the_server(tmp_path: Path) -> None:
    """SIGTERM to ``synthguard app`` reaches the Streamlit server (no orphaned server)."""
    synthguard = shutil.which("synthguard", path=str(Path(sys.executable).parent)) or "synthguard"
    port = _free_port()
    env = dict(os.environ, SYNTHGUARD_STORE=str(tmp_path / "runs.sqlite"))
    process = subprocess.Popen([synthguard, "app", "--port", str(port), "--headless"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        _wait_healthy(url, process)
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

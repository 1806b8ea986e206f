"""``synthguard app`` on a fresh machine: no terminal, no Streamlit config, nothing fetched.

Before: without ``--headless`` Streamlit asked for an e-mail address on stdin (first run, no
``~/.streamlit/credentials.toml``), so with stdin not a terminal the server never listened; and
the tab icon (``page_icon=":material/shield:"``) was fetched from fonts.gstatic.com on every load.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from synthguard._commands.app import entry_script

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def test_app_serves_on_a_fresh_machine_with_no_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(HOME=str(home), PYTHONPATH=SRC, SYNTHGUARD_STORE=str(tmp_path / "runs.sqlite"))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "synthguard.cli", "app", "--port", str(port)],  # no --headless
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
        start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, process.communicate()[0].decode()[-2000:]
            assert time.monotonic() < deadline, "the app did not listen within 120 s"
            try:
                if _get(url + "/_stcore/health").strip() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        html = _get(url + "/").decode("utf-8")
        refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
        assert refs, html[:500]
        external = [r for r in refs if urlparse(r).netloc not in ("", f"localhost:{port}")]
        assert external == [], external
        for ref in refs:  # every asset the page loads is served here
            assert _get(url + "/" + ref.lstrip("./")), ref
        assert not (home / ".streamlit" / "credentials.toml").exists()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        if process.stdout is not None:
            process.stdout.close()


def test_tab_icon_is_served_locally() -> None:
    """The favicon is an image this server serves, not a Material/emoji icon from a CDN."""
    from streamlit.commands.page_config import _get_favicon_string

    from synthguard.apps._icon import favicon

    calls = re.findall(r"set_page_config\((.*?)\)\n", entry_script().read_text(encoding="utf-8"),
                       flags=re.S)
    assert calls and all("page_icon=favicon()" in c for c in calls), calls
    from PIL import Image

    image = favicon()
    assert isinstance(image, Image.Image) and image.size == (64, 64)
    assert "://" not in _get_favicon_string(image)  # a local /media/ route, never a CDN

"""``synthguard app``: start the Streamlit workbench (``streamlit run`` on the entry script).

Runs Streamlit in a child process so its server owns the process (signals, reloads) and the
CLI stays a thin launcher. Usage statistics are off and nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from synthguard.errors import MissingDependencyError, ParameterError


def entry_script() -> Path:
    """The workbench's entry script inside the installed package."""
    from synthguard import apps

    return Path(apps.__file__).parent / "streamlit_app.py"


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("app", help="start the Streamlit workbench in the browser",
                       description="Start the synthguard workbench (Streamlit) on localhost.")
    p.add_argument("--port", type=int, default=8501, help="port to serve on (default 8501)")
    p.add_argument("--address", default="localhost",
                   help="address to bind (default localhost; the app shows real rows on its Data page)")
    p.add_argument("--headless", action="store_true", help="do not open a browser window")
    p.set_defaults(handler=cmd_app)


def streamlit_command(port: int, *, headless: bool, address: str = "localhost") -> list[str]:
    """The ``streamlit run`` command line (exposed for tests and docs).

    Streamlit always runs headless: otherwise, on a machine with no
    ``~/.streamlit/credentials.toml``, it first asks for an e-mail address on stdin and never
    listens when stdin is not a terminal. Without ``--headless`` the launcher opens the browser
    itself once the server answers (``headless`` is kept for that).
    """
    if not 0 < port < 65536:
        raise ParameterError(f"--port must be in 1..65535, got {port}")
    return [
        sys.executable, "-m", "streamlit", "run", str(entry_script()),
        "--server.port", str(port),
        "--server.address", address,
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
    ]


def _open_browser(address: str, port: int, process: subprocess.Popen[bytes]) -> None:
    """Open the workbench in the default browser once the server answers (a no-op without one)."""
    import urllib.request
    import webbrowser

    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY")
                                                 or os.environ.get("WAYLAND_DISPLAY")):
        return  # no graphical session (a server): print the URL only, launch no text browser
    host = "localhost" if address in ("0.0.0.0", "::", "") else address
    url = f"http://{host}:{port}"
    for _ in range(600):
        if process.poll() is not None:
            return
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                webbrowser.open(url)
                return
        except OSError:
            time.sleep(0.5)


def cmd_app(args: argparse.Namespace) -> int:
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise MissingDependencyError("the app needs streamlit: pip install 'streamlit>=1.40'") from None
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = streamlit_command(args.port, headless=args.headless, address=args.address)
    print(f"synthguard app on http://{args.address}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    if not args.headless:
        threading.Thread(target=_open_browser, args=(args.address, args.port, process),
                         daemon=True).start()
    # Stopping the launcher stops the server: forward SIGTERM (SIGINT reaches both already).
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            return process.wait(timeout=10) or 130
        except subprocess.TimeoutExpired:
            process.kill()
            return 130
    finally:
        signal.signal(signal.SIGTERM, previous)

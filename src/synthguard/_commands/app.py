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
    """The ``streamlit run`` command line (exposed for tests and docs)."""
    if not 0 < port < 65536:
        raise ParameterError(f"--port must be in 1..65535, got {port}")
    return [
        sys.executable, "-m", "streamlit", "run", str(entry_script()),
        "--server.port", str(port),
        "--server.address", address,
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
    ]


def cmd_app(args: argparse.Namespace) -> int:
    try:
        import streamlit  # noqa: F401
    except ImportError:
        raise MissingDependencyError("the app needs streamlit: pip install 'streamlit>=1.40'") from None
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    command = streamlit_command(args.port, headless=args.headless, address=args.address)
    print(f"synthguard app on http://{args.address}:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    process = subprocess.Popen(command, env=env)
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

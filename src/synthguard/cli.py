"""The ``synthguard`` command: argument parsing and error mapping only; logic is in the library.

Each command group lives in ``synthguard._commands.<name>`` and exposes
``add_parsers(subparsers)``; each parser sets ``handler`` to a function ``(args) -> int``.
A :class:`SynthguardError` becomes one line on stderr and exit code 2, never a traceback; its
Python parameter names become this command's flags (``_commands._terms.PARAM_FLAGS``).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import warnings
from collections.abc import Sequence

from synthguard import __version__
from synthguard._commands._terms import cli_terms
from synthguard._outputs import Terminated, check_paths, environment_error, install_sigterm, one_line
from synthguard.errors import SynthguardError

# Explicit list of command modules (one line per group; no discovery by import side effect).
COMMAND_MODULES = [
    "synthguard._commands.core",
    "synthguard._commands.distill",
    "synthguard._commands.redact",
    "synthguard._commands.budget",
    "synthguard._commands.app",
    "synthguard._commands.text",
    "synthguard._commands.relational",
    "synthguard._commands.sample",
]

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that exits with code 2 and one line for usage errors."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # One line, like every other error (the usage is one `--help` away).
        self.exit(EXIT_USAGE, f"synthguard: error: {' '.join(message.split())} "
                              f"(see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="synthguard", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"synthguard {__version__}")
    parser.add_argument("--store", help="run-store SQLite path (default: user data dir or $SYNTHGUARD_HOME)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    warnings.filterwarnings("ignore", message=".*JAX persistent compilation cache.*")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s"
    )
    if args.store:
        os.environ["SYNTHGUARD_STORE"] = os.path.abspath(args.store)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    install_sigterm()  # SIGTERM takes the Ctrl-C path: temp files removed, nothing published
    try:
        check_paths(args)  # outputs never equal/overlap inputs; stale temps of ours swept
        return int(handler(args) or 0)
    except SynthguardError as exc:
        print(f"synthguard: error: {cli_terms(one_line(exc))}", file=sys.stderr)  # flags, not parameters
        return EXIT_USAGE
    except OSError as exc:
        message = environment_error(exc)  # read-only folder, disk full...: the user's to fix
        if message is None:
            raise
        print(f"synthguard: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except Terminated:
        print("synthguard: terminated; no output was written", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("synthguard: interrupted; no output was written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""CLI command groups; each module exposes ``add_parsers(subparsers)``."""

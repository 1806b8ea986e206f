"""Errors in Python terms: library messages name parameters (``bounds=``, ``epsilon=``), never
CLI flags; the CLI maps them to its flags where it prints an error."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pandas as pd
import pytest

import synthguard
from synthguard._commands._terms import PARAM_FLAGS, PHRASES, cli_terms
from synthguard.cli import build_parser, main
from synthguard.data import infer_schema, write_table
from synthguard.errors import ParameterError
from synthguard.generators import create_generator
from synthguard.generators.base import check_rows
from synthguard.generators.dp._discretise import plan_columns

PACKAGE = Path(synthguard.__file__).parent
CLI_SIDE = ("_commands", "cli.py", "apps")  # the CLI and the app may speak in their own terms
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _library_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if p.relative_to(PACKAGE).parts[0] not in CLI_SIDE]


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _message_texts(tree: ast.AST) -> list[str]:
    """Every string that can end up in an error message: inside ``raise``, in ``flag=``
    arguments (folder checks), and in module constants named like ``*_HELP``."""
    texts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            texts += _strings(node.exc)
        elif isinstance(node, ast.Call):
            texts += [s for k in node.keywords if k.arg == "flag" for s in _strings(k.value)]
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name.endswith("Error"):
                texts += _strings(node)
        elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith(("_HELP", "HELP", "_MESSAGE")) for t in node.targets):
            texts += _strings(node.value)
    return texts


def test_library_error_messages_name_no_cli_flag() -> None:
    modules = _library_modules()
    assert len(modules) > 100  # the scan really walks the package
    offending = []
    for path in modules:
        for text in _message_texts(ast.parse(path.read_text(encoding="utf-8"))):
            if FLAG.search(text):
                offending.append(f"{path.relative_to(PACKAGE)}: {text!r}")
    assert not offending, "\n".join(offending)


def test_the_scan_catches_a_flag() -> None:
    tree = ast.parse('raise ParameterError(f"--bounds must be given, got {x}")\n'
                     'check_new_folder(out, flag="--out")\n')
    assert {t for t in _message_texts(tree) if FLAG.search(t)} == {"--bounds must be given, got ", "--out"}


def test_python_errors_name_parameters(adult_small: pd.DataFrame) -> None:
    frame = adult_small[["age", "sex", "class"]]
    with pytest.raises(ParameterError) as missing:
        plan_columns(frame, infer_schema(frame), {}, estimate_bounds=False)
    assert "bounds={" in str(missing.value) and "estimate_bounds=True" in str(missing.value)
    assert not FLAG.search(str(missing.value))
    with pytest.raises(ParameterError, match=r"^epsilon=0 must be a finite number > 0$"):
        create_generator("mst", epsilon=0)
    with pytest.raises(ParameterError, match=r"^rows=-3 must be a positive integer$"):
        check_rows(-3)


def test_cli_maps_parameters_to_its_flags() -> None:
    assert cli_terms("Give them with bounds={\"col\": [0, 1]} or as column bounds in schema=, "
                     "or set estimate_bounds=True") == (
        "Give them with --bounds FILE of {\"col\": [0, 1]} or as column bounds in --metadata, "
        "or set --param estimate_bounds=true")
    assert cli_terms("epsilon=0 must be > 0; choose another target=") == "--epsilon 0 must be > 0; choose another --target"
    # names inside other words or dotted paths stay as they are
    assert cli_terms("max_rows=5, holdout_fraction=0.3, a.rows=2") == "--max-rows 5, --holdout-fraction 0.3, a.rows=2"


def test_every_mapped_flag_is_a_real_cli_flag() -> None:
    flags: set[str] = set()
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            flags.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    mapped = {v.split()[0] for v in [*PARAM_FLAGS.values(), *PHRASES.values()]}
    assert mapped - flags == set()


def test_cli_prints_flag_names(tmp_path: Path, adult_small: pd.DataFrame, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_table(adult_small[["age", "sex", "class"]].iloc[:300], tmp_path / "t.csv")
    out = tmp_path / "o.csv"
    assert main(["generate", "--data", str(data), "--generator", "mst", "--epsilon", "1",
                 "--rows", "50", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--bounds FILE of {\"col\": [low, high]}" in err and "--param estimate_bounds=true" in err
    assert "bounds={" not in err and len(err.splitlines()) == 1
    assert main(["generate", "--data", str(data), "--generator", "mst", "--epsilon", "0",
                 "--rows", "50", "--out", str(out)]) == 2
    assert "--epsilon 0.0 must be a finite number > 0" in capsys.readouterr().err
    assert main(["generate", "--data", str(data), "--generator", "gaussian_copula", "--rows", "0",
                 "--out", str(out)]) == 2
    assert "--rows 0 must be a positive integer" in capsys.readouterr().err
    assert not out.exists()
    # without --rows: as many rows as the table (the help's default), not an error
    assert main(["generate", "--data", str(data), "--generator", "gaussian_copula", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 300

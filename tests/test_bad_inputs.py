"""Issue 15: the bad-input contract on every CLI command (entry point x bad input).

Each case must give exactly one line ``synthguard: error: ...`` on stderr that names the
file/column/parameter at fault, exit code 2, no traceback, and write nothing: the listing (with
SHA-256) of the input folder and of the output folder is the same before and after.

Cases run in-process through ``synthguard.cli.main`` (the same code the console entry runs,
so start-up is paid once); a few run as real subprocesses of ``python -m synthguard.cli``,
which also catches stray warnings/log lines the in-process capture cannot see.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synthguard.cli import main

SRC = str(Path(__file__).resolve().parents[1] / "src")
READ_ONLY = "/sys"  # a read-only mount: refuses writes even to root (chmod does not)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bad (and a few good) input files, in one folder that no case may change."""
    folder = tmp_path_factory.mktemp("bad_inputs")
    rng = np.random.default_rng(0)
    n = 120
    good = pd.DataFrame({
        "age": rng.integers(18, 80, n), "hours": rng.normal(40, 8, n).round(1),
        "colour": rng.choice(["red", "green", "blue"], n), "cls": rng.choice(["a", "b"], n),
    })
    good.to_csv(folder / "good.csv", index=False)
    (folder / "tables").mkdir()  # a folder of tables (schema, relational generate)
    good.assign(id=range(n)).to_csv(folder / "tables" / "people.csv", index=False)
    good.iloc[:60].to_csv(folder / "train.csv", index=False)
    good.iloc[60:].to_csv(folder / "holdout.csv", index=False)
    good.assign(cls="a").to_csv(folder / "one_class.csv", index=False)
    good.iloc[:1].to_csv(folder / "one_row.csv", index=False)
    inf = good.copy()
    inf["hours"] = inf["hours"].astype(float)
    inf.loc[::3, "hours"] = np.inf
    inf.loc[1::3, "hours"] = -np.inf
    inf.to_csv(folder / "inf.csv", index=False)
    good.assign(hours=np.nan).to_csv(folder / "nan_col.csv", index=False)
    good.drop(columns="colour").to_csv(folder / "fewer_cols.csv", index=False)
    (folder / "empty.csv").write_text("", encoding="utf-8")
    (folder / "header.csv").write_text("age,hours,colour,cls\n", encoding="utf-8")
    (folder / "notes.xlsx").write_text("x", encoding="utf-8")
    table = pa.table([pa.array([1, 2, 3]), pa.array([4, 5, 6]), pa.array(["x", "y", "z"])],
                     names=["age", "age", "colour"])
    pq.write_table(table, folder / "dup.parquet")
    (folder / "garbage.parquet").write_bytes(os.urandom(512))
    # text corpora
    docs = [{"text": f"Call Ann Lee on 020 7946 {i:04d} about case {i}."} for i in range(30)]
    (folder / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    (folder / "empty.jsonl").write_text("", encoding="utf-8")
    (folder / "blank.jsonl").write_text("\n\n  \n", encoding="utf-8")
    (folder / "garbage.jsonl").write_bytes(bytes(range(256)) * 4)
    (folder / "latin1.jsonl").write_bytes(
        "".join(json.dumps({"text": f"Caf\u00e9 {i} de Jos\u00e9"}, ensure_ascii=False) + "\n"
                for i in range(5)).encode("latin-1"))
    (folder / "invalid.jsonl").write_text('{"text": "fine"}\n{"text": "broken\n', encoding="utf-8")
    (folder / "array.jsonl").write_text('[1, 2, 3]\n', encoding="utf-8")
    (folder / "no_field.jsonl").write_text('{"body": "Call Ann Lee"}\n', encoding="utf-8")
    (folder / "bad.json").write_text("{not json", encoding="utf-8")
    (folder / "labels.json").write_text(json.dumps(
        [{"text": "Call Ann Lee today", "spans": [{"start": 5, "end": 12, "label": "PERSON"}]}]),
        encoding="utf-8")
    (folder / "bounds.json").write_text(json.dumps({"age": [18, 80], "hours": [0, 100]}),
                                        encoding="utf-8")
    (folder / "key.txt").write_text("not a key", encoding="utf-8")
    return folder


# {name}: a file in the inputs folder; {out}/{out_json}/{out_dir}...: paths in the (empty)
# output folder; {ro}: a read-only mount.
G = ["generate", "--rows", "20"]
E = ["evaluate", "--real", "{train.csv}", "--synthetic", "{holdout.csv}", "--holdout", "{holdout.csv}"]
D = ["distill", "--real", "{train.csv}", "--holdout", "{holdout.csv}", "--target", "cls"]
R = ["redact", "--in"]

CASES: dict[str, tuple[list[str], str]] = {
    # ---------------------------------------------------------------- generate (tables)
    "generate/missing file": ([*G, "--data", "{dir}/nope.csv", "--out", "{out}"], "nope.csv"),
    "generate/empty csv": ([*G, "--data", "{empty.csv}", "--out", "{out}"], "empty.csv"),
    "generate/header-only csv": ([*G, "--data", "{header.csv}", "--out", "{out}"], "header.csv"),
    "generate/parquet duplicate columns": ([*G, "--data", "{dup.parquet}", "--out", "{out}"], "age"),
    "generate/garbage parquet": ([*G, "--data", "{garbage.parquet}", "--out", "{out}"], "garbage.parquet"),
    "generate/unsupported format": ([*G, "--data", "{notes.xlsx}", "--out", "{out}"], "notes.xlsx"),
    "generate/one row": ([*G, "--data", "{one_row.csv}", "--out", "{out}"], "row"),
    "generate/rows 0": (["generate", "--data", "{good.csv}", "--rows", "0", "--out", "{out}"], "--rows"),
    "generate/rows negative": (["generate", "--data", "{good.csv}", "--rows", "-5", "--out", "{out}"],
                               "--rows"),
    "generate/rows 10**12": (["generate", "--data", "{good.csv}", "--rows", str(10**12), "--out", "{out}"],
                             "--rows-limit"),
    "generate/out equals input": ([*G, "--data", "{good.csv}", "--out", "{good.csv}"], "--out"),
    "generate/out read-only": ([*G, "--data", "{good.csv}", "--out", "{ro}/syn.csv"], "--out"),
    "generate/save-model read-only": ([*G, "--data", "{good.csv}", "--out", "{out}",
                                       "--save-model", "{ro}/model"], "--save-model"),
    "generate/out bad suffix": ([*G, "--data", "{good.csv}", "--out", "{out_dir}/syn.txt"], "--out"),
    "generate/unknown generator": ([*G, "--data", "{good.csv}", "--generator", "magic", "--out", "{out}"],
                                   "magic"),
    "generate/unknown stratify column": ([*G, "--data", "{good.csv}", "--holdout-fraction", "0.3",
                                          "--stratify", "salary", "--out", "{out}"], "salary"),
    "generate/holdout fraction 1.5": ([*G, "--data", "{good.csv}", "--holdout-fraction", "1.5",
                                       "--out", "{out}"], "holdout"),
    "generate/unknown condition column": ([*G, "--data", "{good.csv}", "--condition", "salary=1",
                                           "--out", "{out}"], "salary"),
    "generate/unknown pii column": ([*G, "--data", "{good.csv}", "--pii-column", "salary=drop",
                                     "--out", "{out}"], "salary"),
    "generate/metadata not json": ([*G, "--data", "{good.csv}", "--metadata", "{bad.json}",
                                    "--out", "{out}"], "bad.json"),
    "generate/bounds missing file": ([*G, "--data", "{good.csv}", "--generator", "mst", "--epsilon", "1",
                                      "--bounds", "{dir}/nobounds.json", "--out", "{out}"], "nobounds.json"),
    "generate/chunk-rows 0": ([*G, "--data", "{good.csv}", "--chunk-rows", "0", "--out", "{out}"],
                              "--chunk-rows"),
    "generate/epsilon negative": ([*G, "--data", "{good.csv}", "--generator", "mst", "--epsilon", "-1",
                                   "--bounds", "{bounds.json}", "--out", "{out}"], "epsilon"),
    "generate/min-rows negative": ([*G, "--data", "{good.csv}", "--min-rows", "-1", "--out", "{out}"],
                                   "--min-rows"),
    # ---------------------------------------------------------------- generate (text)
    "generate-text/empty jsonl": ([*G, "--data", "{empty.jsonl}", "--generator", "surrogate_text",
                                   "--out", "{out_jsonl}"], "empty.jsonl"),
    "generate-text/blank jsonl": ([*G, "--data", "{blank.jsonl}", "--generator", "surrogate_text",
                                   "--out", "{out_jsonl}"], "blank.jsonl"),
    "generate-text/garbage jsonl": ([*G, "--data", "{garbage.jsonl}", "--generator", "surrogate_text",
                                     "--out", "{out_jsonl}"], "garbage.jsonl"),
    "generate-text/latin-1 jsonl": ([*G, "--data", "{latin1.jsonl}", "--generator", "surrogate_text",
                                     "--out", "{out_jsonl}"], "latin1.jsonl"),
    "generate-text/invalid jsonl": ([*G, "--data", "{invalid.jsonl}", "--generator", "surrogate_text",
                                     "--out", "{out_jsonl}"], "invalid.jsonl"),
    "generate-text/missing field": ([*G, "--data", "{no_field.jsonl}", "--generator", "surrogate_text",
                                     "--out", "{out_jsonl}"], "'text'"),
    "generate-text/rows 10**12": (["generate", "--data", "{docs.jsonl}", "--generator", "surrogate_text",
                                   "--rows", str(10**12), "--out", "{out_jsonl}"], "--rows-limit"),
    "generate-text/out equals input": ([*G, "--data", "{docs.jsonl}", "--generator", "surrogate_text",
                                        "--out", "{docs.jsonl}"], "--out"),
    # ---------------------------------------------------------------- evaluate
    "evaluate/missing real": (["evaluate", "--real", "{dir}/nope.csv", "--synthetic", "{holdout.csv}",
                               "--holdout", "{holdout.csv}", "--out", "{out_json}"], "nope.csv"),
    "evaluate/empty synthetic": (["evaluate", "--real", "{train.csv}", "--synthetic", "{empty.csv}",
                                  "--holdout", "{holdout.csv}", "--out", "{out_json}"], "empty.csv"),
    "evaluate/header-only holdout": (["evaluate", "--real", "{train.csv}", "--synthetic", "{holdout.csv}",
                                      "--holdout", "{header.csv}", "--out", "{out_json}"], "header.csv"),
    "evaluate/duplicate columns": (["evaluate", "--real", "{dup.parquet}", "--synthetic", "{holdout.csv}",
                                    "--holdout", "{holdout.csv}", "--out", "{out_json}"], "age"),
    "evaluate/inf in synthetic": ([*E[:3], "--synthetic", "{inf.csv}", *E[5:], "--out", "{out_json}"],
                                  "hours"),
    "evaluate/inf in real": (["evaluate", "--real", "{inf.csv}", "--synthetic", "{holdout.csv}",
                              "--holdout", "{holdout.csv}", "--out", "{out_json}"], "hours"),
    "evaluate/NaN-only numeric column": (["evaluate", "--real", "{train.csv}", "--synthetic",
                                          "{nan_col.csv}", "--holdout", "{holdout.csv}",
                                          "--out", "{out_json}"], "hours"),
    "evaluate/columns differ": (["evaluate", "--real", "{train.csv}", "--synthetic", "{fewer_cols.csv}",
                                 "--holdout", "{holdout.csv}", "--out", "{out_json}"], "colour"),
    "evaluate/unknown target": ([*E, "--target", "salary", "--out", "{out_json}"], "salary"),
    "evaluate/unknown sensitive": ([*E, "--target", "cls", "--sensitive", "gender", "--out", "{out_json}"],
                                   "gender"),
    "evaluate/one-class target": (["evaluate", "--real", "{one_class.csv}", "--synthetic", "{holdout.csv}",
                                   "--holdout", "{holdout.csv}", "--target", "cls", "--out", "{out_json}"],
                                  "cls"),
    "evaluate/unknown secret": ([*E, "--secret", "salary", "--out", "{out_json}"], "salary"),
    "evaluate/unknown quasi-identifier": ([*E, "--attacks", "all", "--secret", "cls",
                                           "--quasi-identifiers", "zip", "--out", "{out_json}"], "zip"),
    "evaluate/unknown attack": ([*E, "--attacks", "telepathy", "--out", "{out_json}"], "telepathy"),
    "evaluate/max-rows 5": ([*E, "--max-rows", "5", "--out", "{out_json}"], "--max-rows"),
    "evaluate/out equals input": ([*E, "--out", "{holdout.csv}"], "--out"),
    "evaluate/out read-only": ([*E, "--out", "{ro}/r.json"], "--out"),
    "evaluate/out bad suffix": ([*E, "--out", "{out_dir}/r.txt"], "--out"),
    "evaluate/missing holdout": (["evaluate", "--real", "{train.csv}", "--synthetic", "{holdout.csv}",
                                  "--out", "{out_json}"], "--holdout"),
    # ---------------------------------------------------------------- redact
    "redact/missing file": ([*R, "{dir}/nope.jsonl", "--out", "{out_jsonl}"], "nope.jsonl"),
    "redact/empty csv": ([*R, "{empty.csv}", "--out", "{out}"], "empty.csv"),
    "redact/header-only csv": ([*R, "{header.csv}", "--out", "{out}"], "header.csv"),
    "redact/empty jsonl": ([*R, "{empty.jsonl}", "--out", "{out_jsonl}"], "empty.jsonl"),
    "redact/garbage jsonl": ([*R, "{garbage.jsonl}", "--out", "{out_jsonl}"], "garbage.jsonl"),
    "redact/latin-1 jsonl": ([*R, "{latin1.jsonl}", "--out", "{out_jsonl}"], "latin1.jsonl"),
    "redact/invalid jsonl": ([*R, "{invalid.jsonl}", "--out", "{out_jsonl}"], "invalid.jsonl"),
    "redact/json array line": ([*R, "{array.jsonl}", "--out", "{out_jsonl}"], "array.jsonl"),
    "redact/missing text field": ([*R, "{no_field.jsonl}", "--out", "{out_jsonl}"], "'text'"),
    "redact/parquet duplicate columns": ([*R, "{dup.parquet}", "--out", "{out_parquet}"], "age"),
    "redact/unknown column": ([*R, "{good.csv}", "--columns", "salary", "--out", "{out}"], "salary"),
    "redact/out equals input": ([*R, "{docs.jsonl}", "--out", "{docs.jsonl}"], "--out"),
    "redact/out read-only": ([*R, "{docs.jsonl}", "--out", "{ro}/red.jsonl"], "--out"),
    "redact/threshold 2": ([*R, "{docs.jsonl}", "--threshold", "2", "--out", "{out_jsonl}"], "--threshold"),
    "redact/unknown entity": ([*R, "{docs.jsonl}", "--entities", "SHOE_SIZE", "--out", "{out_jsonl}"],
                              "SHOE_SIZE"),
    "redact/workers 0": ([*R, "{docs.jsonl}", "--workers", "0", "--out", "{out_jsonl}"], "--workers"),
    "redact/chunk-size 0": ([*R, "{docs.jsonl}", "--chunk-size", "0", "--out", "{out_jsonl}"],
                            "--chunk-size"),
    "redact/policy not json": ([*R, "{docs.jsonl}", "--policy", "{bad.json}", "--out", "{out_jsonl}"],
                               "bad.json"),
    "redact/key-file missing": ([*R, "{docs.jsonl}", "--operator", "encrypt", "--key-file",
                                 "{dir}/nokey.txt", "--out", "{out_jsonl}"], "nokey.txt"),
    "redact/unsupported format": ([*R, "{notes.xlsx}", "--out", "{out}"], "notes.xlsx"),
    # ---------------------------------------------------------------- decrypt
    "decrypt/missing file": (["decrypt", "--in", "{dir}/nope.jsonl", "--key-file", "{key.txt}",
                              "--out", "{out_jsonl}"], "nope.jsonl"),
    "decrypt/key-file missing": (["decrypt", "--in", "{docs.jsonl}", "--key-file", "{dir}/nokey.txt",
                                  "--out", "{out_jsonl}"], "nokey.txt"),
    "decrypt/bad key": (["decrypt", "--in", "{docs.jsonl}", "--key-file", "{key.txt}",
                         "--out", "{out_jsonl}"], "key"),
    "decrypt/empty jsonl": (["decrypt", "--in", "{empty.jsonl}", "--key-file", "{key.txt}",
                             "--out", "{out_jsonl}"], "empty.jsonl"),
    "decrypt/garbage jsonl": (["decrypt", "--in", "{garbage.jsonl}", "--key-file", "{key.txt}",
                               "--out", "{out_jsonl}"], "garbage.jsonl"),
    "decrypt/out equals input": (["decrypt", "--in", "{docs.jsonl}", "--key-file", "{key.txt}",
                                  "--out", "{docs.jsonl}"], "--out"),
    "decrypt/out read-only": (["decrypt", "--in", "{docs.jsonl}", "--key-file", "{key.txt}",
                               "--out", "{ro}/x.jsonl"], "--out"),
    # ---------------------------------------------------------------- pii-columns
    "pii-columns/missing file": (["pii-columns", "--in", "{dir}/nope.csv"], "nope.csv"),
    "pii-columns/empty csv": (["pii-columns", "--in", "{empty.csv}"], "empty.csv"),
    "pii-columns/header-only csv": (["pii-columns", "--in", "{header.csv}"], "header.csv"),
    "pii-columns/duplicate columns": (["pii-columns", "--in", "{dup.parquet}"], "age"),
    "pii-columns/sample -3": (["pii-columns", "--in", "{good.csv}", "--sample", "-3"], "--sample"),
    "pii-columns/sample 0": (["pii-columns", "--in", "{good.csv}", "--sample", "0"], "--sample"),
    "pii-columns/garbage parquet": (["pii-columns", "--in", "{garbage.parquet}"], "garbage.parquet"),
    # ---------------------------------------------------------------- evaluate-redaction
    "evaluate-redaction/missing corpus": (["evaluate-redaction", "--corpus", "{dir}/nope.json"], "nope.json"),
    "evaluate-redaction/empty corpus": (["evaluate-redaction", "--corpus", "{empty.jsonl}"], "empty.jsonl"),
    "evaluate-redaction/garbage corpus": (["evaluate-redaction", "--corpus", "{garbage.jsonl}"],
                                          "garbage.jsonl"),
    "evaluate-redaction/latin-1 corpus": (["evaluate-redaction", "--corpus", "{latin1.jsonl}"],
                                          "latin1.jsonl"),
    "evaluate-redaction/invalid json": (["evaluate-redaction", "--corpus", "{bad.json}"], "bad.json"),
    "evaluate-redaction/threshold -1": (["evaluate-redaction", "--corpus", "{labels.json}", "--threshold",
                                         "-1"], "--threshold"),
    "evaluate-redaction/label-map missing": (["evaluate-redaction", "--corpus", "{labels.json}",
                                              "--label-map", "{dir}/nomap.json"], "nomap.json"),
    "evaluate-redaction/out read-only": (["evaluate-redaction", "--corpus", "{labels.json}",
                                          "--out", "{ro}/score.json"], "--out"),
    "evaluate-redaction/out equals input": (["evaluate-redaction", "--corpus", "{labels.json}",
                                             "--out", "{labels.json}"], "--out"),
    # ---------------------------------------------------------------- distill
    "distill/missing real": (["distill", "--real", "{dir}/nope.csv", "--holdout", "{holdout.csv}",
                              "--target", "cls", "--out", "{out_dir}/student"], "nope.csv"),
    "distill/empty real": (["distill", "--real", "{empty.csv}", "--holdout", "{holdout.csv}",
                            "--target", "cls", "--out", "{out_dir}/student"], "empty.csv"),
    "distill/header-only holdout": (["distill", "--real", "{train.csv}", "--holdout", "{header.csv}",
                                     "--target", "cls", "--out", "{out_dir}/student"], "header.csv"),
    "distill/unknown target": (["distill", "--real", "{train.csv}", "--holdout", "{holdout.csv}",
                                "--target", "salary", "--out", "{out_dir}/student"], "salary"),
    "distill/one-class target": (["distill", "--real", "{one_class.csv}", "--holdout", "{holdout.csv}",
                                  "--target", "cls", "--out", "{out_dir}/student"], "cls"),
    "distill/unknown sensitive": ([*D, "--sensitive", "gender", "--out", "{out_dir}/student"], "gender"),
    "distill/transfer-rows 0": ([*D, "--transfer-rows", "0", "--out", "{out_dir}/student"],
                                "--transfer-rows"),
    "distill/transfer-rows 10**12": ([*D, "--transfer-rows", str(10**12), "--out", "{out_dir}/student"],
                                     "--rows-limit"),
    "distill/out equals input": ([*D, "--out", "{train.csv}"], "--out"),
    "distill/out non-empty folder": ([*D, "--out", "{dir}"], "--out"),
    "distill/out read-only": ([*D, "--out", "{ro}/student"], "--out"),
    "distill/prune 2": ([*D, "--prune", "2", "--out", "{out_dir}/student"], "--prune"),
    "distill/unknown generator": ([*D, "--generator", "magic", "--out", "{out_dir}/student"], "magic"),
    "distill/duplicate columns": (["distill", "--real", "{dup.parquet}", "--holdout", "{holdout.csv}",
                                   "--target", "cls", "--out", "{out_dir}/student"], "age"),
    # ---------------------------------------------------------------- budget
    "budget show/missing file": (["budget", "show", "{dir}/nope.csv"], "nope.csv"),
    "budget show/empty csv": (["budget", "show", "{empty.csv}"], "empty.csv"),
    "budget show/header-only csv": (["budget", "show", "{header.csv}"], "header.csv"),
    "budget set/negative epsilon": (["budget", "set", "{good.csv}", "--epsilon", "-1", "--delta", "1e-6"],
                                    "--epsilon"),
    "budget set/delta 1": (["budget", "set", "{good.csv}", "--epsilon", "1", "--delta", "1"], "--delta"),
    "budget set/inf epsilon": (["budget", "set", "{good.csv}", "--epsilon", "inf", "--delta", "1e-6"],
                               "--epsilon"),
    "budget set/duplicate columns": (["budget", "set", "{dup.parquet}", "--epsilon", "1", "--delta",
                                      "1e-6"], "age"),
    # ---------------------------------------------------------------- schema
    "schema/missing path": (["schema", "--data", "{dir}/nope"], "nope"),
    "schema/empty csv": (["schema", "--data", "{empty.csv}"], "empty.csv"),
    "schema/not a folder": (["schema", "--data", "{good.csv}"], "good.csv"),
    "schema/metadata not json": (["schema", "--data", "{tables}", "--metadata", "{bad.json}"], "bad.json"),
    "schema/write-metadata read-only": (["schema", "--data", "{tables}", "--write-metadata",
                                         "{ro}/m.json"], "--write-metadata"),
    "schema/write-metadata inside input": (["schema", "--data", "{tables}", "--write-metadata",
                                            "{tables}/people.csv"], "--write-metadata"),
    "generate-relational/rows 10**12": (["generate", "--data", "{tables}", "--rows", str(10**12),
                                         "--out", "{out_dir}/syn"], "--rows-limit"),
    # ---------------------------------------------------------------- evaluate-text
    "evaluate-text/missing real": (["evaluate-text", "--real", "{dir}/nope.jsonl", "--synthetic",
                                    "{docs.jsonl}", "--out", "{out_json}"], "nope.jsonl"),
    "evaluate-text/empty synthetic": (["evaluate-text", "--real", "{docs.jsonl}", "--synthetic",
                                       "{empty.jsonl}", "--out", "{out_json}"], "empty.jsonl"),
    "evaluate-text/garbage": (["evaluate-text", "--real", "{garbage.jsonl}", "--synthetic", "{docs.jsonl}",
                               "--out", "{out_json}"], "garbage.jsonl"),
    "evaluate-text/latin-1": (["evaluate-text", "--real", "{docs.jsonl}", "--synthetic", "{latin1.jsonl}",
                               "--out", "{out_json}"], "latin1.jsonl"),
    "evaluate-text/invalid jsonl": (["evaluate-text", "--real", "{invalid.jsonl}", "--synthetic",
                                     "{docs.jsonl}", "--out", "{out_json}"], "invalid.jsonl"),
    "evaluate-text/missing field": (["evaluate-text", "--real", "{docs.jsonl}", "--synthetic",
                                     "{docs.jsonl}", "--text-field", "body", "--out", "{out_json}"], "body"),
    "evaluate-text/ngram 0": (["evaluate-text", "--real", "{docs.jsonl}", "--synthetic", "{docs.jsonl}",
                               "--ngram", "0", "--out", "{out_json}"], "--ngram"),
    "evaluate-text/out read-only": (["evaluate-text", "--real", "{docs.jsonl}", "--synthetic",
                                     "{docs.jsonl}", "--out", "{ro}/t.json"], "--out"),
    "evaluate-text/out equals input": (["evaluate-text", "--real", "{docs.jsonl}", "--synthetic",
                                        "{latin1.jsonl}", "--out", "{docs.jsonl}"], "--out"),
    # ---------------------------------------------------------------- demo, runs
    "demo/unknown generator": (["demo", "--generator", "magic", "--out", "{out_dir}/demo"], "magic"),
    "demo/out read-only": (["demo", "--out", "{ro}/demo"], "--out"),
    "demo/out non-empty folder": (["demo", "--out", "{dir}"], "--out"),
    "runs/limit negative": (["runs", "--limit", "-1"], "--limit"),
}


def _listing(*folders: Path) -> dict[str, str]:
    """Every entry under the folders (hidden temp files included) with its SHA-256."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            key = str(path)
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return found


def _argv(template: list[str], inputs: Path, out_dir: Path) -> list[str]:
    values = {p.name: str(p) for p in inputs.iterdir()}
    values |= {"dir": str(inputs), "ro": READ_ONLY, "out_dir": str(out_dir),
               "out": str(out_dir / "syn.csv"), "out_json": str(out_dir / "report.json"),
               "out_jsonl": str(out_dir / "out.jsonl"), "out_parquet": str(out_dir / "out.parquet")}
    return [re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], a) for a in template]


def _check_one_line(err: str, expected: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{err}"
    assert lines[0].startswith("synthguard: error: "), err
    assert "Traceback" not in err
    assert expected in lines[0], f"{expected!r} not named in: {lines[0]}"
    return lines[0]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_one_line_exit_2_nothing_written(
    case: str, inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template, expected = CASES[case]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    monkeypatch.chdir(out_dir)  # a command that writes beside the cwd would show up too
    before = _listing(inputs, out_dir)
    capsys.readouterr()
    try:
        code: object = main(_argv(template, inputs, out_dir))
    except SystemExit as exc:  # argparse's usage errors: what the console entry exits with
        code = exc.code
    captured = capsys.readouterr()
    assert code == 2, f"exit {code}\n{captured.err}"
    _check_one_line(captured.err, expected)
    assert _listing(inputs, out_dir) == before, "something was written or changed"


# A few of the same cases through a real process: the console entry's exit code and stderr,
# with library warnings and log lines that in-process capture does not see.
SUBPROCESS_CASES = ["generate/missing file", "generate/rows 10**12", "generate/parquet duplicate columns",
                    "redact/latin-1 jsonl", "evaluate/inf in synthetic", "pii-columns/sample -3"]


@pytest.mark.parametrize("case", SUBPROCESS_CASES)
def test_bad_input_through_a_real_process(case: str, inputs: Path, tmp_path: Path) -> None:
    template, expected = CASES[case]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = _listing(inputs, out_dir)
    env = {**os.environ, "PYTHONPATH": SRC, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "synthguard.cli", *_argv(template, inputs, out_dir)],
                          cwd=out_dir, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    _check_one_line(proc.stderr, expected)
    assert proc.stdout == ""
    assert _listing(inputs, out_dir) == before

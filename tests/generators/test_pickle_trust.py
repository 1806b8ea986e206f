"""Invariant: no pickle is loaded unless this machine's run store recorded the save that wrote it.

For every generator that saves a pickle, and for every way a pickle can sit nested inside
another model's folder (``copy_leaky``'s base), a folder is forged with a malicious pickle
whose ``__reduce__`` creates a marker file, and a manifest whose hashes all match. Loading it
on a fresh store must raise ``IntegrityError`` and must not create the marker.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from synthguard.errors import IntegrityError
from synthguard.generators import get_generator, load_generator, save_generator
from synthguard.generators.registry import list_generators
from synthguard.ledger import Manifest, RunStore, write_manifest
from synthguard.ledger.trust import load_pickle

PICKLED = sorted(g["name"] for g in list_generators() if g["capabilities"]["pickled"])
SDV_MODEL_FILE = "sdv_model.pkl"


class _Evil:
    """Unpickling this creates ``marker``: proof that the pickle ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.marker, "w"))


def _forge(folder: Path, name: str, params: dict[str, Any], files: dict[str, bytes]) -> None:
    folder.mkdir(parents=True)
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    write_manifest(folder, Manifest(kind="generator", name=name, params=params))


def test_every_pickled_generator_is_covered() -> None:
    assert {"sdv_gaussian_copula", "ctgan", "tvae", "copula_gan"} <= set(PICKLED)


@pytest.mark.parametrize("name", PICKLED)
def test_forged_pickle_of_a_pickled_generator_is_not_run(name: str, tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    params = get_generator(name).Params().to_dict()
    _forge(tmp_path / "m", name, params, {SDV_MODEL_FILE: pickle.dumps(_Evil(marker))})
    with pytest.raises(IntegrityError, match="pickle"):
        load_generator(tmp_path / "m", store=RunStore(tmp_path / "fresh.sqlite"))
    assert not marker.exists()


@pytest.mark.parametrize("base", PICKLED)
def test_forged_pickle_nested_in_copy_leaky_is_not_run(base: str, tmp_path: Path) -> None:
    """The hole of issue 15: copy_leaky's base was unpickled with no trust check."""
    marker = tmp_path / "PWNED"
    rows = pd.DataFrame({"a": [1, 2, 3]}).to_parquet(index=False)
    base_params = get_generator(base).Params().to_dict()
    _forge(tmp_path / "m", "copy_leaky", {"copied_share": 0.5, "base": base}, {
        "copied_rows.parquet": rows,
        f"base/{SDV_MODEL_FILE}": pickle.dumps(_Evil(marker)),
        "base_params.json": json.dumps(base_params).encode(),
    })
    with pytest.raises(IntegrityError):
        load_generator(tmp_path / "m", store=RunStore(tmp_path / "fresh.sqlite"))
    assert not marker.exists()


def test_sdv_loader_called_directly_is_refused(tmp_path: Path) -> None:
    """No loader bypasses the check by being called outside load_generator."""
    marker = tmp_path / "PWNED"
    cls = get_generator("sdv_gaussian_copula")
    _forge(tmp_path / "m", cls.name, cls.Params().to_dict(),
           {SDV_MODEL_FILE: pickle.dumps(_Evil(marker))})
    with pytest.raises(IntegrityError, match="load_generator"):
        cls.load_files(tmp_path / "m", cls.Params())
    with pytest.raises(IntegrityError):
        load_pickle(tmp_path / "m" / SDV_MODEL_FILE)
    assert not marker.exists()


def test_trusted_folder_with_a_swapped_pickle_is_refused(adult_small: pd.DataFrame,
                                                         tmp_path: Path) -> None:
    """A recorded save still loads; a pickle swapped in after it (manifest re-hashed by the
    attacker) changes the manifest's digest, which the store never recorded."""
    store = RunStore(tmp_path / "s.sqlite")
    gen = get_generator("sdv_gaussian_copula")().fit(adult_small.iloc[:300], seed=0)
    save_generator(gen, tmp_path / "m", store=store)
    assert load_generator(tmp_path / "m", store=store).sample(3, seed=0).shape[0] == 3
    marker = tmp_path / "PWNED"
    (tmp_path / "m" / SDV_MODEL_FILE).write_bytes(pickle.dumps(_Evil(marker)))
    (tmp_path / "m" / "manifest.json").unlink()
    write_manifest(tmp_path / "m", Manifest(kind="generator", name=gen.name,
                                            params=gen.params.to_dict()))
    with pytest.raises(IntegrityError, match="not in this machine's run records"):
        load_generator(tmp_path / "m", store=store)
    assert not marker.exists()


def test_no_other_code_path_unpickles() -> None:
    """Every deserialiser that can run code is called in ledger/trust.py only (a new loader
    must go through load_pickle); np.load always with allow_pickle=False."""
    import re

    src = Path(__file__).resolve().parents[2] / "src" / "synthguard"
    risky = re.compile(r"\b(pickle\.loads?|cloudpickle\.loads?|joblib\.load|torch\.load|"
                       r"read_pickle|dill\.loads?|shelve\.open|marshal\.loads?)\s*\(")
    offenders = []
    for path in sorted(src.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(src).as_posix()
        for line_no, line in enumerate(text.splitlines(), 1):
            if risky.search(line) and rel != "ledger/trust.py":
                offenders.append(f"{rel}:{line_no}")
            if "np.load(" in line and "allow_pickle=False" not in line:
                offenders.append(f"{rel}:{line_no} (np.load without allow_pickle=False)")
    assert offenders == []

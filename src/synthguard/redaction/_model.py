"""synthguard's own NER model, shipped inside the package, loaded offline and verified.

The model (``synthguard/redaction/model/ner``) is spaCy ``en_core_web_sm``'s ``ner`` fine-tuned
by ``scripts/train_ner.py`` on the project's generated TRAINING document families (never on
the HELD_OUT ones), with three extra labels: ADDRESS, AGE and POSTCODE. It is stored in
spaCy's ``to_disk`` format (config + msgpack weights, no pickle) next to ``training.json``,
which records the seed, the corpus size, the dev score and the SHA-256 of every file.

Loading checks every file against that manifest before spaCy reads any of it: a changed,
missing or extra file raises :class:`~synthguard.errors.IntegrityError` naming the file. A
build without the model directory falls back to the stock ``en_core_web_sm`` with a warning
(detection then is what ``ner_model="stock"`` gives). Nothing is ever downloaded.
"""

from __future__ import annotations

import functools
import json
import logging
import warnings
from pathlib import Path
from typing import Any

from synthguard._io import sha256_file
from synthguard.errors import IntegrityError, ParameterError

logger = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).with_name("model") / "ner"
MANIFEST = "training.json"
# Names ``RedactionEngine(ner_model=...)`` accepts besides a directory path.
NER_MODELS = ("shipped", "stock")


def model_dir(ner_model: str) -> Path | None:
    """Directory of a trained model for ``ner_model`` (None for the stock spaCy model)."""
    if ner_model == "stock":
        return None
    if ner_model == "shipped":
        return SHIPPED_DIR
    path = Path(ner_model)
    if not path.is_dir():
        raise ParameterError(
            f"ner_model must be one of {', '.join(NER_MODELS)} or a directory written by "
            f"scripts/train_ner.py; {ner_model!r} is neither"
        )
    return path


def verify_model(path: Path) -> dict[str, Any]:
    """The manifest of the model in ``path`` after checking every file's SHA-256.

    Raises :class:`IntegrityError` naming the first file that differs, is missing, or is
    not listed in the manifest (a file added next to the weights is refused too: spaCy's
    config can point at code, so only what was trained is read).
    """
    manifest_path = path / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected = dict(manifest["files_sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(
            f"NER model manifest {manifest_path} is unreadable ({exc}); reinstall synthguard "
            "or retrain with scripts/train_ner.py"
        ) from exc
    present = {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file() and p.name != MANIFEST}
    extra = sorted(present - set(expected))
    if extra:
        raise IntegrityError(
            f"NER model file {path / extra[0]} is not listed in {MANIFEST}; remove it, reinstall "
            "synthguard or retrain with scripts/train_ner.py"
        )
    for name, digest in sorted(expected.items()):
        file = path / name
        if not file.is_file():
            raise IntegrityError(
                f"NER model file {file} listed in {MANIFEST} is missing; reinstall synthguard "
                "or retrain with scripts/train_ner.py"
            )
        if sha256_file(file) != digest:
            raise IntegrityError(
                f"NER model file {file} does not match its SHA-256 in {MANIFEST} (changed "
                "after training); reinstall synthguard or retrain with scripts/train_ner.py"
            )
    return dict(manifest)


def _stock_fallback(path: Path) -> None:
    message = (f"synthguard's NER model is not installed at {path} (no {MANIFEST}); using the "
               "stock spaCy en_core_web_sm, which misses more names, addresses and "
               "organisations on unseen text")
    logger.warning(message)
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def fresh_ner(ner_model: str = "shipped") -> Any:
    """A newly loaded NER-only pipeline for ``ner_model`` (its StringStore starts small)."""
    from synthguard.redaction._nlp import fresh_spacy

    path = model_dir(ner_model)
    if path is None:
        return split_separators(fresh_spacy(ner_only=True))
    if not (path / MANIFEST).is_file():
        _stock_fallback(path)
        return split_separators(fresh_spacy(ner_only=True))
    _verified(str(path.resolve()), _stamp(path))
    import spacy

    nlp = spacy.load(path)
    logger.debug("loaded synthguard NER model from %s with pipes %s", path, nlp.pipe_names)
    return split_separators(nlp)


# Field separators of delimited text: "M4 9PD|Mendez|1972" and "Delaunay;Micronesia;4501" are
# one token each for spaCy's English tokenizer, so no name inside can be tagged.
_SEPARATOR_INFIXES = (r"[|;]", r"(?<=[^\W\d_]),(?=\S)", r"(?<=\S),(?=[^\W\d_\"])", r",(?=\")")


def split_separators(nlp: Any) -> Any:
    """Make ``|``, ``;`` and commas next to a letter split tokens (CSV-like lines)."""
    from spacy.util import compile_infix_regex

    infixes = [*nlp.Defaults.infixes, *_SEPARATOR_INFIXES]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


def _stamp(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Sizes and modification times of the model's files: re-verify when any changes."""
    return tuple(sorted((str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns)
                        for p in path.rglob("*") if p.is_file()))


@functools.lru_cache(maxsize=8)
def _verified(path: str, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, Any]:
    return verify_model(Path(path))


@functools.lru_cache(maxsize=4)
def load_ner(ner_model: str = "shipped") -> Any:
    """The NER pipeline for ``ner_model``, loaded once per process (see :func:`fresh_ner`)."""
    return fresh_ner(ner_model)


def model_info(ner_model: str = "shipped") -> dict[str, Any] | None:
    """Training facts of a trained model (seed, corpus size, dev score), or None for stock /
    a missing model. Verifies the files first."""
    path = model_dir(ner_model)
    if path is None or not (path / MANIFEST).is_file():
        return None
    manifest = _verified(str(path.resolve()), _stamp(path))
    return {k: v for k, v in manifest.items() if k != "files_sha256"}

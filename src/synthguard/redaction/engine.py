"""The redaction engine: Presidio ``AnalyzerEngine`` on spaCy ``en_core_web_sm`` (NER only),
batched, plus synthguard's single-pass pattern and dictionary recognizers, span resolution,
and the operator registry.

Why not Presidio's ``analyze()`` per document: it runs the full spaCy pipeline one document
at a time and a regex loop per recognizer. Here spaCy runs as ``nlp.pipe`` over batches with
only the ``ner`` component, and the NLP artifacts are handed to ``AnalyzerEngine.analyze``
so Presidio's recognizer orchestration, thresholds and de-duplication still apply.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from synthguard.errors import ParameterError
from synthguard.redaction._refine import refine
from synthguard.redaction._resolve import resolve
from synthguard.redaction._types import RedactedDoc, Span
from synthguard.redaction.entities import ALL_ENTITIES
from synthguard.redaction.operators import OperatorContext, Policy, apply_policy

logger = logging.getLogger(__name__)

_SPACY_TO_PRESIDIO = {
    "PERSON": "PERSON", "PER": "PERSON", "NORP": "NRP", "ORG": "ORGANIZATION",
    "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "DATE": "DATE_TIME",
    "TIME": "DATE_TIME",
    # labels of synthguard's own model (``_model``); the stock model never emits them
    "ADDRESS": "ADDRESS", "AGE": "AGE", "POSTCODE": "POSTCODE",
}
_SPACY_IGNORED = ("CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT", "PRODUCT", "EVENT",
                  "WORK_OF_ART", "LAW", "LANGUAGE")
_NER_SCORE = 0.85
_BATCH = 256
# spaCy adds every new token string to the pipeline's StringStore and never drops it, so a
# long stream grows the process by ~1.3 MB per 1,000 documents (40k labelled documents,
# one process: 194 -> 245 MB, still rising). A fresh pipeline every this many documents
# keeps RSS bounded whatever the corpus size (renewing every 5k: 254 MB at 15k documents,
# 259 MB at 40k; every 10k: 245-307 MB from 15k to 60k with no upward trend), for about a
# second of loading each time; NER output does not depend on the strings seen before.
RENEW_NLP_EVERY = 10_000
# Structured rules outrank word lists, which outrank the statistical NER, on equal type rank.
# What the layout makes certain (a chat speaker, a cell under a "name" header) outranks all.
_SOURCE_RANK = {"synthguard-patterns": 2, "synthguard-policy": 2, "synthguard-structure": 2,
                "synthguard-structure-certain": 3, "synthguard-dictionaries": 1}


class RedactionEngine:
    """Find sensitive spans in texts and transform them with a per-entity policy.

    Build once and reuse: construction loads spaCy and compiles the recognizers (about a
    second). ``workers > 1`` analyses batches in that many processes, each holding its own
    engine, which is how ``redact_file`` uses both cores.

    ``ner_model``: ``"shipped"`` (default) is synthguard's own NER model, fine-tuned on the
    project's generated corpus and shipped in the package (see ``_model``); ``"stock"`` is
    spaCy's ``en_core_web_sm`` as Presidio uses it (for comparison); a directory path loads a
    model written by ``scripts/train_ner.py``. Either way the NER runs next to the pattern
    and word-list recognizers and the same span resolution.
    """

    def __init__(
        self,
        *,
        entities: list[str] | None = None,
        threshold: float = 0.35,
        policy: Policy | dict[str, Any] | None = None,
        operator: str = "replace",
        seed: int = 0,
        key: bytes | None = None,
        salt: bytes | None = None,
        workers: int = 1,
        ner_model: str = "shipped",
    ) -> None:
        from synthguard.redaction._model import model_dir

        model_dir(ner_model)  # an unknown name is a ParameterError now, not at first use
        if not 0.0 <= threshold <= 1.0:
            raise ParameterError(f"threshold must be in [0, 1], got {threshold}")
        if workers < 1:
            raise ParameterError(f"workers must be >= 1, got {workers}")
        self.policy = Policy.coerce(policy, default=operator)
        known = [*ALL_ENTITIES, *self.policy.custom_entities()]
        unknown = sorted(set(entities or ()) - set(known))
        if unknown:
            raise ParameterError(
                f"unknown entity type(s) {', '.join(unknown)}; known: {', '.join(known)}"
            )
        self.entities: list[str] = list(entities) if entities else known
        self.threshold = threshold
        self.seed = seed
        self.workers = workers
        self.ner_model = ner_model
        self.context = OperatorContext(seed=seed, key=key, salt=salt)
        self.policy.check(self.context)
        self._analyzer: Any = None
        self._nlp: Any = None
        self._nlp_engine: Any = None
        self._docs_on_nlp = 0

    # ------------------------------------------------------------------ set-up
    def _ensure_loaded(self) -> None:
        if self._analyzer is not None:
            return
        from synthguard.redaction._nlp import import_presidio

        import_presidio()
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.predefined_recognizers import SpacyRecognizer

        from synthguard.redaction._nlp import offline_tld_extractor
        from synthguard.redaction.recognizers import RECOGNIZERS, policy_recognizers

        offline_tld_extractor()
        nlp_engine = _NerOnlyNlpEngine(self.ner_model)
        nlp_engine.load()
        recognizers: list[Any] = [
            SpacyRecognizer(supported_entities=sorted(set(_SPACY_TO_PRESIDIO.values())))
        ]
        recognizers += [factory(self.threshold) for _, factory in RECOGNIZERS.items()]
        recognizers += policy_recognizers(self.policy.recognizers, self.threshold)
        registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["en"])
        self._analyzer = AnalyzerEngine(
            registry=registry, nlp_engine=nlp_engine, supported_languages=["en"],
            default_score_threshold=self.threshold,
            context_aware_enhancer=_NoContextEnhancer(),
        )
        self._nlp_engine = nlp_engine
        self._nlp = nlp_engine.nlp["en"]

    # ---------------------------------------------------------------- analysis
    def analyze(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans per text (non-overlapping, sorted), in the original text's offsets."""
        if self.workers > 1 and len(texts) > _BATCH:
            from synthguard.redaction.batch import parallel_map_analyze

            return parallel_map_analyze(self, texts)
        return list(self.iter_analyze(texts))

    def _renew_nlp_if_grown(self, n_new: int) -> None:
        """Swap in a fresh spaCy pipeline once ``RENEW_NLP_EVERY`` documents went through."""
        if self._docs_on_nlp and self._docs_on_nlp + n_new > RENEW_NLP_EVERY:
            from synthguard.redaction._model import fresh_ner

            self._nlp = fresh_ner(self.ner_model)
            self._nlp_engine.nlp = {"en": self._nlp}
            self._docs_on_nlp = 0
        self._docs_on_nlp += n_new

    def iter_analyze(self, texts: Sequence[str]) -> Iterator[list[Span]]:
        self._ensure_loaded()
        self._renew_nlp_if_grown(len(texts))
        entities = self.entities
        safe = [t if isinstance(t, str) else "" for t in texts]
        for text, doc in zip(safe, self._nlp.pipe(safe, batch_size=_BATCH), strict=True):
            if not text.strip():
                yield []
                continue
            artifacts = self._nlp_engine.artifacts(doc)
            results = self._analyzer.analyze(
                text=text, language="en", entities=entities, nlp_artifacts=artifacts,
                score_threshold=self.threshold,
            )
            spans = [Span(r.start, r.end, r.entity_type, float(r.score)) for r in results]
            ranks = [_SOURCE_RANK.get(r.recognition_metadata.get("recognizer_name", ""), 0)
                     for r in results]
            resolved = refine(text, resolve(text, spans, ranks))
            yield [s for s in resolved if s.entity_type in entities]

    # --------------------------------------------------------------- transform
    def redact(self, texts: Sequence[str]) -> list[RedactedDoc]:
        """Analyse and transform each text with the policy's operator per entity type."""
        return [self.transform(t, spans) for t, spans in zip(texts, self.analyze(texts), strict=True)]

    def transform(self, text: str, spans: list[Span]) -> RedactedDoc:
        """Apply the policy to already-detected spans (used by tables and the batch runner)."""
        new_text, counts = apply_policy(text, spans, self.policy, self.context)
        return RedactedDoc(text=new_text, spans=list(spans), replaced=dict(counts))

    def config(self) -> dict[str, Any]:
        """Everything needed to rebuild an equivalent engine in another process."""
        return {
            "entities": self.entities, "threshold": self.threshold,
            "policy": self.policy.to_dict(), "seed": self.seed,
            "key": self.context.key, "salt": self.context.salt,
            "ner_model": self.ner_model,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> RedactionEngine:
        return cls(
            entities=config["entities"], threshold=config["threshold"], policy=config["policy"],
            seed=config["seed"], key=config["key"], salt=config["salt"], workers=1,
            ner_model=config.get("ner_model", "shipped"),
        )


def _NoContextEnhancer() -> Any:
    """Presidio's lemma context enhancer deep-copies every result per document; our
    recognizers apply their own context words, and spaCy results carry none."""
    from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer

    class NoContextEnhancer(ContextAwareEnhancer):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(context_similarity_factor=0.0, min_score_with_context_similarity=0.0,
                             context_prefix_count=0, context_suffix_count=0)

        def enhance_using_context(self, text: str, raw_results: Any, nlp_artifacts: Any,
                                  recognizers: Any, context: Any = None) -> Any:
            return raw_results

    return NoContextEnhancer()


def count_entities(spans: Sequence[Span]) -> Counter[str]:
    return Counter(s.entity_type for s in spans)


class _NerOnlyNlpEngine:
    """A Presidio NLP engine that loads the NER model (``_model``) offline with only ``ner``.

    Subclasses Presidio's ``SpacyNlpEngine`` lazily (import cost) and overrides ``load`` so
    no download is ever attempted; lemmas are the lower-cased tokens (no lemmatizer runs),
    which is what Presidio's context enhancer compares against.
    """

    def __new__(cls, ner_model: str = "shipped") -> Any:
        from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine

        from synthguard.redaction._model import load_ner
        from synthguard.redaction._nlp import model_package

        class NerOnlySpacyNlpEngine(SpacyNlpEngine):  # type: ignore[misc]
            def __init__(self) -> None:
                super().__init__(
                    models=[{"lang_code": "en", "model_name": model_package()}],
                    ner_model_configuration=NerModelConfiguration(
                        model_to_presidio_entity_mapping=dict(_SPACY_TO_PRESIDIO),
                        labels_to_ignore=list(_SPACY_IGNORED),
                        low_score_entity_names=[],
                        default_score=_NER_SCORE,
                    ),
                )

            def load(self) -> None:
                self.nlp = {"en": load_ner(ner_model)}  # type: ignore[assignment]

            def artifacts(self, doc: Any) -> Any:
                entities = [e for e in doc.ents if e.label_ in _SPACY_TO_PRESIDIO]
                for ent in entities:
                    ent.label_ = _SPACY_TO_PRESIDIO[ent.label_]
                # Built without NlpArtifacts.__init__: its keyword extraction (stop-word
                # lookups per token) only feeds Presidio's context enhancer, which this
                # engine replaces by context rules inside its own recognizers.
                art = NlpArtifacts.__new__(NlpArtifacts)
                art.entities = entities
                art.tokens = doc
                art.lemmas = []
                art.tokens_indices = []
                art.keywords = []
                art.nlp_engine = self
                art.scores = [_NER_SCORE] * len(entities)
                return art

            def _doc_to_nlp_artifact(self, doc: Any, language: str) -> Any:
                return self.artifacts(doc)

        return NerOnlySpacyNlpEngine()

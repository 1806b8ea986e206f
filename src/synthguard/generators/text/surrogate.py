"""``surrogate_text``: every detected identifier replaced by a consistent fake surrogate.

Each document keeps its structure and meaning; the same real value maps to the same fake
value within a run (so "Ann called Ann's bank" stays coherent). Detection and surrogates are
the redaction package's (:class:`synthguard.redaction.RedactionEngine`): this module adds no
recognizer logic of its own. What it adds is the generator protocol (fit/sample, seeds,
save/load) and a count of what was replaced per entity type (counts only, never values).

``sample(n)`` returns the redacted documents themselves, cycling through them when
``n`` exceeds the corpus (documents are drawn in a seeded order). The saved model therefore
holds redacted documents: it is as shareable as the output, no more.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard._io import sha256_bytes
from synthguard.errors import MissingDependencyError, NotFittedError, ParameterError
from synthguard.generators.base import Capabilities, Generator, GeneratorParams, check_rows
from synthguard.generators.registry import register_generator
from synthguard.progress import ProgressCallback, report

_DOCS = "documents.json"


def surrogate_engine(*, seed: int) -> Any:
    """The redaction engine with the consistent-surrogate operator (imported lazily: spaCy)."""
    try:
        from synthguard.redaction.engine import RedactionEngine
    except ImportError as exc:
        raise MissingDependencyError(
            "surrogate redaction needs synthguard.redaction.RedactionEngine, which this build "
            f"does not provide ({exc}); pass redact=False to dp_lm to train on the raw corpus"
        ) from exc
    return RedactionEngine(operator="surrogate", seed=seed)


def surrogate_redact(
    texts: list[str], *, seed: int, progress: ProgressCallback | None = None,
    batch_size: int = 256,
) -> tuple[list[str], dict[str, int]]:
    """Redact ``texts`` with consistent surrogates; return new texts and counts per type."""
    engine = surrogate_engine(seed=seed)
    out: list[str] = []
    counts: Counter[str] = Counter()
    for start in range(0, len(texts), batch_size):
        for doc in engine.redact(texts[start : start + batch_size]):
            out.append(doc.text)
            counts.update(doc.replaced)
        report(progress, "redacting documents", len(out), len(texts))
    return out, dict(sorted(counts.items()))


@dataclass(frozen=True)
class SurrogateTextParams(GeneratorParams):
    text_field: str = "text"

    def __post_init__(self) -> None:
        if not self.text_field:
            raise ParameterError("text_field must be a non-empty column name")


@register_generator
class SurrogateText(Generator):
    """The corpus with every detected identifier replaced by a consistent fake surrogate."""

    name = "surrogate_text"
    summary = "redaction with consistent fake surrogates; keeps each document's structure"
    caps = Capabilities(modality="text", dp=False)
    Params = SurrogateTextParams
    params: SurrogateTextParams

    def __init__(self, params: GeneratorParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self._docs: list[str] | None = None
        self.replaced: dict[str, int] = {}

    def fit(
        self, data: Any, *, schema: Any = None, seed: int = 0,
        progress: ProgressCallback | None = None,
    ) -> SurrogateText:
        from synthguard.generators.text.corpus import texts_from

        texts = texts_from(data, text_field=self.params.text_field)
        self.fit_info.data_sha256 = sha256_bytes("\x1e".join(texts).encode("utf-8"))
        self.fit_info.n_rows = len(texts)
        self.fit_info.columns = [self.params.text_field]
        self._docs, self.replaced = surrogate_redact(texts, seed=seed, progress=progress)
        return self

    def sample(
        self, n: int, *, seed: int = 0, progress: ProgressCallback | None = None
    ) -> pd.DataFrame:
        """``n`` redacted documents: a seeded permutation of the corpus, repeated if needed."""
        check_rows(n)
        docs = self._require()
        rng = np.random.default_rng(seed)
        order: list[int] = []
        while len(order) < n:
            order.extend(int(i) for i in rng.permutation(len(docs)))
        report(progress, "sampling documents", n, n)
        return pd.DataFrame({self.params.text_field: [docs[i] for i in order[:n]]})

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["replaced"] = dict(self.replaced)
        return out

    def _require(self) -> list[str]:
        if self._docs is None:
            raise NotFittedError("surrogate_text is not fitted: call fit() first")
        return self._docs

    def save_files(self, folder: Path) -> None:
        payload = {"documents": self._require(), "replaced": self.replaced}
        (folder / _DOCS).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load_files(cls, folder: Path, params: GeneratorParams) -> SurrogateText:
        payload = json.loads((folder / _DOCS).read_text(encoding="utf-8"))
        generator = cls(params)
        generator._docs = [str(d) for d in payload["documents"]]
        generator.replaced = {str(k): int(v) for k, v in payload["replaced"].items()}
        return generator

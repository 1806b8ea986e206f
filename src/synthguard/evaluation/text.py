"""Leakage and quality of a synthetic text corpus against the real one.

* **Canary exposure** (Carlini et al., "The Secret Sharer", 2019): random secrets of a fixed
  format are inserted into the training corpus a chosen number of times; after training,
  each canary is ranked by the model's log-perplexity among random candidates of the same
  format. ``exposure = log2(|R|) - log2(rank)``: about ``log2(e) ≈ 1.44`` bits on average
  for a canary the model never saw, ``log2(|R|)`` when it is the model's top candidate.
  The model is reached through a scoring callable, so this module imports no model code.
* **Verbatim leakage**: the share of the real corpus' PII values, and of its word 8-grams,
  that reappear anywhere in the synthetic corpus. 8-grams seen in a single real document are
  reported separately: those are the ones that identify a document.
* **Quality**: length distributions (characters, words), vocabulary overlap, and the
  utility of a TF-IDF + logistic-regression classifier trained on synthetic and tested on
  real (TSTR) next to the same classifier trained on real (TRTR), where labels exist.

Results hold aggregates only (counts, shares, quantiles): a report may leave the trust
boundary, so no real value, n-gram or document is ever stored in one.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from synthguard.errors import ParameterError

Scorer = Callable[[list[str]], Any]  # texts -> array of log-perplexities (bits), lower = likelier

# The identifying entity types of the surrogate_text target (redaction entity names).
IDENTIFYING_TYPES: tuple[str, ...] = (
    "PERSON", "ADDRESS", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE",
    "US_SSN", "IP_ADDRESS",
)

_WORD = re.compile(r"\w+", re.UNICODE)


# --------------------------------------------------------------------------- canaries


@dataclass(frozen=True)
class Canary:
    """A secret of a fixed format (``prefix`` + ``digits`` random digits) and its insertions."""

    prefix: str
    secret: str
    repetitions: int

    @property
    def text(self) -> str:
        return self.prefix + self.secret


_TICKET_WORDS = (
    "printer", "network", "laptop", "screen", "password", "account", "invoice", "refund",
    "delivery", "order", "shipment", "broken", "slow", "missing", "late", "urgent",
    "customer", "reports", "asks", "about", "again", "today", "since", "monday",
)


def make_ticket_corpus(n: int, *, seed: int) -> list[str]:
    """Short support-ticket-like documents, half with a random 6-digit reference number.

    The canary format (6 digits) is common in it, as ticket and phone numbers are in real
    notes, so only the canaries' values are secret: the setting of the canary tests and
    benchmark.
    """
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        words = " ".join(rng.choice(_TICKET_WORDS) for _ in range(rng.randint(6, 12)))
        if rng.random() < 0.5:
            words += f" ref {rng.randrange(10**6):06d}"
        docs.append(words)
    return docs


def make_canaries(
    repetitions: Sequence[int], *, per_count: int = 10, prefix: str = "my code is ",
    digits: int = 6, seed: int = 0, balanced: bool = True,
) -> list[Canary]:
    """``per_count`` distinct random canaries for each repetition count (0 = never inserted).

    ``balanced`` (default) draws each repetition group's secrets so that, at every digit
    position, each digit occurs equally often across the group (within one when
    ``per_count`` is not a multiple of 10). Why: all canaries share one prefix, so the
    ``per_count * repetitions`` documents that contain it teach a model the *pooled* digit
    frequencies after that prefix. With independent draws those frequencies point at the
    inserted secrets: a model that knows nothing but the per-position frequencies of 10
    canaries inserted 10 times ranks them at about 6.9 bits of exposure against 1.5 for
    never-inserted ones (simulated, 1000 candidates). That is a population statistic,
    which differential privacy is meant to let a model learn; balancing makes it carry no
    information, so what remains is the memorisation of individual secrets that exposure is
    meant to measure. Use a multiple of 10 for ``per_count`` to balance exactly.
    """
    if digits < 1 or digits > 12:
        raise ParameterError(f"digits must be in 1..12, got {digits}")
    if per_count < 1:
        raise ParameterError(f"per_count must be >= 1, got {per_count}")
    if any(r < 0 for r in repetitions):
        raise ParameterError("repetition counts must be >= 0")
    rng = np.random.default_rng(seed)
    needed = per_count * len(repetitions)
    if needed > 10**digits // 2:
        raise ParameterError(f"{needed} canaries do not fit in {digits} digits")
    taken: set[str] = set()
    canaries: list[Canary] = []
    for count in repetitions:
        for secret in _draw_secrets(rng, per_count, digits, balanced, taken):
            taken.add(secret)
            canaries.append(Canary(prefix, secret, int(count)))
    return canaries


def _draw_secrets(
    rng: np.random.Generator, k: int, digits: int, balanced: bool, taken: set[str]
) -> list[str]:
    """``k`` distinct secrets not in ``taken``; per-position balanced digits if asked."""
    for _ in range(1000):
        if balanced:
            columns = [
                rng.permutation(np.concatenate([rng.permutation(10) for _ in range(-(-k // 10))])[:k])
                for _ in range(digits)
            ]
            secrets = ["".join(str(col[i]) for col in columns) for i in range(k)]
        else:
            secrets = [f"{int(rng.integers(0, 10**digits)):0{digits}d}" for _ in range(k)]
        if len(set(secrets)) == k and not taken.intersection(secrets):
            return secrets
    raise ParameterError(f"could not draw {k} distinct {digits}-digit canaries; use more digits")


def insert_canaries(
    texts: Sequence[str], canaries: Sequence[Canary], *, into: str = "existing", seed: int = 0
) -> list[str]:
    """``texts`` with each canary inserted ``repetitions`` times.

    ``into="existing"`` (default) puts each occurrence at the start of a different randomly
    chosen document ("my code is 123456. " + document), as a secret sits inside a real note;
    ``into="new"`` adds each occurrence as a document of its own (the worst case for
    per-document DP, whose clipping then spends a document's whole budget on the secret).
    """
    if into not in ("existing", "new"):
        raise ParameterError(f"into must be 'existing' or 'new', got {into!r}")
    rng = np.random.default_rng(seed)
    out = list(texts)
    if into == "new":
        for canary in canaries:
            out.extend([canary.text] * canary.repetitions)
        order = rng.permutation(len(out))
        return [out[i] for i in order]
    total = sum(c.repetitions for c in canaries)
    if total > len(out):
        raise ParameterError(f"{total} canary insertions need at least {total} documents")
    targets = iter(rng.permutation(len(out))[:total].tolist())
    for canary in canaries:
        for _ in range(canary.repetitions):
            i = next(targets)
            out[i] = f"{canary.text}. {out[i]}"
    return out


@dataclass(frozen=True)
class CanaryExposure:
    """Exposure of one canary: ``log2(candidates + 1) - log2(rank)`` (rank 1 = most likely)."""

    repetitions: int
    rank: int
    exposure: float


@dataclass(frozen=True)
class CanaryReport:
    """Exposure of every canary and the mean per repetition count (no secret is stored)."""

    candidates: int
    max_exposure: float
    canaries: tuple[CanaryExposure, ...]

    def mean_by_repetitions(self) -> dict[int, float]:
        groups: dict[int, list[float]] = {}
        for c in self.canaries:
            groups.setdefault(c.repetitions, []).append(c.exposure)
        return {k: float(np.mean(v)) for k, v in sorted(groups.items())}

    def versus_never_inserted(self, repetitions: int) -> dict[str, float]:
        """Mean exposure gap of canaries inserted ``repetitions`` times over never-inserted
        ones, and the one-sided Mann-Whitney p-value that they rank higher (a small p: the
        model tells them apart; "indistinguishable" = a gap within noise and a large p)."""
        from scipy.stats import mannwhitneyu

        seen = [c.exposure for c in self.canaries if c.repetitions == repetitions]
        never = [c.exposure for c in self.canaries if c.repetitions == 0]
        if not seen or not never:
            raise ParameterError(
                f"need canaries inserted {repetitions} times and never-inserted ones to compare"
            )
        p_value = float(mannwhitneyu(seen, never, alternative="greater").pvalue)
        return {"gap_bits": float(np.mean(seen) - np.mean(never)), "p_value": p_value}

    def to_dict(self) -> dict[str, Any]:
        means = self.mean_by_repetitions()
        out: dict[str, Any] = {
            "candidates": self.candidates,
            "max_exposure": self.max_exposure,
            "mean_exposure_by_repetitions": {str(k): round(v, 3) for k, v in means.items()},
            "canaries": [asdict(c) for c in self.canaries],
        }
        if 0 in means:
            out["versus_never_inserted"] = {
                str(k): self.versus_never_inserted(k) for k in means if k > 0
            }
        return out


def canary_exposure(
    score: Scorer, canaries: Sequence[Canary], *, candidates: int = 1000, seed: int = 0
) -> CanaryReport:
    """Rank each canary among ``candidates`` random secrets of its format under ``score``.

    ``score(texts)`` returns each text's log-perplexity (lower = more likely). One candidate
    set per format is shared by all canaries of that format; candidates that equal an
    inserted secret are excluded, so a canary is never ranked against another canary.
    """
    if candidates < 10:
        raise ParameterError(f"candidates must be >= 10, got {candidates}")
    rng = np.random.default_rng(seed)
    by_format: dict[tuple[str, int], list[Canary]] = {}
    for canary in canaries:
        by_format.setdefault((canary.prefix, len(canary.secret)), []).append(canary)
    results: list[CanaryExposure] = []
    for (prefix, digits), group in by_format.items():
        taken = {c.secret for c in group}
        pool: set[str] = set()
        limit = min(candidates, 10**digits - len(taken))
        while len(pool) < limit:
            value = f"{int(rng.integers(0, 10**digits)):0{digits}d}"
            if value not in taken:
                pool.add(value)
        candidate_texts = [prefix + s for s in sorted(pool)]
        cand_scores = np.asarray(score(candidate_texts), dtype=float)
        canary_scores = np.asarray(score([c.text for c in group]), dtype=float)
        for canary, value in zip(group, canary_scores, strict=True):
            # ties count half (mid-rank), so a model that scores every secret alike gives
            # the never-seen exposure, not the maximum
            rank = 1 + int(np.sum(cand_scores < value) + np.sum(cand_scores == value) // 2)
            results.append(CanaryExposure(
                canary.repetitions, rank, math.log2(len(pool) + 1) - math.log2(rank)
            ))
    return CanaryReport(
        candidates=candidates, max_exposure=math.log2(candidates + 1), canaries=tuple(results)
    )


# --------------------------------------------------------------------------- verbatim


@dataclass(frozen=True)
class PiiLeakage:
    """Share of distinct real PII values found verbatim in the synthetic corpus, per type."""

    values: int
    leaked: int
    by_type: dict[str, tuple[int, int]]  # type -> (leaked, values)

    @property
    def share(self) -> float:
        return self.leaked / self.values if self.values else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "values": self.values,
            "leaked": self.leaked,
            "share": round(self.share, 4),
            "by_type": {
                k: {"leaked": a, "values": b, "share": round(a / b, 4) if b else 0.0}
                for k, (a, b) in sorted(self.by_type.items())
            },
        }


def pii_leakage(
    values: Sequence[tuple[str, str]], synthetic: Sequence[str], *,
    exclude: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> PiiLeakage:
    """Which distinct ``(entity_type, value)`` pairs appear in ``synthetic``.

    A value counts as present when it occurs with no letter or digit directly before or
    after it ("Ann" inside "Annual" is not a leak; "Ann," is). Values shorter than 3
    characters are skipped: they match by chance. ``exclude`` gives, per synthetic text,
    character ranges to ignore (the surrogates a redaction inserted: a fake "Jennifer" that
    happens to equal another real person's first name is not that person's name leaking).
    """
    texts = list(synthetic)
    if exclude is not None:
        texts = [_blank(t, ranges) for t, ranges in zip(texts, exclude, strict=True)]
    corpus = "\n\x1e\n".join(texts)
    distinct = sorted({(t, v.strip()) for t, v in values if len(v.strip()) >= 3})
    by_type: dict[str, list[int]] = {}
    leaked = 0
    for entity, value in distinct:
        pattern = r"(?<![^\W_])" + re.escape(value) + r"(?![^\W_])"
        hit = value in corpus and re.search(pattern, corpus) is not None
        counts = by_type.setdefault(entity, [0, 0])
        counts[1] += 1
        if hit:
            counts[0] += 1
            leaked += 1
    return PiiLeakage(
        values=len(distinct), leaked=leaked,
        by_type={k: (v[0], v[1]) for k, v in by_type.items()},
    )


def _blank(text: str, ranges: Sequence[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in ranges:
        chars[start:end] = ["\x00"] * (end - start)
    return "".join(chars)


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@dataclass(frozen=True)
class NgramLeakage:
    """Real word n-grams reproduced in the synthetic corpus (shares of distinct n-grams)."""

    n: int
    real_ngrams: int
    real_found: int  # distinct real n-grams present in the synthetic corpus
    rare_ngrams: int  # distinct real n-grams that occur in a single real document
    rare_found: int
    synthetic_ngrams: int
    synthetic_copied: int  # distinct synthetic n-grams that exist in the real corpus

    def to_dict(self) -> dict[str, Any]:
        def share(a: int, b: int) -> float:
            return round(a / b, 4) if b else 0.0

        out = asdict(self)
        out["real_share_found"] = share(self.real_found, self.real_ngrams)
        out["rare_share_found"] = share(self.rare_found, self.rare_ngrams)
        out["synthetic_share_copied"] = share(self.synthetic_copied, self.synthetic_ngrams)
        return out


def ngram_leakage(real: Sequence[str], synthetic: Sequence[str], *, n: int = 8) -> NgramLeakage:
    """Verbatim word ``n``-grams (lower-cased) shared by the real and synthetic corpora."""
    if n < 2:
        raise ParameterError(f"n must be >= 2, got {n}")
    doc_freq: Counter[tuple[str, ...]] = Counter()
    for text in real:
        doc_freq.update(_ngrams(text, n))
    synth: set[tuple[str, ...]] = set()
    for text in synthetic:
        synth |= _ngrams(text, n)
    rare = {g for g, c in doc_freq.items() if c == 1}
    common = synth & doc_freq.keys()
    return NgramLeakage(
        n=n, real_ngrams=len(doc_freq), real_found=len(common), rare_ngrams=len(rare),
        rare_found=len(common & rare), synthetic_ngrams=len(synth), synthetic_copied=len(common),
    )


# --------------------------------------------------------------------------- quality


def _quantiles(values: Sequence[int]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    qs = np.quantile(arr, [0.05, 0.25, 0.5, 0.75, 0.95]) if len(arr) else np.zeros(5)
    return {
        "mean": float(arr.mean()) if len(arr) else 0.0,
        "p05": float(qs[0]), "p25": float(qs[1]), "median": float(qs[2]),
        "p75": float(qs[3]), "p95": float(qs[4]),
    }


def length_stats(real: Sequence[str], synthetic: Sequence[str]) -> dict[str, Any]:
    """Quantiles of document length (characters and words) and the KS distance between them."""
    from scipy.stats import ks_2samp

    out: dict[str, Any] = {}
    for unit, measure in (("chars", len), ("words", lambda t: len(_WORD.findall(t)))):
        r = [measure(t) for t in real]
        s = [measure(t) for t in synthetic]
        out[unit] = {
            "real": _quantiles(r), "synthetic": _quantiles(s),
            "ks": float(ks_2samp(r, s).statistic) if r and s else 1.0,
        }
    return out


def vocabulary_overlap(real: Sequence[str], synthetic: Sequence[str]) -> dict[str, float]:
    """How much of each corpus' word vocabulary (lower-cased) the other one uses."""
    real_counts: Counter[str] = Counter(w for t in real for w in _WORD.findall(t.lower()))
    syn_counts: Counter[str] = Counter(w for t in synthetic for w in _WORD.findall(t.lower()))
    rv, sv = set(real_counts), set(syn_counts)
    syn_tokens = sum(syn_counts.values())
    real_tokens = sum(real_counts.values())
    return {
        "real_vocab": float(len(rv)),
        "synthetic_vocab": float(len(sv)),
        "jaccard": len(rv & sv) / len(rv | sv) if rv | sv else 0.0,
        # share of synthetic word occurrences that are real words (fluency proxy)
        "synthetic_tokens_in_real_vocab": (
            sum(c for w, c in syn_counts.items() if w in rv) / syn_tokens if syn_tokens else 0.0
        ),
        # share of real word occurrences whose word the synthetic corpus uses (coverage)
        "real_tokens_covered": (
            sum(c for w, c in real_counts.items() if w in sv) / real_tokens if real_tokens else 0.0
        ),
    }


def tstr_text(
    real: Sequence[str], real_labels: Sequence[Any], synthetic: Sequence[str],
    synthetic_labels: Sequence[Any], *, seed: int = 0, test_size: float = 0.3,
) -> dict[str, Any]:
    """Accuracy and macro-F1 on a real hold-out of a classifier trained on synthetic (TSTR)
    and of the same classifier trained on the rest of the real corpus (TRTR)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline

    y_real = [str(v) for v in real_labels]
    y_syn = [str(v) for v in synthetic_labels]
    if len(set(y_real)) < 2 or len(set(y_syn)) < 2:
        raise ParameterError("TSTR needs at least two label values in both corpora")
    counts = Counter(y_real)
    stratify = y_real if min(counts.values()) >= 2 else None
    x_train, x_test, y_train, y_test = train_test_split(
        list(real), y_real, test_size=test_size, random_state=seed, stratify=stratify
    )

    def score(texts: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(max_iter=1000),
        )
        try:
            model.fit(list(texts), list(labels))
        except ValueError:  # empty vocabulary with min_df=2 on a tiny corpus
            model.set_params(tfidfvectorizer__min_df=1).fit(list(texts), list(labels))
        pred = model.predict(x_test)
        return {
            "accuracy": float(accuracy_score(y_test, pred)),
            "macro_f1": float(f1_score(y_test, pred, average="macro")),
        }

    trtr = score(x_train, y_train)
    tstr = score(synthetic, y_syn)
    majority = Counter(y_train).most_common(1)[0][0]
    return {
        "trtr": trtr,
        "tstr": tstr,
        "majority_baseline_accuracy": float(np.mean([y == majority for y in y_test])),
        "tstr_over_trtr_accuracy": tstr["accuracy"] / trtr["accuracy"] if trtr["accuracy"] else 0.0,
        "test_documents": len(x_test),
    }


# --------------------------------------------------------------------------- report


@dataclass(frozen=True)
class TextEvaluation:
    """Everything :func:`evaluate_text` measured (aggregates only)."""

    real_documents: int
    synthetic_documents: int
    lengths: dict[str, Any]
    vocabulary: dict[str, float]
    ngrams: NgramLeakage
    pii: PiiLeakage | None = None
    pii_source: str = ""
    tstr: dict[str, Any] | None = None
    canaries: CanaryReport | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "real_documents": self.real_documents,
            "synthetic_documents": self.synthetic_documents,
            "lengths": self.lengths,
            "vocabulary": self.vocabulary,
            "ngram_leakage": self.ngrams.to_dict(),
            "pii_leakage": self.pii.to_dict() if self.pii else None,
            "pii_source": self.pii_source,
            "tstr": self.tstr,
            "canaries": self.canaries.to_dict() if self.canaries else None,
            "notes": list(self.notes),
        }


def detect_pii_values(
    texts: Sequence[str], *, entity_types: Sequence[str] = IDENTIFYING_TYPES, seed: int = 0
) -> list[tuple[str, str]]:
    """``(entity_type, value)`` pairs the redaction engine finds in ``texts`` (kept in memory
    only, to be matched against the synthetic corpus; never written to a report)."""
    from synthguard.redaction import RedactionEngine

    engine = RedactionEngine(operator="surrogate", seed=seed)
    wanted = set(entity_types)
    out: list[tuple[str, str]] = []
    for text, spans in zip(texts, engine.analyze(list(texts)), strict=True):
        out.extend((s.entity_type, text[s.start : s.end]) for s in spans if s.entity_type in wanted)
    return out


def evaluate_text(
    real: Sequence[str], synthetic: Sequence[str], *,
    real_labels: Sequence[Any] | None = None, synthetic_labels: Sequence[Any] | None = None,
    pii_values: Sequence[tuple[str, str]] | None = None, detect_pii: bool = True,
    n: int = 8, seed: int = 0, canaries: CanaryReport | None = None,
) -> TextEvaluation:
    """Leakage (PII values, real n-grams) and quality (lengths, vocabulary, TSTR) in one call.

    ``pii_values``: known ``(entity_type, value)`` pairs of the real corpus (e.g. gold labels);
    if absent and ``detect_pii``, the redaction engine finds them in ``real``.
    """
    if not real or not synthetic:
        raise ParameterError("both the real and the synthetic corpus need at least one document")
    notes: list[str] = []
    pii: PiiLeakage | None = None
    source = ""
    if pii_values is not None:
        pii, source = pii_leakage(pii_values, synthetic), "given"
    elif detect_pii:
        try:
            values = detect_pii_values(real, seed=seed)
        except ImportError:
            notes.append("PII leakage skipped: the redaction engine is not available")
        else:
            pii, source = pii_leakage(values, synthetic), "detected by the redaction engine"
    tstr = None
    if real_labels is not None and synthetic_labels is not None:
        tstr = tstr_text(real, real_labels, synthetic, synthetic_labels, seed=seed)
    elif real_labels is not None:
        notes.append("TSTR skipped: the synthetic corpus has no labels")
    return TextEvaluation(
        real_documents=len(real), synthetic_documents=len(synthetic),
        lengths=length_stats(real, synthetic), vocabulary=vocabulary_overlap(real, synthetic),
        ngrams=ngram_leakage(real, synthetic, n=n), pii=pii, pii_source=source, tstr=tstr,
        canaries=canaries, notes=tuple(notes),
    )


def add_text_section(report: Any, result: TextEvaluation) -> None:
    """Append the text-evaluation section to a :class:`synthguard.evaluation.html.HtmlReport`."""
    import matplotlib.pyplot as plt

    report.heading("Synthetic text: leakage")
    ng = result.ngrams.to_dict()
    kpis: dict[str, Any] = {
        f"real {result.ngrams.n}-grams reproduced": f"{ng['real_share_found']:.2%}",
        f"single-document {result.ngrams.n}-grams reproduced": f"{ng['rare_share_found']:.2%}",
    }
    if result.pii is not None:
        kpis["real PII values reproduced"] = f"{result.pii.share:.2%}"
    report.kpis(kpis)
    if result.pii is not None:
        share = result.pii.share
        level = "low" if share <= 0.05 else "medium" if share <= 0.2 else "high"
        report.verdict("Verbatim PII", level, f"values {result.pii_source}")
        rows = result.pii.to_dict()["by_type"]
        if rows:
            report.table(pd.DataFrame(rows).T, caption="Distinct real PII values found verbatim")
    rare = ng["rare_share_found"]
    report.verdict(
        "Verbatim single-document n-grams",
        "low" if rare <= 0.01 else "medium" if rare <= 0.1 else "high",
        "long word sequences seen in only one real document",
    )
    if result.canaries is not None:
        frame = pd.DataFrame(
            {"mean exposure (bits)": result.canaries.mean_by_repetitions()}
        ).rename_axis("insertions")
        report.table(
            frame, caption=f"Canary exposure (max {result.canaries.max_exposure:.1f} bits; "
            "≈1.4 bits means indistinguishable from a never-seen secret)",
        )
    report.heading("Synthetic text: quality")
    report.kpis({
        "length KS (chars)": result.lengths["chars"]["ks"],
        "vocabulary Jaccard": result.vocabulary["jaccard"],
        "synthetic words that are real words": result.vocabulary["synthetic_tokens_in_real_vocab"],
    })
    lengths = pd.DataFrame({
        f"{side} {unit}": result.lengths[unit][side]
        for unit in ("chars", "words") for side in ("real", "synthetic")
    })
    report.table(lengths, caption="Document length quantiles")
    fig, ax = plt.subplots(figsize=(6, 2.6))
    labels = ["p05", "p25", "median", "p75", "p95"]
    for side in ("real", "synthetic"):
        ax.plot(labels, [result.lengths["chars"][side][k] for k in labels], marker="o", label=side)
    ax.set_ylabel("characters")
    ax.legend()
    report.figure(fig, caption="Length quantiles (characters)")
    if result.tstr is not None:
        t = result.tstr
        report.table(
            pd.DataFrame(
                {"train on real (TRTR)": t["trtr"], "train on synthetic (TSTR)": t["tstr"]}
            ),
            caption=f"Text classifier tested on {t['test_documents']} real documents "
            f"(majority baseline accuracy {t['majority_baseline_accuracy']:.3f})",
        )
    for note in result.notes:
        report.paragraph(note, css_class="note")


def write_text_report(result: TextEvaluation, path: str | Path) -> Path:
    """Write ``result`` as JSON or self-contained HTML, chosen by the suffix."""
    from synthguard._io import to_jsonable, write_json_atomic
    from synthguard.evaluation.html import HtmlReport

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_json_atomic(path, to_jsonable(result.to_dict()))
    elif suffix in (".html", ".htm"):
        report = HtmlReport("Synthetic text evaluation")
        report.kpis({"real documents": result.real_documents,
                     "synthetic documents": result.synthetic_documents})
        add_text_section(report, result)
        report.write(path)
    else:
        raise ParameterError(f"out={str(path)!r} must end in .json or .html")
    return path

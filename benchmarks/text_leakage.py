"""Leakage of the text generators, each next to its rival measured in the same run.

Run: .venv/bin/python benchmarks/text_leakage.py [--docs 1000] [--seed 11]
     [--sections surrogate,canary,speed]

1. ``surrogate_text`` on generated labelled PII documents, template family "a" (wording the
   redaction rules were tuned on) and "b" (wording they never saw), seed unlike the tests:
   share of distinct real identifying values (names, street addresses, e-mails, phones, card
   numbers, IBANs, SSNs, IPs) found verbatim anywhere in the output ("strict"), and outside
   the inserted surrogates ("outside surrogates": a fake "Jennifer" that equals another real
   person's first name is counted by "strict" only). Rival: stock Presidio (AnalyzerEngine on
   the same offline spaCy model + AnonymizerEngine "replace"); ratio = ours / rival.
2. ``dp_lm`` at ε = 8 vs the same model without DP: mean canary exposure (bits, 1000
   candidates) of canaries inserted 10 times vs never, with each occurrence inside an
   existing document and as a document of its own.
3. ``dp_lm`` training cost (wall and CPU seconds) for ``--lm-docs`` labelled documents,
   default architecture, DP vs non-DP (ratio).
"""

from __future__ import annotations

import argparse
import time

from synthguard.evaluation.text import (
    IDENTIFYING_TYPES,
    canary_exposure,
    insert_canaries,
    make_canaries,
    make_ticket_corpus,
    pii_leakage,
)
from synthguard.generators.text.charlm import CharLMConfig, DPConfig, train_char_lm
from synthguard.generators.text.surrogate import surrogate_redact_detailed
from synthguard.generators.text.units import privacy_units
from synthguard.redaction.corpus import make_labelled_corpus


def _presidio_replace(texts: list[str]) -> list[str]:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    from synthguard.redaction._nlp import model_package

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model_package()}],
    })
    analyzer = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    out = []
    for text in texts:
        results = analyzer.analyze(text=text, language="en")
        out.append(anonymizer.anonymize(text=text, analyzer_results=results).text)  # type: ignore[arg-type]
    return out


def surrogate_section(n_docs: int, seed: int) -> None:
    print(f"== surrogate_text: verbatim survival of real identifying values ({n_docs} docs)")
    for family in ("a", "b"):
        docs = make_labelled_corpus(n_docs, seed=seed, templates=family)
        texts = [d.text for d in docs]
        values = [
            (s.entity_type, d.text[s.start : s.end])
            for d in docs for s in d.spans if s.entity_type in IDENTIFYING_TYPES
        ]
        t0 = time.perf_counter()
        ours = surrogate_redact_detailed(texts, seed=0)
        ours_s = time.perf_counter() - t0
        strict = pii_leakage(values, ours.texts)
        outside = pii_leakage(values, ours.texts, exclude=ours.surrogate_spans)
        t0 = time.perf_counter()
        rival_texts = _presidio_replace(texts)
        rival_s = time.perf_counter() - t0
        rival = pii_leakage(values, rival_texts)
        ratio = strict.share / rival.share if rival.share else float("nan")
        print(f"templates {family}: distinct values {strict.values}; "
              f"ours strict {strict.share:.2%}, outside surrogates {outside.share:.2%} "
              f"({ours.propagated} spans added by the propagation pass); "
              f"Presidio replace {rival.share:.2%}; ratio ours/rival {ratio:.2f}; "
              f"time ours {ours_s:.1f}s vs rival {rival_s:.1f}s")
        for entity, (leaked, total) in sorted(outside.by_type.items()):
            strict_leaked = strict.by_type.get(entity, (0, 0))[0]
            rival_leaked = rival.by_type.get(entity, (0, 0))[0]
            print(f"   {entity:<14} strict {strict_leaked:>4}/{total:<5} outside {leaked:>4}/"
                  f"{total:<5} presidio {rival_leaked:>4}/{total}")


def canary_section(n_docs: int, epochs: int, per_group: int = 10) -> None:
    """Non-DP vs DP-SGD at eps=8 per document vs per privacy unit (documents sharing a rare
    identifier train as one unit), same architecture, epochs, batch and seed."""
    print(f"== dp_lm canaries: eps=8 vs non-DP, {n_docs} docs, {epochs} epochs, 6 digits")
    config = CharLMConfig(max_chars=96, d_model=64, n_layers=2, n_heads=4, epochs=epochs,
                          batch_size=64, lr=3e-3)
    canaries = make_canaries([0, 10], per_count=per_group, seed=7)
    for into in ("existing", "new"):
        texts = insert_canaries(make_ticket_corpus(n_docs, seed=1), canaries, into=into, seed=2)
        dp = DPConfig(8.0, 1.0 / (10 * len(texts)))
        units = privacy_units(texts)
        runs = (("non-DP", None, None), ("DP eps=8, per document", dp, None),
                ("DP eps=8, per unit", dp, units))
        seconds: dict[str, float] = {}
        for name, privacy, unit_arg in runs:
            t0 = time.perf_counter()
            lm, report = train_char_lm(texts, config, seed=0, privacy=privacy, units=unit_arg)
            seconds[name] = time.perf_counter() - t0
            exposure = canary_exposure(lm.log_perplexity, canaries, candidates=1000, seed=3)
            means, test = exposure.mean_by_repetitions(), exposure.versus_never_inserted(10)
            eps_text = f"eps {report.epsilon:.2f}" if report.epsilon is not None else "no DP"
            print(f"canaries into {into:<8} {name:<23} exposure x10 {means[10]:.2f} bits, never "
                  f"{means[0]:.2f} bits, gap {test['gap_bits']:.2f} (Mann-Whitney p "
                  f"{test['p_value']:.3f}; {eps_text}, train {seconds[name]:.0f}s)")
        print(f"   units: {units.to_dict()}; training time ratio DP per unit / non-DP: "
              f"{seconds['DP eps=8, per unit'] / seconds['non-DP']:.2f}")


def lm_speed_section(n_docs: int, seed: int, epochs: int) -> None:
    """Wall and CPU seconds (CPU is robust on a shared machine) of DP vs non-DP training."""
    print(f"== dp_lm training on {n_docs} labelled documents (default architecture, "
          f"{epochs} epoch(s))")
    texts = [d.text for d in make_labelled_corpus(n_docs, seed=seed, templates="all")]
    print(f"mean characters per document: {sum(map(len, texts)) / len(texts):.0f}")
    config = CharLMConfig(epochs=epochs)
    cpu = {}
    for name, privacy in (("DP eps=8", DPConfig(8.0, 1.0 / (10 * n_docs))), ("non-DP", None)):
        wall, clock = time.perf_counter(), time.process_time()
        _, report = train_char_lm(texts, config, seed=0, privacy=privacy)
        cpu[name] = time.process_time() - clock
        print(f"{name:<9} wall {time.perf_counter() - wall:.0f}s, CPU {cpu[name]:.1f}s for "
              f"{report.steps} steps, final loss {report.final_loss:.3f}, eps {report.epsilon}")
    print(f"   CPU ratio DP / non-DP: {cpu['DP eps=8'] / cpu['non-DP']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--lm-docs", type=int, default=1000)
    parser.add_argument("--canary-docs", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--canaries-per-group", type=int, default=10,
                        help="canaries inserted 10x and never inserted (each group)")
    parser.add_argument("--lm-epochs", type=int, default=1)
    parser.add_argument("--sections", default="surrogate,canary,speed",
                        help="comma-separated subset of surrogate,canary,speed")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    if "surrogate" in sections:
        surrogate_section(args.docs, args.seed)
    if "canary" in sections:
        canary_section(args.canary_docs, args.epochs, args.canaries_per_group)
    if "speed" in sections:
        lm_speed_section(args.lm_docs, args.seed, args.lm_epochs)


if __name__ == "__main__":
    # its DP fits are experiments on public data: they charge a throwaway privacy ledger,
    # not the user's budgets (every DP fit charges a ledger; SYNTHGUARD_STORE overrides)
    import os
    import tempfile

    os.environ.setdefault("SYNTHGUARD_STORE", os.path.join(tempfile.mkdtemp(), "bench.sqlite"))
    main()

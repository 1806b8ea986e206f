"""CSV-like and log-like lines: values separated by commas, tabs, pipes or semicolons."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

COLUMNS = ("{person}", "{email}", "{phone}", "{address}", "{city}", "{postcode}", "{date}", "{age}",
           "{org}", "{job}", "{num}", "{country}", "{street}", "{ip}", "{first}", "{last}", "{role}")


def generate(b: DocBuilder) -> None:
    sep = b.rng.choice((",", ", ", "\t", " | ", ";", "|"))
    cols = b.rng.sample(COLUMNS, b.rng.randint(3, 7))
    if b.rng.random() < 0.4:
        b.text(sep.join(c.strip("{}") for c in cols) + "\n")
    for i in range(b.rng.randint(1, 4)):
        if i:
            b.text("\n")
        for j, col in enumerate(cols):
            if j:
                b.text(sep)
            quote = '"' if sep.startswith(",") and col in {"{address}", "{org}"} else ""
            b.text(quote).fill(col).text(quote)

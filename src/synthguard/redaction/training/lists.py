"""Lists of people: attendees, rotas, distribution lists, bullet points, sign-up sheets."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

INTROS = ("Attendees: ", "Present: ", "Apologies: ", "cc: ", "Team: ", "Signed up so far: ",
          "Winners: ", "Interview panel: ", "Guests: ", "On call this week: ")
ITEMS = ("{person}", "{person}", "{person} ({org})", "{person} - {job}", "{hperson}", "{first}",
         "{person}, {city}", "{last}, {first}", "{lperson}", "{lfirst}", "{first} ({phone})",
         "{person} <{email}>", "{ufirst}")
# informal lists of first names only, often typed in lower case: "maria, jonas and kofi"
BARE = ("first", "first", "lfirst", "lfirst", "ufirst")


def generate(b: DocBuilder) -> None:
    n = b.rng.randint(2, 8)
    if b.rng.random() < 0.2:
        b.text(b.rng.choice(("coming: ", "who's in: ", "Going: ", "team for sat - ", "", "thanks to ")))
        kind = b.rng.choice(BARE)
        for i in range(n):
            if i:
                b.text(" and " if i == n - 1 and b.rng.random() < 0.6 else ", ")
            b.slot(kind)
        return
    if b.rng.random() < 0.5:
        b.text(b.rng.choice(INTROS))
        for i in range(n):
            if i:
                b.text(b.rng.choice(("; ", ", ", " and " if i == n - 1 else ", ")))
            b.pick_fill(ITEMS)
        b.text(".")
    else:
        b.text(b.rng.choice(INTROS).rstrip(": ") + ":\n")
        bullet = b.rng.choice(("- ", "* ", "• ", "", "{i}. ", "{i}) "))
        for i in range(n):
            b.text(("\n" if i else "") + bullet.format(i=i + 1))
            b.pick_fill(ITEMS)

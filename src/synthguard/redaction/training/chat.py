"""Chat messages: short lines with handles, times, first names and lower-case writing."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

LINES = (
    "hey {first}, did {person} call you back?", "ok will ask {first} {vague}",
    "{person} said the keys are at {street}", "meet at {org} in {city} at {time}?",
    "can u send me {first}'s number", "its {phone}", "my email is {email} btw",
    "lol {first} is {age} today", "happy birthday {first}!!", "{person} from {org} just called",
    "the {role} said to wait", "moving to {city} next month", "new address: {address}",
    "did you see {person} {vague}?", "ask {hperson} about it", "thx {first}",
    "{first} and {first} are coming too", "send it to {street} pls", "im at {org} now",
    "{common} see you {vague}", "who is {person}?", "flight to {country} on {date}",
    "{first}: running late", "sure, {first}", "call me on {phone} after {time}",
    "apt number is {unit}", "{person} ({email}) wants an invite", "she's {age} not {age}",
)
HANDLES = ("[{time}] {first}: ", "{first}: ", "<{first}> ", "{time} - {person}: ", "", "", "- ")


def generate(b: DocBuilder) -> None:
    for i in range(b.rng.randint(2, 7)):
        if i:
            b.text("\n")
        b.pick_fill(HANDLES)
        b.pick_fill(LINES)

"""Message exports: WhatsApp/SMS/Slack/IRC/forum threads and call transcripts.

Written for the training corpus (the held-out ``chat`` family is a separate generator with
its own wording, never trained on). What this family teaches: a speaker name at the start
of a line in the shapes message exports use (``maria: ok``, ``[12/03/2024, 14:22] Kofi
Asante: ...``, ``Amaia  10:14 AM``, ``GRETTA wrote:``), names typed in lower case or ALL
CAPS, a lone first name inside a short message (``ty lena``), address pieces given on their
own (``buzz Apt. 329``), and system lines and reactions that hold no name.
"""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

# speaker prefixes: {s} is the speaker slot (a name in one of several cases)
SPEAKERS = (
    "{s}: ", "{s}: ", "{s}:", "[{date}, {time}] {s}: ", "{date}, {time} - {s}: ", "{s} ({time}): ",
    "{s} [{time}]: ", "> {s}: ", "{s} wrote:\n", "{s} said: ", "{s} > ", "*{s}*: ", "({time}) {s}: ",
    "{s} - ", "{s}, {time}\n", "{s}  {time}\n", "From {s}: ", "{s} (mobile): ", "Re: {s}: ",
)
SPEAKER_SLOTS = ("first", "first", "lfirst", "lfirst", "ufirst", "person", "lperson")
MESSAGES = (
    "are you coming to {lfirst}'s tonight", "tell {first} i said hi", "{lfirst} is picking me up",
    "ty {first}!", "miss u {lfirst} xx", "no idea, ask {lfirst}", "lmao {ufirst}",
    "omg {first} did you see that", "me and {lfirst} are at the pub", "running 10 min late sorry",
    "apparently {person} is the new manager", "got it thanks", "who is bringing the cake? {lfirst}?",
    "welcome to the group {first}", "@{lfirst} can you check this", "cc {person}",
    "{lfirst} u there?", "i'm at {street}", "buzz {apt} when you get here", "it's {apt}, top floor",
    "parcel went to {apt} instead of ours", "new place is {address}", "text me on {phone}",
    "{first} got the job at {org}!!", "bus from {city} was late again", "landing in {city} at {time}",
    "dinner at {lfirst}'s?", "sorry {first}, my bad", "thanks {lperson} for organising",
    "{first} and {lfirst} already left", "is {ufirst} still off sick?", "say hi to {first} from me",
    "haha yes", "ok", "see you {vague}", "{common} the meeting is at {time}", "can't make it {vague}",
    "my cousin {first} lives near {city}", "send the photos to {email}", "{first}'s number is {phone}",
    "address for the invite: {street}, {apt}", "flat is {apt} btw", "the {role} says no",
    "hi {first} it's {lfirst} from work", "{lperson} sent the invoice", "happy bday {lfirst}!!!",
    "good luck tomorrow {first}", "{first} {last} from {org} called about the order",
    "why did {first} leave the group lol", "who's {lfirst}?", "love you {first}",
)
SYSTEM = (
    "{person} added {first}", "{first} left", "{first} changed the subject to \"{common}\"",
    "<Media omitted>", "This message was deleted", "Missed voice call", "{lfirst} reacted 👍",
    "* {lfirst} has joined #general", "* {first} is away",
)
ROLE_LABELS = ("AGENT", "CUSTOMER", "Caller", "Operator", "Agent", "Customer", "Speaker 1", "Speaker 2")


def _speaker(b: DocBuilder, fixed: list[str]) -> None:
    shape = b.rng.choice(SPEAKERS)
    head, _, tail = shape.partition("{s}")
    b.fill(head)
    if fixed and b.rng.random() < 0.7:  # threads have few speakers who come back
        b.value(b.rng.choice(fixed), "PERSON")
    else:
        fixed.append(b.slot(b.rng.choice(SPEAKER_SLOTS)))
    b.fill(tail)


def _transcript(b: DocBuilder) -> None:
    """A call transcript: role labels (not names) with names said inside the lines."""
    agent, customer = b.rng.sample(ROLE_LABELS, 2)
    lines = ("hello, you're through to {org}, my name is {first}, how can I help?",
             "hi, it's {person}, I'm calling about my order", "can I take your postcode please?",
             "it's {postcode}", "and the first line of the address?", "{street}, {apt}",
             "thank you {first}, I can see the account", "is that {hperson}?", "yes that's me",
             "my wife {first} placed it {vague}", "and a contact number?", "{phone}",
             "thanks, you've been speaking to {first}, have a good day")
    for i in range(b.rng.randint(3, 8)):
        if i:
            b.text("\n")
        b.text((agent if i % 2 == 0 else customer) + ": ")
        b.pick_fill(lines)


def generate(b: DocBuilder) -> None:
    if b.rng.random() < 0.15:
        _transcript(b)
        return
    speakers: list[str] = []
    for i in range(b.rng.randint(2, 9)):
        if i:
            b.text("\n")
        if b.rng.random() < 0.08:
            b.pick_fill(SYSTEM)
            continue
        _speaker(b, speakers)
        b.pick_fill(MESSAGES)

"""E-mails: headers, greeting, body sentences, signature blocks and forwarded parts."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

HEADERS = ("From: {person} <{email}>\nTo: {email}\nDate: {date} {time}\nSubject: {common}\n\n",
           "To: {person}\nCc: {person}; {person}\nSubject: meeting on {date}\n\n",
           "-----Original Message-----\nFrom: {email}\nSent: {date}\n\n", "")
GREETINGS = ("Hi {first},\n\n", "Hello {person},\n\n", "Dear {hperson},\n\n", "{first} -\n\n", "Hi all,\n\n",
             "Good morning {first},\n\n")
BODY = (
    "As agreed, I have copied {person} from {org}. ",
    "Could you send the contract to {email} by {date}? ",
    "The visitors from {org} arrive in {city} at {time}. ",
    "{common}, the venue changed to {street}, {city}. ",
    "Please welcome {person}, who joins us as {job}. ",
    "I spoke to {first} {vague} and she agrees. ",
    "Our new office is at {address}. ",
    "Call me on {phone} if anything comes up. ",
    "{person} and {person} will present the results. ",
    "The client ({org}) wants a decision before {date}. ",
    "{person}'s flight from {country} lands at {time}. ",
    "The {role} will book the rooms. ",
)
SIGNATURES = ("\n\nBest,\n{first}", "\n\nThanks,\n{person}\n{job} | {org}\n{phone}",
              "\n\nCheers\n{first}", "\n\n{person}\n{org}\n{address}\nT: {phone}\n{url}",
              "\n\nRegards,\n{hperson}")


def generate(b: DocBuilder) -> None:
    b.pick_fill(HEADERS)
    b.pick_fill(GREETINGS)
    for _ in range(b.rng.randint(1, 4)):
        b.pick_fill(BODY)
    b.pick_fill(SIGNATURES)

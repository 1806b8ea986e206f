"""Formal letters: salutation, a few body sentences, sign-off with name, job and address."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

OPENERS = ("Dear {hperson},\n\n", "Dear {person},\n\n", "Dear Sir or Madam,\n\n", "To {person},\n\n",
           "{org}\n{address_ml}\n\n{date}\n\nDear {hperson},\n\n", "Re: your application of {date}\n\nDear {first},\n\n",
           "{date}\n\n{person}\n{street}\n{city} {postcode}\n\nDear {hperson},\n\n", "Hello {first},\n\n")
BODY = (
    "Thank you for your letter of {date} regarding your account with {org}. ",
    "I am writing on behalf of {person}, aged {age}, who has lived at {address} since {date}. ",
    "We confirm that {person} has been employed by {org} as {job} since {date}. ",
    "Your appointment with {hperson} is on {date} at {time}. ",
    "Please send the signed form to our office at {street}, {city}. ",
    "{common}, we were unable to reach you by phone last week. ",
    "The balance of your account will be transferred to IBAN {iban} within five working days. ",
    "If you have any questions, call {phone} or write to {email}. ",
    "Our records show that you moved from {city} to {country} in {date}. ",
    "As discussed with {person} from {org}, the meeting is postponed until next month. ",
    "The {role} will contact you within two working days. ",
    "{person} ({age}) was referred to us by {hperson} of {org}. ",
    "We have updated your address to {address}. ",
    "My colleague {first} and I visited the site in {city} {vague}. ",
    "Enclosed is a copy of the lease for {street}, signed by {person} and {person}. ",
    "The {nrp} consulate in {city} has confirmed the documents. ",
)
CLOSERS = ("\n\nKind regards,\n{person}\n{job}\n{org}", "\n\nSincerely,\n\n{hperson}\n{org}\n{phone}",
           "\n\nYours faithfully,\n{person}", "\n\nBest wishes,\n{first}",
           "\n\nRegards,\n{person}\n{street}\n{city}, {state} {postcode}", "\n\nYours sincerely\n{person}, {job}")


def generate(b: DocBuilder) -> None:
    b.pick_fill(OPENERS)
    for _ in range(b.rng.randint(2, 5)):
        b.pick_fill(BODY)
    b.pick_fill(CLOSERS)

"""Support tickets: header fields, a customer description and an agent reply."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

HEADERS = ("Ticket #{num}\nFrom: {person} <{email}>\nSubject: {common} - login problem\n\n",
           "Case {num} | Priority: high | Opened {date} {time}\nCustomer: {person}\n\n",
           "[{num}] Request from {person} ({org})\n", "Incident {num} reported by {person} on {date}.\n",
           "TICKET {num}\nREQUESTER: {person}\nCOMPANY: {org}\n\n")
BODY = (
    "Customer {person} cannot log in since {date}. ",
    "Login attempts came from IP {ip} at {time}. ",
    "The parcel for {street}, {city} {postcode} was returned. ",
    "{first} says the card ending {num} was charged twice. ",
    "Please update the delivery address to {address}. ",
    "Caller asked for a callback on {phone}. ",
    "The {role} escalated it to {person} in the {city} office. ",
    "Account holder is {person}, date of birth {date}. ",
    "Refund to card {card} approved by {person}. ",
    "{common}: the issue happens every night around {time}. ",
    "Customer works for {org} and needs the invoice in the company name. ",
    "Billing contact changed to {email}. ",
    "{person} from {org} reports the portal at {url} is down. ",
    "She mentioned her son {first} ({age}) also uses the account. ",
    "{first} confirmed the new address by phone. ", "spoke to {lfirst} again, no change. ",
    "{ufirst} WILL CALL BACK {vague}. ", "Courier left it with {apt} by mistake. ",
    "Delivery note says {street}, {apt}. ", "Customer's partner {lfirst} answered. ",
)
REPLIES = ("\n\nHi {first},\nthanks for reaching out. We have reset your password.\n{person}\n{org} Support",
           "\n\nAgent note: verified identity with date of birth and postcode {postcode}.",
           "\n\n-- {person}, Tier 2", "\n\nStatus: resolved {vague}.", "")


def generate(b: DocBuilder) -> None:
    b.pick_fill(HEADERS)
    for _ in range(b.rng.randint(1, 4)):
        b.pick_fill(BODY)
    b.pick_fill(REPLIES)

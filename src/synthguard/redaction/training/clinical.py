"""Clinical notes: abbreviations, roles (GP, Pt, Caller) and vague time phrases that are not PII."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

HEADERS = ("Clinic note {date}\n", "Discharge summary - {person}\nDOB: {date}\nMRN: {num}\n\n",
           "Patient: {person}\nAge: {age}\nAddress: {address}\n\n", "Pt {person}, {age}yo, seen {date} at {time}.\n",
           "Referral letter\nTo: {hperson}, {org}\nRe: {person} ({age})\n\n", "Telephone consult {date}\nCaller: {person}\n")
BODY = (
    "Pt is a {age}-year-old {nrp} woman who presents with chest pain {vague}. ",
    "{first} reports headaches every night and poor sleep. ",
    "Seen by {hperson} in the {org} emergency department. ",
    "GP advised paracetamol twice a day. ",
    "Caller states the patient fell {vague}. ",
    "Lives with her husband {person} in {city}. ",
    "Next of kin: {person} ({phone}). ",
    "Aged {age}, non-smoker, works as a {job}. ",
    "Follow up with {hperson} on {date}. ",
    "Transferred to {org} on {date} at {time}. ",
    "{common} BP 130/85, HR 72. ",
    "Patient's daughter {first} called {vague} to ask about results. ",
    "Home address on file: {street}, {city}, {postcode}. ",
    "Previously treated at {org} in {country}. ",
    "{role} to review meds {vague}. ",
    "Mr {last}, {age}, was alert and oriented. ",
)


def generate(b: DocBuilder) -> None:
    b.pick_fill(HEADERS)
    for _ in range(b.rng.randint(2, 6)):
        b.pick_fill(BODY)

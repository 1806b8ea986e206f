"""HR records and forms: field lists, employment history and review notes."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

FIELDS = ("Employee name: {person}\n", "Employee ID: {num}\n", "Job title: {job}\n", "Department: {role}\n",
          "Manager: {person}\n", "Start date: {date}\n", "Date of birth: {date}\n", "Age: {age}\n",
          "Home address: {address}\n", "Mobile: {phone}\n", "Personal email: {email}\n", "SSN: {ssn}\n",
          "Bank account (IBAN): {iban}\n", "Emergency contact: {person}, {phone}\n", "Nationality: {nrp}\n",
          "Office: {org}, {city}\n", "Previous employer: {org}\n", "Salutation: {hperson}\n")
NOTES = (
    "Annual review: {first} exceeded targets this year. ",
    "{person} joined {org} on {date} as {job}. ",
    "Relocated from {city} to {city} in {date}. ",
    "The Manager approved leave from {date} to {date}. ",
    "{hperson} will be the new line manager. ",
    "Reference provided by {person} of {org}. ",
    "HR note: the employee, aged {age}, requested flexible hours. ",
    "Payroll updated after {first} moved to {street}. ",
    "{first} asked for a transfer to the {city} office. ", "called {lfirst} re: sick leave. ",
    "Flat number changed to {apt}. ", "{last} will mentor {first} {vague}. ",
)


def generate(b: DocBuilder) -> None:
    title = b.rng.choice(("EMPLOYEE RECORD\n", "Personnel file\n", "New starter form\n", "HR - confidential\n", ""))
    b.text(title)
    fields = list(FIELDS)
    b.rng.shuffle(fields)
    for f in fields[: b.rng.randint(3, 9)]:
        b.fill(f)
    if b.rng.random() < 0.7:
        b.text("\nNotes: ")
        for _ in range(b.rng.randint(1, 3)):
            b.pick_fill(NOTES)

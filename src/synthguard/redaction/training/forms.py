"""Key-value forms: "Name: ... Address: ..." with varied labels, layouts and separators."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

FIELDS = (
    (("Name", "Full name", "Applicant", "NAME", "Customer name", "Patient name", "Surname"), "{person}"),
    (("First name", "Given name", "Forename", "FIRST NAME"), "{first}"),
    (("Last name", "Family name", "Surname", "LAST NAME"), "{last}"),
    (("Flat/unit", "Apartment", "Unit no."), "{apt}"),
    (("Address", "Street address", "Home address", "Mailing address", "ADDRESS", "Residence"), "{address}"),
    (("Street", "Address line 1"), "{street}"),
    (("Address line 2", "Apt/Suite"), "{unit}"),
    (("City", "Town", "City/Town"), "{city}"),
    (("State", "County", "Province", "Region"), "{state}"),
    (("ZIP", "Zip code", "Postcode", "Postal code", "ZIP/Postal"), "{postcode}"),
    (("Country",), "{country}"),
    (("Phone", "Tel", "Mobile", "Telephone"), "{phone}"),
    (("Email", "E-mail", "Email address"), "{email}"),
    (("Date of birth", "DOB", "Birth date"), "{date}"),
    (("Age",), "{age}"),
    (("Company", "Employer", "Organisation", "Organization"), "{org}"),
    (("Occupation", "Job title", "Position"), "{job}"),
    (("Title", "Salutation", "Prefix"), "{hon}"),
    (("Card number",), "{card}"),
    (("IBAN",), "{iban}"),
    (("Reference", "Ref no.", "Form ID"), "{num}"),
    (("Signed", "Signature"), "{person}"),
    (("Date",), "{date}"),
)


def generate(b: DocBuilder) -> None:
    fields = list(FIELDS)
    b.rng.shuffle(fields)
    layout = b.rng.choice(("\n", "\n", "; ", " | ", "  "))
    colon = b.rng.choice((": ", ": ", " - ", ":\t", " = "))
    for i, (labels, slot) in enumerate(fields[: b.rng.randint(3, 10)]):
        if i:
            b.text(layout)
        b.text(b.rng.choice(labels) + colon)
        if slot == "{hon}":
            b.value(b.rng.choice(("Mr", "Mrs", "Ms", "Dr", "Prof", "Mr.", "Mrs.", "Miss", "Mx")), "PERSON")
        else:
            b.fill(slot)

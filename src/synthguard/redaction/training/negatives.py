"""Text with few or no identifiers: capitalised words, roles and vague time phrases."""

from __future__ import annotations

from synthguard.redaction.training._builder import DocBuilder

SENTENCES = (
    "{common}, the {role} will call back {vague}. ", "Caller was advised to rest and drink water. ",
    "GP to review {vague}. ", "The Patient reports pain every night. ", "Manager approved the request. ",
    "Customer wants a refund for the Premium plan. ", "{common} - no further action needed. ",
    "Reception is closed on Sundays. ", "The Engineer replaced the Router {vague}. ",
    "Take two tablets twice a day after meals. ", "Meeting moved to next week. ",
    "Staff should wear ID badges at all times. ", "The Board meets every month. ",
    "Security Team reviewed the Access Logs. ", "Pharmacy will deliver {vague}. ",
    "Weather was cold and Wet. ", "Please complete the Survey before Friday. ",
    "Nurse checked the Dressing this morning. ", "Admin has reset the Password. ",
    "Order was shipped {vague} by Standard Delivery. ", "The Client prefers Email contact. ",
    "Dispatch sent a Van to the Warehouse. ", "No Known Allergies. ", "Dr to see after lunch. ",
    "{role} notified. ", "Tenant reported a Leak in the Kitchen. ", "Review in 6 Weeks. ",
)


def generate(b: DocBuilder) -> None:
    for _ in range(b.rng.randint(2, 6)):
        b.pick_fill(SENTENCES)

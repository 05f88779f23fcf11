"""Fixed vocabularies shared by every part of the system (see DESIGN.md)."""

from __future__ import annotations

DEFECT_CATEGORIES = (
    "stitching",
    "sole_separation",
    "heel_detachment",
    "upper_damage",
    "leather_finish",
    "sizing_fit",
    "colour_mismatch",
    "hardware",
    "lining_insole",
    "odour_or_stain",
    "wrong_item",
    "damaged_in_transit",
    "late_delivery",
    "other",
)

RESOLUTION_TYPES = (
    "refund",
    "replacement",
    "repair",
    "partial_refund",
    "store_credit",
    "exchange",
    "investigation",
    "none",
)

# What a case is about: a fault (``complaint``, the default) or a request a person must act on.
CASE_KINDS = ("complaint", "cancellation", "return", "callback", "enquiry")

# Where an order is (orders CSV ``status``); blank when the shop's file does not say.
ORDER_STATUSES = ("processing", "dispatched", "delivered", "cancelled")

PRIORITIES = ("urgent", "high", "normal", "low")

COMPONENTS = (
    "sole",
    "heel",
    "upper",
    "toe",
    "lining",
    "insole",
    "stitching",
    "zip",
    "buckle",
    "strap",
    "eyelet",
    "lace",
    "handle",
    "clasp",
    "packaging",
)

ROOT_CAUSE_CATEGORIES = ("material", "method", "machine", "people", "measurement", "environment")


def check_choice(kind: str, value: str, allowed: tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise a clear ValueError."""
    if value not in allowed:
        raise ValueError(f"unknown {kind} {value!r}; use one of: {', '.join(allowed)}")
    return value

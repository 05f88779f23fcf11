"""Customer-facing wording: labels, acknowledgements and next steps."""

from __future__ import annotations

CATEGORY_LABELS = {
    "stitching": "stitching coming apart",
    "sole_separation": "the sole coming away",
    "heel_detachment": "the heel coming off",
    "upper_damage": "damage to the upper",
    "leather_finish": "the leather cracking or peeling",
    "sizing_fit": "the size or fit",
    "colour_mismatch": "the colour not matching",
    "hardware": "a broken buckle, zip or fitting",
    "lining_insole": "the lining or insole",
    "odour_or_stain": "a smell or stain",
    "wrong_item": "the wrong item arriving",
    "damaged_in_transit": "it arriving damaged",
    "late_delivery": "a late delivery",
    "other": "another problem",
}

# What the customer hears first (Hear, Empathise, Apologise, Take ownership), by category.
EMPATHY = {
    "stitching": "Stitching that gives way is not the quality we promise.",
    "sole_separation": "A sole coming away is a real fault, and not something you should have to put up with.",
    "heel_detachment": "A heel coming off is a serious fault.",
    "upper_damage": "That's not the condition they should be in.",
    "leather_finish": "The leather should age well, not crack or peel.",
    "sizing_fit": "Shoes that don't fit properly are no use at all.",
    "colour_mismatch": "You should get exactly the colour you chose.",
    "hardware": "A fitting that breaks makes the whole item hard to use.",
    "lining_insole": "That sounds uncomfortable, and it shouldn't happen.",
    "odour_or_stain": "That's unpleasant, and not what you paid for.",
    "wrong_item": "You should have received exactly what you ordered.",
    "damaged_in_transit": "It should have reached you in perfect condition.",
    "late_delivery": "Waiting longer than we promised is frustrating.",
}

# Buttons offered when the problem is not clear yet.
CATEGORY_BUTTONS = (
    "stitching",
    "sole_separation",
    "heel_detachment",
    "upper_damage",
    "leather_finish",
    "sizing_fit",
    "colour_mismatch",
    "hardware",
    "lining_insole",
    "wrong_item",
    "damaged_in_transit",
    "late_delivery",
    "other",
)

COMPONENT_BUTTONS = {
    "hardware": ("buckle", "zip", "strap", "eyelet", "clasp", "handle"),
    "lining_insole": ("lining", "insole"),
    "leather_finish": ("upper", "toe", "heel", "strap"),
    "upper_damage": ("upper", "toe", "heel", "strap"),
}

# Categories where the affected part follows from the category itself.
DEFAULT_COMPONENT = {
    "stitching": "stitching",
    "sole_separation": "sole",
    "heel_detachment": "heel",
}

NEXT_STEPS = {
    "refund": "We'll send you a free returns label by email; your refund goes back to your original payment "
    "method within 14 days of the item reaching us.",
    "replacement": "We'll send a free returns label and dispatch a replacement as soon as the item is on its way back.",
    "repair": "We'll send a free returns label; our workshop will repair the item and send it back to you.",
    "partial_refund": "We'll refund the agreed amount to your original payment method within 5 working days.",
    "store_credit": "We'll email you a store credit code within 2 working days.",
    "exchange": "We'll send a free returns label and dispatch the exchange as soon as the item is on its way back.",
    "investigation": "A member of our quality team will contact you to arrange an inspection.",
    "none": "A member of our team will review your case and contact you.",
}

PRIORITY_PROMISE = {
    "urgent": "A member of our team will contact you within the hour.",
    "high": "A member of our team will contact you within 4 hours.",
    "normal": "A member of our team will contact you within one working day.",
    "low": "A member of our team will contact you within two working days.",
}


def category_label(category: str | None) -> str:
    """A phrase for a defect category."""
    return CATEGORY_LABELS.get(category or "other", "another problem")


def category_title(category: str) -> str:
    """A button title for a defect category: ``sole_separation`` -> ``The sole coming away``."""
    label = category_label(category)
    return label[:1].upper() + label[1:]


def humanise(code: str) -> str:
    """``sole_separation`` -> ``Sole separation``."""
    return code.replace("_", " ").capitalize()

# When the case database is locked, restarting or down (docs/reliability.md): plain words, never silence.
STORE_SLOW_LOOKUP = (
    "Our order system is slow to answer right now, so I can't check every detail yet. "
    "Nothing you've told me is lost: I'll check it all when I log your case."
)
STORE_DEFERRED_CASE = (
    "Thank you, your complaint is confirmed and nothing you've told me is lost. Our case system is slow to save "
    "right now, so your case reference will follow here in a few minutes (or by email if this chat has closed). "
    "You don't need to do anything else."
)
STORE_DEFERRED_HANDOFF = (
    "Of course. I've noted everything you've told me and asked for a member of our team. Our case system is slow "
    "right now, so it may take a few minutes to reach them, but nothing you've said is lost."
)
STORE_STATUS_UNAVAILABLE = (
    "Sorry, I can't look up case {reference} right now because our case system is busy. "
    "Nothing is lost; please ask me again in a few minutes."
)
STORE_DEFERRED_ANSWER = (
    "Thank you for your answer. Our system is slow to save right now, so it will be recorded in a few minutes; "
    "nothing you've told us is lost."
)
STORE_SAVE_FAILED = (
    "I'm sorry, I couldn't save your complaint just now and our back-up store is unavailable too. Nothing you've "
    "told me is lost from this chat: please say yes again in a minute, or ask for a person."
)
STORE_BUSY = (
    "Sorry, our case system is slow to answer right now. Nothing you've told me is lost; "
    "please carry on, or try again in a minute."
)
NO_ANSWER = (
    "Sorry, something went wrong on our side just now. Nothing you've told me is lost: please send that "
    "again in a moment, or ask for a person."
)
CASE_LOGGED_LATE = (
    "Good news: the complaint you confirmed earlier is now logged. Your reference is {reference}; "
    "please keep it handy. We'll be in touch with the next steps."
)

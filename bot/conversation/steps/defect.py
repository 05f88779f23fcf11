"""Step: what is wrong (defect category, with the model's likeliest readings when unsure) and which part."""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional

from bot.conversation.state import ComplaintState, append_description
from bot.conversation.steps.context import Answer
from bot.conversation.wording import say
from bot.nlp.extraction import Extraction
from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

MAX_CANDIDATES = 3

# Categories offered as buttons when the problem is not clear yet: all but a smell or stain, which customers
# describe in their own words.
CATEGORY_BUTTONS = tuple(c for c in DEFECT_CATEGORIES if c != "odour_or_stain")
# Categories whose part is asked, with the parts offered.
COMPONENT_BUTTONS = {
    "hardware": ("buckle", "zip", "strap", "eyelet", "clasp", "handle"),
    "lining_insole": ("lining", "insole"),
    "leather_finish": ("upper", "toe", "heel", "strap"),
    "upper_damage": ("upper", "toe", "heel", "strap"),
}
ANY_PART = ("sole", "heel", "upper", "stitching", "lining")
# Categories where the affected part follows from the category itself.
DEFAULT_COMPONENT = {
    "stitching": "stitching",
    "sole_separation": "sole",
    "heel_detachment": "heel",
}

_SOMETHING_ELSE = re.compile(
    r"^\s*(?:it'?s\s+)?(?:something else|none of (?:these|those|them|the above)|neither(?: of them)?|other|"
    r"something different)\b",
    re.I,
)


def means_something_else(text: str) -> bool:
    """True when the words answer "one of these?" with "something else" / "none of them"."""
    return _SOMETHING_ELSE.search(text or "") is not None


def category_label(category: Optional[str]) -> str:
    """A phrase for a defect category ("the sole coming away"); unknown ones are "another problem"."""
    known = category if category in DEFECT_CATEGORIES else "other"
    return say(f"category.label.{known}")


def category_title(category: str) -> str:
    """A button title for a defect category: ``sole_separation`` -> ``The sole coming away``."""
    label = category_label(category)
    return label[:1].upper() + label[1:]


def offered_candidates(state: ComplaintState) -> list[str]:
    """The likeliest defect categories to offer as buttons (the model was unsure), best first."""
    found: list[str] = []
    for candidate in state.defect_candidates or []:
        category = candidate.get("category") if isinstance(candidate, Mapping) else candidate
        if category in DEFECT_CATEGORIES and category != "other" and category not in found:
            found.append(category)
    return found[:MAX_CANDIDATES]


def candidates_of(extraction: Extraction) -> Optional[list[dict[str, Any]]]:
    """The model's likeliest readings of one message (known categories, not "other"), best first."""
    found = [
        {"category": c.get("category"), "confidence": c.get("confidence")}
        for c in extraction.defect_candidates
        if c.get("category") in DEFECT_CATEGORIES and c.get("category") != "other"
    ]
    return found[:MAX_CANDIDATES] or None


def complete_category(state: ComplaintState, updates: dict[str, Any]) -> None:
    """Fill a component implied by the category, and keep heel/sole categories consistent."""
    merged = state.merged(updates)
    category = merged.defect_category
    component = merged.component
    secondary = merged.secondary_defect_category
    if component == "heel" and category == "sole_separation":
        updates["defect_category"] = "heel_detachment"
    elif component == "sole" and category == "heel_detachment":
        updates["defect_category"] = "sole_separation"
    category = updates.get("defect_category", category)
    if secondary and secondary == category:
        updates["secondary_defect_category"] = None
    if category in DEFAULT_COMPONENT and not component:
        updates["component"] = DEFAULT_COMPONENT[category]
    if category and category not in COMPONENT_BUTTONS and category not in DEFAULT_COMPONENT and not component:
        updates["component"] = "n/a"


def part_named(extraction: Extraction) -> Optional[str]:
    """The one part the text names (as an answer: "the heel"), even when it names no fault."""
    if extraction.component:
        return extraction.component
    parts = [p for p in dict.fromkeys(extraction.components) if p in COMPONENTS]
    return parts[0] if len(parts) == 1 else None


def _named_candidate(text: str, offered: list[str]) -> Optional[str]:
    """An offered category the customer typed by its button title ("the sole coming away", "sole separation")."""
    lowered = " ".join(text.lower().replace("_", " ").split())
    for category in offered:
        names = {category.replace("_", " "), category_label(category).lower()}
        if any(name and name in lowered for name in names):
            return category
    return None


def handle_defect_category(answer: Answer) -> None:
    """What is wrong: a button, the words of the message, or (after two tries) "other" in their own words."""
    state, message, turn = answer.state, answer.message, answer.turn
    offered = offered_candidates(state)
    chosen = message.entity("defect_category")
    if chosen not in DEFECT_CATEGORIES:
        chosen = message.facts.get("defect_category") or _named_candidate(message.text, offered)
    if chosen not in DEFECT_CATEGORIES and offered and means_something_else(message.text):
        chosen = "other"
    if chosen in DEFECT_CATEGORIES:
        turn.slots["defect_category"] = chosen
        turn.slots["defect_candidates"] = None
        if chosen == "other" and offered:
            turn.say("defect.other_kept")
        return
    tries = answer.bump("defect_category")
    turn.slots["description"] = append_description(state, message.text)
    if tries >= 2:
        turn.slots["defect_category"] = "other"
        turn.slots["defect_candidates"] = None
        turn.say("defect.noted_in_own_words")
        return
    candidates = candidates_of(message.extraction)
    if candidates:
        # What they just said is the best evidence: offer its likeliest readings next time.
        turn.slots["defect_candidates"] = candidates


def handle_component(answer: Answer) -> None:
    """Which part is affected: a button, a part named, or "n/a" when they don't know."""
    message, turn = answer.message, answer.turn
    chosen = message.entity("component")
    if chosen in COMPONENTS or chosen == "n/a":
        turn.slots["component"] = chosen
        return
    named = message.facts.get("component") or part_named(message.extraction)
    if named:
        turn.slots["component"] = named
        return
    if answer.dont_know() or answer.bump("component") >= 2:
        turn.slots["component"] = "n/a"

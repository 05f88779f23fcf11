"""Request: how to reach us (phone, e-mail, hours, the returns address), from the settings, in one message."""

from __future__ import annotations

import re

from bot.conversation.catalogue import Catalogue
from bot.conversation.replies import composed
from bot.conversation.requests.state import RequestTurn
from bot.conversation.wording import say

# Which detail the question names, so the answer leads with it.
_ASKS = {
    "phone": re.compile(r"\b(?:phone|number|call|ring|telephone|tel|helpline|freephone|mobile)\b", re.IGNORECASE),
    "email": re.compile(r"\b(?:e-?mail|mail|write|address to e-?mail)\b", re.IGNORECASE),
    "hours": re.compile(r"\b(?:hours|open|opening|close|closing|when|times?|weekend|saturday|sunday)\b", re.IGNORECASE),
    "address": re.compile(
        r"\b(?:returns? address|address\b.*\breturns?|(?:send|post) (?:it|them|things|items?) back|"
        r"where (?:do|should|can) i (?:send|post)|returns? (?:it |them )?to)\b",
        re.IGNORECASE,
    ),
}
ORDER = ("phone", "email", "hours", "address")


def asked_first(text: str) -> str:
    """The detail the question names first ("phone" when it names none)."""
    named = [(m.start(), name) for name, pattern in _ASKS.items() if (m := pattern.search(text or ""))]
    if any(name == "address" for _, name in named):
        return "address"  # "what's the address to send returns to" also says "send"/"post"
    return min(named)[1] if named else "phone"


def answer(catalogue: Catalogue, text: str) -> RequestTurn:
    """Every contact detail in one message, leading with the one asked about."""
    details = catalogue.contact()
    lines = {
        "phone": say("contact.phone", phone=details.phone),
        "email": say("contact.email", email=details.email),
        "hours": say("contact.hours", hours=details.hours),
        "address": say("contact.address", address=details.returns_address),
    }
    first = asked_first(text)
    ordered = [first, *(name for name in ORDER if name != first)]
    turn = RequestTurn()
    turn.add(composed(f"contact.{first}", " ".join(lines[name] for name in ordered)))
    return turn

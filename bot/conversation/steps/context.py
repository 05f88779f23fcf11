"""What every step gets: the complaint so far, the customer's message, the shop, and the turn to fill."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.conversation.catalogue import Catalogue
from bot.conversation.replies import Turn
from bot.conversation.state import ComplaintState, CustomerMessage, bump

_DONT_KNOW = re.compile(
    r"\b(don'?t know|do not know|dunno|no idea|not sure|can'?t (?:find|remember)|cannot (?:find|remember)|"
    r"lost (?:it|the|my)|don'?t have (?:it|the|one|an?)|haven'?t got (?:it|the|one|an?)|no receipt|unsure)\b",
    re.IGNORECASE,
)


@dataclass
class Answer:
    """One customer message read as the answer to one question."""

    state: ComplaintState
    message: CustomerMessage
    catalogue: Catalogue
    turn: Turn

    def bump(self, name: str) -> int:
        """Count one more unanswered try at question ``name``; the count so far."""
        return bump(self.state, self.turn, name)

    def dont_know(self) -> bool:
        """True when the customer says they don't know (or don't have) what was asked."""
        return self.message.intent == "dont_know" or bool(_DONT_KNOW.search(self.message.text))

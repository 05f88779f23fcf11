"""Step: was anyone hurt (asked only when the complaint could be a safety issue)."""

from __future__ import annotations

from bot.conversation.state import UNKNOWN
from bot.conversation.steps.context import Answer
from bot.patterns import is_no, is_yes


def handle_injury_reported(answer: Answer) -> None:
    """Yes (urgent, a person calls), no, or unknown after two unclear answers."""
    message, turn = answer.message, answer.turn
    if message.intent == "affirm" or is_yes(message.text) or message.extraction.injury:
        turn.slots["injury_reported"] = "yes"
        turn.say("injury.reported")
    elif message.intent == "deny" or is_no(message.text):
        turn.slots["injury_reported"] = "no"
        turn.say("injury.none")
    elif answer.bump("injury_reported") >= 2:
        turn.slots["injury_reported"] = UNKNOWN

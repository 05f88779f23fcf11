"""Step: when the item was bought (or arrived)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from bot.conversation.state import MAX_TRIES, UNKNOWN
from bot.conversation.steps.context import Answer


def handle_purchase_date(answer: Answer) -> None:
    """A purchase date; any date not in the future answers "when did you buy them?"."""
    message, turn = answer.message, answer.turn
    if message.facts.get("purchase_date"):
        turn.slots["purchase_date"] = message.facts["purchase_date"]
        return
    # the answer to "when did you buy them?": any date that is not in the future ("last Tuesday", "in March")
    today = message.today.isoformat()
    answered = [d["date"] for d in message.extraction.dates if d.get("date") and str(d["date"]) <= today]
    if answered:
        turn.slots["purchase_date"] = answered[0]
        return
    if answer.dont_know() or answer.bump("purchase_date") >= MAX_TRIES:
        turn.slots["purchase_date"] = UNKNOWN
        turn.say("dates.unknown_ok")
        return
    turn.say("dates.unclear")


def parse_date(value: Any) -> Optional[dt.date]:
    """The date in a slot value (ISO), None when unknown or not a date."""
    if not value or value == UNKNOWN:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None

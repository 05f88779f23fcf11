"""Request: call me back, with a phone number and a preferred time; a ``callback`` case saying when to call.

The number must be a UK or international one with 9+ digits (asked again once when it is not); the time is the
customer's words ("any time" is fine).
The number is never logged here, and the customer hears only its last digits back.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.conversation.catalogue import Catalogue
from bot.conversation.requests.state import MAX_CALLBACK_WORDS, CaseRequest, RequestMessage, RequestState, RequestTurn
from bot.conversation.wording import say
from bot.patterns import PHONE, find_phone

REQUEST = "request_callback"
MIN_DIGITS, MAX_DIGITS = 9, 15
# Words that say when to call ("tomorrow morning", "after 5pm", "any time", "Monday").
_WHEN = re.compile(
    r"\b(?:any ?time|anytime|whenever|today|tonight|tomorrow|morning|afternoon|evening|lunch(?:time)?|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend|weekday|\d{1,2}(?::\d{2})?\s?(?:am|pm)|"
    r"\d{1,2} o'?clock|asap|as soon as|now|after|before|between)\b",
    re.IGNORECASE,
)


def valid_phone(text: str) -> Optional[str]:
    """The phone number in ``text`` when it is a real one (9 to 15 digits), else None."""
    found = find_phone(text)
    if found is None:
        return None
    digits = re.sub(r"\D", "", found)
    return found.strip() if MIN_DIGITS <= len(digits) <= MAX_DIGITS else None


def ending(phone: str) -> str:
    """The last three digits, to read a number back without repeating it."""
    return re.sub(r"\D", "", phone)[-3:]


def preferred_time(text: str) -> Optional[str]:
    """The customer's words about when to call (the number taken out), or None when they say nothing of it."""
    words = " ".join(PHONE.sub(" ", text or "").split())
    if not _WHEN.search(words):
        return None
    return words[:MAX_CALLBACK_WORDS]


def answer(catalogue: Catalogue, state: RequestState, message: RequestMessage) -> RequestTurn:
    """Take the number, then the time, then open the call-back case."""
    turn = RequestTurn()
    phone = valid_phone(message.text)
    if state.in_complaint:
        return _in_complaint(state, phone, turn)
    if state.asked == "time":
        return _open(catalogue, state, state.phone or "", _time_answer(message.text), turn)
    if phone is None and (state.asked == "phone" or not state.phone):
        return _ask_phone(catalogue, state, message, turn)
    phone = phone or state.phone or ""
    turn.slots["phone"] = phone
    when = preferred_time(message.text)
    if when is None:
        turn.say("callback.ask_time", ending=ending(phone))
        turn.wait(f"{REQUEST}:time")
        return turn
    return _open(catalogue, state, phone, when, turn)


def _ask_phone(catalogue: Catalogue, state: RequestState, message: RequestMessage, turn: RequestTurn) -> RequestTurn:
    if state.asked != "phone":
        turn.say("callback.ask_phone")
        turn.wait(f"{REQUEST}:phone")
    elif state.tries < 1:
        turn.say("callback.bad_phone")
        turn.wait(f"{REQUEST}:phone", tries=1)
    else:
        turn.say("callback.give_up", phone=catalogue.contact().phone, hours=catalogue.contact().hours)
        turn.finish()
    return turn


def _time_answer(text: str) -> str:
    words = " ".join(PHONE.sub(" ", text or "").split())[:MAX_CALLBACK_WORDS]
    return words or say("callback.any_time")


def _open(catalogue: Catalogue, state: RequestState, phone: str, when: str, turn: RequestTurn) -> RequestTurn:
    turn.finish()
    turn.slots["phone"] = phone
    turn.case = CaseRequest(
        kind="callback",
        description=say("callback.record", when=when),
        confirm="callback.logged",
        confirm_values={"ending": ending(phone), "when": when, "our_number": catalogue.contact().phone},
        customer_email=state.customer_email,
        customer_name=state.customer_name or "",
        phone=phone,
        callback_at=when,
        key=f"callback:{ending(phone)}",
    )
    return turn


def _in_complaint(state: RequestState, phone: Optional[str], turn: RequestTurn) -> RequestTurn:
    """Inside a complaint the number goes on the complaint's case, and the complaint carries on."""
    if phone:
        turn.slots["phone"] = phone
        turn.say("callback.noted_on_complaint", ending=ending(phone))
    else:
        turn.say("callback.give_number_in_complaint")
    return turn

"""Request: call me back, with a phone number and a preferred time; a ``callback`` case saying when to call.

The number must be a UK or international one with 9+ digits (asked again once when it is not); the time is the
customer's words ("any time" is fine), taken from the text of the answer to "when's a good time?" whatever intent
the model reads in it ("tomorrow morning" looks like a greeting, "after 5pm" like a complaint); words that name no
time get the question once more.
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
# Words that say when to call ("tomorrow morning", "after 5pm", "any time", "Monday", "half 4", "no preference").
_WHEN = re.compile(
    r"\b(?:any ?time|anytime|whenever|today|tonight|tomorrow|tomorow|tmrw?|tomoz|mornings?|afternoons?|evenings?|"
    r"lunch(?:time)?|noon|midday|first thing|later (?:today|on)|"
    r"mondays?|tuesdays?|tues|wednesdays?|weds|thursdays?|thurs|fridays?|fri|saturdays?|sundays?|weekends?|weekdays?|"
    r"\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)|\d{1,2} o'?clock|half (?:past )?\d{1,2}|quarter (?:past|to) \d{1,2}|"
    r"asap|as soon as|now|after|before|between|around \d{1,2}|from \d{1,2}|"
    r"no preference|(?:doesn'?t|does not) matter|(?:don'?t|do not) mind|up to you|suits? you)\b",
    re.IGNORECASE,
)
# A bare hour ("4", "10.30") answers "when's a good time?" too, once it has been asked.
_HOUR = re.compile(r"^\s*(?:at\s+)?(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?\s*[.!]?\s*$")


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


def preferred_time(text: str, asked: bool = False) -> Optional[str]:
    """The customer's words about when to call (the number taken out), or None when they say nothing of it.

    ``asked``: the answer to "when's a good time?", where a bare hour ("4") is a time too.
    """
    words = " ".join(PHONE.sub(" ", text or "").split())
    if not (_WHEN.search(words) or (asked and _HOUR.match(words))):
        return None
    return words[:MAX_CALLBACK_WORDS]


def answer(catalogue: Catalogue, state: RequestState, message: RequestMessage) -> RequestTurn:
    """Take the number, then the time, then open the call-back case."""
    turn = RequestTurn()
    phone = valid_phone(message.text)
    if state.in_complaint:
        return _in_complaint(state, phone, turn)
    if state.asked == "time":
        return _time_given(catalogue, state, phone, message.text, turn)
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


def _time_given(
    catalogue: Catalogue, state: RequestState, phone: Optional[str], text: str, turn: RequestTurn
) -> RequestTurn:
    """The answer to "when's a good time?": read from the words, whatever the intent model made of them.

    Words that name no time ("thanks", "hmm") get the question once more; then the customer's words are kept as
    they are for staff to read (or "any time" when nothing is left once a new number is taken out).
    """
    when = preferred_time(text, asked=True)
    if when is None and state.tries < 1:
        turn.say("callback.ask_time_again")
        turn.wait(f"{REQUEST}:time", tries=1)
        return turn
    words = " ".join(PHONE.sub(" ", text or "").split())[:MAX_CALLBACK_WORDS]
    return _open(catalogue, state, phone or state.phone or "", when or words or say("callback.any_time"), turn)


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

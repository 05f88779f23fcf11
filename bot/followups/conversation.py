"""The satisfaction conversation: solved?, a 1-5 rating, an optional comment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from bot.cases import deferred, service
from bot.cases.store import Store
from bot.conversation.replies import Reply, Turn, reply
from bot.conversation.wording import say
from bot.followups.queue import mark_delivered
from bot.patterns import starts_with_any

SLOTS = ("followup_solved", "followup_score", "followup_comment")

_WORD_SCORES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "terrible": 1, "awful": 1, "appalling": 1, "useless": 1, "very unhappy": 1, "very poor": 1, "dreadful": 1,
    "poor": 2, "unhappy": 2, "not happy": 2, "disappointed": 2, "bad": 2, "not great": 2,
    "ok": 3, "okay": 3, "average": 3, "fine": 3, "so so": 3, "so-so": 3, "alright": 3,
    "good": 4, "happy": 4, "pleased": 4, "satisfied": 4,
    "very happy": 5, "excellent": 5, "brilliant": 5, "great": 5, "perfect": 5, "fantastic": 5, "very good": 5,
    "very pleased": 5, "delighted": 5, "very satisfied": 5,
}  # fmt: skip
# "Has the problem been solved?" has its own yes and no words ("sorted", "not yet", "still ...").
_SOLVED = starts_with_any(
    ("y", "yes", "yeah", "yep", "yup", "it is", "it has", "solved", "sorted", "all good", "fixed")
)
_NOT_SOLVED = starts_with_any(("n", "no", "nope", "nah", "not really", "not yet", "it isn'?t", "it hasn'?t", "still"))
_NOT_SOLVED_ANYWHERE = re.compile(r"\bnot (?:solved|sorted|fixed)\b", re.I)
# "Anything to add?" answered with nothing at all (the whole message, so "no, but ..." is a comment).
_NOTHING = starts_with_any(
    ("no", "nope", "nothing", "none", "no thanks", "no comment", "that'?s all", "n/?a"), tail=r"\s*[.!]*\s*$"
)


def _nothing_to_add(text: str) -> bool:
    """True for "no", "nothing", "n/a", "that's all" or a lone dash, and nothing more."""
    return bool(_NOTHING.search(text)) or text.strip().rstrip(".!").strip() == "-"


def parse_score(text: str) -> Optional[int]:
    """A 1-5 rating from digits ("4", "4/5") or words ("very happy", "two")."""
    digits = re.search(r"(?<![\d.])([1-5])(?:\s*(?:/|out of)\s*5)?(?![\d.])", text)
    if digits:
        return int(digits.group(1))
    lowered = re.sub(r"[^a-z\s-]", " ", text.lower())
    for phrase in sorted(_WORD_SCORES, key=len, reverse=True):
        if re.search(rf"\b{re.escape(phrase)}\b", lowered):
            return _WORD_SCORES[phrase]
    return None


def start(store: Store, key: Optional[str], reference: Optional[str], conversation_id: str) -> Turn:
    """Begin the follow-up if this conversation owns it and it has not been sent before."""
    turn = Turn()
    if not key or not reference:
        return turn
    try:
        case = service.get_case(store, reference)
    except service.CaseNotFound:
        return turn
    owned = case["conversation_id"] == conversation_id and any(f["key"] == key for f in case.get("follow_ups", []))
    if not owned or not mark_delivered(store, key, "chat", actor="assistant"):
        return turn  # forged, or already delivered: say nothing, so the customer is asked once
    turn.slots.update({"followup_key": key, "case_reference": reference, "followup_active": True})
    turn.slots.update({name: None for name in SLOTS})
    product = case["product"]["name"] or say("followup.your_item")
    resolution = (case["resolution"]["type"] or "").replace("_", " ")
    done = say("followup.with_resolution", resolution=resolution) if resolution and resolution != "none" else ""
    turn.say("followup.hello", reference=reference, product=product, done=done)
    return turn


def ask(slot: str) -> Reply:
    """The question for one follow-up slot."""
    yes, no = {"title": say("followup.yes"), "payload": "/affirm"}, {"title": say("followup.no"), "payload": "/deny"}
    if slot == "followup_solved":
        return reply("followup.ask_solved", [yes, no])
    if slot == "followup_score":
        labels = {1: say("followup.score_lowest"), 2: "2", 3: "3", 4: "4", 5: say("followup.score_highest")}
        return reply(
            "followup.ask_score",
            [{"title": labels[n], "payload": f'/inform{{"followup_score":"{n}"}}'} for n in range(1, 6)],
        )
    return reply("followup.ask_comment", [no])


def next_slot(slots: Mapping[str, Any]) -> Optional[str]:
    """The next unanswered question."""
    return next((name for name in SLOTS if slots.get(name) is None), None)


@dataclass
class Answer:
    """What the customer's message answered."""

    slots: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)


def handle(
    slots: Mapping[str, Any], requested: Optional[str], text: str, intent: Optional[str], entities: list[dict[str, Any]]
) -> Optional[Answer]:
    """Read one answer; None when it is not an answer (a request for a person, cancel)."""
    if intent in ("request_human", "cancel"):
        return None
    text = (text or "").strip()
    answer = Answer()
    if requested == "followup_solved":
        if intent == "affirm" or _SOLVED.search(text):
            answer.slots["followup_solved"] = True
        elif intent == "deny" or _NOT_SOLVED.search(text) or _NOT_SOLVED_ANYWHERE.search(text):
            answer.slots["followup_solved"] = False
        else:
            answer.replies.append(reply("followup.solved_unclear"))
        score = parse_score(text) if answer.slots else None
        if score is not None:
            answer.slots["followup_score"] = score
    elif requested == "followup_score":
        given = next((e.get("value") for e in entities if e.get("entity") == "followup_score"), None)
        score = parse_score(str(given)) if given else parse_score(text)
        if score is None:
            answer.replies.append(reply("followup.score_unclear"))
        else:
            answer.slots["followup_score"] = score
    elif requested == "followup_comment":
        answer.slots["followup_comment"] = "" if (intent == "deny" or _nothing_to_add(text)) else text[:2000]
    if not answer.slots:
        answer.slots["followup_retries"] = int(slots.get("followup_retries") or 0) + 1
    return answer


NOT_SATISFIED = "customer not satisfied after resolution"


def finish(store: Store, slots: Mapping[str, Any]) -> Turn:
    """Store the answers; a "no" or a low score reopens the case and alerts staff."""
    turn = Turn()
    reference = slots.get("case_reference")
    if not reference or not slots.get("followup_key"):
        return turn
    score = slots.get("followup_score")
    result = service.record_satisfaction(
        store,
        reference,
        score=int(score) if score is not None else None,
        solved=slots.get("followup_solved"),
        comment=str(slots.get("followup_comment") or ""),
        actor="customer",
        followup_key=str(slots["followup_key"]),
        alert_staff=("assistant", NOT_SATISFIED),
    )
    if result.get("reopened"):
        turn.say("followup.reopened", reference=reference)
    else:
        turn.say("followup.thanks")
    turn.slots.update({"followup_active": False, "followup_key": None, "followup_retries": None})
    turn.slots.update({name: None for name in SLOTS})
    return turn


def defer_finish(store: Store, slots: Mapping[str, Any]) -> Turn:
    """The case database is unavailable: keep the answers in the outbox (recorded once it is back)."""
    turn = Turn()
    reference, key = slots.get("case_reference"), slots.get("followup_key")
    if not reference or not key:
        return turn
    score = slots.get("followup_score")
    answer = {
        "score": int(score) if score is not None else None,
        "solved": slots.get("followup_solved"),
        "comment": str(slots.get("followup_comment") or ""),
        "actor": "customer",
        "alert_staff": ["assistant", NOT_SATISFIED],
    }
    deferred.defer_satisfaction(store.settings, str(key), str(reference), answer, store.clock())
    turn.say("store.deferred_answer")
    turn.slots.update({"followup_active": False, "followup_key": None, "followup_retries": None})
    turn.slots.update({name: None for name in SLOTS})
    return turn

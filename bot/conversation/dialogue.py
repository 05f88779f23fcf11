"""The complaint conversation (Listen, Understand, Resolve, Confirm): what the actions call.

A small facade over the typed steps. Functions take Rasa's slot mapping and a :class:`Catalogue` (or a
:class:`~bot.cases.store.Store`, read through :class:`SqlCatalogue`) and return a :class:`Turn`: slot
values to set and replies to send. Nothing here knows about Rasa. Layout:

- ``state``: :class:`ComplaintState` (the slots) and :class:`CustomerMessage` (one message);
- ``listen``: the acknowledgement;
- ``steps/``: one module per question (order, customer, product, defect, dates, injury, read-back, resolution),
  and ``steps/facts``: what one message says;
- ``form``: which questions, in which order; ``questions``: how each is asked; ``answers``: reading an answer;
- ``catalogue``: the port to the shop; ``sql_catalogue``: its database adapter;
- ``wording``: every text, from ``data/wording/messages.yml``; ``outcome``: logging the case, status answers.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from bot.cases.store import Store
from bot.conversation import answers, form, listen, questions
from bot.conversation.answers import asks_about_a_case
from bot.conversation.catalogue import Catalogue
from bot.conversation.replies import Reply, Turn
from bot.conversation.sql_catalogue import SqlCatalogue
from bot.conversation.state import COMPLAINT_SLOTS, NO_ORDER, UNKNOWN, ComplaintState, reset_complaint
from bot.conversation.steps import defect, product, read_back, resolution
from bot.conversation.steps.resolution import check_resolution
from bot.policy import Proposal

__all__ = [
    "COMPLAINT_SLOTS",
    "NO_ORDER",
    "UNKNOWN",
    "Reply",
    "Turn",
    "acknowledge",
    "all_questions",
    "ask",
    "asks_about_a_case",
    "catalogue_of",
    "check_resolution",
    "conflict_pending",
    "current_proposal",
    "handle_answer",
    "next_slot",
    "offered_candidates",
    "required_slots",
    "reset_complaint",
    "resolution_reason",
    "summary",
]

Source = Union[Catalogue, Store]


def catalogue_of(source: Source) -> Catalogue:
    """The catalogue to read: ``source`` itself, or the SQL catalogue of a store."""
    return SqlCatalogue(source) if isinstance(source, Store) else source


def acknowledge(source: Source, slots: Mapping[str, Any], text: str) -> Turn:
    """Hear the story, empathise, apologise and take ownership; keep every fact it gives."""
    return listen.acknowledge(catalogue_of(source), ComplaintState.from_slots(slots), text)


def handle_answer(
    source: Source,
    slots: Mapping[str, Any],
    requested: Optional[str],
    text: str,
    intent: Optional[str],
    entities: Optional[list[dict[str, Any]]] = None,
) -> Optional[Turn]:
    """Read a message while the form is active; None when it is not an answer (cancel, a person, small talk)."""
    state = ComplaintState.from_slots(slots)
    return answers.handle_answer(catalogue_of(source), state, requested, text, intent, entities)


def ask(source: Source, slot: str, slots: Mapping[str, Any]) -> Turn:
    """The question for ``slot``."""
    return questions.ask(catalogue_of(source), slot, ComplaintState.from_slots(slots))


def required_slots(slots: Mapping[str, Any]) -> list[str]:
    """The form's questions for this complaint, in order."""
    return form.required_slots(ComplaintState.from_slots(slots))


def next_slot(slots: Mapping[str, Any]) -> Optional[str]:
    """The next question to ask, or None when the complaint is ready to log."""
    return form.next_slot(ComplaintState.from_slots(slots))


def all_questions() -> list[str]:
    """Every question the complaint form can ask (one ``action_ask_<slot>`` each)."""
    return form.all_questions()


def summary(slots: Mapping[str, Any]) -> str:
    """The read-back of the facts gathered so far."""
    return read_back.summary(ComplaintState.from_slots(slots))


def offered_candidates(slots: Mapping[str, Any]) -> list[str]:
    """The likeliest defect categories to offer as buttons (the model was unsure), best first."""
    return defect.offered_candidates(ComplaintState.from_slots(slots))


def conflict_pending(slots: Mapping[str, Any]) -> bool:
    """True while the customer has still to say which of two items the complaint is about."""
    return product.conflict_pending(ComplaintState.from_slots(slots))


def current_proposal(source: Source, slots: Mapping[str, Any]) -> Proposal:
    """The resolution options this complaint is entitled to under the policy."""
    return resolution.current_proposal(catalogue_of(source), ComplaintState.from_slots(slots))


def resolution_reason(source: Source, slots: Mapping[str, Any]) -> str:
    """Why the chosen resolution was offered (stored on the case)."""
    return resolution.resolution_reason(catalogue_of(source), ComplaintState.from_slots(slots))

"""Listen: hear the story and acknowledge it (Hear, Empathise, Apologise, Take ownership), keeping every fact."""

from __future__ import annotations

import uuid

from bot.conversation.catalogue import Catalogue
from bot.conversation.replies import Reply, Turn, composed
from bot.conversation.state import ComplaintState, append_description, fill_missing
from bot.conversation.steps.defect import candidates_of, category_label, complete_category
from bot.conversation.steps.facts import facts_from_text, is_safety_issue
from bot.conversation.wording import has, say


def _acknowledgement(state: ComplaintState) -> Reply:
    """Thank them for telling us about the problem, empathise, apologise and take ownership."""
    category, product = state.defect_category, state.product_name
    if category:
        problem = category_label(category)
        if product:
            heard_id = "listen.heard_about_product"
            heard = say(heard_id, problem=problem, product=product)
        else:
            heard_id = "listen.heard_about_order"
            heard = say(heard_id, problem=problem)
        empathy = say(f"empathy.{category}") if has(f"empathy.{category}") else ""
    else:
        heard_id, heard, empathy = "listen.heard", say("listen.heard"), ""
    parts = (heard, empathy, say("listen.apology"), say("listen.ownership"))
    return composed(heard_id, " ".join(part for part in parts if part))


def acknowledge(catalogue: Catalogue, state: ComplaintState, text: str) -> Turn:
    """Hear the story, empathise, apologise and take ownership; keep every fact it gives."""
    turn = Turn()
    text = (text or "").strip()
    if not state.complaint_id:
        turn.slots["complaint_id"] = uuid.uuid4().hex
    facts, extraction = facts_from_text(catalogue, text, catalogue.today())
    updates = fill_missing(state, facts)
    if text:
        updates["description"] = append_description(state, text)
    complete_category(state, updates)
    if not state.merged(updates).defect_category:
        # The model is unsure: keep its likeliest readings to offer them when the form asks what's wrong.
        candidates = candidates_of(extraction)
        if candidates:
            updates["defect_candidates"] = candidates
    safety = is_safety_issue(state, updates)
    updates["safety_issue"] = safety
    turn.slots.update(updates)
    turn.add(_acknowledgement(state.merged(updates)))
    if safety:
        turn.say("listen.safety_flagged")
    return turn

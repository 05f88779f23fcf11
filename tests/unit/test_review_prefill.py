"""Pre-filling the scorecard from the wording ids and stages of the assistant's messages and the case facts."""

from __future__ import annotations

import dataclasses

import pytest

from bot.conversation.wording import say
from bot.reviews.prefill import BotLine, Evidence, prefill
from bot.reviews.scorecard import (
    CRITERIA,
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    ScorecardError,
    check_scores,
    disagreements,
    stage_scores,
)

REF = "CS-2026-000042"


def ack() -> BotLine:
    heard = say("listen.heard_about_product", problem="the sole coming away", product="Harrogate Boot")
    parts = (heard, say("empathy.sole_separation"), say("listen.apology"), say("listen.ownership"))
    return BotLine("listen.heard_about_product", "listen", " ".join(parts))


def line(message_id: str, stage: str, text: str = "") -> BotLine:
    return BotLine(message_id, stage, text or f"({message_id})")


def complete() -> Evidence:
    """A whole complaint: acknowledgement, read-back, offer, confirmation, reference and next steps."""
    return Evidence(
        reference=REF,
        defect_category="sole_separation",
        bot_lines=(
            ack(),
            line("read_back.intro", "understand", say("read_back.intro")),
            line("read_back.question", "understand", say("read_back.question")),
            line("resolve.question", "resolve"),
            line("confirm.question", "confirm"),
            line("confirm.case_logged", "confirm", f"Thank you. I've logged your case. Your reference is {REF}."),
        ),
        read_back=True,
        stages=("Listen", "Understand", "Resolve", "Confirm"),
        facts_complete=True,
        resolution_type="refund",
        resolution_reason="Within 30 days you can reject faulty goods for a full refund.",
        resolution_agreed=True,
        policy_options=("refund", "replacement", "repair"),
        follow_up_statuses=("pending",),
    )


def test_a_complete_conversation_meets_every_criterion_and_corrections_are_not_applicable() -> None:
    values = prefill(complete())
    assert set(values) == {c.id for c in CRITERIA}
    assert values.pop("understand.corrections_taken") == NOT_APPLICABLE
    assert set(values.values()) == {MET}


def test_a_reworded_message_keeps_its_id_and_so_its_score() -> None:
    reworded = tuple(dataclasses.replace(b, text="Completely new words.") for b in complete().bot_lines)
    assert prefill(dataclasses.replace(complete(), bot_lines=reworded)) == prefill(complete())


def test_missing_acknowledgement_read_back_and_reference_are_not_met() -> None:
    evidence = dataclasses.replace(
        complete(),
        bot_lines=(line("resolve.question", "resolve"), line("confirm.question", "confirm")),
        read_back=False,
        stages=("Resolve", "Confirm"),
    )
    values = prefill(evidence)
    for criterion in ("listen.acknowledged", "listen.empathised", "listen.apologised", "listen.ownership"):
        assert values[criterion] == NOT_MET
    assert values["understand.read_back"] == NOT_MET
    assert values["confirm.reference"] == NOT_MET
    assert values["confirm.next_steps"] == NOT_MET


def test_acknowledgement_without_a_known_fault_has_no_empathy() -> None:
    plain = " ".join((say("listen.heard"), say("listen.apology"), say("listen.ownership")))
    evidence = dataclasses.replace(complete(), bot_lines=(BotLine("listen.heard", "listen", plain),))
    values = prefill(evidence)
    assert values["listen.acknowledged"] == MET and values["listen.apologised"] == MET
    assert values["listen.empathised"] == NOT_MET
    no_empathy_line = dataclasses.replace(complete(), defect_category="other")  # no empathy.other in the wording
    assert prefill(no_empathy_line)["listen.empathised"] == NOT_MET


def test_corrections_taken_or_not() -> None:
    asked = line("read_back.what_to_change", "understand")
    taken = dataclasses.replace(complete(), bot_lines=(*complete().bot_lines, asked, line("read_back.corrected", "u")))
    ignored = dataclasses.replace(complete(), bot_lines=(*complete().bot_lines, asked, line("resolve.question", "r")))
    assert prefill(taken)["understand.corrections_taken"] == MET
    assert prefill(ignored)["understand.corrections_taken"] == NOT_MET


def test_offer_outside_the_policy_and_no_reason_are_not_met() -> None:
    evidence = dataclasses.replace(complete(), resolution_type="store_credit", resolution_reason=" ")
    values = prefill(evidence)
    assert values["resolve.offer_matches_policy"] == NOT_MET
    assert values["resolve.reason_given"] == NOT_MET


def test_offer_without_a_policy_answer_falls_back_to_the_agreed_resolution_event() -> None:
    assert prefill(dataclasses.replace(complete(), policy_options=None))["resolve.offer_matches_policy"] == MET
    unknown = dataclasses.replace(complete(), policy_options=None, resolution_agreed=False)
    assert prefill(unknown)["resolve.offer_matches_policy"] == NOT_APPLICABLE


def test_no_resolution_and_no_offer_make_resolve_and_acceptance_not_applicable() -> None:
    evidence = dataclasses.replace(
        complete(), resolution_type=None, resolution_agreed=False, stages=("Listen", "Understand")
    )
    values = prefill(evidence)
    assert values["resolve.offer_matches_policy"] == NOT_APPLICABLE
    assert values["resolve.reason_given"] == NOT_APPLICABLE
    assert values["confirm.accepted"] == NOT_APPLICABLE
    offered = dataclasses.replace(evidence, stages=("Listen", "Understand", "Resolve"))
    assert prefill(offered)["confirm.accepted"] == NOT_MET


def test_follow_up_needs_one_that_was_not_cancelled_or_failed() -> None:
    assert prefill(dataclasses.replace(complete(), follow_up_statuses=()))["confirm.follow_up"] == NOT_MET
    failed = dataclasses.replace(complete(), follow_up_statuses=("failed", "cancelled"))
    assert prefill(failed)["confirm.follow_up"] == NOT_MET
    assert prefill(dataclasses.replace(complete(), follow_up_statuses=("answered",)))["confirm.follow_up"] == MET


def test_lines_stored_before_wording_ids_are_matched_on_catalogue_text() -> None:
    old = tuple(dataclasses.replace(b, message_id=None) for b in complete().bot_lines)
    values = prefill(dataclasses.replace(complete(), bot_lines=old))
    assert values["listen.acknowledged"] == MET  # the Listen stage is there
    assert values["listen.empathised"] == MET and values["listen.apologised"] == MET
    assert values["understand.read_back"] == MET
    assert values["confirm.reference"] == MET  # the case reference was said


def test_check_scores_and_disagreements() -> None:
    with pytest.raises(ScorecardError, match="unknown criteria"):
        check_scores({"listen.smiled": MET})
    with pytest.raises(ScorecardError, match="listen.acknowledged"):
        check_scores({c.id: "yes" for c in CRITERIA})
    before = prefill(complete())
    after = dict(before, **{"listen.empathised": NOT_MET})
    assert check_scores(after) == after
    assert disagreements(before, after) == [{"criterion": "listen.empathised", "prefill": MET, "reviewer": NOT_MET}]
    assert stage_scores([after])["Listen"] == 0.75

"""The conversation logic without Rasa: what each customer message fills, asks and logs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.cases import service
from bot.cases.store import Store
from bot.catalogue.seed import seed_demo
from bot.conversation import dialogue, outcome
from bot.conversation.dialogue import Turn

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def shop(sqlite_store: Store) -> Store:
    seed_demo(sqlite_store, today=TODAY, with_cases=False)
    return sqlite_store


def an_order(store: Store, **where: Any) -> Any:
    with store.unit_of_work() as uow:
        for number in uow.catalogue.order_numbers():
            order = uow.catalogue.order(number)
            assert order is not None
            if all(getattr(order, k) == v for k, v in where.items()) and order.delivery_date:
                return order
    raise AssertionError(f"no order with {where}")


def play(store: Store, slots: dict[str, Any], text: str, intent: str = "inform", entities: Any = None) -> Turn:
    requested = dialogue.next_slot(slots)
    turn = dialogue.handle_answer(store, slots, requested, text, intent, entities)
    assert turn is not None
    slots.update(turn.slots)
    return turn


def test_acknowledgement_keeps_every_fact_and_does_not_ask_again(shop: Store) -> None:
    order = an_order(shop)
    text = f"Hi, order {order.order_number}: the stitching on my {order.product.name} has split after a week"
    turn = dialogue.acknowledge(shop, {}, text)
    slots = turn.slots
    spoken = " ".join(r.text for r in turn.replies)
    assert "sorry" in spoken.lower() and "put right" in spoken
    assert order.product.name in spoken
    assert slots["order_number"] == order.order_number
    assert slots["product"] == order.product.sku
    assert slots["defect_category"] == "stitching"
    assert slots["component"] == "stitching"
    assert slots["customer_email"] == order.customer.email
    assert slots["description"] == text
    assert dialogue.next_slot(slots) == "summary_confirmed"


def test_safety_issue_is_flagged_at_once_and_asks_about_injury(shop: Store) -> None:
    turn = dialogue.acknowledge(shop, {}, "the heel snapped off while I was walking down the stairs")
    assert turn.slots["safety_issue"] is True
    assert any("safety" in r.text for r in turn.replies)
    assert "injury_reported" in dialogue.required_slots(turn.slots)


def test_unknown_order_number_then_lookup_by_email(shop: Store) -> None:
    order = an_order(shop)
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, "the sole is coming off my boots").slots)
    assert dialogue.next_slot(slots) == "order_number"
    turn = play(shop, slots, "ZZ-99999")
    assert "can't find an order ZZ-99999" in turn.replies[0].text
    assert slots.get("order_number") is None
    play(shop, slots, "I don't know", intent="dont_know")
    assert dialogue.next_slot(slots) == "customer_email"
    play(shop, slots, f"it's {order.customer.email.upper()}")
    assert slots["customer_email"] == order.customer.email
    with shop.unit_of_work() as uow:
        count = len(uow.catalogue.orders_for_email(order.customer.email))
    if count == 1:
        assert slots["order_number"] == order.order_number
    else:
        assert slots["order_candidates"]
        ask = dialogue.ask(shop, "order_number", slots)
        assert len(ask.replies[0].buttons) == count + 1
        play(shop, slots, "/inform", entities=[{"entity": "order_number", "value": order.order_number}])
        assert slots["order_number"] == order.order_number


def test_order_number_told_twice_wrongly_is_kept_not_lost(shop: Store) -> None:
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, "my boots leak").slots)
    play(shop, slots, "AB-1234")
    play(shop, slots, "AB-1234")
    assert slots["order_number"] == "AB-1234"


def test_email_without_orders_carries_on_without_one(shop: Store) -> None:
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, "the zip broke on my bag").slots)
    play(shop, slots, "no idea", intent="dont_know")
    turn = play(shop, slots, "nobody@example.net")
    assert slots["order_number"] == dialogue.NO_ORDER
    assert "couldn't find any orders" in turn.replies[-1].text
    assert dialogue.next_slot(slots) == "product"


def test_bad_email_is_explained(shop: Store) -> None:
    slots: dict[str, Any] = {"order_lookup": "by_email", "defect_category": "stitching", "description": "x"}
    turn = play(shop, slots, "not telling you")
    assert "doesn't look like an email" in turn.replies[0].text
    assert slots.get("customer_email") is None


def test_free_text_product_is_kept_in_the_customers_words(shop: Store) -> None:
    slots: dict[str, Any] = {"order_number": dialogue.NO_ORDER, "description": "it broke"}
    play(shop, slots, "some green wellies from your Leeds shop")
    assert slots["product"] == dialogue.UNKNOWN
    assert "green wellies" in slots["product_name"]


def test_correction_at_the_read_back(shop: Store) -> None:
    order = an_order(shop)
    slots: dict[str, Any] = dict(
        dialogue.acknowledge(shop, {}, f"The sole has come off my shoes, order {order.order_number}").slots
    )
    assert slots["defect_category"] == "sole_separation"
    assert dialogue.next_slot(slots) == "summary_confirmed"
    before = dialogue.ask(shop, "summary_confirmed", slots).replies[0].text
    assert "the sole coming away" in before and "Is that all correct?" in before
    turn = play(shop, slots, "no, it's the heel, not the sole", intent="deny")
    assert slots["component"] == "heel"
    assert slots["defect_category"] == "heel_detachment"
    assert slots["summary_confirmed"] is None
    assert "corrected" in turn.replies[0].text
    after = dialogue.ask(shop, "summary_confirmed", slots).replies[0].text
    assert "the heel coming off" in after
    play(shop, slots, "no", intent="deny")
    assert slots["summary_confirmed"] is None
    play(shop, slots, "yes that's right", intent="affirm")
    assert slots["summary_confirmed"] is True


def test_resolution_is_chosen_from_the_policy_and_confirmed(shop: Store) -> None:
    order = an_order(shop)
    slots: dict[str, Any] = dict(
        dialogue.acknowledge(shop, {}, f"stitching split on my order {order.order_number}").slots
    )
    slots["summary_confirmed"] = True
    assert dialogue.next_slot(slots) == "resolution_choice"
    question = dialogue.ask(shop, "resolution_choice", slots)
    slots.update(question.slots)
    offered = [o["type"] for o in slots["resolution_options"]]
    assert offered
    titles = [b["title"] for b in question.replies[0].buttons]
    assert "Talk to a person" in titles
    turn = play(shop, slots, "something nobody offers, like a free holiday", intent="choose_resolution")
    assert slots.get("resolution_choice") is None and "I can offer" in turn.replies[0].text
    play(
        shop,
        slots,
        "/choose_resolution",
        intent="choose_resolution",
        entities=[{"entity": "resolution_choice", "value": offered[0]}],
    )
    assert slots["resolution_choice"] == offered[0]
    confirm = dialogue.ask(shop, "resolution_accepted", slots).replies[0].text
    assert "Shall I go ahead?" in confirm
    play(shop, slots, "no", intent="deny")
    assert slots["resolution_choice"] is None
    play(shop, slots, offered[0].replace("_", " "), intent="choose_resolution")
    play(shop, slots, "yes", intent="affirm")
    assert dialogue.next_slot(slots) is None


@pytest.mark.parametrize("intent", ["cancel", "request_human", "check_status"])
def test_leaving_intents_are_not_answers(shop: Store, intent: str) -> None:
    assert dialogue.handle_answer(shop, {}, "order_number", "stop this", intent) is None


def test_small_talk_is_not_an_answer_unless_it_carries_facts(shop: Store) -> None:
    assert dialogue.handle_answer(shop, {}, "order_number", "how are you", "chitchat") is None
    order = an_order(shop)
    turn = dialogue.handle_answer(shop, {}, "order_number", f"hiya, it's {order.order_number}", "greet")
    assert turn is not None and turn.slots["order_number"] == order.order_number


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_000, "<script>alert(1)</script>", "'; DROP TABLE cases; --"])
def test_bad_input_keeps_the_form_going(shop: Store, text: str) -> None:
    turn = dialogue.handle_answer(shop, {"description": "it broke"}, "order_number", text, "inform")
    assert turn is not None and turn.slots  # something was recorded, so the question is asked again


def _complete(shop: Store) -> tuple[dict[str, Any], Any]:
    order = an_order(shop)
    slots: dict[str, Any] = dict(
        dialogue.acknowledge(shop, {}, f"the stitching split on my boots, order {order.order_number}").slots
    )
    slots.update(summary_confirmed=True, resolution_choice="repair", resolution_accepted=True)
    return slots, order


def test_logging_is_idempotent_and_resets_the_complaint(shop: Store) -> None:
    slots, order = _complete(shop)
    turn = outcome.log_complaint(shop, slots, "conv-9", "rest", [])
    reference = turn.slots["case_reference"]
    assert reference in turn.replies[0].text
    assert turn.slots["defect_category"] is None and turn.slots["complaint_id"] is None
    again = outcome.log_complaint(shop, slots, "conv-9", "rest", [])
    assert again.slots["case_reference"] == reference
    case = service.get_case(shop, reference)
    assert case["order_number"] == order.order_number
    assert case["resolution"]["type"] == "repair" and case["resolution"]["reason"]
    with shop.unit_of_work() as uow:
        assert uow.cases.count() == 1


def test_status_only_for_the_owner(shop: Store) -> None:
    slots, order = _complete(shop)
    reference = outcome.log_complaint(shop, slots, "conv-1", "rest", []).slots["case_reference"]
    assert outcome.case_status(shop, reference, "conv-1", None)[0]
    assert outcome.case_status(shop, reference, "someone-else", None) == (False, "")
    assert outcome.case_status(shop, reference, "someone-else", "wrong@example.com") == (False, "")
    verified, text = outcome.case_status(shop, reference.lower(), "someone-else", order.customer.email)
    assert verified and reference in text
    missing = outcome.case_status(shop, "CS-2026-999999", "conv-1", None)
    assert not missing[0] and "can't find" in missing[1]


def test_handoff_logs_what_was_said(shop: Store) -> None:
    slots = dict(dialogue.acknowledge(shop, {}, "my bag strap snapped").slots)
    turn = outcome.request_person(shop, slots, "conv-h", "rest", [])
    reference = turn.slots["case_reference"]
    case = service.get_case(shop, reference)
    assert case["resolution"]["type"] is None
    assert "handoff_requested" in [e["kind"] for e in case["events"]]
    nothing = outcome.request_person(shop, {}, "conv-empty", "rest", [])
    assert "member of our team" in nothing.replies[0].text and "case_reference" not in nothing.slots


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("last tuesday", "2026-10-27"),
        ("in march", "2026-03-01"),
        ("3 weeks ago", "2026-10-12"),
        ("12/09/2026", "2026-09-12"),
    ],
)
def test_a_bare_date_answers_when_they_were_bought(shop: Store, answer: str, expected: str) -> None:
    """Answers to "when did you buy them?" need no buying word: the date alone is the purchase date."""
    turn = dialogue.handle_answer(shop, {}, "purchase_date", answer, "inform", None)
    assert turn is not None and turn.slots["purchase_date"] == expected


def test_a_future_date_is_not_taken_as_the_purchase_date(shop: Store) -> None:
    turn = dialogue.handle_answer(shop, {}, "purchase_date", "25 December 2026", "inform", None)
    assert turn is not None and "purchase_date" not in turn.slots
    assert "couldn't work out the date" in " ".join(r.text for r in turn.replies)

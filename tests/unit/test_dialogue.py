"""The conversation logic without Rasa: what each customer message fills, asks and logs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Union

import pytest

from bot.cases import service
from bot.cases.store import Store
from bot.catalogue.seed import seed_demo
from bot.conversation import dialogue, outcome
from bot.conversation.dialogue import Turn
from bot.conversation.sql_catalogue import SqlCatalogue
from bot.conversation.steps.defect import CATEGORY_BUTTONS
from tests.support.fake_catalogue import FakeCatalogue

TODAY = dt.date(2026, 11, 2)


Shop = Union[FakeCatalogue, Store]


@pytest.fixture
def shop() -> FakeCatalogue:
    """The demo catalogue and a few orders, in memory: the conversation only reads the shop through its port."""
    return FakeCatalogue.demo(TODAY)


@pytest.fixture
def db(sqlite_store: Store) -> Store:
    """A migrated, seeded database, for the tests that log cases."""
    seed_demo(sqlite_store, today=TODAY, with_cases=False)
    return sqlite_store


def an_order(store: Shop, **where: Any) -> Any:
    if isinstance(store, FakeCatalogue):
        for fake in store.order_list:
            if all(getattr(fake, k) == v for k, v in where.items()) and fake.delivery_date:
                return fake
        raise AssertionError(f"no order with {where}")
    with store.unit_of_work() as uow:
        for number in uow.catalogue.order_numbers():
            order = uow.catalogue.order(number)
            assert order is not None
            if all(getattr(order, k) == v for k, v in where.items()) and order.delivery_date:
                return order
    raise AssertionError(f"no order with {where}")


def orders_of(store: Shop, email: str) -> list[Any]:
    if isinstance(store, FakeCatalogue):
        return store.orders_for_email(email)
    with store.unit_of_work() as uow:
        return list(uow.catalogue.orders_for_email(email))


def play(store: Shop, slots: dict[str, Any], text: str, intent: str = "inform", entities: Any = None) -> Turn:
    requested = dialogue.next_slot(slots)
    turn = dialogue.handle_answer(store, slots, requested, text, intent, entities)
    assert turn is not None
    slots.update(turn.slots)
    return turn


def test_acknowledgement_keeps_every_fact_and_does_not_ask_again(shop: FakeCatalogue) -> None:
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


def test_safety_issue_is_flagged_at_once_and_asks_about_injury(shop: FakeCatalogue) -> None:
    turn = dialogue.acknowledge(shop, {}, "the heel snapped off while I was walking down the stairs")
    assert turn.slots["safety_issue"] is True
    assert any("safety" in r.text for r in turn.replies)
    assert "injury_reported" in dialogue.required_slots(turn.slots)


def test_unknown_order_number_then_lookup_by_email(shop: FakeCatalogue) -> None:
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
    count = len(orders_of(shop, order.customer.email))
    if count == 1:
        assert slots["order_number"] == order.order_number
    else:
        assert slots["order_candidates"]
        ask = dialogue.ask(shop, "order_number", slots)
        assert len(ask.replies[0].buttons) == count + 1
        play(shop, slots, "/inform", entities=[{"entity": "order_number", "value": order.order_number}])
        assert slots["order_number"] == order.order_number


def test_order_number_told_twice_wrongly_is_kept_not_lost(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, "my boots leak").slots)
    play(shop, slots, "AB-1234")
    play(shop, slots, "AB-1234")
    assert slots["order_number"] == "AB-1234"


def test_email_without_orders_carries_on_without_one(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, "the zip broke on my bag").slots)
    play(shop, slots, "no idea", intent="dont_know")
    turn = play(shop, slots, "nobody@example.net")
    assert slots["order_number"] == dialogue.NO_ORDER
    assert "couldn't find any orders" in turn.replies[-1].text
    assert dialogue.next_slot(slots) == "product"


def test_order_number_found_later_fills_the_order_read_back_and_case(shop: FakeCatalogue) -> None:
    """After carrying on without the order number, one given later is the order, not only its item and dates."""
    order = an_order(shop)
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, "the zip broke on my bag").slots)
    play(shop, slots, "no idea", intent="dont_know")
    play(shop, slots, "nobody@example.net")
    assert slots["order_number"] == dialogue.NO_ORDER
    play(shop, slots, f"oh wait, I found it: {order.order_number}")
    assert slots["order_number"] == order.order_number
    assert slots["product"] == order.product.sku
    assert f"Order: {order.order_number}" in dialogue.summary(slots)


def test_bad_email_is_explained(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"order_lookup": "by_email", "defect_category": "stitching", "description": "x"}
    turn = play(shop, slots, "not telling you")
    assert "doesn't look like an email" in turn.replies[0].text
    assert slots.get("customer_email") is None


def test_free_text_product_is_kept_in_the_customers_words(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"order_number": dialogue.NO_ORDER, "description": "it broke"}
    play(shop, slots, "some green wellies from your Leeds shop")
    assert slots["product"] == dialogue.UNKNOWN
    assert "green wellies" in slots["product_name"]


def test_correction_at_the_read_back(shop: FakeCatalogue) -> None:
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


def test_resolution_is_chosen_from_the_policy_and_confirmed(shop: FakeCatalogue) -> None:
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
def test_leaving_intents_are_not_answers(shop: FakeCatalogue, intent: str) -> None:
    assert dialogue.handle_answer(shop, {}, "order_number", "stop this", intent) is None


def test_small_talk_is_not_an_answer_unless_it_carries_facts(shop: FakeCatalogue) -> None:
    assert dialogue.handle_answer(shop, {}, "order_number", "how are you", "chitchat") is None
    order = an_order(shop)
    turn = dialogue.handle_answer(shop, {}, "order_number", f"hiya, it's {order.order_number}", "greet")
    assert turn is not None and turn.slots["order_number"] == order.order_number


@pytest.mark.parametrize("text", ["", "   ", "x" * 20_000, "<script>alert(1)</script>", "'; DROP TABLE cases; --"])
def test_bad_input_keeps_the_form_going(shop: FakeCatalogue, text: str) -> None:
    turn = dialogue.handle_answer(shop, {"description": "it broke"}, "order_number", text, "inform")
    assert turn is not None and turn.slots  # something was recorded, so the question is asked again


def _complete(db: Store) -> tuple[dict[str, Any], Any]:
    order = an_order(db)
    slots: dict[str, Any] = dict(
        dialogue.acknowledge(db, {}, f"the stitching split on my boots, order {order.order_number}").slots
    )
    slots.update(summary_confirmed=True, resolution_choice="repair", resolution_accepted=True)
    return slots, order


def test_logging_is_idempotent_and_resets_the_complaint(db: Store) -> None:
    slots, order = _complete(db)
    turn = outcome.log_complaint(db, slots, "conv-9", "rest", [])
    reference = turn.slots["case_reference"]
    assert reference in turn.replies[0].text
    assert turn.slots["defect_category"] is None and turn.slots["complaint_id"] is None
    again = outcome.log_complaint(db, slots, "conv-9", "rest", [])
    assert again.slots["case_reference"] == reference
    case = service.get_case(db, reference)
    assert case["order_number"] == order.order_number
    assert case["resolution"]["type"] == "repair" and case["resolution"]["reason"]
    with db.unit_of_work() as uow:
        assert uow.cases.count() == 1


def test_status_only_for_the_owner(db: Store) -> None:
    slots, order = _complete(db)
    reference = outcome.log_complaint(db, slots, "conv-1", "rest", []).slots["case_reference"]
    assert outcome.case_status(db, reference, "conv-1", None)[0]
    assert outcome.case_status(db, reference, "someone-else", None) == (False, "")
    assert outcome.case_status(db, reference, "someone-else", "wrong@example.com") == (False, "")
    verified, text = outcome.case_status(db, reference.lower(), "someone-else", order.customer.email)
    assert verified and reference in text
    missing = outcome.case_status(db, "CS-2026-999999", "conv-1", None)
    assert not missing[0] and "can't find" in missing[1]


def test_handoff_logs_what_was_said(db: Store) -> None:
    slots = dict(dialogue.acknowledge(db, {}, "my bag strap snapped").slots)
    turn = outcome.request_person(db, slots, "conv-h", "rest", [])
    reference = turn.slots["case_reference"]
    case = service.get_case(db, reference)
    assert case["resolution"]["type"] is None
    assert "handoff_requested" in [e["kind"] for e in case["events"]]
    nothing = outcome.request_person(db, {}, "conv-empty", "rest", [])
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
def test_a_bare_date_answers_when_they_were_bought(shop: FakeCatalogue, answer: str, expected: str) -> None:
    """Answers to "when did you buy them?" need no buying word: the date alone is the purchase date."""
    turn = dialogue.handle_answer(shop, {}, "purchase_date", answer, "inform", None)
    assert turn is not None and turn.slots["purchase_date"] == expected


def test_a_future_date_is_not_taken_as_the_purchase_date(shop: FakeCatalogue) -> None:
    turn = dialogue.handle_answer(shop, {}, "purchase_date", "25 December 2026", "inform", None)
    assert turn is not None and "purchase_date" not in turn.slots
    assert "couldn't work out the date" in " ".join(r.text for r in turn.replies)


# ---------------------------------------------------------------- understanding: unsure, two faults, mismatch, safety

VAGUE = "they just look wrong somehow and feel odd"
TWO_FAULTS = "the sole is coming away and the stitching on the side has come undone"
UNSURE = {
    "defect_category": None,
    "secondary_defect_category": None,
    "defect_candidates": [
        {"category": "sizing_fit", "confidence": 0.41},
        {"category": "wrong_item", "confidence": 0.22},
        {"category": "leather_finish", "confidence": 0.12},
    ],
}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Pin what the learned model reads in given texts (by substring), so these tests follow the dialogue, not the
    model's latest training; the REST tests use the real reading."""
    pinned: dict[str, dict[str, Any]] = {}

    def pinning(real: Any) -> Any:
        def understand(catalogue: Any, text: str, today: Any = None) -> Any:
            found = real(catalogue, text, today)
            for part, fields in pinned.items():
                if part in text:
                    for name, value in fields.items():
                        setattr(found, name, value)
            return found

        return understand

    for port in (FakeCatalogue, SqlCatalogue):
        monkeypatch.setattr(port, "understand", pinning(port.understand))
    return pinned


def test_an_unsure_reading_asks_with_the_likeliest_categories(shop: FakeCatalogue, reads: dict[str, Any]) -> None:
    reads[VAGUE] = UNSURE
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, VAGUE).slots)
    assert slots.get("defect_category") is None  # asked, not guessed
    offered = dialogue.offered_candidates(slots)
    assert offered, slots.get("defect_candidates")
    question = dialogue.ask(shop, "defect_category", slots).replies[0]
    payloads = [b["payload"] for b in question.buttons]
    for category in offered:
        assert f'/inform{{"defect_category":"{category}"}}' in payloads
    assert question.buttons[-1]["title"] == "Something else"
    assert question.buttons[-1]["payload"] == '/inform{"defect_category":"other"}'
    assert offered == ["sizing_fit", "wrong_item", "leather_finish"]
    assert len(question.buttons) == 4
    assert "What's wrong with it?" in question.text


def test_candidate_buttons_are_the_models_best_readings(shop: FakeCatalogue) -> None:
    slots = {
        "description": "odd",
        "defect_candidates": [
            {"category": "sizing_fit", "confidence": 0.4},
            {"category": "other", "confidence": 0.3},
            {"category": "leather_finish", "confidence": 0.2},
            {"category": "not-a-category", "confidence": 0.1},
            {"category": "colour_mismatch", "confidence": 0.1},
            {"category": "stitching", "confidence": 0.05},
        ],
    }
    buttons = dialogue.ask(shop, "defect_category", slots).replies[0].buttons
    assert [b["title"] for b in buttons] == [
        "The size or fit",
        "The leather cracking or peeling",
        "The colour not matching",
        "Something else",
    ]


def test_no_candidates_keeps_the_generic_buttons(shop: FakeCatalogue) -> None:
    buttons = dialogue.ask(shop, "defect_category", {"description": "x"}).replies[0].buttons
    assert len(buttons) == len(CATEGORY_BUTTONS)
    assert "Something else" not in [b["title"] for b in buttons]


def test_the_category_the_customer_picks_is_what_the_case_gets(db: Store, reads: dict[str, Any]) -> None:
    reads[VAGUE] = UNSURE
    order = an_order(db)
    slots: dict[str, Any] = dict(dialogue.acknowledge(db, {}, f"{VAGUE}, order {order.order_number}").slots)
    offered = dialogue.offered_candidates(slots)
    assert offered and dialogue.next_slot(slots) == "defect_category"
    pick = offered[-1]
    play(db, slots, "/inform", entities=[{"entity": "defect_category", "value": pick}])
    assert slots["defect_category"] == pick
    assert slots["defect_candidates"] is None
    slots.update(customer_name="Sam Lee", summary_confirmed=True, resolution_choice="investigation")
    slots.update(resolution_accepted=True, component=slots.get("component") or "n/a")
    reference = outcome.log_complaint(db, slots, "conv-pick", "rest", []).slots["case_reference"]
    case = service.get_case(db, reference)
    assert case["defect_category"] == pick
    assert VAGUE in case["description"]


def test_something_else_records_other_and_keeps_their_words(shop: FakeCatalogue, reads: dict[str, Any]) -> None:
    reads[VAGUE] = UNSURE
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, VAGUE).slots)
    slots.update(order_number=dialogue.NO_ORDER, product=dialogue.UNKNOWN, product_name="boots")
    assert dialogue.next_slot(slots) == "defect_category"
    payload = '/inform{"defect_category":"other"}'
    turn = play(shop, slots, payload, entities=[{"entity": "defect_category", "value": "other"}])
    assert slots["defect_category"] == "other"
    assert VAGUE in slots["description"] and "/inform" not in slots["description"]
    assert "own words" in turn.replies[0].text
    typed: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, VAGUE).slots)
    typed.update(order_number=dialogue.NO_ORDER, product=dialogue.UNKNOWN, product_name="boots")
    play(shop, typed, "none of those really")
    assert typed["defect_category"] == "other"


def test_two_faults_are_both_kept_and_read_back(db: Store, reads: dict[str, Any]) -> None:
    reads[TWO_FAULTS] = {"defect_category": "stitching", "secondary_defect_category": "sole_separation"}
    order = an_order(db)
    story = f"{TWO_FAULTS}, order {order.order_number}"
    slots: dict[str, Any] = dict(dialogue.acknowledge(db, {}, story).slots)
    faults = {slots["defect_category"], slots["secondary_defect_category"]}
    assert faults == {"sole_separation", "stitching"}
    read_back = dialogue.ask(db, "summary_confirmed", slots).replies[0].text
    problem = next(line for line in read_back.splitlines() if line.startswith("- Problem:"))
    assert "the sole coming away" in problem and "stitching coming apart" in problem and "also:" in problem
    slots.update(customer_name="Sam Lee", summary_confirmed=True, resolution_choice="repair", resolution_accepted=True)
    reference = outcome.log_complaint(db, slots, "conv-two", "rest", []).slots["case_reference"]
    case = service.get_case(db, reference)
    assert {case["defect_category"], case["secondary_defect_category"]} == faults
    assert case["defect_category"] == slots["defect_category"]


def test_a_correction_to_the_second_fault_does_not_keep_it_twice(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {
        "order_number": dialogue.NO_ORDER,
        "product": dialogue.UNKNOWN,
        "product_name": "boots",
        "defect_category": "stitching",
        "secondary_defect_category": "sole_separation",
        "component": "stitching",
        "purchase_date": "2026-10-01",
        "customer_name": "Sam",
        "customer_email": "sam@example.com",
        "description": "two faults",
    }
    assert dialogue.next_slot(slots) == "summary_confirmed"
    play(shop, slots, "no, the main problem is the sole coming away from the shoe", intent="deny")
    assert slots["defect_category"] == "sole_separation"
    assert slots.get("secondary_defect_category") is None
    assert "also:" not in dialogue.summary(slots)


def a_different_product(store: Shop, sku: str) -> tuple[str, str]:
    """Another catalogue product, with no name word in common with ``sku``'s."""
    if isinstance(store, FakeCatalogue):
        products = [(p.sku, p.name) for p in store.products()]
    else:
        with store.unit_of_work() as uow:
            products = [(p.sku, p.name) for p in uow.catalogue.products()]
    words = set(dict(products)[sku].split())
    return next((s, n) for s, n in products if s != sku and not words & set(n.split()))


def _mismatch(shop: Shop) -> tuple[dict[str, Any], Any, str, str]:
    order = an_order(shop)
    other_sku, other_name = a_different_product(shop, order.product.sku)
    story = f"the stitching on my {other_name} has split, order {order.order_number}"
    turn = dialogue.acknowledge(shop, {}, story)
    return dict(turn.slots), order, other_sku, other_name


def test_a_named_product_that_differs_from_the_order_is_asked_not_assumed(shop: FakeCatalogue) -> None:
    slots, order, other_sku, other_name = _mismatch(shop)
    assert slots["order_number"] == order.order_number
    assert slots.get("product") is None  # neither item is taken silently
    assert dialogue.next_slot(slots) == "product_conflict"
    question = dialogue.ask(shop, "product_conflict", slots).replies[0]
    assert other_name in question.text and order.product.name in question.text and order.order_number in question.text
    assert [b["title"] for b in question.buttons] == [other_name, order.product.name]
    assert question.buttons[0]["payload"] == f'/inform{{"product":"{other_sku}"}}'
    assert question.buttons[1]["payload"] == f'/inform{{"product":"{order.product.sku}"}}'


def test_the_mismatch_answered_with_the_named_product(db: Store) -> None:
    slots, order, other_sku, other_name = _mismatch(db)
    play(db, slots, "/inform", entities=[{"entity": "product", "value": other_sku}])
    assert slots["product"] == other_sku and slots["product_name"] == other_name
    assert slots["order_number"] == order.order_number
    assert dialogue.next_slot(slots) != "product_conflict"
    assert other_name in dialogue.summary(slots)
    slots.update(customer_name="Sam Lee", purchase_date=slots.get("purchase_date") or "2026-10-01")
    slots.update(summary_confirmed=True, resolution_choice="repair", resolution_accepted=True)
    case = service.get_case(db, outcome.log_complaint(db, slots, "conv-named", "rest", []).slots["case_reference"])
    assert case["product"]["sku"] == other_sku and case["order_number"] == order.order_number
    assert case["batch"] is None  # the order's batch belongs to the other item


def test_the_mismatch_answered_in_words_with_the_orders_item(shop: FakeCatalogue) -> None:
    slots, order, other_sku, other_name = _mismatch(shop)
    turn = play(shop, slots, f"oh sorry, it's the {order.product.name}")
    assert slots["product"] == order.product.sku and slots["product_name"] == order.product.name
    assert order.product.name in turn.replies[-1].text
    assert dialogue.next_slot(slots) != "product_conflict"
    again, order2, _sku, _name = _mismatch(shop)
    play(shop, again, "the one on my order")
    assert again["product"] == order2.product.sku


def test_an_order_given_later_for_another_item_is_asked_too(shop: FakeCatalogue) -> None:
    order = an_order(shop)
    other_sku, other_name = a_different_product(shop, order.product.sku)
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, f"the stitching on my {other_name} has split").slots)
    assert slots["product"] == other_sku
    play(shop, slots, order.order_number)
    assert slots["order_number"] == order.order_number
    assert dialogue.next_slot(slots) == "product_conflict"
    play(shop, slots, "/inform", entities=[{"entity": "product", "value": order.product.sku}])
    assert slots["product"] == order.product.sku


def test_no_one_hurt_is_not_a_safety_issue(shop: FakeCatalogue) -> None:
    turn = dialogue.acknowledge(shop, {}, "The zip on my messenger bag broke, luckily no one got hurt")
    assert turn.slots["safety_issue"] is False
    assert "injury_reported" not in dialogue.required_slots(turn.slots)
    assert not any("safety" in r.text for r in turn.replies)


def test_a_twisted_ankle_is_a_safety_issue_and_urgent(db: Store) -> None:
    order = an_order(db)
    turn = dialogue.acknowledge(db, {}, f"my heel snapped and I twisted my ankle, order {order.order_number}")
    slots: dict[str, Any] = dict(turn.slots)
    assert slots["safety_issue"] is True
    assert "injury_reported" in dialogue.required_slots(slots)
    assert dialogue.ask(db, "injury_reported", slots).replies[0].text == "Was anyone hurt?"
    slots.update(customer_name="Sam Lee", injury_reported="yes", summary_confirmed=True)
    slots.update(resolution_choice="investigation", resolution_accepted=True)
    reference = outcome.log_complaint(db, slots, "conv-ankle", "rest", []).slots["case_reference"]
    assert service.get_case(db, reference)["priority"] == "urgent"


def test_an_order_found_by_email_for_another_item_is_asked_too(shop: FakeCatalogue) -> None:
    order = an_order(shop)
    other_sku, other_name = a_different_product(shop, order.product.sku)
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, f"the stitching on my {other_name} has split").slots)
    play(shop, slots, "I don't know", intent="dont_know")
    assert dialogue.next_slot(slots) == "customer_email"
    play(shop, slots, order.customer.email)
    assert slots["order_number"] == order.order_number
    assert dialogue.next_slot(slots) == "product_conflict"
    play(shop, slots, "the one on my order")
    assert slots["product"] == order.product.sku


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("what's the status of CS-2026-000123?", True),
        ("any update on my case?", True),
        ("where is my complaint up to", True),
        ("Robert'); DROP TABLE cases;-- \" OR 1=1 --", False),
        ("Casey Case", False),
        ("my name is Ann", False),
    ],
)
def test_a_status_question_inside_a_complaint_needs_words_that_ask_about_a_case(text: str, asks: bool) -> None:
    assert dialogue.asks_about_a_case(text) is asks


def test_something_else_typed_at_the_offered_problems_is_an_answer_not_small_talk(
    shop: FakeCatalogue, reads: dict[str, Any]
) -> None:
    """The intent model reads a bare "something else" as chitchat; with likely problems offered it is an answer."""
    reads[VAGUE] = UNSURE
    slots: dict[str, Any] = dict(dialogue.acknowledge(shop, {}, VAGUE).slots)
    assert dialogue.offered_candidates(slots)
    turn = dialogue.handle_answer(shop, slots, "defect_category", "something else", "chitchat", [])
    assert turn is not None and turn.slots["defect_category"] == "other"
    # Without problems on offer, small talk stays an aside (answered, then the question is asked again).
    aside = dialogue.handle_answer(shop, {"description": "x"}, "defect_category", "something else", "chitchat", [])
    assert aside is None

"""Requests that are not a fault (issue #18), without Rasa: order status, cancelling, returns, call-backs,
contact details and refunds, read against the in-memory shop."""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

import pytest

from bot.cases import service
from bot.cases.store import Store
from bot.conversation.requests import callback, contact, flow, recording
from bot.conversation.requests.ownership import owns
from bot.conversation.requests.state import RequestTurn
from tests.support.fake_catalogue import CONTACT, FakeCatalogue, FakeCustomer, FakeOrder

TODAY = dt.date(2026, 11, 2)
ME = FakeCustomer("Rhian Evans", "rhian.evans@example.com")
SENDER = "chat-requests"


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def shop() -> FakeCatalogue:
    """The demo shop plus orders in every state, all Rhian's but the last."""
    catalogue = FakeCatalogue.demo(TODAY)
    product = catalogue.order_list[0].product

    def order(number: str, ordered: int, **fields: Any) -> FakeOrder:
        return FakeOrder(number, product, fields.pop("customer", ME), _days(ordered), **fields)

    catalogue.order_list += [
        order("ORD-200001", -2, status="processing", expected_delivery_date=_days(3)),
        order("ORD-200002", -3, status="dispatched", dispatch_date=_days(-1), carrier="Royal Mail",
              tracking_number="RM123456789GB", expected_delivery_date=_days(2)),
        order("ORD-200003", -12, status="dispatched", dispatch_date=_days(-10), expected_delivery_date=_days(-3)),
        order("ORD-200004", -8, status="delivered", delivery_date=_days(-5)),
        order("ORD-200005", -25, status="delivered", delivery_date=_days(-20)),
        order("ORD-200006", -70, status="delivered", delivery_date=_days(-60)),
        order("ORD-200007", -4, status="cancelled"),
        order("ORD-200008", -6, status="processing", customer=FakeCustomer("Sam Lee", "sam.lee@example.com")),
    ]  # fmt: skip
    return catalogue


def ask(shop: FakeCatalogue, request: str, text: str, slots: Optional[dict[str, Any]] = None, **kw: Any) -> RequestTurn:
    """One request message; ``slots`` is updated with what the turn sets."""
    slots = slots if slots is not None else {}
    turn = flow.answer(shop, request, slots, SENDER, text, request, **kw)
    slots.update(turn.slots)
    return turn


def reply(shop: FakeCatalogue, slots: dict[str, Any], text: str, intent: str = "inform", **kw: Any) -> RequestTurn:
    turn = flow.carry_on(shop, slots, SENDER, text, intent, **kw)
    slots.update(turn.slots)
    return turn


def said(turn: RequestTurn) -> str:
    return " ".join(r.text for r in turn.replies)


# --- order status -------------------------------------------------------------------------------------


def test_order_status_asks_for_the_order_then_the_email_then_answers_from_the_order(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {}
    first = ask(shop, "order_status", "where is my order?", slots)
    assert "order number" in said(first) and slots["request_pending"] is True
    second = reply(shop, slots, "it's ORD-200002")
    assert "email address" in said(second) and "Royal Mail" not in said(second)
    answer = reply(shop, slots, "rhian.evans@example.com")
    text = said(answer)
    assert "ORD-200002" in text and "Royal Mail" in text and "RM123456789GB" in text
    assert "Friday 30 October" in text  # ordered on
    assert "Sunday 1 November" in text  # dispatched on
    assert "Wednesday 4 November" in text  # expected by
    assert slots["request_pending"] is False and slots["customer_email"] == ME.email


def test_only_the_orders_customer_gets_its_details(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {}
    ask(shop, "order_status", "where's ORD-200002", slots)
    wrong = reply(shop, slots, "somebody.else@example.net")
    assert "doesn't match" in said(wrong)
    assert "Royal Mail" not in said(wrong) and "RM123456789GB" not in said(wrong)
    assert slots["request_pending"] is False
    stranger = ask(shop, "order_status", "track ORD-200008", {"customer_email": ME.email})
    assert "doesn't match" not in said(stranger) and "email address you used" in said(stranger)


def test_an_order_not_yet_dispatched_says_when_it_is_expected(shop: FakeCatalogue) -> None:
    text = said(ask(shop, "order_status", "status of ORD-200001 please", {"customer_email": ME.email}))
    assert "hasn't left our warehouse" in text and "Thursday 5 November" in text


def test_an_overdue_order_is_apologised_for_and_a_late_delivery_complaint_offered(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"customer_email": ME.email}
    turn = ask(shop, "order_status", "when will ORD-200003 arrive", slots)
    assert "sorry" in said(turn).lower() and "Friday 30 October" in said(turn)
    assert slots["late_offer"] is True and slots["request_subject"] == "ORD-200003"
    started = flow.late_complaint(shop, slots)
    assert started.slots["defect_category"] == "late_delivery" and started.slots["order_number"] == "ORD-200003"
    assert "ORD-200003" in started.slots["description"] and started.slots["late_offer"] is False
    declined = flow.decline_late_complaint()
    assert declined.slots["late_offer"] is False and declined.case is None


def test_delivered_but_never_received_opens_an_investigation(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"customer_email": ME.email}
    direct = ask(shop, "order_status", "ORD-200004 says delivered but I never got it", dict(slots))
    assert direct.case is not None and direct.case.kind == "complaint"
    assert direct.case.defect_category == "late_delivery" and direct.case.resolution_type == "investigation"
    offered = ask(shop, "order_status", "where is ORD-200004", slots)
    assert "investigate with the carrier" in said(offered) and offered.case is None
    yes = reply(shop, slots, "yes please", "affirm")
    assert yes.case is not None and yes.case.order is not None and yes.case.order.order_number == "ORD-200004"


def test_orders_found_by_email_one_is_answered_several_are_offered(shop: FakeCatalogue) -> None:
    one = ask(shop, "order_status", "where's my order? sam.lee@example.com")
    assert "ORD-200008" in said(one)
    several = ask(shop, "order_status", "where's my order? rhian.evans@example.com")
    assert several.replies[0].buttons and several.slots["request_step"] == "order_status:order"


# --- cancelling an order ------------------------------------------------------------------------------


def test_an_order_not_dispatched_gets_a_cancellation_case(shop: FakeCatalogue) -> None:
    turn = ask(shop, "cancel_order", "please cancel ORD-200001", {"customer_email": ME.email})
    assert turn.case is not None and turn.case.kind == "cancellation"
    assert turn.case.confirm == "cancel_order.logged" and turn.slots["request_pending"] is False


def test_a_dispatched_order_gets_the_return_route_not_a_cancellation(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"customer_email": ME.email}
    turn = ask(shop, "cancel_order", "cancel my order ORD-200002", slots)
    assert turn.case is None and "can't stop it" in said(turn) and "14-day" in said(turn)
    assert slots["request_step"] == "return_item:confirm"
    already = ask(shop, "cancel_order", "cancel ORD-200007", {"customer_email": ME.email})
    assert "already been cancelled" in said(already) and already.case is None


# --- change-of-mind returns ---------------------------------------------------------------------------


def test_within_the_cancellation_period_the_customer_hears_their_rights(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"customer_email": ME.email}
    text = said(ask(shop, "return_item", "can I send ORD-200004 back, I've changed my mind", slots))
    assert "14-day cancellation period" in text and "yours to pay" in text
    assert "within 14 days" in text and CONTACT.returns_address in text
    yes = reply(shop, slots, "yes please", "affirm")
    assert yes.case is not None and yes.case.kind == "return" and yes.case.confirm_values["address"]


def test_the_shops_own_policy_and_a_closed_window(shop: FakeCatalogue) -> None:
    own = said(ask(shop, "return_item", "return ORD-200005 please", {"customer_email": ME.email}))
    assert "28 days" in own and "unworn" in own
    closed = ask(shop, "return_item", "return ORD-200006 please", {"customer_email": ME.email})
    assert "outside our returns period" in said(closed)
    assert closed.replies[0].buttons[0]["payload"] == "/request_human"
    assert closed.slots["request_pending"] is False


def test_no_to_a_return_changes_nothing(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {"customer_email": ME.email}
    ask(shop, "return_item", "return ORD-200004", slots)
    no = reply(shop, slots, "no, I'll keep them", "deny")
    assert no.case is None and slots["request_pending"] is False


def test_a_fault_is_not_a_change_of_mind(shop: FakeCatalogue) -> None:
    assert flow.is_a_fault(shop, "the soles split after a week, can I return them?")
    assert not flow.is_a_fault(shop, "I just don't like the colour now they've arrived, can I send them back?")


# --- call-backs ---------------------------------------------------------------------------------------


def test_a_call_back_takes_the_number_and_the_time(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {}
    first = ask(shop, "request_callback", "can someone call me back please? my number is 07700 900123", slots)
    assert "ending 123" in said(first) and "07700 900123" not in said(first)
    done = reply(shop, slots, "tomorrow morning")
    assert done.case is not None and done.case.kind == "callback"
    assert done.case.phone == "07700 900123" and done.case.callback_at == "tomorrow morning"
    assert "07700 900123" not in said(done)


@pytest.mark.parametrize(
    "answer,intent,when",
    [
        ("tomorrow morning", "greet", "tomorrow morning"),
        ("after 5pm", "report_problem", "after 5pm"),
        ("any time before noon", "nlu_fallback", "any time before noon"),
        ("bye, tomorrow morning is best", "goodbye", "bye, tomorrow morning is best"),
        ("after 6 thanks", "thank", "after 6 thanks"),
        ("no preference", "cancel", "no preference"),
        ("4", "inform", "4"),
        ("weds at half 2", "check_status", "weds at half 2"),
    ],
)
def test_the_answer_to_when_to_call_is_the_time_whatever_the_intent(
    shop: FakeCatalogue, answer: str, intent: str, when: str
) -> None:
    slots: dict[str, Any] = {}
    ask(shop, "request_callback", "can someone call me back please? my number is 07700 900123", slots)
    assert slots["request_step"] == "request_callback:time"
    done = reply(shop, slots, answer, intent)
    assert done.case is not None and done.case.callback_at == when, said(done)
    assert slots["request_pending"] is False


def test_words_that_name_no_time_get_the_question_once_more(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {}
    ask(shop, "request_callback", "call me back please, 07700 900123", slots)
    again = reply(shop, slots, "thanks", "thank")
    assert again.case is None and "didn't catch a time" in said(again) and slots["request_pending"] is True
    done = reply(shop, slots, "oh right, after lunch on 07700 900999")  # a new number with the time
    assert done.case is not None and done.case.callback_at == "oh right, after lunch on"
    assert done.case.phone == "07700 900999"
    slots = {}
    ask(shop, "request_callback", "call me back please, 07700 900123", slots)
    reply(shop, slots, "hmm", "nlu_fallback")
    kept = reply(shop, slots, "whatever works for the team", "out_of_scope")  # asked twice: their words are kept
    assert kept.case is not None and kept.case.callback_at == "whatever works for the team"
    slots = {}
    ask(shop, "request_callback", "call me back please, 07700 900123", slots)
    dropped = reply(shop, slots, "never mind", "cancel")  # no time in it: stop still stops
    assert dropped.case is None and "left that there" in said(dropped)


def test_a_bad_number_is_asked_again_once(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {}
    assert "What number" in said(ask(shop, "request_callback", "please ring me", slots))
    assert "full phone number" in said(reply(shop, slots, "0770"))
    gave_up = reply(shop, slots, "12345")
    assert CONTACT.phone in said(gave_up) and slots["request_pending"] is False and gave_up.case is None


def test_number_and_time_in_one_message(shop: FakeCatalogue) -> None:
    turn = ask(shop, "request_callback", "ring me on +44 7700 900456 any time after 2pm")
    assert turn.case is not None and turn.case.callback_at and "7700" not in turn.case.callback_at


@pytest.mark.parametrize(
    "text,valid", [("07700 900123", True), ("+44 20 7946 0958", True), ("0770", False), ("12345678", False)]
)
def test_phone_numbers_are_validated(text: str, valid: bool) -> None:
    assert (callback.valid_phone(text) is not None) is valid


def test_inside_a_complaint_the_number_goes_on_the_complaint(shop: FakeCatalogue) -> None:
    turn = ask(shop, "request_callback", "call me on 07700 900789 about this", in_complaint=True)
    assert turn.slots["phone"] == "07700 900789" and turn.case is None


# --- contact details ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,first",
    [
        ("what's your customer service phone number?", CONTACT.phone),
        ("what is your email address", CONTACT.email),
        ("what are your opening hours", CONTACT.hours),
        ("where do I send returns to?", CONTACT.returns_address),
    ],
)
def test_contact_details_lead_with_what_was_asked(shop: FakeCatalogue, question: str, first: str) -> None:
    turn = contact.answer(shop, question)
    assert len(turn.replies) == 1
    text = turn.replies[0].text
    positions = {value: text.index(value) for value in (CONTACT.phone, CONTACT.email, CONTACT.hours)}
    assert CONTACT.returns_address in text and all(p >= 0 for p in positions.values())
    assert text.index(first) == min(text.index(v) for v in (*positions, CONTACT.returns_address))


# --- refunds ------------------------------------------------------------------------------------------


def _case(status: str, resolution: Optional[str], owner: str = "owner@example.com") -> dict[str, Any]:
    events = [{"kind": "case_created", "at": "2026-10-20T10:00:00+00:00"}]
    if resolution:
        events.append({"kind": "resolution_agreed", "at": "2026-10-21T10:00:00+00:00"})
    if status == "resolved":
        events.append({"kind": "resolved", "at": "2026-10-28T10:00:00+00:00"})
    return {
        "reference": "CS-2026-000321",
        "status": status,
        "conversation_id": "another-chat",
        "customer": {"email": owner},
        "resolution": {"type": resolution},
        "events": events,
    }


def _lookup(case: Mapping[str, Any]) -> Any:
    return lambda reference: case if reference == case["reference"] else None


def test_refund_status_only_for_the_cases_customer(shop: FakeCatalogue) -> None:
    find = _lookup(_case("resolved", "refund"))
    slots: dict[str, Any] = {}
    assert "case reference" in said(ask(shop, "refund_status", "where is my refund?", slots, find_case=find))
    asked = reply(shop, slots, "CS-2026-000321", find_case=find)
    assert "email address" in said(asked) and "refund was agreed" not in said(asked)
    wrong = reply(shop, slots, "not.me@example.com", find_case=find)
    assert "doesn't match" in said(wrong) and "Wednesday 28 October" not in said(wrong)
    right = ask(shop, "refund_status", "refund for CS-2026-000321? owner@example.com", find_case=find)
    assert "full refund" in said(right) and "Wednesday 28 October" in said(right)


@pytest.mark.parametrize(
    "status,resolution,words",
    [
        ("in_progress", "partial_refund", "partial refund was agreed on Wednesday 21 October"),
        ("new", None, "still open"),
        ("resolved", "repair", "without a refund (resolution: repair)"),
    ],
)
def test_refund_answers(shop: FakeCatalogue, status: str, resolution: Optional[str], words: str) -> None:
    find = _lookup(_case(status, resolution))
    turn = ask(shop, "refund_status", "CS-2026-000321 owner@example.com", find_case=find)
    assert words in said(turn)


def _on_order(*cases: Mapping[str, Any]) -> Any:
    """Cases by order number, as bot.conversation.requests.flow.store_order_cases gives them."""
    return lambda number: [c for c in cases if c["order_number"] == number]


def _order_case(reference: str, status: str, resolution: Optional[str], owner: str = ME.email) -> dict[str, Any]:
    return {**_case(status, resolution, owner), "reference": reference, "order_number": "ORD-200004"}


REFUNDED = _order_case("CS-2026-000401", "resolved", "refund")
OPEN = _order_case("CS-2026-000402", "in_progress", "partial_refund")
SOMEONE_ELSES = _order_case("CS-2026-000403", "resolved", "refund", owner="sam.lee@example.com")


@pytest.mark.parametrize(
    "first,number",
    [
        ("where is my refund?", "ORD-200004"),
        ("wheres my refnud", "ord-200004"),
        ("has my money come back yet", "it's order ORD-200004"),
    ],
)
def test_refund_status_by_order_number_only_after_the_order_is_theirs(
    shop: FakeCatalogue, first: str, number: str
) -> None:
    on_order = _on_order(REFUNDED, OPEN, SOMEONE_ELSES)
    slots: dict[str, Any] = {}
    assert "case reference" in said(ask(shop, "refund_status", first, slots, order_cases=on_order))
    asked = reply(shop, slots, number, order_cases=on_order)
    assert "email address you used for order ORD-200004" in said(asked), said(asked)
    assert "CS-2026-0004" not in said(asked) and slots["request_pending"] is True
    wrong = reply(shop, slots, "sam.lee@example.com", order_cases=on_order)  # another customer's e-mail
    assert "doesn't match" in said(wrong) and "CS-2026-0004" not in said(wrong) and slots["request_pending"] is False


def test_every_case_on_the_order_is_answered_for_its_customer(shop: FakeCatalogue) -> None:
    on_order = _on_order(REFUNDED, OPEN, SOMEONE_ELSES)
    slots: dict[str, Any] = {}
    ask(shop, "refund_status", "where is my refund", slots, order_cases=on_order)
    reply(shop, slots, "ORD-200004", order_cases=on_order)
    answer = said(reply(shop, slots, "Rhian.Evans@example.com", order_cases=on_order))
    assert "Case CS-2026-000401: a full refund was agreed and completed on Wednesday 28 October" in answer, answer
    assert "Case CS-2026-000402: a partial refund was agreed on Wednesday 21 October" in answer, answer
    assert "CS-2026-000403" not in answer  # a case on the same order that is someone else's
    assert slots["request_pending"] is False
    at_once = said(ask(shop, "refund_status", "refund for ORD-200004? rhian.evans@example.com", order_cases=on_order))
    assert "CS-2026-000401" in at_once and "CS-2026-000402" in at_once and "CS-2026-000403" not in at_once


def test_refund_by_order_with_no_case_or_an_unknown_order(shop: FakeCatalogue) -> None:
    nothing = ask(shop, "refund_status", "any news on my refund for ORD-200005 rhian.evans@example.com",
                  order_cases=_on_order(REFUNDED))  # fmt: skip
    assert "can't see a case about order ORD-200005" in said(nothing)
    slots: dict[str, Any] = {}
    ask(shop, "refund_status", "where's my refund", slots, order_cases=_on_order(REFUNDED))
    unknown = reply(shop, slots, "ORD-999999", order_cases=_on_order(REFUNDED))
    assert "couldn't find an order numbered ORD-999999" in said(unknown) and slots["request_pending"] is True
    # "the email address you ordered with works too": it does
    answer = reply(shop, slots, "rhian.evans@example.com", order_cases=_on_order(REFUNDED))
    assert "Which one do you mean?" in said(answer) or "CS-2026-000401" in said(answer), said(answer)


def test_the_email_instead_of_the_reference_finds_the_order(shop: FakeCatalogue) -> None:
    on_order = _on_order(REFUNDED, SOMEONE_ELSES)
    slots: dict[str, Any] = {}
    ask(shop, "refund_status", "where's my refund", slots, order_cases=on_order)
    orders = reply(shop, slots, "sam.lee@example.com", order_cases=on_order)  # Sam has one order: no case on it
    assert "can't see a case about order ORD-200008" in said(orders) and "CS-2026-0004" not in said(orders)
    slots = {}
    ask(shop, "refund_status", "where's my refund", slots, order_cases=on_order)
    several = reply(shop, slots, "rhian.evans@example.com", order_cases=on_order)  # Rhian has several
    assert "Which one do you mean?" in said(several) and slots["request_step"] == "refund_status:order"
    chosen = reply(shop, slots, "ORD-200004", entities=[{"entity": "order_number", "value": "ORD-200004"}],
                   order_cases=on_order)  # fmt: skip
    assert "CS-2026-000401" in said(chosen) and "CS-2026-000403" not in said(chosen)


def test_a_case_reference_still_wins_over_an_order_number(shop: FakeCatalogue) -> None:
    find, on_order = _lookup(_case("resolved", "refund")), _on_order(REFUNDED)
    turn = ask(shop, "refund_status", "CS-2026-000321 (order ORD-200004) owner@example.com", find_case=find,
               order_cases=on_order)  # fmt: skip
    assert "CS-2026-000321" in said(turn) and "CS-2026-000401" not in said(turn)


def test_stop_drops_a_request(shop: FakeCatalogue) -> None:
    slots: dict[str, Any] = {}
    ask(shop, "refund_status", "where's my refund", slots)
    dropped = reply(shop, slots, "never mind", "cancel")
    assert "left that there" in said(dropped) and slots["request_pending"] is False


def test_ownership_is_the_same_check_as_case_status() -> None:
    assert owns("a@example.com", "A@Example.com")
    assert owns("a@example.com", None, "chat-1", "chat-1")
    assert not owns("a@example.com", "b@example.com", "chat-1", "chat-2")
    assert not owns("", None)


# --- recording ----------------------------------------------------------------------------------------


def test_a_call_back_case_carries_the_phone_and_when_to_call(sqlite_store: Store, shop: FakeCatalogue) -> None:
    turn = ask(shop, "request_callback", "call me back on 07700 900123 tomorrow after 5pm")
    reference = recording.record(sqlite_store, turn, SENDER, "rest", [])
    assert reference and reference in said(turn) and turn.slots["case_reference"] == reference
    case = service.get_case(sqlite_store, reference)
    assert case["kind"] == "callback" and case["customer"]["phone"] == "07700 900123"
    again = ask(shop, "request_callback", "call me back on 07700 900123 tomorrow after 5pm")
    assert recording.record(sqlite_store, again, SENDER, "rest", []) == reference  # a retry is the same case


def test_the_cases_on_an_order_come_from_the_case_store(sqlite_store: Store) -> None:
    def opened(order_number: str, description: str = "seam split") -> str:
        draft = service.CaseDraft(description=description, order_number=order_number, customer_email=ME.email)
        return service.open_case(sqlite_store, draft).reference

    first, second = opened("WEB-77/1"), opened("web-77/1", "another fault")
    opened("WEB-77/10")  # a longer number that starts the same
    opened("WEB-80", "the same fault as on WEB-77/1")  # names the order but is about another one
    service.resolve_case(sqlite_store, first, "refund", "sam")
    found = flow.store_order_cases(sqlite_store)("WEB-77/1")
    assert [c["reference"] for c in found] == [first, second]
    assert found[0]["resolution"]["type"] == "refund" and any(e["kind"] == "resolved" for e in found[0]["events"])
    assert flow.store_order_cases(sqlite_store)("WEB-99") == []


def test_inside_a_complaint_a_request_never_waits_for_an_answer(shop: FakeCatalogue) -> None:
    turn = ask(shop, "cancel_order", "can you cancel my other order too", in_complaint=True)
    assert not turn.slots.get("request_pending") and "finish logging your complaint" in said(turn)
    known = ask(shop, "order_status", "where's it got to", {"order_number": "ORD-200002"}, in_complaint=True)
    assert "email address" in said(known) or "finish logging" in said(known)


def test_a_status_question_inside_a_complaint_is_answered_in_one_turn(shop: FakeCatalogue) -> None:
    """The complaint form takes the next message, so nothing may wait: what can be said is said, with how to ask."""
    complaint = {"order_number": "ORD-200002"}  # the complaint's order, named but not proven
    where = ask(shop, "order_status", "where's my order?", dict(complaint), in_complaint=True)
    assert not where.slots["request_pending"] and "Royal Mail" not in said(where) and "RM123" not in said(where)
    assert "check order ORD-200002" in said(where) and "email address you ordered with" in said(where)
    assert "back to your complaint" in said(where)
    proven = ask(shop, "order_status", "where's my order? rhian.evans@example.com", dict(complaint), in_complaint=True)
    assert "Royal Mail" in said(proven) and "RM123456789GB" in said(proven) and not proven.slots["request_pending"]
    no_order = ask(shop, "order_status", "wheres my oder", in_complaint=True)
    assert "its order number and the email address" in said(no_order) and not no_order.slots["request_pending"]

    refund = ask(shop, "refund_status", "any news on my refund?", dict(complaint), in_complaint=True)
    assert "No refund has been agreed on the complaint we're logging now" in said(refund)
    assert not refund.slots["request_pending"] and "back to your complaint" in said(refund)
    find = _lookup(_case("resolved", "refund"))
    named = ask(shop, "refund_status", "refund for CS-2026-000321?", find_case=find, in_complaint=True)
    assert "check case CS-2026-000321" in said(named) and "full refund" not in said(named)
    at_once = ask(shop, "refund_status", "refund for CS-2026-000321? owner@example.com", find_case=find,
                  in_complaint=True)  # fmt: skip
    assert "full refund was agreed and completed" in said(at_once) and not at_once.slots["request_pending"]
    on_order = ask(shop, "refund_status", "any news on the refund for ORD-200004", order_cases=_on_order(REFUNDED),
                   in_complaint=True)  # fmt: skip
    assert "refund on order ORD-200004" in said(on_order) and "CS-2026-000401" not in said(on_order)
    # the conversation's own earlier case is theirs without an e-mail
    mine = {**_case("in_progress", "partial_refund"), "conversation_id": SENDER}
    own = ask(shop, "refund_status", "any news on my refund?", {"case_reference": "CS-2026-000321"},
              find_case=_lookup(mine), in_complaint=True)  # fmt: skip
    assert "partial refund was agreed" in said(own)


def test_a_status_question_with_its_email_is_not_an_answer_to_the_form(shop: FakeCatalogue) -> None:
    """The form lets the request answer it (bot/conversation/answers.py); a fault told with it still answers."""
    from bot.conversation import dialogue

    slots = {"order_number": "ORD-200002", "customer_email": ME.email, "requested_slot": "defect_category"}
    for intent, text in (
        ("order_status", "where's my order? rhian.evans@example.com"),
        ("order_status", "where's order ORD-200002? rhian.evans@example.com"),
        ("refund_status", "refund for CS-2026-000321, rhian.evans@example.com"),
    ):
        assert dialogue.handle_answer(shop, slots, "defect_category", text, intent) is None, text
    fault = dialogue.handle_answer(
        shop, slots, "defect_category", "where's my order? the heel came off", "order_status"
    )
    assert fault is not None and fault.slots.get("defect_category") == "heel_detachment"


def test_a_status_question_about_a_refund_is_a_refund_question() -> None:
    from bot.conversation.requests.refunds import asks_about_a_refund

    assert asks_about_a_refund("any news on my refund for CS-2026-000812")
    assert not asks_about_a_refund("what's happening with CS-2026-000812?")


def test_only_an_email_the_customer_typed_proves_who_they_are() -> None:
    """An address filled in from an order the customer only named proves nothing (anyone can type a number)."""
    from bot.conversation.requests.ownership import proven_email

    typed = ["where is my order RQ-3001", "it's Nia.RQ@example.com."]
    assert proven_email("nia.rq@example.com", typed) == "nia.rq@example.com"
    assert proven_email("nia.rq@example.com", ["the zip broke", "RQ-3001", "where is my order?"]) is None
    assert proven_email(None, typed) is None
    assert proven_email("nia.rq@example.com", ["xnia.rq@example.com"]) is None

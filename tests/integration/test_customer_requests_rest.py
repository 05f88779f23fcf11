"""Requests that are not a fault (issue #18) over the real REST channel: where is my order, cancel an order,
change-of-mind returns, call-backs, contact details and refunds, each in a few wordings with a typo.

Runs on the session's shared stack (tests/integration/conftest.py); this module imports its own orders, with
the optional status columns, beside the shared shop (order numbers starting ``RQ-``), and uses its own senders.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cases import service
from bot.cases.service import CaseDraft
from bot.cases.store import open_store
from bot.settings import load_settings
from tests.integration.test_conversation_rest import cli
from tests.support.customer import Persona, complain
from tests.support.rasa_stack import RasaStack

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

BIN = Path(sys.executable).parent / "complaints"
TODAY = dt.date.today()
SETTINGS = load_settings({})
HEADER = (
    "order_number,customer_name,customer_email,sku,size,colour,quantity,batch,order_date,delivery_date,"
    "status,dispatch_date,expected_delivery_date,carrier,tracking_number\n"
)


def _day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


def _spoken(offset: int) -> str:
    value = TODAY + dt.timedelta(days=offset)
    return f"{value:%A} {value.day} {value:%B}"


# number, email, ordered, delivered, status, dispatched, expected, carrier, tracking
ORDERS = [
    ("RQ-3001", "nia.rq@example.com", -3, None, "dispatched", -1, 2, "Royal Mail", "RM200300100GB"),
    ("RQ-3002", "owen.rq@example.com", -1, None, "processing", None, 4, "", ""),
    ("RQ-3003", "ruth.rq@example.com", -1, None, "processing", None, 4, "", ""),
    ("RQ-3004", "iwan.rq@example.com", -8, -5, "delivered", -7, -5, "DPD", "DPD555"),
    ("RQ-3005", "meera.rq@example.com", -14, None, "dispatched", -12, -4, "Evri", "EV999"),
    ("RQ-3006", "kit.rq@example.com", -10, -6, "delivered", -8, -6, "DPD", "DPD777"),
    ("RQ-3007", "ada.rq@example.com", -9, -4, "delivered", -6, -4, "DPD", "DPD888"),
    ("RQ-3008", "lena.rq@example.com", -30, -26, "delivered", -28, -26, "DPD", "DPD321"),
    ("RQ-3009", "tom.rq@example.com", -4, None, "dispatched", -2, 3, "Evri", "EV4242"),
]


@pytest.fixture(scope="module")
def stack(shared_stack: RasaStack, tmp_path_factory: pytest.TempPathFactory) -> RasaStack:
    """The shared stack, with this module's orders imported while it runs."""
    orders = tmp_path_factory.mktemp("requests") / "orders.csv"
    with open(orders, "w") as handle:
        handle.write(HEADER)
        for number, email, ordered, delivered, status, dispatched, expected, carrier, tracking in ORDERS:
            name = email.split(".")[0].capitalize() + " Requester"
            handle.write(
                f"{number},{name},{email},KST-HK-01,UK 7,moss,1,KST-B1,{_day(ordered)},"
                f"{_day(delivered) if delivered is not None else ''},{status},"
                f"{_day(dispatched) if dispatched is not None else ''},{_day(expected)},{carrier},{tracking}\n"
            )
    subprocess.run([str(BIN), "import", "orders", str(orders)], env=shared_stack.env, check=True, capture_output=True)
    return shared_stack


def say(stack: RasaStack, sender: str, text: str) -> str:
    return " ".join(str(r.get("text")) for r in stack.send(sender, text))


def reference_in(text: str) -> str:
    found = re.search(r"CS-\d{4}-\d{6}", text)
    assert found, text
    return found.group(0)


# --- where is my order --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    ["where is my order RQ-3001?", "wheres my oder RQ-3001", "when will order RQ-3001 arrive please"],
)
def test_order_status_for_its_customer(stack: RasaStack, first: str) -> None:
    sender = f"rq-status-{abs(hash(first)) % 10_000}"
    asked = say(stack, sender, first)
    assert "email address" in asked and "RM200300100GB" not in asked, asked
    answer = say(stack, sender, "nia.rq@example.com")
    assert "Royal Mail" in answer and "RM200300100GB" in answer and _spoken(2) in answer, answer


def test_order_details_never_go_to_another_customer(stack: RasaStack) -> None:
    say(stack, "rq-status-stranger", "where is my order RQ-3001")
    wrong = say(stack, "rq-status-stranger", "someone.else@example.net")
    assert "doesn't match" in wrong and "RM200300100GB" not in wrong and "Royal Mail" not in wrong


def test_an_order_number_named_in_a_complaint_does_not_prove_whose_order_it_is(stack: RasaStack) -> None:
    """The complaint form fills the e-mail from a named order; that must not unlock the order's details."""
    sender = "rq-status-named-only"
    say(stack, sender, "the zip on my bag has broken")
    say(stack, sender, "RQ-3001")  # the form fills the order's e-mail in
    answer = say(stack, sender, "hang on, when will my order arrive? has it been dispatched?")
    assert "RM200300100GB" not in answer and "Royal Mail" not in answer, answer


def test_an_overdue_order_offers_a_late_delivery_complaint(stack: RasaStack) -> None:
    sender = "rq-overdue"
    answer = say(stack, sender, "where's my parcel? order RQ-3005, meera.rq@example.com")
    assert "sorry" in answer.lower() and _spoken(-4) in answer and "late-delivery complaint" in answer, answer
    started = say(stack, sender, "yes please")
    assert "late-delivery complaint" in started and "?" in started, started


# --- cancelling an order, and stop ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "first,number,email",
    [
        ("I want to cancel my order please", "RQ-3002", "owen.rq@example.com"),
        ("pls cancle my order, i dont want it anymore", "RQ-3003", "ruth.rq@example.com"),
    ],
)
def test_cancelling_an_order_is_a_cancellation_case_not_stop(
    stack: RasaStack, first: str, number: str, email: str
) -> None:
    sender = f"rq-cancel-{number}"
    asked = say(stack, sender, first)
    assert "haven't logged anything" not in asked and "order number" in asked, asked
    say(stack, sender, number)
    done = say(stack, sender, email)
    reference = reference_in(done)
    case = cli(stack.env, "cases", "show", reference, "--json")
    assert case["kind"] == "cancellation" and case["order_number"] == number


def test_stop_inside_a_complaint_still_stops(stack: RasaStack) -> None:
    say(stack, "rq-stop", "the zip on my Coniston Chelsea Boot is broken")
    assert "haven't logged anything" in say(stack, "rq-stop", "never mind, forget it")


def test_a_dispatched_order_cannot_be_cancelled_but_can_be_returned(stack: RasaStack) -> None:
    answer = say(stack, "rq-cancel-late", "can you cancel order RQ-3001? nia.rq@example.com")
    assert "can't stop it" in answer and "14-day" in answer, answer


# --- returns ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first,number,email",
    [
        ("I just don't like the colour now they've arrived, can I send them back for a refund? order RQ-3004",
         "RQ-3004", "iwan.rq@example.com"),
        ("can i retrun my hikers RQ-3006, changed my mind", "RQ-3006", "kit.rq@example.com"),
    ],
)  # fmt: skip
def test_a_change_of_mind_return(stack: RasaStack, first: str, number: str, email: str) -> None:
    sender = f"rq-return-{number}"
    say(stack, sender, first)
    rights = say(stack, sender, email)
    assert "14-day" in rights and SETTINGS.returns_address in rights, rights
    reference = reference_in(say(stack, sender, "yes please"))
    case = cli(stack.env, "cases", "show", reference, "--json")
    assert case["kind"] == "return" and case["order_number"] == number


def test_a_fault_described_as_a_return_is_a_complaint(stack: RasaStack) -> None:
    answer = say(stack, "rq-return-fault", "the soles on my Kestrel Hiker split after a week, can I return them?")
    assert "14-day" not in answer and "sorry" in answer.lower(), answer


# --- call-backs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first,phone,when",
    [
        ("can someone call me back please? my number is 07700 900123", "07700 900123", "tomorrow morning"),
        ("cud u ring me bak on 07700 900456", "07700 900456", "after 5pm"),
        ("I'd like a call back", "+44 7700 900789", "any time is fine"),
    ],
)
def test_a_call_back_case_with_the_number_kept_out_of_the_logs(
    stack: RasaStack, first: str, phone: str, when: str
) -> None:
    sender = f"rq-callback-{phone[-3:]}"
    asked = say(stack, sender, first)
    if "What number" in asked:
        asked = say(stack, sender, phone)
    assert f"ending {phone[-3:]}" in asked and phone not in asked, asked
    reference = reference_in(say(stack, sender, when))
    case = cli(stack.env, "cases", "show", reference, "--json")
    assert case["kind"] == "callback" and case["customer"]["phone"] == phone and case.get("callback_at") == when
    for name in ("actions.log", "rasa.log"):
        log = (stack.logs / name).read_text(encoding="utf-8", errors="replace")
        assert phone not in log and phone.replace(" ", "") not in log, name


# --- contact details ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,first",
    [
        ("what's your customer service phone number?", SETTINGS.contact_phone),
        ("how do i email u", SETTINGS.contact_email),
        ("where do I send returns to?", SETTINGS.returns_address),
    ],
)
def test_contact_details_answered_directly(stack: RasaStack, question: str, first: str) -> None:
    replies = stack.send(f"rq-contact-{abs(hash(question)) % 10_000}", question)
    assert len(replies) == 1, replies
    text = str(replies[0].get("text"))
    details = (SETTINGS.contact_phone, SETTINGS.contact_email, SETTINGS.contact_hours, SETTINGS.returns_address)
    assert all(value in text for value in details), text
    assert text.index(first) == min(text.index(value) for value in details), text


# --- refunds ------------------------------------------------------------------------------------------


def test_refund_status_only_for_the_cases_customer(stack: RasaStack) -> None:
    persona = Persona(
        story="the stitching on my Whitby Satchel has split", order="web-0042", resolution="refund please"
    )
    reference = complain(stack.send, "rq-refund-owner", persona).reference
    assert reference
    cli(stack.env, "cases", "resolve", reference, "--resolution", "refund", "--note", "refunded", "--json")
    mine = say(stack, "rq-refund-owner", f"where is my refund for {reference}?")
    assert "full refund" in mine and "completed" in mine, mine
    stranger = say(stack, "rq-refund-stranger", f"has my refnud gone through? {reference}")
    assert "email address" in stranger and "full refund" not in stranger, stranger
    wrong = say(stack, "rq-refund-stranger", "someone@example.net")
    assert "doesn't match" in wrong and "full refund" not in wrong


@pytest.fixture(scope="module")
def refunds_on_order(stack: RasaStack) -> tuple[str, str]:
    """Two of Lena's cases on order RQ-3008 (a refund completed, a return still open) and a stranger's one."""
    store = open_store(load_settings({"DATABASE_URL": stack.env["DATABASE_URL"]}))
    try:

        def opened(description: str, kind: str, email: str) -> str:
            draft = CaseDraft(description=description, kind=kind, order_number="RQ-3008", customer_email=email,
                              defect_category="stitching" if kind == "complaint" else "other")  # fmt: skip
            return service.open_case(store, draft).reference

        refunded = opened("the seam split on the left boot", "complaint", "lena.rq@example.com")
        returning = opened("change of mind, sending the boots back", "return", "lena.rq@example.com")
        opened("someone else's complaint about the same order", "complaint", "not.lena@example.net")
    finally:
        store.dispose()
    cli(stack.env, "cases", "resolve", refunded, "--resolution", "refund", "--note", "refunded", "--json")
    return refunded, returning


@pytest.mark.parametrize(
    "first,number",
    [
        ("where is my refund?", "RQ-3008"),
        ("wheres my refnud", "it was order rq-3008"),
        ("has my money come back", "RQ-3008"),
    ],
)
def test_refund_status_by_order_number_for_the_orders_customer_only(
    stack: RasaStack, refunds_on_order: tuple[str, str], first: str, number: str
) -> None:
    refunded, returning = refunds_on_order
    sender = f"rq-refund-order-{abs(hash(first)) % 10_000}"
    asked = say(stack, sender, first)
    assert "case reference" in asked, asked
    need_email = say(stack, sender, number)
    assert "email address you used for order RQ-3008" in need_email and refunded not in need_email, need_email
    answer = say(stack, sender, "lena.rq@example.com")
    assert f"Case {refunded}: a full refund was agreed and completed" in answer, answer
    assert f"Case {returning} is still open" in answer, answer
    assert answer.count("Case CS-") == 2, answer  # the stranger's case on the same order is not said


def test_refund_status_by_order_number_never_goes_to_another_email(
    stack: RasaStack, refunds_on_order: tuple[str, str]
) -> None:
    refunded, returning = refunds_on_order
    asked = say(stack, "rq-refund-order-stranger", "any news on my refund for order RQ-3008?")
    assert "email address you used for order RQ-3008" in asked and "CS-" not in asked.replace("CS-2026-000123", "")
    wrong = say(stack, "rq-refund-order-stranger", "not.lena@example.net")
    assert "doesn't match" in wrong and refunded not in wrong and returning not in wrong, wrong
    typo = say(stack, "rq-refund-order-typo", "refund for RQ-3008? lena.rq@exmaple.com")  # a mistyped address
    assert "doesn't match" in typo and refunded not in typo, typo


# --- a status question in the middle of the complaint form -----------------------------------------------


def test_status_questions_inside_the_complaint_are_answered_in_one_turn(stack: RasaStack) -> None:
    sender = "rq-inside-complaint"
    opened = say(stack, sender, "I need to report a problem with order RQ-3009")
    assert "What's wrong with it?" in opened, opened
    where = say(stack, sender, "wheres my order?")
    assert "check order RQ-3009" in where and "email address you ordered with" in where, where
    assert "EV4242" not in where and "Evri" not in where and "What's wrong with it?" in where, where
    proven = say(stack, sender, "where's my order? tom.rq@example.com")
    assert "Evri" in proven and "EV4242" in proven and _spoken(3) in proven, proven
    assert "What's wrong with it?" in proven, proven  # and the complaint carries on where it was
    refund = say(stack, sender, "any news on my refund?")
    assert "No refund has been agreed on the complaint we're logging now" in refund, refund
    assert "What's wrong with it?" in refund, refund
    carried_on = say(stack, sender, "the sole is coming away at the toe")
    assert "What's wrong with it?" not in carried_on and "?" in carried_on, carried_on


# --- the time for a call-back, whatever the model makes of it ---------------------------------------------


@pytest.mark.parametrize("when", ["any time before noon", "after 6pm thanks", "tomorrow morning pls", "4"])
def test_the_answer_to_when_to_call_is_always_the_time(stack: RasaStack, when: str) -> None:
    sender = f"rq-callback-when-{abs(hash(when)) % 10_000}"
    asked = say(stack, sender, "can someone call me back please? my number is 07700 900321")
    assert "ending 321" in asked and "good time" in asked, asked
    reference = reference_in(say(stack, sender, when))
    case = cli(stack.env, "cases", "show", reference, "--json")
    assert case["kind"] == "callback" and case.get("callback_at") == when

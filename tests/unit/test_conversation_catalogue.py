"""The conversation's port to the shop: the in-memory fake, the SQL adapter, and a shop that is down."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.cases.store import Store
from bot.catalogue.seed import seed_demo
from bot.conversation import dialogue
from bot.conversation.catalogue import Catalogue
from bot.conversation.sql_catalogue import SqlCatalogue
from bot.conversation.state import ComplaintState
from tests.support.fake_catalogue import FakeCatalogue

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def shop() -> FakeCatalogue:
    return FakeCatalogue.demo(TODAY)


def test_the_state_reads_the_complaint_slots_and_reports_changes() -> None:
    state = ComplaintState.from_slots({"order_number": "ORD-1", "status_pending": True, "retries": {"product": 1}})
    assert state.order_number == "ORD-1" and state.get("status_pending") is None
    after = state.merged({"product": "HGT-CB-01", "not_a_slot": 1})
    assert after.changed_slots(state) == {"product": "HGT-CB-01"}
    assert set(state.as_slots()) >= set(dialogue.COMPLAINT_SLOTS) | {"customer_name", "customer_email"}


def test_a_shop_that_is_down_keeps_the_order_number_as_given(shop: FakeCatalogue) -> None:
    number = shop.order_list[0].order_number
    shop.down = True
    slots = {"complaint_id": "c-2", "description": "sole peeling", "defect_category": "sole_separation"}
    turn = dialogue.handle_answer(shop, slots, "order_number", number, "inform", [])
    assert turn is not None and turn.slots["order_number"] == number
    assert "noted order" in " ".join(r.text for r in turn.replies)
    assert shop.lookups_missed()


def test_orders_by_email_while_the_shop_is_down_carry_on_without_one(shop: FakeCatalogue) -> None:
    email = shop.order_list[0].customer.email
    slots: dict[str, Any] = {"description": "it broke", "order_lookup": "by_email"}
    shop.down = True
    turn = dialogue.handle_answer(shop, slots, "customer_email", email, "inform", [])
    assert turn is not None and turn.slots["order_number"] == dialogue.NO_ORDER
    assert turn.replies[0].message_id == "order.lookup_unavailable"


def test_the_story_is_heard_while_the_shop_is_down(shop: FakeCatalogue) -> None:
    shop.down = True
    turn = dialogue.acknowledge(shop, {}, "the sole is peeling away from my shoes after two weeks")
    assert turn.slots["defect_category"] == "sole_separation"
    assert turn.replies[0].stage == "listen" and "sorry" in turn.replies[0].text


def test_the_sql_adapter_reads_what_the_fake_holds_in_memory(sqlite_store: Store) -> None:
    seed_demo(sqlite_store, today=TODAY, with_cases=False)
    sql: Catalogue = SqlCatalogue(sqlite_store)
    with sqlite_store.unit_of_work() as uow:
        number = uow.catalogue.order_numbers()[0]
    order = sql.order(number.lower())
    assert order is not None and order.order_number == number
    slots = order.as_slots()
    assert slots["product"] == order.product.sku and slots["purchase_date"] == order.order_date.isoformat()
    assert [o.order_number for o in sql.orders_for_email(order.customer_email)][:1]
    product = sql.product(order.product.sku)
    assert product is not None and product.name == order.product.name
    assert sql.order("NO-SUCH-ORDER") is None and sql.product("NO-SUCH-SKU") is None
    assert sql.today() == sqlite_store.clock().date()
    assert sql.understand(f"order {number}, the stitching split", TODAY).order_number == number
    assert {p.sku for p in sql.products()} == {p.sku for p in FakeCatalogue(TODAY).products()}

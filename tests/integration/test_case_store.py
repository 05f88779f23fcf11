"""The case store on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import delete, inspect, select, text, update

from bot.cases import service
from bot.cases.models import CaseEvent, FollowUp
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.status import IllegalTransition
from bot.cases.store import Store
from bot.catalogue.seed import seed_demo
from bot.clock import FrozenClock


@pytest.fixture
def seeded(store: Store) -> Store:
    seed_demo(store, today=dt.date(2026, 11, 2), with_cases=False)
    return store


def draft(**overrides: object) -> CaseDraft:
    values: dict[str, object] = {
        "description": "The stitching on my boots has split along the side seam.",
        "channel": "rest",
        "conversation_id": "conv-1",
        "order_number": "ORD-100002",
        "defect_category": "stitching",
        "component": "stitching",
        "resolution_type": "repair",
        "resolution_reason": "within six months: repair first",
    }
    values.update(overrides)
    return CaseDraft(**values)  # type: ignore[arg-type]


def test_a_case_gets_a_reference_facts_from_the_order_and_sla(seeded: Store, clock: FrozenClock) -> None:
    opened = service.open_case(seeded, draft(transcript=[TranscriptTurn("customer", "hello", clock.now)]))
    case = opened.case
    assert opened.created
    assert re.fullmatch(r"CS-2026-\d{6}", case["reference"])
    assert case["status"] == "new"
    assert case["customer"]["email"] and case["customer"]["name"]
    assert case["product"]["sku"] and case["product"]["line"]
    assert case["batch"]
    assert case["purchase_date"]
    assert case["sla"]["first_response_due"] == (clock.now + dt.timedelta(hours=24)).isoformat()
    assert case["sla"]["breached"] is False
    full = service.get_case(seeded, case["reference"])
    assert [e["kind"] for e in full["events"]][:3] == ["case_created", "resolution_agreed", "follow_up_scheduled"]
    assert full["transcript"][0]["text"] == "hello"
    assert full["follow_ups"][0]["status"] == "pending"


def test_references_are_sequential_per_year(seeded: Store, clock: FrozenClock) -> None:
    first = service.open_case(seeded, draft()).reference
    second = service.open_case(seeded, draft()).reference
    assert int(second[-6:]) == int(first[-6:]) + 1
    clock.now = dt.datetime(2027, 1, 1, 0, 5, tzinfo=dt.timezone.utc)
    assert service.open_case(seeded, draft()).reference == "CS-2027-000001"


def test_same_idempotency_key_never_makes_a_second_case(seeded: Store) -> None:
    first = service.open_case(seeded, draft(idempotency_key="conv-1:1"))
    again = service.open_case(seeded, draft(idempotency_key="conv-1:1"))
    assert first.created and not again.created
    assert again.reference == first.reference
    with seeded.unit_of_work() as uow:
        assert uow.cases.count() == 1
        assert len(uow.followups.find()) == 1


def test_unknown_order_is_kept_as_told(seeded: Store) -> None:
    case = service.open_case(seeded, draft(order_number="NOPE-1", customer_email="A.Person@Example.org")).case
    assert case["order_number"] == "NOPE-1"
    assert case["product"]["sku"] is None
    assert case["customer"]["email"] == "a.person@example.org"


def test_safety_issue_is_urgent_and_escalated(seeded: Store) -> None:
    case = service.open_case(
        seeded,
        draft(description="The heel snapped off while I was walking and I fell", defect_category="heel_detachment"),
    ).case
    assert case["priority"] == "urgent" and case["safety_issue"]
    kinds = [e["kind"] for e in service.get_case(seeded, case["reference"])["events"]]
    assert "escalated" in kinds


def test_bad_vocabulary_is_refused(seeded: Store) -> None:
    with pytest.raises(ValueError, match="unknown defect category"):
        service.open_case(seeded, draft(defect_category="squeaky"))
    with pytest.raises(ValueError, match="unknown resolution type"):
        service.open_case(seeded, draft(resolution_type="free_money"))


def test_lifecycle_events_and_follow_up(seeded: Store, clock: FrozenClock) -> None:
    ref = service.open_case(seeded, draft()).reference
    clock.advance(hours=2)
    assigned = service.assign_case(seeded, ref, "lucy.hale", "lucy.hale")
    assert assigned["status"] == "triaged" and assigned["assignee"] == "lucy.hale"
    service.change_status(seeded, ref, "in_progress", "lucy.hale")
    service.add_note(seeded, ref, "Customer sent photos", "lucy.hale")
    clock.advance(days=1)
    resolved = service.resolve_case(seeded, ref, "repair", "lucy.hale", note="resoled")
    assert resolved["status"] == "resolved"
    with seeded.unit_of_work() as uow:
        follow_ups = uow.followups.find()
    assert len(follow_ups) == 1
    assert follow_ups[0].due_at == clock.now + dt.timedelta(days=10)  # repair: 10 days in followups.yml
    with pytest.raises(IllegalTransition):
        service.change_status(seeded, ref, "in_progress", "lucy.hale")
    reopened = service.record_satisfaction(seeded, ref, score=2, solved=False, comment="heel still loose")
    assert reopened["status"] == "reopened" and reopened["reopened"]
    service.resolve_case(seeded, ref, "replacement", "lucy.hale")
    with seeded.unit_of_work() as uow:
        statuses = sorted(f.status for f in uow.followups.find())
    assert statuses == ["answered", "pending"]  # a second cycle, not a duplicate
    closed = service.record_satisfaction(seeded, ref, score=5, solved=True)
    assert closed["status"] == "closed"
    report = service.verify_case_chain(seeded, ref)
    assert report["ok"], report


def test_satisfaction_score_is_checked(seeded: Store) -> None:
    ref = service.open_case(seeded, draft()).reference
    with pytest.raises(ValueError, match="1 to 5"):
        service.record_satisfaction(seeded, ref, score=9, solved=True)


def test_missing_case_is_a_clear_error(seeded: Store) -> None:
    with pytest.raises(service.CaseNotFound, match="CS-2026-999999"):
        service.get_case(seeded, "CS-2026-999999")


class TestHashChain:
    def _case(self, store: Store) -> tuple[str, int]:
        ref = service.open_case(store, draft()).reference
        service.assign_case(store, ref, "sam", "sam")
        service.add_note(store, ref, "called the customer", "sam")
        with store.unit_of_work() as uow:
            case = uow.cases.get(ref)
            assert case is not None
            return ref, case.id

    def test_untouched_chain_verifies(self, seeded: Store) -> None:
        ref, _ = self._case(seeded)
        assert service.verify_case_chain(seeded, ref)["ok"]

    def test_edited_event_data_is_detected(self, seeded: Store) -> None:
        ref, case_id = self._case(seeded)
        with seeded.engine.begin() as conn:
            conn.execute(
                update(CaseEvent)
                .where(CaseEvent.case_id == case_id, CaseEvent.kind == "note_added")
                .values(data={"text": "nothing"})
            )
        report = service.verify_case_chain(seeded, ref)
        assert not report["ok"]
        assert any("altered" in p for p in report["problems"])

    def test_edited_actor_is_detected(self, seeded: Store) -> None:
        ref, case_id = self._case(seeded)
        with seeded.engine.begin() as conn:
            conn.execute(
                text("UPDATE case_events SET actor = 'someone-else' WHERE case_id = :c AND seq = 4"), {"c": case_id}
            )
        assert not service.verify_case_chain(seeded, ref)["ok"]

    def test_deleted_middle_event_is_detected(self, seeded: Store) -> None:
        ref, case_id = self._case(seeded)
        with seeded.engine.begin() as conn:
            conn.execute(delete(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq == 2))
        report = service.verify_case_chain(seeded, ref)
        assert not report["ok"]
        assert any("missing" in p for p in report["problems"])

    def test_deleted_newest_event_is_detected(self, seeded: Store) -> None:
        ref, case_id = self._case(seeded)
        with seeded.engine.begin() as conn:
            last = (
                conn.execute(select(CaseEvent.seq).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq.desc()))
                .scalars()
                .first()
            )
            conn.execute(delete(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.seq == last))
        assert not service.verify_case_chain(seeded, ref)["ok"]

    def test_backdated_event_is_detected(self, seeded: Store) -> None:
        ref, case_id = self._case(seeded)
        with seeded.engine.begin() as conn:
            conn.execute(
                update(CaseEvent)
                .where(CaseEvent.case_id == case_id, CaseEvent.seq == 1)
                .values(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
            )
        assert not service.verify_case_chain(seeded, ref)["ok"]


def test_follow_up_keys_are_unique_per_cycle(seeded: Store) -> None:
    ref = service.open_case(seeded, draft()).reference
    with seeded.unit_of_work() as uow:
        keys = [f.key for f in uow.session.execute(select(FollowUp)).unique().scalars()]
    assert keys == [f"{ref}:satisfaction:1"]


# --- case kinds (issue #18): cancellations, returns, call-backs and enquiries ------------------------------


def test_a_callback_keeps_its_kind_phone_and_time_in_the_case_json(seeded: Store) -> None:
    callback = draft(
        kind="callback",
        description="Can someone call me back please?",
        order_number=None,
        defect_category="other",
        component=None,
        resolution_type=None,
        resolution_reason=None,
        customer_name="Jo Bloggs",
        customer_phone="07700 900123",
        callback_at="after 5pm today",
        idempotency_key="conv-cb:callback",
    )
    opened = service.open_case(seeded, callback)
    case = opened.case
    assert case["kind"] == "callback"
    assert case["customer"] == {"name": "Jo Bloggs", "email": None, "phone": "07700 900123"}
    assert case["callback_at"] == "after 5pm today"
    full = service.get_case(seeded, opened.reference)
    assert (full["kind"], full["customer"]["phone"], full["callback_at"]) == (
        "callback",
        "07700 900123",
        "after 5pm today",
    )
    again = service.open_case(seeded, callback)
    assert not again.created and again.reference == opened.reference
    with seeded.unit_of_work() as uow:
        assert uow.cases.count() == 1


def test_kind_defaults_to_complaint_and_the_phone_joins_a_known_customer(seeded: Store) -> None:
    plain = service.open_case(seeded, draft()).case
    assert plain["kind"] == "complaint" and plain["customer"]["phone"] is None and "callback_at" not in plain
    cancel = service.open_case(seeded, draft(kind="cancellation", customer_phone="+44 20 7946 0958")).case
    assert cancel["kind"] == "cancellation"
    assert cancel["customer"]["email"] == plain["customer"]["email"]  # the order's customer
    assert cancel["customer"]["phone"] == "+44 20 7946 0958"
    assert service.get_case(seeded, plain["reference"])["customer"]["phone"] == "+44 20 7946 0958"


def test_unknown_kinds_and_numbers_that_are_no_phone_are_refused(seeded: Store) -> None:
    with pytest.raises(ValueError, match="unknown case kind 'refund'"):
        service.open_case(seeded, draft(kind="refund"))
    with pytest.raises(ValueError, match="not a phone number") as refused:
        service.open_case(seeded, draft(kind="callback", customer_phone="call me maybe 12"))
    assert "call me maybe" not in str(refused.value)
    with seeded.unit_of_work() as uow:
        assert uow.cases.count() == 0


def test_cases_are_found_by_kind(seeded: Store) -> None:
    from bot.cases.case_query import CaseQuery
    from bot.cases.views import find_cases

    complaint = service.open_case(seeded, draft()).reference
    ret = service.open_case(seeded, draft(kind="return")).reference
    assert [c["reference"] for c in find_cases(seeded, CaseQuery(kind="return"))] == [ret]
    assert [c["reference"] for c in find_cases(seeded, CaseQuery(kind="complaint"))] == [complaint]
    assert len(find_cases(seeded, CaseQuery())) == 2


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_0007_makes_existing_cases_complaints(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, clock: FrozenClock
) -> None:
    from bot.cases import migrate
    from bot.cases.store import open_store
    from bot.settings import load_settings
    from tests.support.servers import create_database

    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'kinds.db'}"
    else:
        url = create_database(request.getfixturevalue("postgres_url"), "case_kinds_0007")
    store = open_store(load_settings({"DATABASE_URL": url}), clock=clock)
    try:
        migrate.upgrade(store.engine, "0006")
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO cases (reference, status, priority, channel, defect_category, description, "
                    "safety_issue, legal_hold, event_count, head_hash, created_at, updated_at) VALUES "
                    "('CS-2025-000001', 'new', 'normal', 'rest', 'stitching', 'old case', false, false, 0, :h, "
                    ":t, :t)"
                ),
                {"h": "0" * 64, "t": dt.datetime(2025, 10, 1, 9, 0)},
            )
        migrate.upgrade(store.engine, "0007")
        assert migrate.current_revision(store.engine) == "0007"
        migrate.upgrade(store.engine)  # and every later migration keeps the case readable
        assert service.get_case(store, "CS-2025-000001")["kind"] == "complaint"
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT kind FROM cases")).scalar_one() == "complaint"
            conn.execute(
                text("SELECT status, dispatch_date, expected_delivery_date, carrier, tracking_number FROM orders")
            )
        indexes = {index["name"] for index in inspect(store.engine).get_indexes("cases")}
        assert {"ix_cases_kind", "ix_cases_kind_created_themes"} <= indexes
        opened = service.open_case(
            store, CaseDraft(description="ring me", kind="callback", customer_phone="07700 900123")
        )
        assert opened.case["kind"] == "callback"
    finally:
        store.dispose()

"""Opening a case is one transaction: a failure part-way leaves nothing behind, and the retry writes one case."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from bot.cases import opening, service
from bot.cases.models import Case, CaseEvent, CasePhoto, CaseSequence, Customer, FollowUp, TranscriptLine
from bot.cases.photos import save_photo
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.catalogue.seed import seed_demo

CONVERSATION = "conv-atomic-1"


@pytest.fixture
def pstore(store: Store, tmp_path: Path) -> Iterator[Store]:
    """The seeded store with photos under the test's own folder."""
    seed_demo(store, today=dt.date(2026, 11, 2), with_cases=False)
    yield dataclasses.replace(store, settings=store.settings.with_overrides(photos_dir=tmp_path / "photos"))


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), (120, 60, 30)).save(out, format="JPEG")
    return out.getvalue()


def _draft(store: Store) -> CaseDraft:
    return CaseDraft(
        description="The sole came away from the upper after two weeks.",
        conversation_id=CONVERSATION,
        customer_email="new.customer@example.org",
        customer_name="New Customer",
        order_number="ORD-100002",
        defect_category="sole_separation",
        resolution_type="repair",
        resolution_reason="within six months: repair first",
        idempotency_key=f"{CONVERSATION}:complaint",
        transcript=[TranscriptTurn("customer", "my sole came off", store.clock())],
        extra_events=[{"kind": "handoff_requested", "actor": "customer", "data": {"reason": "wants a person"}}],
    )


def _counts(store: Store) -> dict[str, Any]:
    with store.unit_of_work() as uow:

        def count(model: Any) -> int:
            return int(uow.session.execute(select(func.count()).select_from(model)).scalar_one())

        return {
            "cases": count(Case),
            "events": count(CaseEvent),
            "follow_ups": count(FollowUp),
            "transcript": count(TranscriptLine),
            "customers": count(Customer),
            "sequences": [tuple(r) for r in uow.session.execute(select(CaseSequence.year, CaseSequence.last_value))],
            "unlinked_photos": int(
                uow.session.execute(
                    select(func.count()).select_from(CasePhoto).where(CasePhoto.case_id.is_(None))
                ).scalar_one()
            ),
        }


def _assert_one_whole_case(store: Store, reference: str) -> None:
    with store.unit_of_work() as uow:
        assert uow.cases.count() == 1
        assert len(uow.followups.find()) == 1
    case = service.get_case(store, reference)
    kinds = [event["kind"] for event in case["events"]]
    assert kinds.count("case_created") == 1 and kinds.count("follow_up_scheduled") == 1
    assert kinds.count("photos_attached") == 1 and kinds.count("handoff_requested") == 1
    assert len(case["photos"]) == 1 and case["transcript"][0]["text"] == "my sole came off"
    assert service.verify_case_chain(store, reference)["ok"]


def test_a_crash_after_the_last_step_of_opening_writes_nothing(pstore: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    save_photo(pstore, CONVERSATION, _jpeg(), original_name="sole.jpg")
    before = _counts(pstore)
    real_link = opening.link_pending_photos

    def link_then_crash(*args: Any, **kwargs: Any) -> Any:
        real_link(*args, **kwargs)  # photos linked, follow-up scheduled, events written: then the process dies
        raise RuntimeError("worker killed while opening the case")

    monkeypatch.setattr(opening, "link_pending_photos", link_then_crash)
    with pytest.raises(RuntimeError, match="worker killed"):
        service.open_case(pstore, _draft(pstore))
    assert _counts(pstore) == before  # no case, event, follow-up, transcript, customer or reference used

    monkeypatch.undo()
    retried = service.open_case(pstore, _draft(pstore))
    assert retried.created and retried.reference == "CS-2026-000001"  # the failed attempt used no number
    _assert_one_whole_case(pstore, retried.reference)
    again = service.open_case(pstore, _draft(pstore))
    assert not again.created and again.reference == retried.reference
    _assert_one_whole_case(pstore, retried.reference)


def _refuse(store: Store, table: str, action: str) -> None:
    """A real database fault: a trigger that makes every ``action`` on ``table`` fail."""
    if store.engine.dialect.name == "sqlite":
        statements = [
            f"CREATE TRIGGER refuse BEFORE {action} ON {table} BEGIN SELECT RAISE(ABORT, 'disk refused'); END"
        ]
    else:
        statements = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'disk refused'; END $$",
            f"CREATE TRIGGER refuse BEFORE {action} ON {table} FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    with store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _stop_refusing(store: Store, table: str) -> None:
    if store.engine.dialect.name == "sqlite":
        statements = ["DROP TRIGGER refuse"]
    else:
        statements = [f"DROP TRIGGER refuse ON {table}", "DROP FUNCTION refuse()"]
    with store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


@pytest.mark.parametrize(("table", "action"), [("follow_ups", "INSERT"), ("case_photos", "UPDATE")])
def test_a_database_refusing_the_follow_up_or_the_photo_link_writes_nothing(
    pstore: Store, table: str, action: str
) -> None:
    save_photo(pstore, CONVERSATION, _jpeg(), original_name="sole.jpg")
    before = _counts(pstore)
    _refuse(pstore, table, action)
    with pytest.raises(DBAPIError, match="disk refused"):
        service.open_case(pstore, _draft(pstore))
    assert _counts(pstore) == before

    _stop_refusing(pstore, table)
    retried = service.open_case(pstore, _draft(pstore))
    assert retried.created and retried.reference == "CS-2026-000001"
    _assert_one_whole_case(pstore, retried.reference)


def test_a_photo_sent_after_the_case_is_linked_with_its_event_in_one_step(pstore: Store) -> None:
    reference = service.open_case(pstore, _draft(pstore)).reference
    photo = save_photo(pstore, CONVERSATION, _jpeg(), original_name="later.jpg")
    case = service.get_case(pstore, reference)
    assert [p["id"] for p in case["photos"]] == [photo["id"]]
    attached = [e for e in case["events"] if e["kind"] == "photos_attached"]
    assert [p["id"] for p in attached[0]["data"]["photos"]] == [photo["id"]]
    assert service.verify_case_chain(pstore, reference)["ok"]

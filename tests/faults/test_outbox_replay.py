"""The durable outbox: a confirmed complaint kept while the database is locked is written once it is back.

Faults are real: the SQLite case file is held locked by another process. Replays are repeated as a
crash during replay would repeat them, and must still give one case, one follow-up, one notice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import func, select

from bot.cases import deferred, migrate, service
from bot.cases.deferred import AnnounceFailed, CaseLoggedNotice
from bot.cases.models import Case, CaseEvent, FollowUp
from bot.cases.outbox import Outbox
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store, open_store
from bot.clock import FrozenClock
from bot.db import is_unavailable
from bot.settings import load_settings
from tests.support.faults import locked_sqlite

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


class Announcements:
    """Records notices; can be told to fail like an unreachable Rasa."""

    def __init__(self) -> None:
        self.sent: list[CaseLoggedNotice] = []
        self.failing = False

    def announce(self, notice: CaseLoggedNotice) -> str:
        if self.failing:
            raise AnnounceFailed("Rasa is not reachable", retryable=True)
        self.sent.append(notice)
        return "chat"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "cases.db"


def _store(db_file: Path, tmp_path: Path, interactive: bool) -> Store:
    settings = load_settings(
        {"DATABASE_URL": f"sqlite:///{db_file}", "OUTBOX_DIR": str(tmp_path / "outbox"), "DB_ANSWER_TIMEOUT_MS": "300"}
    )
    return open_store(settings, clock=FrozenClock(NOW), interactive=interactive)


@pytest.fixture
def stores(db_file: Path, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """(serving store that gives up after 300 ms, batch store for the replay)."""
    batch = _store(db_file, tmp_path, interactive=False)
    migrate.upgrade(batch.engine)
    serving = _store(db_file, tmp_path, interactive=True)
    yield serving, batch
    serving.dispose()
    batch.dispose()


def draft(key: str = "conv-1:complaint-1") -> CaseDraft:
    return CaseDraft(
        description="The stitching on the left boot split after a week <b>&amp;</b> 'quotes'",
        channel="rest",
        conversation_id="conv-1",
        customer_name="Ann Example",
        customer_email="ann@example.com",
        defect_category="stitching",
        component="upper",
        purchase_date=dt.date(2026, 10, 20),
        resolution_type="replacement",
        resolution_reason="within 30 days",
        idempotency_key=key,
        transcript=[
            TranscriptTurn("customer", "my boots split", NOW, intent="report_problem"),
            TranscriptTurn("bot", "I'm sorry to hear that.", NOW),
        ],
    )


def counts(store: Store) -> tuple[int, int, int]:
    with store.unit_of_work() as uow:
        cases = uow.session.scalar(select(func.count(Case.id)))
        follow_ups = uow.session.scalar(select(func.count(FollowUp.id)))
        events = uow.session.scalar(select(func.count(CaseEvent.id)))
    return int(cases or 0), int(follow_ups or 0), int(events or 0)


def test_a_locked_database_defers_the_case_and_the_replay_writes_it_once(
    stores: tuple[Store, Store], db_file: Path
) -> None:
    serving, batch = stores
    announcements = Announcements()
    with locked_sqlite(db_file):
        with pytest.raises(Exception) as raised:
            service.open_case(serving, draft())
        assert is_unavailable(raised.value)
        entry = deferred.defer_case(serving.settings, draft(), NOW)
        # Replaying while the lock is still held changes nothing and keeps the entry.
        waiting = deferred.replay(_store(db_file, entry.path.parent.parent, interactive=True), announcer=announcements)
        assert waiting.waiting == 1 and waiting.written == 0
    assert entry.path.exists()
    stored = json.loads(entry.path.read_text())
    assert stored["payload"]["draft"]["description"] == draft().description
    assert oct(entry.path.parent.stat().st_mode & 0o777) == "0o700"

    report = deferred.replay(batch, announcer=announcements)
    assert (report.written, report.announced, report.waiting) == (1, 1, 0)
    assert not Outbox(batch.settings.outbox_dir).pending()
    cases, follow_ups, _ = counts(batch)
    assert (cases, follow_ups) == (1, 1)
    with batch.unit_of_work() as uow:
        case = uow.session.scalars(select(Case)).one()
        reference = case.reference
    shown = service.get_case(batch, reference)
    assert shown["description"] == draft().description
    assert shown["defect_category"] == "stitching" and shown["component"] == "upper"
    assert shown["purchase_date"] == "2026-10-20"
    assert shown["resolution"]["type"] == "replacement"
    assert shown["customer"]["email"] == "ann@example.com"
    assert [e["kind"] for e in shown["events"]].count("reference_sent") == 1
    assert service.verify_case_chain(batch, reference)["ok"] is True
    assert [n.reference for n in announcements.sent] == [reference]
    assert announcements.sent[0].conversation_id == "conv-1"


def test_replaying_twice_after_a_crash_gives_one_case_and_one_notice(stores: tuple[Store, Store]) -> None:
    _, batch = stores
    announcements = Announcements()
    entry = deferred.defer_case(batch.settings, draft(), NOW)
    saved = entry.path.read_bytes()
    deferred.replay(batch, announcer=announcements)
    # A crash after the case was written but before the entry was removed: the entry is back.
    entry.path.write_bytes(saved)
    again = deferred.replay(batch, announcer=announcements)
    assert (again.written, again.already_there) == (0, 1)
    assert counts(batch)[:2] == (1, 1)
    assert len(announcements.sent) == 1
    assert not Outbox(batch.settings.outbox_dir).pending()


def test_the_same_complaint_deferred_twice_is_one_entry(stores: tuple[Store, Store]) -> None:
    _, batch = stores
    first = deferred.defer_case(batch.settings, draft(), NOW)
    changed = draft()
    changed.description = "a retried action with the same key"
    second = deferred.defer_case(batch.settings, changed, NOW)
    assert first.path == second.path
    assert second.payload["draft"]["description"] == draft().description
    assert len(Outbox(batch.settings.outbox_dir).pending()) == 1


def test_a_late_original_write_and_the_outbox_still_give_one_case(stores: tuple[Store, Store]) -> None:
    """The action gave up waiting, queued the case, and then its own write landed after all."""
    _, batch = stores
    deferred.defer_case(batch.settings, draft(), NOW)
    service.open_case(batch, draft())
    report = deferred.replay(batch, announcer=Announcements())
    assert report.already_there == 1
    assert counts(batch)[:2] == (1, 1)


def test_an_unreachable_customer_is_told_later_without_a_second_case(stores: tuple[Store, Store]) -> None:
    _, batch = stores
    announcements = Announcements()
    announcements.failing = True
    deferred.defer_case(batch.settings, draft(), NOW)
    first = deferred.replay(batch, announcer=announcements)
    assert (first.written, first.waiting) == (1, 1)
    pending = Outbox(batch.settings.outbox_dir).pending()
    assert len(pending) == 1 and pending[0].attempts == 1 and "not reachable" in pending[0].last_error
    announcements.failing = False
    second = deferred.replay(batch, announcer=announcements)
    assert (second.written, second.already_there, second.announced) == (0, 1, 1)
    assert counts(batch)[:2] == (1, 1)
    assert len(announcements.sent) == 1


def test_bad_data_is_set_aside_for_a_person_not_dropped(stores: tuple[Store, Store]) -> None:
    _, batch = stores
    bad = draft("conv-2:complaint-1")
    bad.defect_category = "not-a-category"
    deferred.defer_case(batch.settings, bad, NOW)
    deferred.defer_case(batch.settings, draft(), NOW)
    report = deferred.replay(batch, announcer=Announcements())
    assert (report.set_aside, report.written) == (1, 1)
    outbox = Outbox(batch.settings.outbox_dir)
    assert not outbox.pending()
    [failed] = outbox.failed()
    assert json.loads(failed.read_text())["payload"]["draft"]["defect_category"] == "not-a-category"


def test_a_follow_up_answer_kept_while_locked_is_recorded_once(stores: tuple[Store, Store], db_file: Path) -> None:
    serving, batch = stores
    reference = service.open_case(batch, draft()).reference
    service.resolve_case(batch, reference, "replacement", "agent")
    with batch.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        key = uow.followups.for_case(case.id)[-1].key
    answer = {"score": 1, "solved": False, "comment": "still split", "alert_staff": ["assistant", "not satisfied"]}
    with locked_sqlite(db_file):
        with pytest.raises(Exception) as raised:
            service.record_satisfaction(serving, reference, 1, False, "still split", followup_key=key)
        assert is_unavailable(raised.value)
        entry = deferred.defer_satisfaction(serving.settings, key, reference, answer, NOW)
    saved = entry.path.read_bytes()
    assert deferred.replay(batch).written == 1
    entry.path.write_bytes(saved)  # replayed again after a crash
    assert deferred.replay(batch).already_there == 1
    shown = service.get_case(batch, reference)
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds.count("satisfaction_recorded") == 1 and kinds.count("staff_alerted") == 1
    assert shown["status"] == "reopened" and shown["satisfaction"]["score"] == 1
    assert service.verify_case_chain(batch, reference)["ok"] is True


def test_outbox_writes_are_fsynced_and_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    outbox = Outbox(tmp_path / "outbox")
    entry = outbox.put("open_case", "k", {"draft": {}})
    assert len(synced) >= 2  # the file and its directory
    assert not list((tmp_path / "outbox").glob(".*.tmp"))
    outbox.done(entry)
    assert not entry.path.exists()

"""Scheduled follow-ups: never lost, never doubled (SQLite and a real PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select

from bot.cases import service
from bot.cases.models import Case, CaseEvent, FollowUp
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from bot.clock import FrozenClock
from bot.followups import conversation
from bot.followups.delivery import ChannelRouter, DeliveryError, EmailDeliverer, check_rating_token
from bot.followups.queue import DueFollowUp, claim_due, mark_delivered
from bot.followups.worker import run_due
from integrations.followup_delivery import RasaDeliverer
from tests.support.rasa_standin import rasa_standin
from tests.support.servers import create_database, free_port

BIN = Path(sys.executable).parent / "complaints"


def resolved_case(
    store: Store, resolution: str = "refund", channel: str = "socketio", email: str = "ann@example.com"
) -> str:
    ref = service.open_case(
        store,
        CaseDraft(
            description="stitching split",
            defect_category="stitching",
            channel=channel,
            conversation_id=f"conv-{time.time_ns()}" if channel != "email" else None,
            customer_email=email,
            customer_name="Ann Example",
            resolution_type=resolution,
        ),
    ).reference
    service.resolve_case(store, ref, resolution, "agent")
    return ref


def follow_up(store: Store, ref: str) -> FollowUp:
    with store.unit_of_work() as uow:
        case = uow.cases.get(ref)
        assert case is not None
        return [f for f in uow.followups.for_case(case.id) if f.status != "answered"][-1]


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.delivered: list[str] = []

    def deliver(self, item: DueFollowUp) -> str:
        if self.fail:
            raise DeliveryError("Rasa is not reachable")
        self.delivered.append(item.key)
        return "chat"


@pytest.mark.parametrize("resolution,days", [("refund", 2), ("replacement", 7), ("repair", 10)])
def test_resolving_schedules_the_follow_up_by_resolution_type(
    store: Store, clock: FrozenClock, resolution: str, days: int
) -> None:
    ref = resolved_case(store, resolution)
    assert follow_up(store, ref).due_at == clock.now + dt.timedelta(days=days)


def test_not_due_yet_nothing_happens_then_it_goes_once(store: Store, clock: FrozenClock) -> None:
    ref = resolved_case(store)
    recorder = Recorder()
    assert run_due(store, recorder).claimed == 0
    clock.advance(days=2, minutes=1)
    report = run_due(store, recorder)
    assert (report.claimed, report.sent) == (1, 1)
    assert run_due(store, recorder).claimed == 0
    assert recorder.delivered == [f"{ref}:satisfaction:1"]
    assert follow_up(store, ref).status == "sent"
    kinds = [e["kind"] for e in service.get_case(store, ref)["events"]]
    assert kinds.count("follow_up_sent") == 1


def test_unresolved_case_is_postponed_not_sent(store: Store, clock: FrozenClock) -> None:
    ref = service.open_case(
        store, CaseDraft(description="zip broke", defect_category="hardware", conversation_id="c")
    ).reference
    clock.advance(days=30)
    recorder = Recorder()
    report = run_due(store, recorder)
    assert report.postponed == 1 and not recorder.delivered
    assert follow_up(store, ref).due_at == clock.now + dt.timedelta(days=1)


def test_delivery_is_spoken_once_however_often_it_is_attempted(store: Store, clock: FrozenClock) -> None:
    ref = resolved_case(store)
    key = f"{ref}:satisfaction:1"
    assert mark_delivered(store, key, "chat", "assistant")
    assert not mark_delivered(store, key, "chat", "assistant")
    assert not mark_delivered(store, "CS-2000-000001:satisfaction:1", "chat", "assistant")


def test_rasa_down_means_retries_with_backoff_then_failure_and_alert(store: Store, clock: FrozenClock) -> None:
    ref = resolved_case(store)
    clock.advance(days=3)
    down = Recorder(fail=True)
    report = run_due(store, down)
    assert report.retrying == 1
    item = follow_up(store, ref)
    assert (
        item.status == "pending" and item.attempts == 1 and item.next_attempt_at == clock.now + dt.timedelta(minutes=2)
    )
    assert run_due(store, down).claimed == 0  # backing off
    for minutes in (2, 4, 8):
        clock.advance(minutes=minutes)
        assert run_due(store, down).retrying == 1
    clock.advance(minutes=16)
    assert run_due(store, down).failed == 1
    assert follow_up(store, ref).status == "failed"
    kinds = [e["kind"] for e in service.get_case(store, ref)["events"]]
    assert "follow_up_failed" in kinds and "staff_alerted" in kinds


def test_rasa_back_after_an_outage_delivers(store: Store, clock: FrozenClock) -> None:
    ref = resolved_case(store)
    clock.advance(days=3)
    dead = RasaDeliverer(f"http://127.0.0.1:{free_port()}", timeout=2)
    assert run_due(store, dead).retrying == 1
    with rasa_standin(str(store.engine.url.render_as_string(hide_password=False))) as standin:
        clock.advance(minutes=3)
        report = run_due(store, RasaDeliverer(standin.url))
        assert report.sent == 1, report.errors
        assert standin.spoken[f"{ref}:satisfaction:1"] == 1
    assert follow_up(store, ref).status == "sent"


def test_claims_are_exclusive_and_expire(store: Store, clock: FrozenClock) -> None:
    for _ in range(3):
        resolved_case(store)
    clock.advance(days=3)
    first = claim_due(store, "worker-a")
    assert len(first) == 3
    assert claim_due(store, "worker-b") == []
    clock.advance(minutes=6)  # worker-a crashed: its claims expire (default 5 minutes)
    second = claim_due(store, "worker-b")
    assert sorted(i.key for i in second) == sorted(i.key for i in first)


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
            received.append(envelope)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def test_email_fallback_with_a_one_time_rating_link(
    store: Store, clock: FrozenClock, smtp_server: tuple[int, list[Any]]
) -> None:
    port, received = smtp_server
    ref = resolved_case(store, channel="email", email="bea@example.org")
    clock.advance(days=3)
    email = EmailDeliverer("127.0.0.1", port, "care@example.com", "https://shop.example.com", "s3cret-key")
    report = run_due(store, ChannelRouter(chat=Recorder(), email=email))
    assert report.sent == 1, report.errors
    assert len(received) == 1 and received[0].rcpt_tos == ["bea@example.org"]
    message = message_from_bytes(received[0].content)
    body = message.get_payload(decode=True).decode()
    assert ref in message["Subject"]
    link = next(word for word in body.split() if word.startswith("https://shop.example.com/rate/"))
    token = link.rsplit("/", 1)[1]
    assert check_rating_token("s3cret-key", token) == f"{ref}:satisfaction:1"
    assert check_rating_token("s3cret-key", token[:-1] + "0") is None
    assert check_rating_token("other-key", token) is None
    assert run_due(store, ChannelRouter(chat=None, email=email)).claimed == 0  # never twice


def test_chat_failure_that_cannot_be_retried_falls_back_to_email(
    store: Store, clock: FrozenClock, smtp_server: tuple[int, list[Any]]
) -> None:
    port, received = smtp_server
    resolved_case(store)
    clock.advance(days=3)

    class Gone:
        def deliver(self, item: DueFollowUp) -> str:
            raise DeliveryError("conversation unknown", retryable=False)

    email = EmailDeliverer("127.0.0.1", port, "care@example.com", "http://localhost:8000", "k")
    assert run_due(store, ChannelRouter(chat=Gone(), email=email)).sent == 1
    assert len(received) == 1


class TestSatisfactionAnswers:
    @pytest.mark.parametrize(
        "text,score",
        [
            ("5", 5),
            ("4/5", 4),
            ("3 out of 5", 3),
            ("two", 2),
            ("very happy", 5),
            ("terrible", 1),
            ("it was ok", 3),
            ("not happy at all", 2),
            ("I'd give it a 4", 4),
        ],
    )
    def test_scores_in_words_and_numbers(self, text: str, score: int) -> None:
        assert conversation.parse_score(text) == score

    @pytest.mark.parametrize("text", ["", "10", "£45", "no idea"])
    def test_no_score(self, text: str) -> None:
        assert conversation.parse_score(text) is None

    def test_a_no_and_a_low_score_reopen_the_case_and_alert_staff(self, store: Store, clock: FrozenClock) -> None:
        ref = resolved_case(store)
        key = f"{ref}:satisfaction:1"
        with store.unit_of_work() as uow:
            conversation_id = uow.cases.get(ref).conversation_id  # type: ignore[union-attr]
        start = conversation.start(store, key, ref, conversation_id)
        assert start.slots["followup_active"] is True and ref in start.replies[0].text
        assert conversation.start(store, key, ref, conversation_id).slots == {}  # asked once only
        slots: dict[str, Any] = dict(start.slots)
        for requested, text, intent in (
            ("followup_solved", "no, the heel is loose again", "deny"),
            ("followup_score", "2", "inform"),
            ("followup_comment", "very disappointed", "inform"),
        ):
            answer = conversation.handle(slots, requested, text, intent, [])
            assert answer is not None
            slots.update(answer.slots)
        done = conversation.finish(store, slots)
        assert "reopened" in done.replies[0].text
        case = service.get_case(store, ref)
        assert case["status"] == "reopened" and case["satisfaction"] == {"score": 2, "comment": "very disappointed"}
        kinds = [e["kind"] for e in case["events"]]
        assert "satisfaction_recorded" in kinds and "staff_alerted" in kinds

    def test_forged_trigger_for_someone_elses_conversation_says_nothing(self, store: Store) -> None:
        ref = resolved_case(store)
        assert conversation.start(store, f"{ref}:satisfaction:1", ref, "attacker").replies == []
        assert follow_up(store, ref).status == "pending"


# ---------------------------------------------------------------- faults with real worker processes


def _bulk_due_follow_ups(store: Store, count: int) -> list[str]:
    """Many resolved cases with due follow-ups, inserted in one transaction."""
    now = store.clock()
    keys = []
    with store.unit_of_work() as uow:
        for n in range(count):
            case = Case(
                reference=f"CS-2026-{900000 + n:06d}",
                status="resolved",
                priority="normal",
                channel="socketio",
                conversation_id=f"bulk-{n}",
                defect_category="stitching",
                description="bulk",
                created_at=now,
                updated_at=now,
                resolution_type="refund",
            )
            uow.session.add(case)
            uow.session.flush()
            key = f"{case.reference}:satisfaction:1"
            uow.session.add(
                FollowUp(
                    case_id=case.id,
                    key=key,
                    channel="socketio",
                    conversation_id=case.conversation_id,
                    due_at=now - dt.timedelta(minutes=1),
                    status="pending",
                    created_at=now,
                )
            )
            keys.append(key)
        uow.commit()
    return keys


def _worker(url: str, rasa_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "RASA_URL": rasa_url,
        "FOLLOWUP_INTERVAL_SECONDS": "0.2",
        "FOLLOWUP_CLAIM_TIMEOUT_SECONDS": "3",
        "SMTP_HOST": "",
    }
    return subprocess.Popen(
        [str(BIN), "followups", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_all_sent(store: Store, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.unit_of_work() as uow:
            sent = uow.session.execute(select(func.count(FollowUp.id)).where(FollowUp.status == "sent")).scalar_one()
        if sent == total:
            return
        time.sleep(0.3)
    raise AssertionError(f"only {sent} of {total} follow-ups sent after {timeout}s")


@pytest.mark.slow
def test_worker_killed_mid_run_then_restarted_sends_each_exactly_once(sqlite_store: Store) -> None:
    from bot.clock import utcnow

    store = sqlite_store
    store.clock = utcnow  # real time: the worker processes use it too
    url = store.settings.database_url
    keys = _bulk_due_follow_ups(store, 120)
    with rasa_standin(url, delay=0.02) as standin:
        first = _worker(url, standin.url)
        deadline = time.monotonic() + 60
        while sum(standin.calls.values()) < 30 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert 0 < sum(standin.calls.values()) < len(keys)
        second = _worker(url, standin.url)
        try:
            _wait_all_sent(store, len(keys), timeout=120)
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=20)
        assert set(standin.spoken) == set(keys)
        assert max(standin.spoken.values()) == 1, "a customer was asked twice"
    with store.unit_of_work() as uow:
        events = uow.session.execute(
            select(func.count(CaseEvent.id)).where(CaseEvent.kind == "follow_up_sent")
        ).scalar_one()
    assert events == len(keys)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_on_postgresql_send_each_of_1000_exactly_once(postgres_url: str, tmp_path: Path) -> None:
    from bot.cases import migrate
    from bot.cases.store import open_store
    from bot.settings import load_settings

    url = create_database(postgres_url, "followups_1000")
    store = open_store(load_settings({"DATABASE_URL": url}))
    migrate.upgrade(store.engine)
    keys = _bulk_due_follow_ups(store, 1000)
    with rasa_standin(url) as standin:
        workers = [_worker(url, standin.url), _worker(url, standin.url)]
        try:
            _wait_all_sent(store, len(keys), timeout=300)
        finally:
            for w in workers:
                os.killpg(w.pid, signal.SIGTERM)
                w.wait(timeout=30)
        assert set(standin.spoken) == set(keys)
        assert max(standin.spoken.values()) == 1
        assert max(standin.calls.values()) == 1, "two workers claimed the same follow-up"
    with store.unit_of_work() as uow:
        claimers = uow.session.execute(select(FollowUp.claimed_by)).scalars().all()
    assert len({c.split(":")[1] for c in claimers if c}) >= 1
    store.dispose()


def test_cli_run_due_and_due_now(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "SMTP_HOST": "",
    }
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    from bot.cases.store import open_store
    from bot.settings import load_settings

    store = open_store(load_settings({"DATABASE_URL": f"sqlite:///{db}"}))
    ref = resolved_case(store)
    store.dispose()
    out = subprocess.run([str(BIN), "followups", "due-now", ref], env=env, capture_output=True, text=True)
    assert out.returncode == 0 and "due now" in out.stdout
    result = subprocess.run([str(BIN), "followups", "run-due", "--json"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    import json

    report = json.loads(result.stdout)
    assert report["claimed"] == 1 and report["retrying"] == 1  # Rasa is not running: it will retry
    missing = subprocess.run(
        [str(BIN), "followups", "due-now", "CS-1999-000001"], env=env, capture_output=True, text=True
    )
    assert missing.returncode == 1 and "no pending follow-up" in missing.stderr


def test_the_emailed_rating_link_works_once_and_a_low_score_reopens(store: Store, clock: FrozenClock) -> None:
    import re as _re

    from bot.followups.delivery import rating_token
    from bot.web.app import create_app

    ref = resolved_case(store, channel="email")
    key = f"{ref}:satisfaction:1"
    assert mark_delivered(store, key, "email", "scheduler")
    app = create_app(store=store)
    client = app.test_client()
    token = rating_token(store.settings.rating_secret, key)
    assert client.get("/rate/forged.0123").status_code == 404
    assert client.get(f"/rate/{token[:-2]}aa").status_code == 404
    page = client.get(f"/rate/{token}")
    assert page.status_code == 200 and ref.encode() in page.data
    csrf = _re.search(rb'name="csrf_token" value="([^"]+)"', page.data)
    assert csrf is not None
    assert client.post(f"/rate/{token}", data={"solved": "no"}).status_code in (400, 403)  # no CSRF token
    bad = client.post(f"/rate/{token}", data={"csrf_token": csrf.group(1).decode(), "solved": "no"})
    assert bad.status_code == 400
    done = client.post(
        f"/rate/{token}",
        data={"csrf_token": csrf.group(1).decode(), "solved": "no", "score": "1", "comment": "<b>still broken</b>"},
    )
    assert done.status_code == 200 and b"reopened" in done.data
    case = service.get_case(store, ref)
    assert case["status"] == "reopened" and case["satisfaction"]["score"] == 1
    assert "staff_alerted" in [e["kind"] for e in case["events"]]
    again = client.get(f"/rate/{token}")
    assert b"we have your answer" in again.data  # the link works once

"""Data protection: erasure, legal hold, retention and subject access, on SQLite and real PostgreSQL.

The erasure test searches every column of every table (found with ``inspect(engine)``) for the
customer's e-mail, name and phone, including Rasa's own tracker ``events`` table written by Rasa's
``SQLTrackerStore``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import io
import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image
from sqlalchemy import inspect, select, text, update
from sqlalchemy.engine import make_url

from bot.cases import service
from bot.cases.audit import GENESIS_HASH, event_hash
from bot.cases.conversations import journal_file
from bot.cases.models import CaseEvent, Customer, Order
from bot.cases.photos import attach_pending, save_photo
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store
from bot.catalogue.seed import seed_demo
from bot.cli import main
from bot.clock import FrozenClock
from bot.privacy.erasure import LegalHoldError, erase_customer
from bot.reports.service_levels import satisfaction
from bot.reports.themes import themes

PHONE = "+44 7700 900123"
PHONE_LOCAL = "07700 900123"


@dataclasses.dataclass
class Person:
    email: str
    name: str
    order_number: str
    phone: str = "+44 7700 900999"

    @property
    def phone_local(self) -> str:
        return "0" + self.phone[4:]


@pytest.fixture
def pstore(store: Store, tmp_path: Path) -> Iterator[Store]:
    """The seeded store with photos under the test's own folder."""
    seed_demo(store, today=dt.date(2026, 11, 2), with_cases=False)
    yield dataclasses.replace(store, settings=store.settings.with_overrides(photos_dir=tmp_path / "photos"))


def _people(store: Store, count: int = 2) -> list[Person]:
    """``count`` seeded customers with an order each (the first gets a phone number)."""
    with store.unit_of_work() as uow:
        orders = uow.session.execute(select(Order).order_by(Order.id)).unique().scalars().all()
        people: list[Person] = []
        seen: set[int] = set()
        for order in orders:
            name_parts = {part for person in people for part in person.name.split()}
            if order.customer_id in seen or name_parts & set(order.customer.name.split()):
                continue
            seen.add(order.customer_id)
            people.append(Person(order.customer.email, order.customer.name, order.order_number))
            if len(people) == count:
                break
        first = uow.catalogue.customer_by_email(people[0].email)
        assert first is not None
        first.phone = PHONE
        people[0].phone = PHONE
        first.slack_user_id = "U0JANE42"
        uow.commit()
    return people


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 24), (120, 60, 30)).save(out, format="JPEG")
    return out.getvalue()


def _open(store: Store, who: Person, conversation: str, defect: str = "sole_separation") -> str:
    now = store.clock()
    draft = CaseDraft(
        description=f"My name is {who.name}. The sole came off; call {who.phone_local} or mail {who.email.upper()}.",
        channel="rest",
        conversation_id=conversation,
        customer_email=who.email,
        customer_name=who.name,
        order_number=who.order_number,
        defect_category=defect,
        component="sole",
        resolution_type="repair",
        resolution_reason=f"agreed with {who.name} on the phone",
        idempotency_key=f"{conversation}:complaint",
        transcript=[
            TranscriptTurn("customer", f"Hi, I'm {who.name} and my sole came off", now),
            TranscriptTurn("bot", f"I'm sorry to hear that, {who.name.split()[0]}.", now),
            TranscriptTurn("customer", f"my email is {who.email} and phone {who.phone}", now),
        ],
    )
    save_photo(store, conversation, _jpeg(), original_name=f"{who.name} boot.jpg")
    reference = service.open_case(store, draft).reference
    attach_pending(store, reference)
    service.assign_case(store, reference, "sam", "sam")
    service.add_note(store, reference, f"called {who.name} on {who.phone}, left a message", "sam")
    return reference


def _close(store: Store, reference: str, who: Person) -> None:
    service.resolve_case(store, reference, "repair", "sam")
    service.record_satisfaction(store, reference, score=4, solved=True, comment=f"thanks, {who.name}")


def _save_tracker(store: Store, sender_id: str, texts: list[str]) -> None:
    """Write a conversation with Rasa's own SQLTrackerStore into the tracker store's database."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    url = make_url(store.settings.tracker_store_url)
    dialect = url.get_backend_name()
    tracker_store = SQLTrackerStore(
        Domain.empty(),
        dialect=dialect,
        host=url.host,
        port=url.port,
        db=url.database or "",
        username=url.username,  # type: ignore[arg-type]
        password=url.password,  # type: ignore[arg-type]
    )
    events: list[Any] = []
    for line in texts:
        events.append(UserUttered(line))
        events.append(BotUttered("thank you for telling me"))
    asyncio.run(tracker_store.save(DialogueStateTracker.from_events(sender_id, events)))
    tracker_store.engine.dispose()


def _tracker_rows(store: Store, sender_id: str) -> int:
    assert store.conversations is not None
    with store.conversations.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender_id}).scalar())


def _dump(store: Store) -> dict[str, list[dict[str, str]]]:
    """Every row of every table of the case and conversation databases as ``{column: text}``, keyed by table."""
    assert store.conversations is not None
    result = _dump_engine(store.engine)
    if store.settings.tracker_store_url != store.settings.database_url:
        result.update({f"conversations.{t}": rows for t, rows in _dump_engine(store.conversations.engine).items()})
    return result


def _dump_engine(engine: Any) -> dict[str, list[dict[str, str]]]:
    result: dict[str, list[dict[str, str]]] = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(text(f'SELECT {quoted} FROM "{table}" ORDER BY 1')).all()
            result[table] = [
                {c: "" if v is None else str(v) for c, v in zip(columns, row, strict=True)} for row in rows
            ]
    return result


def _occurrences(store: Store, needles: list[str]) -> list[str]:
    """Where any needle (case-insensitive) occurs in any column of any table: ``table.column: value``."""
    lowered = [n.lower() for n in needles]
    return [
        f"{table}.{column}: {value[:120]}"
        for table, rows in _dump(store).items()
        for row in rows
        for column, value in row.items()
        if any(n in value.lower() for n in lowered)
    ]


def _stats(store: Store) -> dict[str, Any]:
    report = themes(store, since=dt.timedelta(days=365))
    sat = satisfaction(store, since=dt.timedelta(days=365))
    # who the repeat complainers are is personal data (erased); how many complaints each made is kept
    repeat = sat["repeat_complaints"]
    repeat["customers"] = sorted(c["cases"] for c in repeat["customers"])
    return {"themes": report, "satisfaction": sat}


def test_erase_removes_personal_data_everywhere_and_keeps_statistics(pstore: Store, capsys: Any) -> None:
    jane, bob = _people(pstore)
    first = _open(pstore, jane, "conv-jane-1")
    second = _open(pstore, jane, "conv-jane-2", defect="stitching")
    _close(pstore, first, jane)
    other = _open(pstore, bob, "conv-bob-1")
    _save_tracker(pstore, "conv-jane-1", [f"I'm {jane.name}", f"mail me at {jane.email}", f"or ring {PHONE}"])
    _save_tracker(pstore, "conv-jane-untracked", [f"my address is {jane.email}"])  # never became a case
    _save_tracker(pstore, "conv-bob-1", [f"I'm {bob.name}, {bob.email}"])
    assert _tracker_rows(pstore, "conv-jane-1") > 0
    # a conversation journalled while the tracker database was unavailable (integrations/rasa_tracker_store.py)
    journal = journal_file(pstore.settings.tracker_journal_dir, "conv-jane-2")
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(json.dumps({"sender_id": "conv-jane-2", "events": [{"text": f"I'm {jane.name}"}]}))
    jane_photos = list((pstore.settings.photos_dir / "conv-jane-1").iterdir())
    assert jane_photos and (pstore.settings.photos_dir / "conv-bob-1").is_dir()
    needles = [jane.email, jane.name, PHONE, PHONE_LOCAL, "U0JANE42"]
    assert _occurrences(pstore, needles)  # the search does find her before erasure
    before = _stats(pstore)

    assert main(["erase", "--customer", jane.email.upper(), "--actor", "dpo"], store=pstore) == 0
    assert f"in 2 case(s) {first}, {second}" in capsys.readouterr().out

    found = _occurrences(pstore, needles)
    assert found == [], found
    assert _stats(pstore) == before  # the same numbers by line, defect, batch, and satisfaction
    for reference in (first, second):
        report = service.verify_case_chain(pstore, reference)
        assert report["ok"], report["problems"]
        assert any("redacted by erasure on 2026-11-02" in note for note in report["notes"])
        events = service.get_case(pstore, reference)["events"]
        assert events[-1]["kind"] == "personal_data_erased" and events[-1]["actor"] == "dpo"
    assert main(["cases", "verify", first], store=pstore) == 0
    assert _tracker_rows(pstore, "conv-jane-1") == 0
    assert _tracker_rows(pstore, "conv-jane-untracked") == 0
    assert not journal.exists()
    assert not (pstore.settings.photos_dir / "conv-jane-1").exists()
    assert not (pstore.settings.photos_dir / "conv-jane-2").exists()
    # nobody else is touched
    assert _tracker_rows(pstore, "conv-bob-1") > 0
    assert list((pstore.settings.photos_dir / "conv-bob-1").iterdir())
    assert _occurrences(pstore, [bob.email]) and service.get_case(pstore, other)["customer"]["email"] == bob.email
    with pstore.unit_of_work() as uow:
        erased = uow.session.execute(select(Customer).where(Customer.erased_at.is_not(None))).scalars().all()
        assert len(erased) == 1 and erased[0].email is None and erased[0].name == ""

    # running it again is harmless
    dump = _dump(pstore)
    assert main(["erase", "--customer", jane.email], store=pstore) == 0
    assert "already erased" in capsys.readouterr().out
    assert _dump(pstore) == dump


def test_legal_hold_refuses_erasure_and_changes_nothing(pstore: Store, capsys: Any) -> None:
    jane, _ = _people(pstore)
    first = _open(pstore, jane, "conv-hold-1")
    second = _open(pstore, jane, "conv-hold-2")
    assert main(["cases", "hold", second, "--reason", "claim 2026/44 pending", "--actor", "legal"], store=pstore) == 0
    assert service.get_case(pstore, second)["legal_hold"] is True
    dump = _dump(pstore)

    assert main(["erase", "--customer", jane.email], store=pstore) == 1
    err = capsys.readouterr().err
    assert "legal hold" in err and second in err and "nothing was erased" in err
    assert _dump(pstore) == dump  # all or nothing: not even the other case changed
    assert (pstore.settings.photos_dir / "conv-hold-1").is_dir()
    with pytest.raises(LegalHoldError):
        erase_customer(pstore, jane.email, actor="dpo")

    assert main(["cases", "release", second, "--actor", "legal"], store=pstore) == 0
    kinds = [e["kind"] for e in service.get_case(pstore, second)["events"]]
    assert "legal_hold_set" in kinds and "legal_hold_released" in kinds
    assert main(["erase", "--customer", jane.email], store=pstore) == 0
    assert _occurrences(pstore, [jane.email, jane.name, PHONE]) == []
    for reference in (first, second):
        assert service.verify_case_chain(pstore, reference)["ok"]
    assert main(["cases", "release", second], store=pstore) == 1  # not held any more: a clear error
    assert "not under legal hold" in capsys.readouterr().err


def test_tampering_is_still_detected_after_erasure(pstore: Store) -> None:
    jane, _ = _people(pstore)
    reference = _open(pstore, jane, "conv-tamper")
    erase_customer(pstore, jane.email, actor="dpo")
    with pstore.unit_of_work() as uow:
        case = uow.cases.get(reference)
        assert case is not None
        events = uow.cases.events(case)
        untouched = next(e for e in events if e.redacted_at is None and e.kind == "assigned")
        unredacted_id, case_id = untouched.id, case.id
    with pstore.engine.begin() as conn:  # an event edited without an erasure
        conn.execute(update(CaseEvent).where(CaseEvent.id == unredacted_id).values(data={"to": "mallory"}))
    report = service.verify_case_chain(pstore, reference)
    assert not report["ok"] and any("altered" in p for p in report["problems"])
    with pstore.engine.begin() as conn:  # hiding an edit by marking the event redacted is noticed too
        conn.execute(
            update(CaseEvent)
            .where(CaseEvent.id == unredacted_id)
            .values(redacted_at=dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone.utc))
        )
    report = service.verify_case_chain(pstore, reference)
    assert not report["ok"] and any("no later erasure event" in p for p in report["problems"])
    with pstore.engine.begin() as conn:  # and a backdated erasure event
        conn.execute(
            update(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.kind == "personal_data_erased")
            .values(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
        )
    assert any("altered" in p for p in service.verify_case_chain(pstore, reference)["problems"])


def test_events_written_before_migration_0004_verify_and_can_be_erased(pstore: Store) -> None:
    """Rows chained with the v1 formula (no content digest) still verify, before and after erasure."""
    jane, _ = _people(pstore)
    reference = _open(pstore, jane, "conv-legacy")
    with pstore.unit_of_work() as uow:  # rewrite the chain as the code before 0004 wrote it
        case = uow.cases.get(reference)
        assert case is not None
        prev = GENESIS_HASH
        for event in uow.cases.events(case):
            event.prev_hash = prev
            event.hash = event_hash(
                case.reference, event.seq, event.kind, event.actor, event.created_at, event.data, prev
            )
            event.content_digest = None
            prev = event.hash
        case.head_hash = prev
        uow.commit()
    assert service.verify_case_chain(pstore, reference)["ok"]
    with pstore.engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor = 'someone-else' WHERE kind = 'assigned'"))
    assert not service.verify_case_chain(pstore, reference)["ok"]  # v1 tamper detection unchanged
    with pstore.engine.begin() as conn:
        conn.execute(text("UPDATE case_events SET actor = 'sam' WHERE kind = 'assigned'"))
    erase_customer(pstore, jane.email, actor="dpo")
    report = service.verify_case_chain(pstore, reference)
    assert report["ok"], report["problems"]
    assert report["notes"]
    assert _occurrences(pstore, [jane.email, jane.name, PHONE]) == []


def test_retention_anonymises_old_closed_cases_only(pstore: Store, clock: FrozenClock, capsys: Any) -> None:
    jane, bob = _people(pstore)
    old = _open(pstore, jane, "conv-old")
    _close(pstore, old, jane)
    held = _open(pstore, bob, "conv-held")
    _close(pstore, held, bob)
    assert main(["cases", "hold", held, "--reason", "litigation"], store=pstore) == 0
    clock.advance(days=6 * 365)
    recent = _open(pstore, bob, "conv-recent")
    _close(pstore, recent, bob)
    still_open = _open(pstore, bob, "conv-open")
    clock.advance(days=400)  # old/held closed ~7 years ago, recent ~13 months ago
    before = _stats(pstore)
    dump = _dump(pstore)

    assert main(["retention", "run", "--months", "72", "--dry-run"], store=pstore) == 0
    assert f"would anonymise 1 closed case(s) older than 72 months: {old}" in capsys.readouterr().out
    assert _dump(pstore) == dump

    assert main(["retention", "run", "--months", "72", "--json"], store=pstore) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["cases"] == [old] and result["customers"] == 1  # Jane had no other case
    assert _occurrences(pstore, [jane.email, jane.name, PHONE]) == []
    assert _stats(pstore) == before
    assert service.verify_case_chain(pstore, old)["ok"]
    for kept in (held, recent, still_open):
        assert bob.name in service.get_case(pstore, kept)["description"]
    assert service.get_case(pstore, old)["customer"]["email"] is None

    assert main(["retention", "run", "--months", "12", "--json"], store=pstore) == 0  # held case still skipped
    result = json.loads(capsys.readouterr().out)
    assert result["cases"] == [recent] and result["customers"] == 0  # Bob still has live cases
    assert main(["retention", "run", "--months", "12", "--json"], store=pstore) == 0
    assert json.loads(capsys.readouterr().out)["cases"] == []  # a second run finds nothing to do


def test_subject_access_exports_one_person_completely(pstore: Store, tmp_path: Path) -> None:
    jane, bob = _people(pstore)
    first = _open(pstore, jane, "conv-sar-1")
    _close(pstore, first, jane)
    bobs = _open(pstore, bob, "conv-sar-bob")
    out = tmp_path / "sar.json"
    assert main(["subject-access", "--customer", jane.email.upper(), "--out", str(out)], store=pstore) == 0
    assert os.stat(out).st_mode & 0o777 == 0o600
    document = json.loads(out.read_text())
    assert document["customer"]["email"] == jane.email and document["customer"]["phone"] == PHONE
    assert [o["order_number"] for o in document["orders"]] == [jane.order_number]
    (case,) = document["cases"]
    assert case["reference"] == first
    assert {"case_created", "note_added", "satisfaction_recorded"} <= {e["kind"] for e in case["events"]}
    assert any(jane.email in line["text"] for line in case["transcript"])
    assert case["follow_ups"] and case["photos"][0]["content_type"] == "image/jpeg"
    assert document["satisfaction"] == [{"case": first, "score": 4, "comment": f"thanks, {jane.name}"}]
    text_out = out.read_text()
    assert bob.email not in text_out and bob.name not in text_out and bobs not in text_out
    assert main(["subject-access", "--customer", "nobody@example.com"], store=pstore) == 1


def test_cli_installs_log_masking(pstore: Store) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        assert main(["cases", "list", "--json"], store=pstore) == 0
        logging.getLogger("bot.test").warning("customer %s rang from %s", "jane.doe@example.com", PHONE)
    finally:
        root.removeHandler(handler)
    logged = stream.getvalue()
    assert "jane.doe@example.com" not in logged and "7700" not in logged
    assert "customer [email] rang from [phone]" in logged


def test_worker_runs_retention_once_a_day(pstore: Store, clock: FrozenClock) -> None:
    from bot.privacy.schedule import DailyRetention

    jane, _ = _people(pstore)
    old = _open(pstore, jane, "conv-daily")
    _close(pstore, old, jane)
    daily = DailyRetention(dataclasses.replace(pstore, settings=pstore.settings.with_overrides(retention_months=12)))
    first = daily.maybe_run()
    assert first is not None and first.cases == []  # nothing old enough yet
    assert daily.maybe_run() is None  # already ran today
    clock.advance(days=400)
    later = daily.maybe_run()
    assert later is not None and later.cases == [old]
    assert service.get_case(pstore, old)["customer"]["email"] is None
    clock.advance(hours=1)
    assert daily.maybe_run() is None


def test_dashboard_chain_check_says_ok_after_erasure(pstore: Store) -> None:
    from bot.accounts.users import add_user
    from bot.web.app import create_app

    jane, _ = _people(pstore)
    reference = _open(pstore, jane, "conv-dashboard")
    erase_customer(pstore, jane.email, actor="dpo")
    add_user(pstore, "sue@example.com", "Sue", "supervisor", "supervisor-pass-123")
    app = create_app(pstore.settings.with_overrides(dashboard_secret_key="test-key-" + "x" * 40), pstore)
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"email": "sue@example.com", "password": "supervisor-pass-123", "csrf_token": token}
    assert client.post("/login", data=form).status_code == 302
    html = client.get(f"/cases/{reference}").get_data(as_text=True)
    assert "Hash chain verified" in html and "redacted by erasure" in html and "BROKEN" not in html
    assert jane.email not in html and jane.name not in html


def test_a_callback_phone_is_erased_and_never_logged(pstore: Store, caplog: pytest.LogCaptureFixture) -> None:
    from bot.privacy.log_masking import install_log_masking

    jane, bob = _people(pstore)
    callback_phone = "07700 900777"
    install_log_masking()
    caplog.set_level(logging.DEBUG)  # everything, SQL statements and their parameters included
    reference = service.open_case(
        pstore,
        CaseDraft(
            description="can someone call me back please?",
            kind="callback",
            channel="rest",
            conversation_id="conv-jane-callback",
            customer_email=jane.email,
            customer_name=jane.name,
            customer_phone=callback_phone,
            callback_at="after 5pm",
            transcript=[TranscriptTurn("customer", f"call me back on {callback_phone} after 5pm", pstore.clock())],
        ),
    ).reference
    assert service.get_case(pstore, reference)["customer"]["phone"] == callback_phone
    assert "900777" not in caplog.text
    caplog.set_level(logging.WARNING)
    other = _open(pstore, bob, "conv-bob-kept")
    assert main(["erase", "--customer", jane.email], store=pstore) == 0
    assert _occurrences(pstore, [callback_phone, "900777", jane.email]) == []
    case = service.get_case(pstore, reference)
    assert case["customer"]["phone"] is None and case["kind"] == "callback"
    assert service.verify_case_chain(pstore, reference)["ok"]
    assert service.get_case(pstore, other)["customer"]["email"] == bob.email


# --- a customer known only by a phone number (a call-back without an e-mail) ---------------------------------


def _callback(store: Store, conversation: str, phone: str, name: str = "", email: str | None = None) -> str:
    """A call-back case as the conversation opens it; without ``email`` its customer is known by the number alone."""
    now = store.clock()
    said = f"please call me back on {phone}, I'm {name or 'at work'} until 5"
    return service.open_case(
        store,
        CaseDraft(
            description=f"The customer asked for a call back (after 5pm). {said}",
            kind="callback",
            channel="rest",
            conversation_id=conversation,
            customer_name=name,
            customer_email=email,
            customer_phone=phone,
            callback_at=f"after 5pm on {phone}",
            idempotency_key=f"{conversation}:callback",
            transcript=[TranscriptTurn("customer", said, now), TranscriptTurn("bot", "When's a good time?", now)],
        ),
    ).reference


def test_a_phone_only_customer_is_erased_by_phone_number(
    pstore: Store, capsys: Any, caplog: pytest.LogCaptureFixture
) -> None:
    jane, _ = _people(pstore)
    janes = _open(pstore, jane, "conv-jane-kept")
    # the same person twice (two call-backs, the number typed two ways: two customer rows), and someone else
    first = _callback(pstore, "conv-ravi-1", "07700 900555", "Ravi Shah")
    second = _callback(pstore, "conv-ravi-2", "+44 7700 900555")
    stranger = _callback(pstore, "conv-other-phone", "07700 900666", "Olu Bello")
    service.resolve_case(pstore, first, "none", "sam", note="called Ravi Shah on 07700900555")
    _save_tracker(pstore, "conv-ravi-1", ["can you call me back", "07700 900 555", "I'm Ravi Shah"])
    _save_tracker(pstore, "conv-ravi-untracked", ["ring me on +447700900555 please"])  # never became a case
    _save_tracker(pstore, "conv-other-phone", ["call me on 07700 900666"])
    _save_tracker(pstore, "conv-digits-only", ["my order number is 555-2231"])  # the same last digits: kept
    needles = ["07700 900555", "+44 7700 900555", "07700900555", "07700 900 555", "+447700900555", "Ravi Shah"]
    assert _occurrences(pstore, needles)
    dump = _dump(pstore)

    assert main(["erase", "--phone", "07700900555", "--dry-run"], store=pstore) == 0
    assert f"would erase personal data of 2 customer records in 2 case(s) {first}, {second}" in capsys.readouterr().out
    assert _dump(pstore) == dump  # a dry run changes nothing

    caplog.set_level(logging.INFO)
    assert main(["erase", "--phone", "+44 (0)7700 900555", "--actor", "dpo", "--json"], store=pstore) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cases"] == [first, second] and report["customers"] == 2 and report["others_with_number"] == 0
    assert report["tracker_events_deleted"] > 0 and report["dry_run"] is False
    assert _occurrences(pstore, needles) == [] and "900555" not in caplog.text
    for reference in (first, second):
        case = service.get_case(pstore, reference)
        assert case["kind"] == "callback" and case["customer"]["phone"] is None
        assert case["events"][-1]["kind"] == "personal_data_erased" and case["events"][-1]["actor"] == "dpo"
        assert service.verify_case_chain(pstore, reference)["ok"]
    assert _tracker_rows(pstore, "conv-ravi-1") == 0 and _tracker_rows(pstore, "conv-ravi-untracked") == 0
    # nobody else is touched: another number, an e-mail customer, a conversation with the same last digits
    assert service.get_case(pstore, stranger)["customer"]["phone"] == "07700 900666"
    assert _tracker_rows(pstore, "conv-other-phone") > 0 and _tracker_rows(pstore, "conv-digits-only") > 0
    assert service.get_case(pstore, janes)["customer"]["email"] == jane.email
    assert _occurrences(pstore, ["Olu Bello", jane.email])

    again = _dump(pstore)  # running it again finds nobody and does nothing
    assert main(["erase", "--phone", "07700 900555"], store=pstore) == 0
    assert "no customer known only by that phone number" in capsys.readouterr().out
    assert _dump(pstore) == again


def test_erasure_by_phone_refuses_bad_input_and_leaves_a_customer_with_an_email_alone(
    pstore: Store, capsys: Any
) -> None:
    _, bob = _people(pstore)
    shared = "07700 900444"  # Bob gave it with his e-mail; a phone-only call-back gave it too
    bobs = _callback(pstore, "conv-bob-shared", shared, bob.name, email=bob.email)
    _save_tracker(pstore, "conv-bob-shared", [f"call me on {shared}", bob.email])
    phone_only = _callback(pstore, "conv-phone-only", shared)
    held = _callback(pstore, "conv-held-phone", "07700 900333")

    assert main(["erase", "--phone", shared], store=pstore) == 0
    out = capsys.readouterr().out
    assert f"erased personal data of 1 customer in 1 case(s) {phone_only}" in out
    assert "not erased: 1 customer(s) with an e-mail address also gave this number" in out
    kept = service.get_case(pstore, bobs)
    assert kept["customer"]["phone"] == shared and kept["customer"]["email"] == bob.email
    assert _tracker_rows(pstore, "conv-bob-shared") > 0 and shared in kept["description"]
    assert service.get_case(pstore, phone_only)["customer"]["phone"] is None

    assert main(["cases", "hold", held, "--reason", "claim pending"], store=pstore) == 0
    dump = _dump(pstore)
    assert main(["erase", "--phone", "07700 900333"], store=pstore) == 1
    assert "legal hold" in capsys.readouterr().err and _dump(pstore) == dump
    assert main(["erase", "--phone", "12"], store=pstore) == 1
    assert "give the customer's phone number" in capsys.readouterr().err
    for args in (["erase"], ["erase", "--customer", bob.email, "--phone", shared]):
        with pytest.raises(SystemExit) as exc:
            main(args, store=pstore)
        assert exc.value.code == 2 and "either --customer EMAIL or --phone NUMBER" in capsys.readouterr().err
    assert _dump(pstore) == dump

"""Staff actions while the case database is locked: a plain error, no half-applied change, one change after.

The fault is real: another process opens the SQLite case database and holds ``BEGIN EXCLUSIVE``
while a member of staff acts, then lets go. The serving processes use interactive stores (they
wait ``DB_ANSWER_TIMEOUT_MS``, 1.5 s, for a lock), so the person hears about it in time:

- dashboard (Flask test client, and ``complaints web`` as a real HTTP server in its own process):
  503 with Retry-After and the plain message within 3 s; the case row and its events unchanged;
  after release the same action succeeds once and the audit chain verifies;
- Slack (the bolt app over real signed HTTP requests, the Web API a local stand-in): the button
  press or modal is acked, the member of staff gets an ephemeral error where they acted, the case is
  unchanged; the request sent again after release applies once, and again changes nothing; the card
  is redrawn in place, never posted twice. Take over: when the case event cannot be written after
  Rasa was paused, Rasa is resumed again (nothing half-applied).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.accounts.users import add_user
from bot.cases import migrate, service
from bot.cases.service import CaseDraft, TranscriptTurn
from bot.cases.store import Store, open_store
from bot.clock import FrozenClock
from bot.reports.investigations import list_investigations
from bot.settings import load_settings
from bot.web.app import create_app
from bot.web.errors import BUSY_MESSAGE
from integrations.slack import cards
from integrations.slack.app import build_app, wsgi_app
from integrations.slack.client import web_client
from integrations.slack.listeners.errors import BUSY
from integrations.slack.posting import card_location, post_new_cases
from tests.support.servers import free_port, wait_for_port
from tests.support.slack_standin import BOT_USER, SignedSender, SlackStandIn, block_action, view_submission, wait_for

SUPERVISOR = ("sue@example.com", "supervisor-pass-123")
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TRIAGE = "#complaints-triage"
ANSWER_WITHIN = 3.0  # seconds: the person hears about the fault in time
BIN = Path(sys.executable).parent / "complaints"

_LOCKER = r"""
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
connection.close()
"""


class Locker:
    """Another process holding ``BEGIN EXCLUSIVE`` on a SQLite file until :meth:`release`."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LOCKER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        """Roll back and end the locking process."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            self.process.wait(timeout=10)


@contextmanager
def locked(path: Path) -> Iterator[Locker]:
    """The database file locked by another process for the block."""
    locker = Locker(path)
    try:
        yield locker
    finally:
        locker.release()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A migrated SQLite case database file."""
    path = tmp_path / "cases.db"
    store = open_store(load_settings({"DATABASE_URL": f"sqlite:///{path}"}))
    migrate.upgrade(store.engine)
    store.dispose()
    return path


@pytest.fixture
def live_store(db_path: Path, clock: FrozenClock) -> Iterator[Store]:
    """The store a serving process uses: it waits at most DB_ANSWER_TIMEOUT_MS (1.5 s) for a lock."""
    store = open_store(load_settings({"DATABASE_URL": f"sqlite:///{db_path}"}), clock=clock, interactive=True)
    yield store
    store.dispose()


def _open_case(store: Store, conversation_id: str = "D1:1.0") -> str:
    text = "The sole came away from my boot after a week"
    draft = CaseDraft(
        description=text,
        customer_name="Eve Example",
        customer_email="eve@example.com",
        defect_category="sole_separation",
        component="sole",
        channel="slack",
        conversation_id=conversation_id,
        transcript=[TranscriptTurn("customer", text), TranscriptTurn("bot", "I'm so sorry to hear that.")],
    )
    return service.open_case(store, draft).reference


def _events(store: Store, ref: str, kind: str) -> list[dict[str, Any]]:
    return [e for e in service.get_case(store, ref)["events"] if e["kind"] == kind]


# --- dashboard ---------------------------------------------------------------------------------


@pytest.fixture
def dashboard(live_store: Store) -> Flask:
    add_user(live_store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
    settings = live_store.settings.with_overrides(dashboard_secret_key="test-key-" + "x" * 40)
    app = create_app(settings, live_store)
    app.config["TESTING"] = True
    return app


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def supervisor(dashboard: Flask) -> FlaskClient:
    client = dashboard.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": SUPERVISOR[0], "password": SUPERVISOR[1], "csrf_token": token})
    assert answer.status_code == 302
    return client


def _assert_busy_page(status: int, headers: Any, html: str) -> None:
    assert status == 503
    assert int(headers["Retry-After"]) > 0
    assert BUSY_MESSAGE in html and "Complaints dashboard" in html  # the site's own layout
    assert "Traceback" not in html and "OperationalError" not in html and "sqlite" not in html.lower()


def test_dashboard_actions_answer_503_while_locked_and_apply_once_after(
    supervisor: FlaskClient, live_store: Store, db_path: Path
) -> None:
    ref = _open_case(live_store)
    page = supervisor.get(f"/cases/{ref}").get_data(as_text=True)
    token = _token(page)
    before = service.get_case(live_store, ref)
    investigations_before = list_investigations(live_store)
    theme = {"defect": "sole_separation", "title": "Soles coming away", "csrf_token": token}
    with locked(db_path):
        started = time.monotonic()
        export = supervisor.post(f"/cases/{ref}/export", data={"format": "json", "csrf_token": token})
        assert time.monotonic() - started < ANSWER_WITHIN
        _assert_busy_page(export.status_code, export.headers, export.get_data(as_text=True))
        opened = supervisor.post("/investigations", data=theme)
        _assert_busy_page(opened.status_code, opened.headers, opened.get_data(as_text=True))
        shown = supervisor.get(f"/cases/{ref}")
        _assert_busy_page(shown.status_code, shown.headers, shown.get_data(as_text=True))
        api = supervisor.get("/", headers={"Accept": "application/json"})
        assert api.status_code == 503 and api.headers["Retry-After"]
        assert api.get_json() == {"error": BUSY_MESSAGE, "retry_after": int(api.headers["Retry-After"])}
    assert service.get_case(live_store, ref) == before  # nothing half-applied: row and events as they were
    assert list_investigations(live_store) == investigations_before

    export = supervisor.post(f"/cases/{ref}/export", data={"format": "json", "csrf_token": token})
    assert export.status_code == 200 and json.loads(export.data)["reference"] == ref
    opened = supervisor.post("/investigations", data=theme)
    assert opened.status_code == 302
    assert len(_events(live_store, ref, "exported")) == 1
    assert len(_events(live_store, ref, "investigation_opened")) == 1
    assert len(list_investigations(live_store)) == len(investigations_before) + 1
    assert service.verify_case_chain(live_store, ref)["ok"]


def test_other_database_errors_are_not_called_busy(dashboard: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import IntegrityError

    import bot.web.views.auth as auth_view

    def broken(*_args: Any) -> None:
        raise IntegrityError("INSERT", {}, Exception("constraint"))

    monkeypatch.setattr(auth_view, "authenticate", broken)
    dashboard.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    client = dashboard.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"email": SUPERVISOR[0], "password": "x", "csrf_token": token})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 500 and BUSY_MESSAGE not in html
    assert "Traceback" not in html and "IntegrityError" not in html and "Complaints dashboard" in html


def _http(opener: urllib.request.OpenerDirector, url: str, data: Optional[dict[str, str]] = None) -> Any:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers={"Accept": "text/html,*/*;q=0.8"})
    try:
        with opener.open(request, timeout=15) as answer:
            return answer.status, answer.headers, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode("utf-8", "replace")


@pytest.fixture
def web_server(live_store: Store, db_path: Path, tmp_path: Path) -> Iterator[str]:
    """``complaints web`` in its own process on the database file."""
    add_user(live_store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DASHBOARD_SECRET_KEY": "faults-" + os.urandom(16).hex(),
        "COMPLAINTS_ENV": "development",
        "DB_ANSWER_TIMEOUT_MS": "1500",
    }
    port = free_port()
    log = open(tmp_path / "web.log", "w")  # noqa: SIM115
    process = subprocess.Popen([str(BIN), "web", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_a_real_dashboard_server_answers_503_while_locked(web_server: str, live_store: Store, db_path: Path) -> None:
    ref = _open_case(live_store)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    status, _headers, html = _http(opener, web_server + "/login")
    login = {"email": SUPERVISOR[0], "password": SUPERVISOR[1], "csrf_token": _token(html)}
    status, _headers, html = _http(opener, web_server + "/login", login)
    assert status == 200 and "Sign out" in html
    status, _headers, html = _http(opener, f"{web_server}/cases/{ref}")
    assert status == 200
    export = {"format": "json", "csrf_token": _token(html)}
    before = service.get_case(live_store, ref)
    with locked(db_path):
        started = time.monotonic()
        status, headers, html = _http(opener, f"{web_server}/cases/{ref}/export", export)
        assert time.monotonic() - started < ANSWER_WITHIN
        _assert_busy_page(status, headers, html)
    assert service.get_case(live_store, ref) == before
    status, headers, body = _http(opener, f"{web_server}/cases/{ref}/export", export)
    assert status == 200 and json.loads(body)["reference"] == ref
    assert len(_events(live_store, ref, "exported")) == 1
    assert service.verify_case_chain(live_store, ref)["ok"]


@pytest.mark.postgres
def test_a_dashboard_action_while_postgresql_is_down_gets_503_and_works_after_restart(clock: FrozenClock) -> None:
    from scripts import local_postgres

    root = Path(tempfile.mkdtemp(prefix="complaints-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    local_postgres.init_cluster(data)

    def start() -> None:
        local_postgres.start(data, port, root / "log" / "server.log", root / "sock", max_connections=50)

    start()
    stores: list[Store] = []
    try:
        url = local_postgres.ensure_database(f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres", "faults")
        settings = load_settings({"DATABASE_URL": url})
        store = open_store(settings, clock=clock, interactive=True)
        stores.append(store)
        migrate.upgrade(store.engine)
        add_user(store, SUPERVISOR[0], "Sue", "supervisor", SUPERVISOR[1])
        ref = _open_case(store)
        app = create_app(settings.with_overrides(dashboard_secret_key="test-key-" + "x" * 40), store)
        app.config["TESTING"] = True
        client = app.test_client()
        token = _token(client.get("/login").get_data(as_text=True))
        login = {"email": SUPERVISOR[0], "password": SUPERVISOR[1], "csrf_token": token}
        assert client.post("/login", data=login).status_code == 302
        token = _token(client.get(f"/cases/{ref}").get_data(as_text=True))
        before = service.get_case(store, ref)

        local_postgres.stop(data, mode="fast")  # the server goes away under the running app
        started = time.monotonic()
        export = client.post(f"/cases/{ref}/export", data={"format": "json", "csrf_token": token})
        assert time.monotonic() - started < ANSWER_WITHIN
        _assert_busy_page(export.status_code, export.headers, export.get_data(as_text=True))

        start()
        assert service.get_case(store, ref) == before
        export = client.post(f"/cases/{ref}/export", data={"format": "json", "csrf_token": token})
        assert export.status_code == 200 and json.loads(export.data)["reference"] == ref
        assert len(_events(store, ref, "exported")) == 1
        assert service.verify_case_chain(store, ref)["ok"]
    finally:
        for opened in stores:
            opened.dispose()
        local_postgres.stop(data, mode="immediate")
        shutil.rmtree(root, ignore_errors=True)


# --- Slack -------------------------------------------------------------------------------------


class PausingRasa:
    """Stands in for Rasa's tracker API; can lock the case database when the pause arrives."""

    def __init__(self, lock_on_pause: Optional[Path] = None) -> None:
        self.events: list[Any] = []
        self.locker: Optional[Locker] = None
        rasa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
                rasa.events.append(body)
                if lock_on_pause is not None and rasa.locker is None and body == [{"event": "pause"}]:
                    rasa.locker = Locker(lock_on_pause)  # the fault arrives between Rasa and the case
                answer = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.locker is not None:
            self.locker.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def rasa(db_path: Path) -> Iterator[PausingRasa]:
    server = PausingRasa(lock_on_pause=db_path)
    yield server
    server.stop()


@pytest.fixture
def slack_store(live_store: Store, standin: SlackStandIn, rasa: PausingRasa) -> Store:
    live_store.settings = live_store.settings.with_overrides(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=standin.url,
        slack_triage_channel=TRIAGE,
        rasa_url=rasa.url,
    )
    return live_store


@pytest.fixture
def slack(slack_store: Store) -> Iterator[SignedSender]:
    sender = SignedSender.serve(wsgi_app(build_app(slack_store.settings, slack_store)), SECRET)
    yield sender
    sender.stop()


def _posted_card(store: Store) -> str:
    ref = _open_case(store)
    assert post_new_cases(store, web_client(store.settings), TRIAGE) == [ref]
    return ref


def _send(slack: SignedSender, payload: dict[str, Any], retry: Optional[int] = None) -> int:
    """A signed interaction; ``retry`` adds Slack's retry headers (the same request sent again)."""
    body = urllib.parse.urlencode({"payload": json.dumps(payload)})
    headers = slack.sign(body)
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    started = time.monotonic()
    answer = slack.post(body, "application/x-www-form-urlencoded", headers)
    assert time.monotonic() - started < ANSWER_WITHIN  # acked in time, before any database work
    return answer.status


def _said(call: dict[str, Any], expected: dict[str, str]) -> bool:
    """The Web API call carried ``expected`` (the client adds ``team_id`` and the like)."""
    return {key: call.get(key) for key in expected} == expected


def _cards_posted(standin: SlackStandIn) -> int:
    return len([p for p in standin.called("chat.postMessage") if p.get("blocks")])


def test_a_button_pressed_while_locked_is_told_and_the_retry_applies_once(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn, db_path: Path
) -> None:
    ref = _posted_card(slack_store)
    _channel, ts = card_location(slack_store, ref) or ("", "")
    press = block_action({"action_id": cards.ACTION_ASSIGN, "type": "button", "value": ref})
    before = service.get_case(slack_store, ref)
    with locked(db_path):
        assert _send(slack, press) == 200
        [told] = wait_for(lambda: standin.called("chat.postEphemeral"), timeout=ANSWER_WITHIN + 2)
        assert _said(told, {"channel": "C100", "user": "U100", "text": BUSY})
        assert standin.called("chat.update") == []
    assert service.get_case(slack_store, ref) == before  # unchanged: no event, no assignee

    assert _send(slack, press, retry=1) == 200
    wait_for(lambda: [u for u in standin.called("chat.update") if u["ts"] == ts])
    assert _send(slack, press, retry=2) == 200
    wait_for(lambda: len([u for u in standin.called("chat.update") if u["ts"] == ts]) == 2)
    case = service.get_case(slack_store, ref)
    assert case["assignee"] == "slack:U100" and case["status"] == "triaged"
    assert [e["actor"] for e in _events(slack_store, ref, "assigned")] == ["slack:U100"]  # applied once
    assert len(standin.called("chat.postEphemeral")) == 1  # no error after the database is back
    assert _cards_posted(standin) == 1 and len(_events(slack_store, ref, "slack_card_posted")) == 1
    assert post_new_cases(slack_store, web_client(slack_store.settings), TRIAGE) == []  # no second card
    assert service.verify_case_chain(slack_store, ref)["ok"]


def test_a_modal_submitted_while_locked_is_told_in_the_cards_channel_and_applies_once(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn, db_path: Path
) -> None:
    ref = _posted_card(slack_store)
    channel, _ts = card_location(slack_store, ref) or ("", "")
    assert _send(slack, block_action({"action_id": cards.ACTION_NOTE, "type": "button", "value": ref}, channel=channel))
    view = wait_for(lambda: standin.called("views.open"))[0]["view"]
    note = {"note": {"type": "plain_text_input", "value": "Rang the customer, sending a courier"}}
    submission = view_submission(cards.VIEW_NOTE, view["private_metadata"], note)
    before = service.get_case(slack_store, ref)
    with locked(db_path):
        assert _send(slack, submission) == 200
        [told] = wait_for(lambda: standin.called("chat.postEphemeral"), timeout=ANSWER_WITHIN + 2)
        assert _said(told, {"channel": channel, "user": "U100", "text": f"{ref}: {BUSY}"})
    assert service.get_case(slack_store, ref) == before

    assert _send(slack, submission, retry=1) == 200
    wait_for(lambda: _events(slack_store, ref, "note_added"))
    assert _send(slack, submission, retry=2) == 200
    wait_for(lambda: len(standin.called("chat.update")) == 2)
    [added] = _events(slack_store, ref, "note_added")
    assert added["actor"] == "slack:U100" and added["data"]["text"] == "Rang the customer, sending a courier"
    assert _cards_posted(standin) == 1
    assert service.verify_case_chain(slack_store, ref)["ok"]


def test_a_thread_reply_while_locked_is_told_in_the_thread(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn, db_path: Path
) -> None:
    ref = _posted_card(slack_store)
    channel, ts = card_location(slack_store, ref) or ("", "")
    reply = {
        "type": "message",
        "user": "U100",
        "text": "Courier booked",
        "channel": channel,
        "ts": "9.1",
        "thread_ts": ts,
        "parent_user_id": BOT_USER,  # a reply under the app's card
    }
    before = service.get_case(slack_store, ref)
    with locked(db_path):
        assert slack.event(reply, event_id="EvLocked").status == 200
        [told] = wait_for(lambda: standin.called("chat.postEphemeral"), timeout=ANSWER_WITHIN + 2)
        assert _said(told, {"channel": channel, "user": "U100", "text": BUSY, "thread_ts": ts})
    assert service.get_case(slack_store, ref) == before
    assert slack.event({**reply, "ts": "9.2"}, event_id="EvAgain").status == 200  # posted again: noted once
    wait_for(lambda: _events(slack_store, ref, "note_added"))
    assert slack.event({**reply, "ts": "9.2"}, event_id="EvAgain", retry=1, reason="http_error").status == 200
    time.sleep(0.5)
    assert len(_events(slack_store, ref, "note_added")) == 1
    assert service.verify_case_chain(slack_store, ref)["ok"]


def test_take_over_is_undone_in_rasa_when_the_case_event_cannot_be_written(
    slack: SignedSender, slack_store: Store, standin: SlackStandIn, rasa: PausingRasa
) -> None:
    ref = _posted_card(slack_store)
    before = service.get_case(slack_store, ref)
    press = block_action({"action_id": cards.ACTION_TAKEOVER, "type": "button", "value": ref})
    assert _send(slack, press) == 200  # Rasa pauses, then the database is locked before the case event
    [told] = wait_for(lambda: standin.called("chat.postEphemeral"), timeout=ANSWER_WITHIN + 3)
    assert told["text"] == BUSY and told["user"] == "U100"
    assert rasa.events == [[{"event": "pause"}], [{"event": "resume"}]]  # paused and resumed: as before
    assert rasa.locker is not None
    rasa.locker.release()
    assert service.get_case(slack_store, ref) == before

    assert _send(slack, press, retry=1) == 200
    wait_for(lambda: _events(slack_store, ref, "takeover_started"))
    assert rasa.events[-1] == [{"event": "pause"}]
    assert _send(slack, press, retry=2) == 200  # already taken over: told, nothing more sent to Rasa
    wait_for(lambda: len(standin.called("chat.postEphemeral")) == 2)
    assert "already taken over" in standin.called("chat.postEphemeral")[-1]["text"]
    assert len(rasa.events) == 3 and len(_events(slack_store, ref, "takeover_started")) == 1
    assert _cards_posted(standin) == 1
    assert service.verify_case_chain(slack_store, ref)["ok"]

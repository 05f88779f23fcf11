"""Build and serve the triage app.

``build_app`` makes the bolt :class:`App` with a :class:`WebClient` whose base URL can point
at a stand-in Slack Web API (``SLACK_API_URL``, for tests and demos); every Web API call the app
makes goes through that client. ``serve`` runs it over HTTP on ``/slack/events`` with waitress.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from typing import Any, Callable, Optional

from slack_bolt import App, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.cases.store import Store, get_store, open_store
from bot.settings import Settings, get_settings
from integrations.slack.client import web_client
from integrations.slack.listeners import register_listeners
from integrations.slack.relay import relay_customer_messages
from integrations.slack.request_handler import SafeSlackRequestHandler
from integrations.slack.runtime import configure, runtime

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"


class SeenEvents:
    """The ids of the last events this process received (a bounded, thread-safe set)."""

    def __init__(self, size: int = 5000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def check_and_add(self, event_id: str) -> bool:
        """True when ``event_id`` was already seen; remembers it either way."""
        with self._lock:
            seen = event_id in self._ids
            self._ids[event_id] = None
            self._ids.move_to_end(event_id)
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return seen


def _header(req: Any, name: str) -> str:
    values = req.headers.get(name) or []
    return str(values[0]) if values else ""


def retry_filter(seen: SeenEvents) -> Callable[..., BoltResponse]:
    """Middleware: answer Slack's event retries with 200 and do nothing more when the work is under way.

    Every listener acks at once and does its work lazily, so a retry (``X-Slack-Retry-Num``) of an
    event this process has seen, or one sent because the ack was slow (``http_timeout``), is
    dropped. A retry of an event that never arrived (``connection_failed``...) is processed; the
    listeners are idempotent per event id as well (notes and relayed messages record it).
    """

    def ignore_event_retries(req: Any, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse:
        body = req.body or {}
        if body.get("type") != "event_callback":
            return next()
        already = seen.check_and_add(str(body.get("event_id", "")))
        if _header(req, "x-slack-retry-num") and (already or _header(req, "x-slack-retry-reason") == "http_timeout"):
            log.info("ignoring Slack retry %s of event %s", _header(req, "x-slack-retry-num"), body.get("event_id"))
            return BoltResponse(status=200, body="", headers={"X-Slack-No-Retry": "1"})
        return next()

    return ignore_event_retries


def build_app(settings: Optional[Settings] = None, store: Optional[Store] = None) -> App:
    """The triage app with every listener registered."""
    settings = settings or get_settings()
    if not settings.slack_enabled:
        raise RuntimeError("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    configure(settings, store or get_store())
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=web_client(settings),  # the token is the client's
        # The ack listener runs in the request's own thread and lazy listeners go to bolt's executor.
        # With False, bolt also queues every ack behind the lazy work in that 5-thread executor, and
        # under load acks took far longer than Slack's 3 s (benchmarks/slack_ack_latency.py).
        process_before_response=True,
    )
    app.middleware(retry_filter(SeenEvents()))
    app.middleware(relay_customer_messages)
    register_listeners(app)
    return app


def wsgi_app(app: App) -> SlackRequestHandler:
    """A WSGI application serving the app on :data:`EVENTS_PATH`."""
    return SafeSlackRequestHandler(app, path=EVENTS_PATH)  # 400, not 500, for unreadable bodies


def serve(app: App, port: int = 3000, host: str = "127.0.0.1") -> None:
    """Serve the app with waitress until interrupted."""
    from waitress import serve as waitress_serve

    # The CLI builds the app with its batch store (it waits SQLITE_BUSY_TIMEOUT_MS for a lock); staff
    # waiting on a button get an interactive one, which gives up after DB_ANSWER_TIMEOUT_MS so they are told.
    current = runtime()
    configure(current.settings, open_store(current.settings, clock=current.store.clock, interactive=True))
    log.info("Slack triage app on http://%s:%s%s", host, port, EVENTS_PATH)
    waitress_serve(wsgi_app(app), host=host, port=port, threads=8)

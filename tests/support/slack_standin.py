"""A local stand-in for the Slack Web API, and helpers to send signed requests to a bolt app.

``SlackStandIn`` is an ``http.server`` on a free port that answers ``/api/<method>`` like Slack
does (``{"ok": true, ...}``) and records every call's method and parameters, so tests can check
what the app asked Slack to do without reaching Slack. Point a ``WebClient`` at ``url``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator, Optional
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"


def channel_id(name: str) -> str:
    """Slack answers with channel ids; a ``#name`` gets a stable fake one."""
    if not name.startswith("#"):
        return name
    return "C" + hashlib.sha256(name.encode()).hexdigest()[:8].upper()


@dataclass
class Call:
    """One Web API call the app made."""

    method: str
    params: dict[str, Any]


@dataclass
class SlackStandIn:
    """Records calls and answers like Slack."""

    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        """Base URL for ``WebClient(base_url=...)``."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Store the call and build Slack's answer."""
        with self._lock:
            self.calls.append(Call(method, params))
            ts = f"{1700000000 + next(self._ts)}.000100"
        channel = channel_id(str(params.get("channel", "")))
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "triage",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text"), "ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": channel, "ts": params.get("ts"), "text": params.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V" + ts.replace(".", ""), **(params.get("view") or {})}}
        if method == "users.info":
            user = str(params.get("user", ""))
            return {"ok": True, "user": {"id": user, "name": user.lower(), "real_name": f"Staff {user}"}}
        return {"ok": True}

    def called(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call of ``method``, in order."""
        with self._lock:
            return [c.params for c in self.calls if c.method == method]

    def start(self) -> SlackStandIn:
        """Serve on a free port in a daemon thread."""
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, params: dict[str, Any]) -> None:
                method = self.path.split("?", 1)[0].rsplit("/", 1)[-1]
                body = json.dumps(standin.record(method, params)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                query = urllib.parse.urlsplit(self.path).query
                self._answer({k: v[-1] for k, v in urllib.parse.parse_qs(query).items()})

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params: dict[str, Any] = {}
                query = urllib.parse.urlsplit(self.path).query
                params.update({k: v[-1] for k, v in urllib.parse.parse_qs(query).items()})
                if "json" in (self.headers.get("Content-Type") or ""):
                    params.update(json.loads(raw or "{}"))
                else:
                    params.update({k: v[-1] for k, v in urllib.parse.parse_qs(raw).items()})
                for key in ("blocks", "view"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
                self._answer(params)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut the server down."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class _ThreadingWSGIServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Response:
    """What the app answered."""

    status: int
    body: str

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


class SignedSender:
    """Serves a WSGI app on a free port and sends it requests signed the way Slack signs them."""

    def __init__(self, url: str, secret: str, server: Optional[WSGIServer] = None) -> None:
        self.url = url
        self.secret = secret
        self.server = server

    @classmethod
    def serve(cls, wsgi_app: Callable[..., Any], secret: str) -> SignedSender:
        """Serve ``wsgi_app`` on a free port in a daemon thread and send to it."""
        server = make_server("127.0.0.1", 0, wsgi_app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return cls(f"http://127.0.0.1:{server.server_address[1]}/slack/events", secret, server)

    def stop(self) -> None:
        """Shut the server down (when this sender started it)."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def sign(self, body: str, timestamp: Optional[int] = None, secret: Optional[str] = None) -> dict[str, str]:
        """Slack's headers: ``v0=HMAC-SHA256(secret, "v0:{timestamp}:{body}")``."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret or self.secret).generate_signature(timestamp=ts, body=body)
        return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": str(signature)}

    def post(self, body: str, content_type: str, headers: Optional[dict[str, str]] = None) -> Response:
        """POST a raw body with the given headers (already signed or deliberately not)."""
        request = urllib.request.Request(self.url, data=body.encode(), method="POST")
        request.add_header("Content-Type", content_type)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return Response(answer.status, answer.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode())

    def event(
        self, event: dict[str, Any], event_id: str = "Ev0001", retry: Optional[int] = None, reason: str = "http_timeout"
    ) -> Response:
        """An Events API callback (optionally a retry)."""
        body = json.dumps(
            {
                "token": "x",
                "team_id": TEAM,
                "api_app_id": "A1",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = self.sign(body)
        if retry is not None:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": reason})
        return self.post(body, "application/json", headers)

    def interaction(self, payload: dict[str, Any]) -> Response:
        """A block action or view submission: JSON form-encoded as ``payload=``."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", self.sign(body))

    def command(self, command: str, text: str, user: str = "U100", channel: str = "C100") -> Response:
        """A slash command."""
        body = urllib.parse.urlencode(
            {
                "token": "x",
                "team_id": TEAM,
                "channel_id": channel,
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "response_url": "http://127.0.0.1:9/unused",
                "trigger_id": "13345.trig",
            }
        )
        return self.post(body, "application/x-www-form-urlencoded", self.sign(body))


def block_action(action: dict[str, Any], user: str = "U100", channel: str = "C100", ts: str = "1.0") -> dict[str, Any]:
    """A ``block_actions`` payload for one button or select."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user, "username": user.lower()},
        "api_app_id": "A1",
        "trigger_id": "13345.trigger",
        "channel": {"id": channel},
        "container": {"type": "message", "channel_id": channel, "message_ts": ts},
        "message": {"ts": ts},
        "actions": [{"block_id": "b", "action_ts": "1.1", **action}],
    }


def view_submission(
    callback_id: str, private_metadata: str, values: dict[str, dict[str, Any]], user: str = "U100"
) -> dict[str, Any]:
    """A ``view_submission`` payload; ``values`` is ``{block_id: element state}``."""
    return {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user, "username": user.lower()},
        "api_app_id": "A1",
        "trigger_id": "13345.trigger",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "state": {"values": {block: {"value": state} for block, state in values.items()}},
        },
    }


def wait_for(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll until ``check()`` is truthy (lazy listeners run after the ack)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the Slack app")
        time.sleep(0.05)


class RasaRecorder:
    """Stands in for the Rasa server the Slack app talks to (the Slack webhook relay, takeover's
    ``/tracker/events``): keeps each request's path, raw body and headers, answers ``{}``."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                with recorder._lock:
                    recorder.requests.append((self.path, body, {k.lower(): v for k, v in self.headers.items()}))
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
        """Shut down."""
        self.server.shutdown()
        self.server.server_close()

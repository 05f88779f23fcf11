"""integrations/rasa_client.py against a real local HTTP server that fails the first attempt(s).

Reads are retried (a 503, a dropped connection); calls that change a conversation are sent once:
a POST that reached Rasa is never repeated, whatever happened next. Only a connection that could
not be made at all is tried again.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest

from integrations.rasa_client import RasaClient, RasaError, RetryPolicy

FAST = RetryPolicy(attempts=3, backoff=0.05, connect_timeout=2.0, read_timeout=2.0)
Script = Callable[[BaseHTTPRequestHandler, int], None]


def _answer(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _drop(handler: BaseHTTPRequestHandler) -> None:
    """Close the connection without an answer (the request was read: Rasa may have acted on it)."""
    handler.close_connection = True
    handler.connection.shutdown(socket.SHUT_RDWR)


class FlakyRasa:
    """An ``http.server`` that records each request and answers by ``script(handler, attempt_number)``."""

    def __init__(self, script: Script, port: int = 0) -> None:
        self.requests: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                with owner._lock:
                    owner.requests.append((self.command, self.path, body))
                    attempt = len(owner.requests)
                script(self, attempt)

            do_GET = do_POST = _handle  # noqa: N815 - http.server's naming

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Script], FlakyRasa]]:
    servers: list[FlakyRasa] = []

    def start(script: Script) -> FlakyRasa:
        servers.append(FlakyRasa(script))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def fail_first(times: int, failure: Callable[[BaseHTTPRequestHandler], None]) -> Script:
    def script(handler: BaseHTTPRequestHandler, attempt: int) -> None:
        if attempt <= times:
            failure(handler)
        else:
            _answer(handler, 200, {"sender_id": "c1", "events": [{"event": "action"}]})

    return script


def test_a_read_is_retried_after_503_answers(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(fail_first(2, lambda h: _answer(h, 503, {"error": "busy"})))
    client = RasaClient(rasa.url, "secret", FAST)
    assert client.events("c1") == [{"event": "action"}]
    assert [(m, p.split("?")[0]) for m, p, _b in rasa.requests] == [("GET", "/conversations/c1/tracker")] * 3
    assert all("token=secret" in p for _m, p, _b in rasa.requests)


def test_a_read_is_retried_after_a_dropped_connection(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(fail_first(1, _drop))
    assert RasaClient(rasa.url, policy=FAST).tracker("c1")["sender_id"] == "c1"
    assert len(rasa.requests) == 2


def test_a_read_gives_up_after_its_retries(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(fail_first(99, lambda h: _answer(h, 502, {})))
    with pytest.raises(RasaError) as caught:
        RasaClient(rasa.url, policy=FAST).tracker("c1")
    assert caught.value.status == 502 and caught.value.retryable
    assert len(rasa.requests) == 1 + FAST.attempts


def test_trigger_intent_is_not_sent_twice_after_a_server_error(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(fail_first(1, lambda h: _answer(h, 503, {})))
    client = RasaClient(rasa.url, "secret", FAST)
    with pytest.raises(RasaError) as caught:
        client.trigger_intent("conv/1", "EXTERNAL_followup", {"followup_key": "k1"})
    assert caught.value.status == 503 and caught.value.retryable
    [(method, path, body)] = rasa.requests
    assert method == "POST" and path.startswith("/conversations/conv%2F1/trigger_intent?")
    assert "output_channel=latest" in path and "token=secret" in path
    assert json.loads(body) == {"name": "EXTERNAL_followup", "entities": {"followup_key": "k1"}}


def test_appended_events_are_not_sent_twice_when_the_answer_is_lost(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(fail_first(1, _drop))
    with pytest.raises(RasaError) as caught:
        RasaClient(rasa.url, policy=FAST).append_events("c1", [{"event": "pause"}])
    assert caught.value.status is None and "not reachable" in str(caught.value)
    assert [(m, json.loads(b)) for m, _p, b in rasa.requests] == [("POST", [{"event": "pause"}])]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_post_is_retried_only_while_no_connection_could_be_made() -> None:
    port = _free_port()
    late: list[FlakyRasa] = []
    starter = threading.Timer(0.3, lambda: late.append(FlakyRasa(fail_first(0, _drop), port)))
    starter.start()  # nothing listens for the first attempts: connection refused, nothing sent
    try:
        client = RasaClient(f"http://127.0.0.1:{port}", policy=RetryPolicy(attempts=5, backoff=0.2))
        client.append_events("c1", [{"event": "resume"}], deliver=True)
    finally:
        starter.join()
    try:
        [(method, path, body)] = late[0].requests
        assert method == "POST" and "execute_side_effects=true" in path and json.loads(body) == [{"event": "resume"}]
    finally:
        late[0].stop()


def test_client_errors_are_not_retryable_and_unreachable_is(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(lambda h, _n: _answer(h, 400, {"message": "bad"}))
    with pytest.raises(RasaError) as caught:
        RasaClient(rasa.url, policy=FAST).trigger_intent("c1", "x", {})
    assert caught.value.status == 400 and not caught.value.retryable and str(caught.value) == "Rasa answered 400"
    dead = RasaClient(f"http://127.0.0.1:{_free_port()}", policy=RetryPolicy(attempts=1, backoff=0))
    with pytest.raises(RasaError) as down:
        dead.trigger_intent("c1", "x", {})
    assert down.value.retryable and "Connection refused" in str(down.value)


def test_the_slack_webhook_gets_the_request_unchanged_and_no_token(serve: Callable[[Script], FlakyRasa]) -> None:
    rasa = serve(lambda h, _n: _answer(h, 200, {}))
    RasaClient(rasa.url, "secret", FAST).forward_slack('{"type":"event_callback"}', {"x-slack-signature": "v0=1"})
    assert rasa.requests == [("POST", "/webhooks/slack/webhook", '{"type":"event_callback"}')]


def test_only_http_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="RASA_URL must be an http"):
        RasaClient("file:///etc/passwd")

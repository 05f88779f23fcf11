"""A local stand-in for Rasa's trigger_intent endpoint, for the scheduler's fault tests.

It does what action_followup_start does on the server side, with the project's own code: it
flips the follow-up to sent (``mark_delivered``) and "speaks" only if it was the first to do so.
The real Rasa path is covered in tests/integration/test_followups_rasa.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

from bot.cases.store import open_store
from bot.followups.queue import mark_delivered
from bot.settings import load_settings
from tests.support.servers import free_port


class Standin:
    """Records every trigger_intent call and every message 'spoken' to a customer."""

    def __init__(self, database_url: str, delay: float = 0.0) -> None:
        self.store = open_store(load_settings({"DATABASE_URL": database_url}))
        self.delay = delay
        self.down = False
        self.calls: Counter[str] = Counter()
        self.spoken: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def handle(self, path: str, body: dict[str, Any]) -> int:
        if self.down:
            return 503
        if not path.startswith("/conversations/") or "/trigger_intent" not in path:
            return 404
        key = body["entities"]["followup_key"]
        with self.lock:
            self.calls[key] += 1
        time.sleep(self.delay)
        if mark_delivered(self.store, key, "chat", actor="assistant"):
            with self.lock:
                self.spoken[key] += 1
        return 200


@contextmanager
def rasa_standin(database_url: str, delay: float = 0.0) -> Iterator[Standin]:
    """Run the stand-in on a free port until the block ends."""
    standin = Standin(database_url, delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            status = standin.handle(self.path, body)
            payload = json.dumps({"messages": []}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", standin.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
        standin.store.dispose()

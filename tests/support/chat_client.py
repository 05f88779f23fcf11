"""A python-socketio client speaking to the web chat channel like rasa-webchat does."""

from __future__ import annotations

import queue
import time
from typing import Any, Optional

import socketio


class ChatClient:
    """A python-socketio client that records what it receives."""

    def __init__(self, url: str, session_id: Optional[str] = None, signature: Optional[str] = None) -> None:
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in ("bot_uttered", "session_confirm", "session_refused"):
            self.sio.on(name, self._recorder(name))
        query = f"?session_id={session_id}&signature={signature}" if session_id else ""
        self.sio.connect(url + "/" + query, transports=["polling"], wait_timeout=20)

    def _recorder(self, name: str) -> Any:
        def record(data: Any = None) -> None:
            self.events.put((name, data))

        return record

    def wait_for(self, name: str, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                kind, data = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if kind == name:
                return data
        raise AssertionError(f"no {name} event within {timeout}s")

    def drain(self, seconds: float) -> list[tuple[str, Any]]:
        time.sleep(seconds)
        got = []
        while not self.events.empty():
            got.append(self.events.get())
        return got

    def say(self, session_id: str, text: str, signature: Optional[str]) -> None:
        custom = {"session_signature": signature} if signature else {}
        self.sio.emit("user_uttered", {"message": text, "session_id": session_id, "customData": custom})

    def close(self) -> None:
        self.sio.disconnect()

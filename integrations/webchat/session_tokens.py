"""Signed web chat session ids.

The chat page issues a random session id and an HMAC-SHA256 signature of it; the
socket.io channel in Rasa only lets a browser join (and post into) a conversation
whose id it can present with a valid signature. Both sides share the key
(:attr:`bot.settings.Settings.webchat_secret`), so no state is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, Optional

_DOMAIN = b"complaints-webchat-session\x00"
_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class SessionToken:
    """A session id and its signature, as the page hands them to the browser."""

    session_id: str
    signature: str

    def as_cookie(self) -> str:
        """The cookie form ``<session_id>.<signature>``."""
        return f"{self.session_id}.{self.signature}"


def new_session_id() -> str:
    """A fresh, unguessable session id (32 hex digits)."""
    return secrets.token_hex(16)


def is_session_id(value: Any) -> bool:
    """True when ``value`` looks like a session id this module issues."""
    return isinstance(value, str) and bool(_SESSION_ID.match(value))


def sign_session(secret: str, session_id: str) -> str:
    """The hex HMAC-SHA256 signature of ``session_id`` under ``secret``."""
    if not secret:
        raise ValueError("the web chat secret is empty")
    if not is_session_id(session_id):
        raise ValueError("not a web chat session id")
    return hmac.new(secret.encode(), _DOMAIN + session_id.encode(), hashlib.sha256).hexdigest()


def verify_session(secret: str, session_id: Any, signature: Any) -> bool:
    """True only when ``signature`` is the valid signature of ``session_id`` (constant-time compare)."""
    if not secret or not is_session_id(session_id):
        return False
    if not isinstance(signature, str) or not _SIGNATURE.match(signature):
        return False
    return hmac.compare_digest(sign_session(secret, session_id), signature)


def issue(secret: str, session_id: Optional[str] = None) -> SessionToken:
    """A signed token for ``session_id`` (a new id when none is given)."""
    session_id = session_id or new_session_id()
    return SessionToken(session_id, sign_session(secret, session_id))


def parse_cookie(secret: str, value: Optional[str]) -> Optional[SessionToken]:
    """The token in a ``<session_id>.<signature>`` cookie, or None when it is absent or forged."""
    if not value or value.count(".") != 1:
        return None
    session_id, signature = value.split(".")
    if not verify_session(secret, session_id, signature):
        return None
    return SessionToken(session_id, signature)

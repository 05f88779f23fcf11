"""A Rasa socket.io input channel that binds every conversation to a signed session token.

Rasa's stock :class:`~rasa.core.channels.socketio.SocketIOInput` lets a browser ask for
any ``session_id`` and then reads and writes that conversation. Here a browser may only
join the room of a session id the chat page issued, proven by the page's HMAC signature
(:mod:`integrations.webchat.session_tokens`):

* the signature comes with the socket.io handshake (query ``session_id`` + ``signature``,
  which is how the chat page hands it to rasa-webchat) or in the ``session_request`` data;
* ``session_request`` joins the room of the signed id only; a request without a valid
  signature is refused (``session_refused``) and joins nothing;
* every ``user_uttered`` must carry a valid signature for its ``session_id`` (top level
  ``signature`` or ``customData.session_signature``) and come from a socket that joined
  that session; anything else is dropped. The signature is removed from the metadata
  before the message reaches Rasa.

While staff hold a conversation (human takeover from Slack, :mod:`integrations.slack.takeover`), each
message the customer writes is also mirrored into the case card's thread; staff replies reach the
customer through Rasa's ``output_channel=latest``, i.e. :meth:`SocketIOInput.get_output_channel`.

Register it in ``credentials.yml`` as ``integrations.webchat.channel.SignedSocketIOInput``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import parse_qs

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.cases.store import get_store
from bot.settings import get_settings
from integrations.customer_channels import guard_messages
from integrations.slack.client import web_client
from integrations.slack.takeover import customer_says
from integrations.webchat.session_tokens import verify_session

logger = logging.getLogger(__name__)

SIGNATURE_FIELD = "session_signature"


def _handshake_token(environ: Dict[str, Any], auth: Optional[Dict[str, Any]]) -> tuple[Optional[str], Optional[str]]:
    """The ``(session_id, signature)`` a client sent with its connection (auth payload or query)."""
    if isinstance(auth, dict) and auth.get("session_id"):
        return auth.get("session_id"), auth.get("signature")
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    session_ids = query.get("session_id") or [""]
    signatures = query.get("signature") or [""]
    return session_ids[0] or None, signatures[0] or None


def mirror_to_staff(conversation_id: str, text: str) -> bool:
    """Mirror a customer's message into the case thread when staff hold the conversation (Slack on only)."""
    settings = get_settings()
    if not settings.slack_enabled or not text.strip():
        return False
    try:
        return customer_says(get_store(), web_client(settings), conversation_id, text, f"webchat:{uuid.uuid4()}")
    except Exception:  # noqa: BLE001 - the conversation goes on; staff see the message in the transcript
        logger.exception("could not mirror a web chat message of %s to staff", conversation_id)
        return False


async def _maybe_await(result: Any) -> None:
    """Await ``result`` if it is awaitable (``enter_room`` became a coroutine in python-socketio 5.10)."""
    if inspect.isawaitable(result):
        await result


class SignedSocketIOInput(SocketIOInput):
    """socket.io channel whose sessions are bound to HMAC-signed ids issued by the chat page."""

    def __init__(self, *args: Any, secret: Optional[str] = None, **kwargs: Any) -> None:
        """Create the channel; ``secret`` defaults to the settings' web chat key."""
        super().__init__(*args, **kwargs)
        self._secret = secret
        # socket id -> the session id it proved it may use
        self._bound: Dict[str, str] = {}
        # socket id -> the signed session id sent with its handshake
        self._handshake: Dict[str, str] = {}

    @property
    def secret(self) -> str:
        """The HMAC key shared with the chat page."""
        if self._secret is None:
            self._secret = get_settings().webchat_secret
        return self._secret

    def verify(self, session_id: Any, signature: Any) -> bool:
        """True when ``signature`` is the page's signature of ``session_id``."""
        return verify_session(self.secret, session_id, signature)

    def choose_session(self, sid: str, data: Optional[Dict[str, Any]]) -> Optional[str]:
        """The session id socket ``sid`` may join for a ``session_request``, or None to refuse.

        A signature in the request itself must match the requested id. Without one, the id
        signed in the handshake is used (the widget may still remember an older id: it
        switches to the confirmed one).
        """
        data = data if isinstance(data, dict) else {}
        requested = data.get("session_id")
        if data.get("signature") is not None:
            return requested if self.verify(requested, data.get("signature")) else None
        return self._handshake.get(sid)

    def check_message(self, sid: str, data: Any) -> Optional[str]:
        """The sender id of a ``user_uttered`` event, or None when it must be dropped."""
        if not isinstance(data, dict):
            return None
        session_id = data.get("session_id")
        custom = data.get(self.metadata_key or "metadata")
        if isinstance(custom, str):
            try:
                custom = json.loads(custom)
            except ValueError:
                custom = None
        signature = data.get("signature")
        if signature is None and isinstance(custom, dict):
            signature = custom.get(SIGNATURE_FIELD)
        if not self.verify(session_id, signature):
            return None
        if self._bound.get(sid) != session_id:
            return None
        return str(session_id)

    def message_metadata(self, data: Dict[str, Any]) -> Dict[str, Any]:
        """The metadata of a ``user_uttered`` event as Rasa gets it: a dict, without the session signature."""
        metadata = data.get(self.metadata_key or "metadata") or {}
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = {}
        if not isinstance(metadata, dict):
            return {}
        return {key: value for key, value in metadata.items() if key != SIGNATURE_FIELD}

    async def join_session(self, sio: AsyncServer, sid: str, data: Optional[Dict[str, Any]]) -> None:
        """Answer a ``session_request``: join the signed session's room (``session_confirm``) or refuse."""
        session_id = self.choose_session(sid, data)
        if session_id is None:
            logger.warning("web chat socket %s refused: missing or invalid session signature", sid)
            await sio.emit("session_refused", {"reason": "invalid session signature"}, room=sid)
            return
        previous = self._bound.get(sid)
        if previous and previous != session_id:
            await _maybe_await(sio.leave_room(sid, previous, namespace=self.namespace))
        self._bound[sid] = session_id
        if self.session_persistence:
            await _maybe_await(sio.enter_room(sid, session_id, namespace=self.namespace))
        await sio.emit("session_confirm", session_id, room=sid)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The Sanic blueprint serving socket.io with signed sessions (customer commands guarded)."""
        on_new_message = guard_messages(on_new_message)
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            session_id, signature = _handshake_token(environ, auth)
            if session_id is not None and self.verify(session_id, signature):
                self._handshake[sid] = str(session_id)
            logger.debug("web chat socket %s connected (signed handshake: %s)", sid, sid in self._handshake)
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            self._bound.pop(sid, None)
            self._handshake.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[Dict]) -> None:
            await self.join_session(sio, sid, data)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Dict) -> None:
            sender_id = self.check_message(sid, data)
            if sender_id is None:
                logger.warning("web chat socket %s: message without a valid session signature dropped", sid)
                await sio.emit("session_refused", {"reason": "invalid session signature"}, room=sid)
                return
            metadata = self.message_metadata(data)
            output_channel = SocketIOOutput(sio, self.bot_message_evt)
            recipient = sender_id if self.session_persistence else sid
            message = UserMessage(
                str(data.get("message", "")),
                output_channel,
                recipient,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)
            if get_settings().slack_enabled:
                await asyncio.to_thread(mirror_to_staff, sender_id, message.text or "")

        return socketio_webhook

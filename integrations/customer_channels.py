"""Customer channels that refuse system-only ``/intent{...}`` commands (and malformed REST bodies).

Every channel a customer writes on passes its messages through :func:`guard_messages`, which
applies :func:`bot.conversation.command_guard.check_customer_text`: a refused message is answered
with "I can't accept that command" through the customer's own output channel and never reaches
Rasa's processor (no tracker event, no action, no case change).

* :class:`GuardedRestInput` - Rasa's REST channel, same URL (``/webhooks/rest/webhook``), which
  also answers a body that is not ``{"sender": str, "message": str[, "metadata": {}]}`` with 400
  instead of Rasa's 500 or a silent empty answer. Being always on, it also installs a server-wide
  check answering unreadable bodies to Rasa's HTTP API (``/conversations/...``, ``/model/parse``)
  with 400 instead of Rasa's 500 (:func:`api_body_problem`);
* :class:`GuardedSlackInput` - Rasa's Slack channel (customers writing to the Slack app);
* the web chat socket.io channel (:mod:`integrations.webchat.channel`) wraps its handler the same way.

Register them in ``credentials.yml`` (REST) and ``bot/rasa_credentials.py`` (Slack) by class path.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.slack import SlackInput
from sanic import Blueprint, Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.conversation.command_guard import check_customer_text
from bot.conversation.replies import Reply, reply
from integrations import rasa_speedups

logger = logging.getLogger(__name__)

# Every Rasa server of the project loads this module (REST is always on): install the speed-ups
# of the Rasa process here (cached validation of action server answers, see rasa_speedups).
rasa_speedups.install()

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WatchedOutput(OutputChannel):
    """Passes every bot message on to the real output channel, counting them."""

    def __init__(self, inner: OutputChannel) -> None:
        self.inner = inner
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        """The wrapped channel's name (an instance answers for the channel it wraps)."""
        return str(self.inner.name())

    def _counted(self, name: str) -> Any:
        method = getattr(self.inner, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.sent += 1
            return await method(*args, **kwargs)

        return counted

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """Count, then send through the wrapped channel."""
        await self._counted("send_response")(recipient_id, message)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Count, then send through the wrapped channel."""
        await self._counted("send_text_message")(recipient_id, text, **kwargs)

    def __getattr__(self, item: str) -> Any:
        value = getattr(self.inner, item)
        return self._counted(item) if item.startswith("send_") and callable(value) else value


async def _answered(on_new_message: OnNewMessage, message: UserMessage) -> Any:
    """Handle an allowed message; the customer is never left with silence.

    When the action server is down or restarting, Rasa logs "the actions events are lost" and may send
    nothing; when the tracker or lock store fails, the handler raises. Either way the customer gets
    the ``listen.no_answer`` message (their message is in the conversation already).
    """
    watched = WatchedOutput(message.output_channel) if message.output_channel is not None else None
    if watched is not None:
        message.output_channel = watched
    result = None
    failed = False
    try:
        result = await on_new_message(message)
    except Exception:  # noqa: BLE001 - logged; the customer gets a plain answer, never a 500
        failed = True
        logger.exception("could not handle a message from %s on %s", message.sender_id, message.input_channel)
    if watched is not None and watched.sent == 0 and (failed or not await _held_by_staff(on_new_message, message)):
        logger.warning(
            "no answer to a message from %s on %s: sent the plain apology", message.sender_id, message.input_channel
        )
        await _send(watched.inner, message.sender_id, reply("listen.no_answer"))
    return result


async def _send(output: OutputChannel, recipient_id: str, said: Reply) -> None:
    """Send a reply the channel gives itself (Rasa never sees it), with its stage and wording id.

    They travel as keyword arguments, the way Rasa hands a bot event's metadata to ``send_text_message``; the
    REST, socket.io and Slack channels send only the text.
    """
    await output.send_text_message(recipient_id, said.text, stage=said.stage, message_id=said.message_id)


def _server_agent() -> Any:
    """The agent of the running Rasa server (its channels get a closure around ``app.ctx.agent``)."""
    for name in ("rasa_server", "rasa_core_no_api"):
        try:
            return getattr(Sanic.get_app(name).ctx, "agent", None)
        except SanicException:
            continue
    return None


async def _held_by_staff(on_new_message: OnNewMessage, message: UserMessage) -> bool:
    """True when the conversation is paused (staff took it over): then the bot is silent on purpose."""
    agent = getattr(on_new_message, "__self__", None) or _server_agent()
    tracker_store = getattr(agent, "tracker_store", None)
    if tracker_store is None:
        return False
    try:
        tracker = await tracker_store.retrieve(message.sender_id)
    except Exception:  # noqa: BLE001 - unknown: better an apology than silence
        return False
    return bool(tracker is not None and tracker.is_paused())


def guard_messages(on_new_message: OnNewMessage) -> OnNewMessage:
    """Wrap Rasa's message handler: refused commands get :data:`REFUSAL` and go no further.

    An allowed message always gets an answer (see :func:`_answered`).
    """

    async def guarded(message: UserMessage) -> Any:
        verdict = check_customer_text(message.text if isinstance(message.text, str) else "")
        if verdict.allowed:
            return await _answered(on_new_message, message)
        logger.warning("refused a command from %s on %s: %s", message.sender_id, message.input_channel, verdict.reason)
        if message.output_channel is not None:
            await _send(message.output_channel, message.sender_id, reply("listen.command_refused"))
        return None

    return guarded


def rest_body_problem(body: bytes) -> Optional[str]:
    """Why a REST webhook body is unacceptable, or None when it is a proper message."""
    try:
        data = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError):
        return "the body must be JSON"
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    if not isinstance(data.get("message"), str):
        return "'message' must be a string"
    sender = data.get("sender")
    if sender is not None and (not isinstance(sender, str) or not sender.strip() or len(sender) > 255):
        return "'sender' must be a non-empty string of at most 255 characters"
    if data.get("metadata") is not None and not isinstance(data.get("metadata"), dict):
        return "'metadata' must be a JSON object"
    return None


# Rasa HTTP API routes that read a JSON body, and the JSON types they can handle. Rasa answers 500
# to e.g. a JSON array sent to trigger_intent; this check answers 400 first (see install_api_body_check).
_API_BODIES: list[tuple[re.Pattern[str], tuple[type, ...]]] = [
    (re.compile(r"^/conversations/[^/]+/(messages|trigger_intent|execute)/?$"), (dict,)),
    (re.compile(r"^/conversations/[^/]+/tracker/events/?$"), (dict, list)),
    (re.compile(r"^/model/parse/?$"), (dict,)),
    (re.compile(r"^/model/?$"), (dict,)),
]


def api_body_problem(method: str, path: str, body: bytes) -> Optional[str]:
    """Why the body of a Rasa API call cannot be read, or None (also for routes not checked here)."""
    if method not in ("POST", "PUT"):
        return None
    for pattern, kinds in _API_BODIES:
        if pattern.match(path):
            try:
                data = json.loads(body or b"")
            except (ValueError, UnicodeDecodeError):
                return "the body must be JSON"
            if not isinstance(data, kinds):
                return "the body must be a JSON " + " or ".join("object" if k is dict else "array" for k in kinds)
            return None
    return None


async def _check_api_body(request: Request) -> Optional[HTTPResponse]:
    problem = api_body_problem(request.method, request.path, request.body)
    if problem is None:
        return None
    answer = {"status": "failure", "reason": "BadRequest", "message": problem, "code": 400}
    return response.json(answer, status=400)


def install_api_body_check(app: Sanic) -> None:
    """Add the API body check to Rasa's whole server (idempotent)."""
    if _check_api_body not in app.request_middleware:
        app.register_middleware(_check_api_body, "request")


class GuardedRestInput(RestInput):
    """Rasa's REST channel with body validation and the customer command guard."""

    @classmethod
    def name(cls) -> str:
        """Same name (and URL prefix) as Rasa's REST channel: ``/webhooks/rest/webhook``."""
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's REST blueprint with a body check in front of the webhook."""
        blueprint = super().blueprint(guard_messages(on_new_message))

        @blueprint.listener("before_server_start")
        async def check_api_bodies(app: Sanic, _loop: Any) -> None:
            # the REST channel is always on, so it carries the server-wide body check of Rasa's API
            install_api_body_check(app)

        @blueprint.middleware("request")
        async def check_body(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            problem = rest_body_problem(request.body)
            if problem is not None:
                return response.json({"error": f"invalid message: {problem}"}, status=400)
            return None

        return blueprint


class GuardedSlackInput(SlackInput):
    """Rasa's Slack channel (customers) with the customer command guard."""

    @classmethod
    def name(cls) -> str:
        """Same name and URL as Rasa's Slack channel: ``/webhooks/slack/webhook``."""
        return "slack"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's Slack blueprint; messages pass the command guard first."""
        return super().blueprint(guard_messages(on_new_message))

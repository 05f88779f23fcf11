"""The action server, with credentials: rasa-sdk's Sanic app behind a shared secret.

``rasa run actions`` (rasa-sdk 3.6) serves ``/webhook`` to anyone who can reach the port, and its
error answers echo the whole request (the tracker: the customer's messages and personal data).
This entry point builds the same app (:func:`rasa_sdk.endpoint.create_app`) and

* refuses ``/webhook`` and ``/actions`` without the shared secret (``ACTION_SERVER_TOKEN`` or the
  per-install key in ``var/action-server.key``). Rasa sends it as HTTP basic auth (the password;
  ``bot/rasa_endpoints.py`` renders it into ``var/endpoints.yml``); ``Authorization: Bearer`` and
  Rasa's ``?token=`` are accepted too. ``/health`` stays open;
* answers a body that is not a JSON object with 400 before any action runs;
* answers errors with a generic JSON body, never the request (rejections keep rasa-sdk's
  ``{"error", "action_name"}`` shape that Rasa reads for form validation);
* binds 127.0.0.1 unless ``ACTION_SERVER_HOST`` (or ``--host``) says otherwise.

Run it with ``complaints actions --port 5055`` or ``python -m integrations.action_server``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hmac
import json
import logging
import zlib
from typing import Any, Optional, Sequence

from rasa_sdk.endpoint import create_app
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.cases.store import get_store
from bot.conversation.understanding import warm_up
from bot.logging_setup import configure_logging
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

PROTECTED_PATHS = ("/webhook", "/actions")


def presented_secret(request: Request) -> Optional[str]:
    """The secret a request carries: basic auth password, bearer token or ``?token=``."""
    token = request.args.get("token")
    return credential_from(request.headers.get("Authorization", ""), str(token) if token else None)


def credential_from(header: str, token: Optional[str]) -> Optional[str]:
    """The secret in an ``Authorization`` header (basic password or bearer), else the query token."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2]
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return token


def secret_matches(expected: str, presented: Optional[str]) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not expected or presented is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def _action_call(request: Request) -> Any:
    """The decoded JSON body (deflate-compressed like rasa-sdk accepts), or raise ValueError."""
    body = request.body or b""
    if request.headers.get("Content-Encoding") == "deflate":
        try:
            body = zlib.decompress(body)
        except zlib.error as exc:
            raise ValueError("body is not deflate-compressed") from exc
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("body is not JSON") from exc


_TRACKER_FIELDS = {"slots": dict, "latest_message": dict, "events": list, "active_loop": dict}


def action_call_problem(call: Any) -> Optional[str]:
    """What is wrong with an action call's shape (None when rasa-sdk can read it)."""
    if not isinstance(call, dict) or not isinstance(call.get("next_action"), str):
        return "expected a JSON object naming next_action"
    tracker = call.get("tracker")
    if not isinstance(tracker, dict) or not isinstance(tracker.get("sender_id"), str):
        return "expected a tracker object with a sender_id"
    for name, kind in _TRACKER_FIELDS.items():
        if tracker.get(name) is not None and not isinstance(tracker[name], kind):
            return f"tracker field {name} has the wrong type"
    if call.get("domain") is not None and not isinstance(call["domain"], dict):
        return "domain must be an object"
    return None


def _error(message: str, status: int, **extra: Any) -> HTTPResponse:
    return response.json({"error": message, **extra}, status=status)


def build_app(secret: str, actions_package: str = "actions") -> Sanic:
    """rasa-sdk's action server app with the secret check, body check and safe error answers."""
    if not secret:
        raise ValueError("the action server needs a shared secret")
    app = create_app(actions_package, cors_origins="")

    async def guard(request: Request) -> Optional[HTTPResponse]:
        if request.path not in PROTECTED_PATHS:
            return None
        if not secret_matches(secret, presented_secret(request)):
            logger.warning("action server: %s %s refused (missing or wrong credentials)", request.method, request.path)
            return response.json(
                {"error": "authentication required"}, status=401, headers={"WWW-Authenticate": 'Basic realm="actions"'}
            )
        if request.path == "/webhook":
            try:
                call = _action_call(request)
            except ValueError as exc:
                return _error(f"invalid request: {exc}", 400)
            problem = action_call_problem(call)
            if problem is not None:
                return _error(f"invalid request: {problem}", 400)
        return None

    app.register_middleware(guard, "request")

    async def on_rejection(request: Request, exception: ActionExecutionRejection) -> HTTPResponse:
        logger.debug("action %s rejected execution", exception.action_name)
        name = exception.action_name
        return _error(f"Custom action '{name}' rejected execution.", 400, action_name=name)

    async def on_not_found(request: Request, exception: ActionNotFoundException) -> HTTPResponse:
        logger.error("no registered action is called %r", exception.action_name)
        return _error("no such action", 404, action_name=exception.action_name)

    async def on_sanic_error(request: Request, exception: SanicException) -> HTTPResponse:
        status = int(getattr(exception, "status_code", 500) or 500)
        return _error("request refused" if status < 500 else "internal error", status)

    async def on_error(request: Request, exception: Exception) -> HTTPResponse:
        logger.error("action server error on %s %s", request.method, request.path, exc_info=exception)
        return _error("internal error", 500)

    app.error_handler.add(ActionExecutionRejection, on_rejection)
    app.error_handler.add(ActionNotFoundException, on_not_found)
    app.error_handler.add(SanicException, on_sanic_error)
    app.error_handler.add(Exception, on_error)
    return app


def serve(settings: Settings, port: int = 5055, host: Optional[str] = None, actions_package: str = "actions") -> None:
    """Run the action server until stopped (one worker, like ``rasa run actions`` here)."""
    app = build_app(settings.action_server_secret, actions_package)
    warm_up(get_store())  # the first customer must not wait for models to load (the answer deadline is 3 s)
    bind = host or settings.action_server_host
    logger.info("action server on http://%s:%s (webhook needs the shared secret)", bind, port)
    app.run(host=bind, port=port, workers=1, access_log=False, motd=False)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m integrations.action_server [--port 5055] [--host 127.0.0.1]``."""
    parser = argparse.ArgumentParser(description="complaint assistant action server (needs the shared secret)")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default=None, help="interface (default ACTION_SERVER_HOST or 127.0.0.1)")
    parser.add_argument("--actions", default="actions", help="package holding the actions")
    args = parser.parse_args(argv)
    settings = get_settings()
    configure_logging(settings, process="actions")
    serve(settings, port=args.port, host=args.host, actions_package=args.actions)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

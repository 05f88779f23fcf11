"""The customer web chat page and its photo upload (no sign-in: the signed session token is the key).

``GET /chat`` issues a signed session id (kept in an HttpOnly cookie, so a reload resumes the same
conversation) and embeds the rasa-webchat widget, bundled under ``integrations/webchat/static/webchat/``
by ``scripts/build_webchat.sh``. ``POST /chat/photos`` stores one photo per request as evidence for that
conversation (raw body, headers ``X-Chat-Session`` and ``X-Chat-Signature``).

The page's template and static files live beside this module; :func:`register` adds the blueprint to
the dashboard app and serves those files under the app's own ``/static/`` URLs (``/static/chat.js``,
``/static/webchat/webchat.js``), after the dashboard's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from flask import Blueprint, Flask, jsonify, make_response, render_template, request, send_from_directory
from werkzeug.exceptions import NotFound

from bot.cases.photos import MAX_PHOTOS_PER_CONVERSATION, PhotoRejected, save_photo
from bot.web.security import csrf_exempt, get_store
from integrations.webchat import session_tokens

STATIC_FOLDER = Path(__file__).resolve().parent / "static"
bp = Blueprint("chat", __name__, template_folder="templates")

COOKIE_NAME = "complaints_chat"
COOKIE_MAX_AGE = 30 * 24 * 3600


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def chat_content_security_policy(socket_url: str) -> str:
    """The chat page's CSP: scripts from this site only; socket.io may also reach the Rasa origin.

    The widget injects its stylesheet at run time, so inline styles are allowed on this page.
    """
    origin = _origin(socket_url)
    connect = ["'self'"]
    if origin:
        ws = origin.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        connect += [origin, ws]
    return (
        f"default-src 'self'; connect-src {' '.join(connect)}; img-src 'self' data: blob:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; font-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _secret() -> str:
    return get_store().settings.webchat_secret


def _request_token() -> Optional[session_tokens.SessionToken]:
    session_id = request.headers.get("X-Chat-Session", "")
    signature = request.headers.get("X-Chat-Signature", "")
    if session_tokens.verify_session(_secret(), session_id, signature):
        return session_tokens.SessionToken(session_id, signature)
    return session_tokens.parse_cookie(_secret(), request.cookies.get(COOKIE_NAME))


@bp.route("/chat")
def page() -> Any:
    """The chat page: reuse the browser's signed session, or issue a new one."""
    settings = get_store().settings
    token = session_tokens.parse_cookie(_secret(), request.cookies.get(COOKIE_NAME))
    if token is None or request.args.get("new") == "1":
        token = session_tokens.issue(_secret())
    html = render_template(
        "chat.html", token=token, socket_url=settings.rasa_socket_url, max_photos=MAX_PHOTOS_PER_CONVERSATION
    )
    response = make_response(html)
    response.set_cookie(
        COOKIE_NAME,
        token.as_cookie(),
        max_age=COOKIE_MAX_AGE,
        path="/chat",
        httponly=True,
        samesite="Lax",
        secure=settings.environment != "development",
    )
    response.headers["Content-Security-Policy"] = chat_content_security_policy(settings.rasa_socket_url)
    return response


@bp.route("/chat/photos", methods=["POST"])
@csrf_exempt
def upload_photo() -> Any:
    """Store one photo (raw request body) for the signed session's conversation."""
    token = _request_token()
    if token is None:
        return jsonify(error="This chat session is not valid. Reload the page and try again."), 403
    settings = get_store().settings
    length = request.content_length
    if length is None:
        return jsonify(error="Send the photo as the request body."), 411
    if length > settings.photo_max_bytes:
        limit_mb = settings.photo_max_bytes // (1024 * 1024)
        return jsonify(error=f"The photo is too large (the limit is {limit_mb} MB)."), 413
    # the app-wide form limit is small; a photo is read straight from the WSGI stream, bounded by its length
    data = request.environ["wsgi.input"].read(length)
    name = request.headers.get("X-Filename", "")[:255]
    try:
        photo = save_photo(get_store(), token.session_id, data, name)
    except PhotoRejected as exc:
        return jsonify(error=str(exc)), 400
    return jsonify(id=photo["id"], content_type=photo["content_type"], size_bytes=photo["size_bytes"]), 201


def _static_with_fallback(app: Flask, serve_first: Callable[..., Any]) -> Callable[..., Any]:
    """The app's ``static`` view, answering from :data:`STATIC_FOLDER` what the dashboard has not got."""

    def static(filename: str) -> Any:
        try:
            return serve_first(filename=filename)
        except NotFound:
            return send_from_directory(STATIC_FOLDER, filename, max_age=app.get_send_file_max_age(filename))

    return static


def register(app: Flask) -> None:
    """Add the chat page to ``app``: its blueprint, template and static files (same URLs as before)."""
    app.register_blueprint(bp)
    app.view_functions["static"] = _static_with_fallback(app, app.view_functions["static"])

"""What the dashboard answers when the case database is locked, busy or down.

Every view works on the database through :mod:`bot.cases.service` and friends, one unit of work per
change, and the app's store gives up on a lock or a connection after ``DB_ANSWER_TIMEOUT_MS``. So a
request that meets a locked or unreachable database ends with a SQLAlchemy error and nothing was
committed; this module turns that error, wherever it was raised (a view or ``load_user``), into
503 with ``Retry-After``: a page in the site's layout for people, ``{"error": ...}`` for API calls.
Other database errors are bugs and stay a 500 (without a stack trace, like any other).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from bot.db import is_unavailable

log = logging.getLogger(__name__)

BUSY_TITLE = "Please try again in a minute"
BUSY_MESSAGE = "The case database is busy right now, so nothing was changed. Please try again in a minute."
RETRY_AFTER_SECONDS = 60
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def wants_json() -> bool:
    """True when the client asked for JSON (or sent something other than a page request or a form)."""
    if request.is_json:
        return True
    accept = request.accept_mimetypes
    json_quality, html_quality = accept["application/json"], accept["text/html"]
    if json_quality != html_quality:
        return bool(json_quality > html_quality)
    # No preference (no Accept header, or */*): pages and forms get HTML, uploads and API calls JSON.
    return request.method not in ("GET", "HEAD") and request.mimetype not in FORM_MIMETYPES


def database_unavailable(error: SQLAlchemyError) -> Any:
    """503 with Retry-After for a locked or unreachable database; any other database error is re-raised."""
    if not is_unavailable(error):
        raise error
    cause = getattr(error, "orig", None) or error
    log.warning("case database unavailable during %s %s: %s", request.method, request.path, type(cause).__name__)
    if wants_json():
        response = jsonify(error=BUSY_MESSAGE, retry_after=RETRY_AFTER_SECONDS)
        response.status_code = 503
    else:
        html = render_template("error.html", code=503, title=BUSY_TITLE, description=BUSY_MESSAGE)
        response = Flask.response_class(html, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def internal_error(_error: Any) -> Any:
    """A plain 500 page in the site's layout (the error itself is logged by Flask, never shown)."""
    description = "Something went wrong on our side and the request was not completed. Please try again."
    if wants_json():
        return jsonify(error=description), 500
    return render_template("error.html", code=500, title="Something went wrong", description=description), 500


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(SQLAlchemyError, database_unavailable)
    app.register_error_handler(500, internal_error)

"""Flask application factory of the supervisor dashboard, and the waitress server."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import pkgutil
import secrets
from typing import Any, Optional

from flask import Flask, Response, render_template

from bot.cases.store import Store, open_store
from bot.logging_setup import configure_logging
from bot.settings import _PLACEHOLDER_SECRETS, Settings, get_settings
from bot.web import errors, security

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _secret_key(settings: Settings) -> str:
    settings.check_production()
    key = settings.dashboard_secret_key
    if key.lower() in _PLACEHOLDER_SECRETS:
        log.warning(
            "DASHBOARD_SECRET_KEY is not set: using a random key for this process (development only); "
            "sign-ins will not survive a restart"
        )
        return secrets.token_urlsafe(48)
    return key


def register_blueprints(app: Flask) -> None:
    """Register the ``bp`` blueprint of every module in :mod:`bot.web.views`."""
    import bot.web.views as views

    for module_info in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{views.__name__}.{module_info.name}")
        blueprint = getattr(module, "bp", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(settings: Optional[Settings] = None, store: Optional[Store] = None) -> Flask:
    """Build the dashboard app for ``settings`` (default: the environment's) and ``store``."""
    settings = settings or (store.settings if store is not None else get_settings())
    store = store or open_store(settings, interactive=True)
    app = Flask(__name__, template_folder="templates", static_folder="static")
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.environment != "development",
        SESSION_COOKIE_NAME="complaints_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    app.extensions["complaints_store"] = store
    app.jinja_env.autoescape = True
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.globals["current_user"] = security.current_user
    app.before_request(security.load_user)
    app.before_request(security.check_csrf)
    app.after_request(_security_headers)
    register_blueprints(app)

    def _error(code: int, title: str) -> Any:
        def handler(error: Any) -> Any:
            description = getattr(error, "description", "") or ""
            return render_template("error.html", code=code, title=title, description=description), code

        return handler

    for code, title in ((400, "Bad request"), (403, "Not allowed"), (404, "Not found"), (405, "Not allowed")):
        app.register_error_handler(code, _error(code, title))
    errors.register(app)  # a locked or unreachable database: 503 and a plain message, never a 500
    return app


def serve_app(app: Flask, settings: Settings, host: str = "127.0.0.1", port: Optional[int] = None) -> None:
    """Serve ``app`` with waitress until interrupted (logging and log masking set up for ``settings``)."""
    from waitress import serve as waitress_serve

    port = port or settings.dashboard_port
    configure_logging(settings, process="dashboard")
    log.info("dashboard on http://%s:%s/", host, port)
    print(f"dashboard on http://{host}:{port}/", flush=True)
    waitress_serve(app, host=host, port=port, threads=4, ident="complaints")


def interactive_store(store: Store) -> Store:
    """A store for people waiting on a page.

    The store handed over (the CLI's) waits for locks like batch work; people waiting for a page get an
    interactive one, which gives up after DB_ANSWER_TIMEOUT_MS so they see the 503 page in time.
    """
    return open_store(store.settings, clock=store.clock, interactive=True)


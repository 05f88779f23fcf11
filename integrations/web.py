"""The dashboard process: the supervisor dashboard (:mod:`bot.web`) plus the customer web chat page.

``bot/`` must not import ``integrations/``, so the two are put together here: :func:`create_web_app`
is what ``complaints web`` serves (:func:`serve`) and what tests of the chat page use.
"""

from __future__ import annotations

from typing import Optional

from flask import Flask

from bot.cases.store import Store
from bot.settings import Settings
from bot.web.app import create_app, interactive_store, serve_app
from integrations.webchat import page


def create_web_app(settings: Optional[Settings] = None, store: Optional[Store] = None) -> Flask:
    """:func:`bot.web.app.create_app` (dashboard) with the web chat page (``/chat``, ``/chat/photos``)."""
    app = create_app(settings, store)
    page.register(app)
    return app


def serve(store: Store, host: str = "127.0.0.1", port: Optional[int] = None) -> None:
    """Serve the dashboard and the chat page with waitress until interrupted."""
    serve_app(create_web_app(store.settings, interactive_store(store)), store.settings, host, port)

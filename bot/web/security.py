"""Sign-in, roles and CSRF protection of the dashboard."""

from __future__ import annotations

import functools
import hmac
import secrets
from typing import Any, Callable, Optional, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for

from bot.accounts.users import StaffUser, get_user
from bot.cases.store import Store

F = TypeVar("F", bound=Callable[..., Any])
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def get_store() -> Store:
    """The store of the running app."""
    store: Store = current_app.extensions["complaints_store"]
    return store


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_exempt(view: F) -> F:
    """Mark a view that authenticates its POSTs another way (e.g. a JSON API with its own token)."""
    view._csrf_exempt = True  # type: ignore[attr-defined]
    return view


def check_csrf() -> None:
    """Refuse (400) a state-changing request whose CSRF token is missing or differs from the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "_csrf_exempt", False):
        return
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not isinstance(expected, str) or not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        abort(400, description="The form has expired or did not come from this site. Reload the page and try again.")


def load_user() -> None:
    """Put the signed-in user (or None) on ``g.user``."""
    g.user = None
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        g.user = get_user(get_store(), user_id)
        if g.user is None:
            session.clear()


def current_user() -> Optional[StaffUser]:
    """The signed-in user, if any."""
    user: Optional[StaffUser] = g.get("user")
    return user


def login_required(view: F) -> F:
    """Send anonymous visitors to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def supervisor_required(view: F) -> F:
    """Signed-in supervisors only; agents get 403."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        if not user.is_supervisor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def safe_next(target: Optional[str]) -> str:
    """A local path to go to after sign-in (never another site)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("cases.index")

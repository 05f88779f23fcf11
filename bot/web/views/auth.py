"""Sign in and out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from bot.accounts.users import authenticate
from bot.web.security import csrf_token, get_store, safe_next

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in form; a wrong e-mail or password gets one message that does not say which."""
    error = None
    next_url = request.values.get("next", "")
    if request.method == "POST":
        email = request.form.get("email", "")[:320]
        password = request.form.get("password", "")[:1000]
        user = authenticate(get_store(), email, password)
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            session.permanent = True
            csrf_token()
            return redirect(safe_next(next_url))
        error = "That e-mail address and password do not match an active account."
        return render_template("login.html", error=error, email=email, next_url=next_url), 401
    return render_template("login.html", error=error, email="", next_url=next_url)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Sign out (POST with a CSRF token)."""
    session.clear()
    return redirect(url_for("auth.login"))

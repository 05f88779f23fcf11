"""The one-time rating page linked from follow-up emails (no sign-in: the link is the key)."""

from __future__ import annotations

from typing import Any, Optional

from flask import Blueprint, abort, render_template, request

from bot.followups import rating
from bot.web.security import get_store

bp = Blueprint("rating", __name__)


def _choice(value: Optional[str]) -> Optional[bool]:
    return {"yes": True, "no": False}.get((value or "").lower())


@bp.route("/rate/<token>", methods=["GET", "POST"])
def rate(token: str) -> Any:
    """Show the questions, or store the answers (once)."""
    store = get_store()
    link = rating.open_link(store, token[:400])
    if link is None:
        abort(404)
    if link.already_answered:
        return render_template("rating.html", link=link, done=True, error=None)
    if request.method == "POST":
        solved = _choice(request.form.get("solved"))
        raw_score = request.form.get("score", "")
        score = int(raw_score) if raw_score in {"1", "2", "3", "4", "5"} else None
        comment = request.form.get("comment", "")[:2000]
        if solved is None or score is None:
            error = "Please say whether the problem is solved and choose a rating from 1 to 5."
            return render_template("rating.html", link=link, done=False, error=error), 400
        result = rating.submit(store, link, solved, score, comment)
        return render_template("rating.html", link=link, done=True, reopened=result.get("reopened"), error=None)
    return render_template("rating.html", link=link, done=False, error=None)

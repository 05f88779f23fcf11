"""Customer photos on the dashboard: served to signed-in staff only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, send_file

from bot.cases.photos import photo_file
from bot.web.security import get_store, login_required

bp = Blueprint("case_photos", __name__)


@bp.route("/cases/<reference>/photos/<int:photo_id>")
@login_required
def photo(reference: str, photo_id: int) -> Any:
    """One photo of a case (HEIC, kept as sent, is downloaded rather than shown)."""
    found = photo_file(get_store(), reference, photo_id)
    if found is None:
        abort(404, description="There is no such photo.")
    path, content_type = found
    inline = content_type in ("image/jpeg", "image/png")
    response = send_file(path, mimetype=content_type, as_attachment=not inline, download_name=path.name)
    response.headers["Cache-Control"] = "private, no-store"
    return response

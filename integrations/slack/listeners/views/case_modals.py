"""Modal submissions: checked in the ack (errors shown in the form), applied lazily.

Failures are told to the member of staff by :func:`integrations.slack.listeners.errors.staff_action`
(in the card's channel when the modal was opened from a card).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.vocabulary import RESOLUTION_TYPES
from integrations.slack import cards, operations
from integrations.slack.listeners.errors import staff_action
from integrations.slack.runtime import runtime

log = logging.getLogger(__name__)


def _parts(body: dict[str, Any]) -> tuple[str, dict[str, str], str]:
    view = body["view"]
    meta = cards.read_metadata(view.get("private_metadata", ""))
    return meta["reference"], cards.view_values(view.get("state") or {}), str(body["user"]["id"])


def _validator(required: dict[str, str]) -> Callable[[Ack, dict[str, Any]], None]:
    def check(ack: Ack, body: dict[str, Any]) -> None:
        _ref, values, _user = _parts(body)
        errors = {block: message for block, message in required.items() if not values.get(block, "").strip()}
        if "resolution" in required and values.get("resolution") and values["resolution"] not in RESOLUTION_TYPES:
            errors["resolution"] = "Choose one of the listed resolutions"
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    return check


Work = Callable[[str, dict[str, str], str, WebClient, str], None]


def _submitted(work: Work) -> Callable[[dict[str, Any], WebClient], None]:
    """Run ``work(ref, values, user, client, view_id)`` for a submission; failures go to the user who submitted."""

    def run(body: dict[str, Any], client: WebClient) -> None:
        ref, values, user = _parts(body)
        work(ref, values, user, client, str(body["view"].get("id") or ""))

    # Not functools.wraps: bolt reads the parameters to inject from the unwrapped function.
    run.__name__, run.__doc__ = work.__name__, work.__doc__
    return staff_action(run)


@_submitted
def escalate(ref: str, values: dict[str, str], user: str, client: WebClient, view_id: str) -> None:
    """Record the escalation and post it to the chosen channel (once per submitted form)."""
    rt = runtime()
    operations.escalate(
        rt.store, client, ref, values["target"], values["reason"], user, rt.escalation_channels, slack_view_id=view_id
    )


@_submitted
def add_note(ref: str, values: dict[str, str], user: str, client: WebClient, view_id: str) -> None:
    """Add the note (once per submitted form)."""
    operations.add_note(runtime().store, client, ref, values["note"], user, slack_view_id=view_id)


@_submitted
def resolve(ref: str, values: dict[str, str], user: str, client: WebClient, view_id: str) -> None:
    """Resolve with type, root cause and notes."""
    operations.resolve(runtime().store, client, ref, values, user)


def register(app: App) -> None:
    """Register the three modals' submissions."""
    app.view(cards.VIEW_ESCALATE)(
        ack=_validator({"target": "Choose who to escalate to", "reason": "Say why"}), lazy=[escalate]
    )
    app.view(cards.VIEW_NOTE)(ack=_validator({"note": "Write a note"}), lazy=[add_note])
    app.view(cards.VIEW_RESOLVE)(ack=_validator({"resolution": "Choose a resolution"}), lazy=[resolve])

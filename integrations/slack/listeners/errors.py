"""Telling the Slack user when a change was refused or could not be made: the one error path.

Every staff listener (card buttons, modal submissions, slash commands, thread replies) runs its
work through the one decorator :func:`staff_action` (or, where it must decide first whether there is
anyone to tell, :func:`report_failure`). The member of staff sees an
ephemeral message where they acted (``chat.postEphemeral`` in the channel; a direct message when
there is no channel, e.g. a modal opened from App Home). A locked or unreachable case database
(:func:`bot.db.is_unavailable`) gets its own plain message: each case change is one unit of work,
so nothing was changed and the same action can simply be repeated once the database answers.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any, Callable

from bot.cases.service import CaseNotFound
from bot.cases.status import IllegalTransition
from bot.db import is_unavailable
from integrations.slack import cards
from integrations.slack.takeover import TakeoverError

log = logging.getLogger(__name__)

BUSY = "The case database is busy right now, so nothing was changed. Please try again in a minute."
FAILED = "Sorry, that failed and nothing was changed. Try again in a moment."
REFUSED = (CaseNotFound, IllegalTransition, ValueError, TakeoverError)


@dataclass(frozen=True)
class Where:
    """Who acted and where to answer them."""

    user: str
    channel: str = ""
    thread_ts: str = ""
    reference: str = ""


def where_from(body: dict[str, Any]) -> Where:
    """The user, channel and case of a ``block_actions`` or ``view_submission`` payload or a slash command."""
    if body.get("command"):
        return Where(user=str(body.get("user_id", "")), channel=str(body.get("channel_id") or ""))
    user = str((body.get("user") or {}).get("id", ""))
    channel = str((body.get("channel") or {}).get("id", ""))
    thread_ts = str((body.get("container") or {}).get("thread_ts") or "")
    reference = ""
    view = body.get("view") or {}
    if body.get("type") == "view_submission" and view.get("private_metadata"):
        try:
            meta = cards.read_metadata(view["private_metadata"])
        except ValueError:
            meta = {}
        reference = meta.get("reference", "")
        channel = channel or meta.get("channel", "")  # the card's channel, when opened from a card
    return Where(user=user, channel=channel, thread_ts=thread_ts, reference=reference)


def explain(error: BaseException) -> str:
    """What to tell the member of staff about ``error``."""
    if isinstance(error, REFUSED):
        return f"That did not work: {error}"
    if is_unavailable(error):
        return BUSY
    return FAILED


def tell_user(client: Any, user_id: str, text: str, channel: str = "", thread_ts: str = "") -> None:
    """An ephemeral message in ``channel`` (a direct message without one); failures are logged, never raised."""
    try:
        if channel:
            kwargs: dict[str, Any] = {"thread_ts": thread_ts} if thread_ts else {}
            client.chat_postEphemeral(channel=channel, user=user_id, text=text, **kwargs)
        else:
            client.chat_postMessage(channel=user_id, text=text)
    except Exception:  # noqa: BLE001 - an error report must not raise another error
        log.exception("could not tell %s: %s", user_id, text)


def report_failure(client: Any, where: Where, error: BaseException, what: str = "") -> None:
    """Log ``error`` and tell the member of staff what happened to their action."""
    if isinstance(error, REFUSED):
        log.info("refused for %s: %s", where.user, error)
    elif is_unavailable(error):
        log.warning("case database unavailable for %s (%s): %s", where.user, what, type(error).__name__)
    else:
        log.error("%s failed for %s", what or "Slack action", where.user, exc_info=error)
    text = explain(error)
    if where.reference:
        text = f"{where.reference}: {text}"
    tell_user(client, where.user, text, where.channel, where.thread_ts)


def staff_action(work: Callable[[dict[str, Any], Any], None]) -> Callable[[dict[str, Any], Any], None]:
    """Decorate a lazy listener ``work(body, client)``: any failure is told to the user who acted."""

    @functools.wraps(work)
    def run(body: dict[str, Any], client: Any) -> None:
        try:
            work(body, client)
        except Exception as exc:  # noqa: BLE001 - a lazy listener has nobody else to report to
            report_failure(client, where_from(body), exc, work.__name__)

    return run

"""``/case`` and ``/cases``: ack at once, answer with an ephemeral message from a lazy listener.

A usage error is the ack's answer; any other failure is told to the member of staff by
:func:`integrations.slack.listeners.errors.staff_action`.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.cases.service import CaseNotFound
from integrations.slack import cards
from integrations.slack.commands import CommandError, list_cases, parse_case_command, parse_cases_command
from integrations.slack.listeners.errors import staff_action
from integrations.slack.posting import load_card_case
from integrations.slack.runtime import runtime

log = logging.getLogger(__name__)


def _reply(client: WebClient, command: dict[str, Any], text: str, blocks: Any = None) -> None:
    client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text=text, blocks=blocks)


def ack_case(ack: Ack, command: dict[str, Any]) -> None:
    """Check the syntax straight away; a usage message is the ack's answer."""
    try:
        parse_case_command(command.get("text", ""))
    except CommandError as exc:
        ack(text=str(exc))
        return
    ack()


def ack_cases(ack: Ack, command: dict[str, Any]) -> None:
    """Check the syntax straight away."""
    try:
        parse_cases_command(command.get("text", ""))
    except CommandError as exc:
        ack(text=str(exc))
        return
    ack()


@staff_action
def show_case(body: dict[str, Any], client: WebClient) -> None:
    """Answer ``/case REF`` with the case card (``body`` is the command)."""
    try:
        ref = parse_case_command(body.get("text", ""))
    except CommandError:
        return  # already answered by the ack
    try:
        case = load_card_case(runtime().store, ref)
    except CaseNotFound:
        _reply(client, body, f"No case {ref}.")
        return
    _reply(client, body, cards.card_summary(case), cards.case_card(case, case.get("transcript") or []))


@staff_action
def show_cases(body: dict[str, Any], client: WebClient) -> None:
    """Answer ``/cases open|mine|overdue|breached`` (``body`` is the command)."""
    try:
        which = parse_cases_command(body.get("text", ""))
    except CommandError:
        return  # already answered by the ack
    found = list_cases(runtime().store, which, body["user_id"])
    title = f"{which.capitalize()} cases ({len(found.cases)})"
    _reply(client, body, title, cards.case_list_blocks(title, found.cases))


def register(app: App) -> None:
    """Register ``/case`` and ``/cases``."""
    app.command("/case")(ack=ack_case, lazy=[show_case])
    app.command("/cases")(ack=ack_cases, lazy=[show_cases])

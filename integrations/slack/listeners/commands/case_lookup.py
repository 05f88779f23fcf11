"""``/case`` and ``/cases``: ack at once, answer with an ephemeral message from a lazy listener."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.cases.service import CaseNotFound
from bot.triage import cards
from bot.triage.commands import CommandError, list_cases, parse_case_command, parse_cases_command
from bot.triage.posting import load_card_case
from integrations.slack.listeners.errors import Where, report_failure

log = logging.getLogger(__name__)


def _reply(client: WebClient, command: dict[str, Any], text: str, blocks: Any = None) -> None:
    client.chat_postEphemeral(channel=command["channel_id"], user=command["user_id"], text=text, blocks=blocks)


def _where(command: dict[str, Any]) -> Where:
    return Where(user=str(command["user_id"]), channel=str(command.get("channel_id") or ""))


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


def show_case(command: dict[str, Any], client: WebClient) -> None:
    """Answer ``/case REF`` with the case card."""
    from integrations.slack.runtime import runtime

    try:
        ref = parse_case_command(command.get("text", ""))
    except CommandError:
        return  # already answered by the ack
    try:
        case = load_card_case(runtime().store, ref)
    except CaseNotFound:
        _reply(client, command, f"No case {ref}.")
        return
    except Exception as exc:  # noqa: BLE001
        report_failure(client, _where(command), exc, "/case")
        return
    _reply(client, command, cards.card_summary(case), cards.case_card(case, case.get("transcript") or []))


def show_cases(command: dict[str, Any], client: WebClient) -> None:
    """Answer ``/cases open|mine|overdue|breached``."""
    from integrations.slack.runtime import runtime

    try:
        which = parse_cases_command(command.get("text", ""))
        found = list_cases(runtime().store, which, command["user_id"])
    except CommandError:
        return
    except Exception as exc:  # noqa: BLE001
        report_failure(client, _where(command), exc, "/cases")
        return
    title = f"{which.capitalize()} cases ({len(found.cases)})"
    _reply(client, command, title, cards.case_list_blocks(title, found.cases))


def register(app: App) -> None:
    """Register ``/case`` and ``/cases``."""
    app.command("/case")(ack=ack_case, lazy=[show_case])
    app.command("/cases")(ack=ack_cases, lazy=[show_cases])

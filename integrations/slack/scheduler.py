"""The Slack part of a scheduler pass: new case cards, SLA alerts, recurring-problem alerts."""

from __future__ import annotations

import logging
from typing import Any, Optional

from bot.cases.store import Store
from integrations.slack.client import SlackClient, web_client
from integrations.slack.posting import post_new_cases, post_sla_alerts, post_spike_alerts

log = logging.getLogger(__name__)


def slack_pass(store: Store, client: Optional[SlackClient] = None) -> dict[str, Any]:
    """Post what is pending to the triage channel; each part fails alone (logged, retried next pass)."""
    settings = store.settings
    client = client or web_client(settings)
    channel = settings.slack_triage_channel
    report: dict[str, Any] = {"cards": [], "sla_alerts": [], "spikes": [], "errors": []}
    for name, step in (("cards", post_new_cases), ("sla_alerts", post_sla_alerts), ("spikes", post_spike_alerts)):
        try:
            report[name] = step(store, client, channel)
        except Exception as exc:  # noqa: BLE001 - Slack down must not stop follow-ups
            log.exception("Slack %s failed", name)
            report["errors"].append(f"slack {name}: {exc}")
    return report

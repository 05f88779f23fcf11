"""The scheduler worker: sends due follow-ups and watches SLAs, on a loop or one pass at a time."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from bot.cases.deferred import replay
from bot.cases.store import Store
from bot.followups.delivery import ChannelRouter, Deliverer, DeliveryError, EmailDeliverer, RasaDeliverer
from bot.followups.queue import claim_due, is_resolved, mark_delivered, postpone, record_failure, renew_claim
from bot.followups.sla_watch import check_slas
from bot.settings import Settings

log = logging.getLogger(__name__)


def worker_name() -> str:
    """host:pid, to see in the database who holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


def default_deliverer(settings: Settings) -> Deliverer:
    """Chat through Rasa, with email as the fallback when SMTP is configured."""
    chat = RasaDeliverer(settings.rasa_url, settings.rasa_api_token)
    email: Optional[EmailDeliverer] = None
    if settings.smtp_host:
        email = EmailDeliverer(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_from,
            public_url=settings.public_base_url,
            secret=settings.rating_secret,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )
    return ChannelRouter(chat=chat, email=email)


@dataclass
class PassReport:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    postponed: int = 0
    sla_alerts: int = 0
    outbox: dict[str, Any] = field(default_factory=dict)
    slack: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def run_due(store: Store, deliverer: Deliverer, worker: Optional[str] = None, limit: int = 50) -> PassReport:
    """One pass: claim what is due, deliver it, record the outcome."""
    worker = worker or worker_name()
    report = PassReport()
    items = claim_due(store, worker, limit)
    report.claimed = len(items)
    for item in items:
        if not renew_claim(store, item):
            continue  # our claim expired while we were busy; another worker has it now
        if not is_resolved(store, item):
            postpone(store, item)
            report.postponed += 1
            continue
        try:
            via = deliverer.deliver(item)
        except DeliveryError as exc:
            status = record_failure(store, item, str(exc), exc.retryable)
            report.errors.append(f"{item.key}: {exc}")
            if status == "failed":
                report.failed += 1
            else:
                report.retrying += 1
            continue
        mark_delivered(store, item.key, via, actor="scheduler")
        report.sent += 1
    return report


def run_pass(store: Store, deliverer: Deliverer, worker: Optional[str] = None) -> PassReport:
    """Outbox replay, follow-ups, SLA warnings and breaches, then (when Slack is on) cards and alerts in Slack.

    The outbox comes first: complaints confirmed while the database was down are written (exactly once)
    before anything else looks at the cases, so their follow-ups and Slack cards are handled in this pass.
    """
    replayed = replay(store, announcer=deliverer)
    report = run_due(store, deliverer, worker)
    report.outbox = replayed.as_dict()
    report.errors.extend(replayed.errors)
    report.sla_alerts = len(check_slas(store))
    if store.settings.slack_enabled:
        from bot.triage.scheduler import slack_pass

        report.slack = slack_pass(store)
        report.errors.extend(report.slack["errors"])
    return report


def run_forever(
    store: Store,
    deliverer: Deliverer,
    interval: float = 15.0,
    stop: Optional[threading.Event] = None,
    on_pass: Optional[Callable[[PassReport], None]] = None,
) -> None:
    """Loop until ``stop`` is set; a failing pass is logged and the loop goes on."""
    stop = stop or threading.Event()
    worker = worker_name()
    log.info("follow-up worker %s started (every %ss)", worker, interval)
    from bot.privacy.schedule import DailyRetention

    retention = DailyRetention(store)
    while not stop.is_set():
        try:
            retention.maybe_run()  # anonymise closed cases past RETENTION_MONTHS, once a day
        except Exception:  # noqa: BLE001 - retention failing must not stop follow-ups
            log.exception("retention run failed; trying again tomorrow")
        try:
            report = run_pass(store, deliverer, worker)
            if report.claimed or report.sla_alerts or any(report.outbox.get(k) for k in ("written", "waiting")):
                log.info("pass: %s", report.as_dict())
            if on_pass is not None:
                on_pass(report)
        except Exception:  # noqa: BLE001 - the worker must survive a bad pass (database down...)
            log.exception("follow-up pass failed; trying again in %ss", interval)
        stop.wait(interval)

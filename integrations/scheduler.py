"""The scheduler worker: named jobs on APScheduler (``complaints followups worker`` / ``run-due``).

Jobs, each on its own timer, never overlapping themselves (``max_instances=1``, missed runs coalesced);
a failing job is logged and runs again at its next time, the others go on:

- ``outbox``: write complaints confirmed while the case database was down (:func:`bot.cases.deferred.replay`)
  and tell their customers the reference;
- ``followups``: send due satisfaction follow-ups from the database-backed queue (:mod:`bot.followups.worker`);
- ``sla_watch``: record SLA warnings and breaches (:func:`bot.followups.sla_watch.check_slas`);
- ``slack_cards``: new-case cards, SLA and recurring-problem alerts in Slack (only when its tokens are set);
- ``retention``: anonymise closed cases past ``RETENTION_MONTHS``, once a day;
- ``transcripts``: keep the whole conversation with each case, appending what Rasa's tracker store holds after
  the stored lines (:mod:`bot.cases.transcript_sync`), every ``TRANSCRIPT_SYNC_SECONDS``;
- ``reviews``: put the complaint conversations the review sampling rules pick in the supervisors' review queue
  (:func:`bot.reviews.queue.fill_queue`), every ``REVIEW_FILL_INTERVAL_SECONDS``.

``run-due`` runs the first four once, in that order (outbox first, so the complaints it writes get their
follow-ups and cards in the same pass), and reports what they did.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from bot.cases.deferred import replay
from bot.cases.store import Store
from bot.cases.transcript_sync import TranscriptSync
from bot.followups.delivery import Deliverer
from bot.followups.sla_watch import check_slas
from bot.followups.worker import DueReport, run_due, worker_name
from bot.privacy.schedule import DailyRetention
from bot.reviews.queue import fill_queue
from bot.settings import Settings

log = logging.getLogger(__name__)

RETENTION_EVERY = dt.timedelta(days=1)


@dataclass
class PassReport:
    """What the jobs did (one pass of ``run-due``, or one run of one job in the worker)."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    postponed: int = 0
    sla_alerts: int = 0
    outbox: dict[str, Any] = field(default_factory=dict)
    slack: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add_due(self, due: DueReport) -> None:
        """Fold in the follow-ups job's report."""
        for name in ("claimed", "sent", "retrying", "failed", "postponed"):
            setattr(self, name, getattr(self, name) + getattr(due, name))
        self.errors.extend(due.errors)

    def notable(self) -> bool:
        """Whether the worker should log it (something was sent, written, waiting or raised)."""
        return bool(
            self.claimed or self.sla_alerts or self.errors or any(self.outbox.get(k) for k in ("written", "waiting"))
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


@dataclass
class JobContext:
    """What the jobs work with: the store, the deliverer, this worker's name and the daily retention."""

    store: Store
    deliverer: Deliverer
    worker: str = field(default_factory=worker_name)
    retention: Optional[DailyRetention] = None
    transcripts: Optional[TranscriptSync] = None


def _slack_pass(store: Store) -> dict[str, Any]:
    from integrations.slack.scheduler import slack_pass  # slack_sdk only when Slack is on

    return slack_pass(store)


def outbox_job(context: JobContext, report: PassReport) -> None:
    """Write what waited for the case database, exactly once, and announce the references."""
    replayed = replay(context.store, announcer=context.deliverer)
    report.outbox = replayed.as_dict()
    report.errors.extend(replayed.errors)


def followups_job(context: JobContext, report: PassReport) -> None:
    """Claim, deliver and record the due follow-ups."""
    report.add_due(run_due(context.store, context.deliverer, context.worker))


def sla_watch_job(context: JobContext, report: PassReport) -> None:
    """Record SLA warnings and breaches (each once)."""
    report.sla_alerts = len(check_slas(context.store))


def slack_cards_job(context: JobContext, report: PassReport) -> None:
    """Post new-case cards and alerts in Slack; nothing when Slack is off."""
    if not context.store.settings.slack_enabled:
        return
    report.slack = _slack_pass(context.store)
    report.errors.extend(report.slack["errors"])


def retention_job(context: JobContext, report: PassReport) -> None:
    """Anonymise closed cases past ``RETENTION_MONTHS`` (at most once a day; off with ``RETENTION_MONTHS=0``)."""
    retention = context.retention or DailyRetention(context.store, every=RETENTION_EVERY)
    context.retention = retention
    retention.maybe_run()


def transcripts_job(context: JobContext, report: PassReport) -> None:
    """Append to each case what its conversation said after the stored lines (idempotent)."""
    if context.transcripts is None:
        lookback = dt.timedelta(days=context.store.settings.transcript_sync_days)
        context.transcripts = TranscriptSync(context.store, lookback)
    synced = context.transcripts.run()
    if synced.lines_added or synced.conflicts:
        log.info(
            "transcripts: %d line(s) added to %d case(s), %d left for the next pass",
            synced.lines_added,
            synced.cases_updated,
            synced.conflicts,
        )


def reviews_job(context: JobContext, report: PassReport) -> None:
    """Queue the conversations the review sampling rules pick (idempotent; it logs what it added)."""
    fill_queue(context.store)


Job = Callable[[JobContext, PassReport], None]
JOBS: dict[str, Job] = {
    "outbox": outbox_job,
    "followups": followups_job,
    "sla_watch": sla_watch_job,
    "slack_cards": slack_cards_job,
    "retention": retention_job,
    "transcripts": transcripts_job,
    "reviews": reviews_job,
}
PASS_JOBS = ("outbox", "followups", "sla_watch", "slack_cards")  # what ``run-due`` runs, in this order


def run_pass(store: Store, deliverer: Deliverer, worker: Optional[str] = None) -> PassReport:
    """Run the ``run-due`` jobs once, in order; an error stops the pass (the CLI reports it)."""
    context = JobContext(store, deliverer, worker or worker_name())
    report = PassReport()
    for name in PASS_JOBS:
        JOBS[name](context, report)
    return report


def guarded(name: str, job: Job, context: JobContext) -> Callable[[], None]:
    """The job as the scheduler runs it: a failure is logged (and retried at its next time), never raised."""

    def run() -> None:
        report = PassReport()
        try:
            job(context, report)
        except Exception:  # noqa: BLE001 - one failing job (database down...) must not stop the others
            log.exception("scheduler job %s failed; it runs again at its next time", name)
            return
        if report.notable():
            log.info("%s: %s", name, report.as_dict())

    return run


def job_periods(settings: Settings, interval: float) -> dict[str, dt.timedelta]:
    """Name and period of every job this worker runs (``slack_cards`` only when Slack is on)."""
    every = dt.timedelta(seconds=interval)
    periods = {"outbox": every, "followups": every, "sla_watch": every, "retention": RETENTION_EVERY}
    periods["transcripts"] = dt.timedelta(seconds=settings.transcript_sync_seconds)
    periods["reviews"] = dt.timedelta(seconds=settings.review_fill_interval_seconds)
    if settings.slack_enabled:
        periods["slack_cards"] = every
    return periods


def build_scheduler(context: JobContext, interval: float) -> Any:
    """A BackgroundScheduler with the named jobs, each due at once and then every period."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per run is noise; ours say what happened
    periods = job_periods(context.store.settings, interval)
    scheduler = BackgroundScheduler(
        timezone=dt.timezone.utc,
        executors={"default": ThreadPoolExecutor(max_workers=len(periods))},
        job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
    now = dt.datetime.now(dt.timezone.utc)
    for name, period in periods.items():
        trigger = {"seconds": period.total_seconds()}
        scheduler.add_job(
            guarded(name, JOBS[name], context), "interval", id=name, name=name, next_run_time=now, **trigger
        )
    return scheduler


def run_worker(store: Store, deliverer: Deliverer, interval: float, stop: Optional[threading.Event] = None) -> None:
    """Run the jobs until ``stop`` is set (SIGTERM/SIGINT in the CLI); running jobs finish first."""
    stop = stop or threading.Event()
    context = JobContext(store, deliverer, retention=DailyRetention(store, every=RETENTION_EVERY))
    scheduler = build_scheduler(context, interval)
    log.info(
        "scheduler worker %s started: %s (every %ss)",
        context.worker,
        ", ".join(j.id for j in scheduler.get_jobs()),
        interval,
    )
    scheduler.start()
    try:
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        log.info("scheduler worker %s stopped", context.worker)

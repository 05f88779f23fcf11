"""The scheduler worker's named jobs (integrations/scheduler.py) and the CLI's entry-point commands."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from bot.cases import service
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from bot.cli import build_app
from integrations import scheduler
from integrations.scheduler import JobContext, PassReport, guarded, job_periods, run_pass, run_worker


class _Noop:
    def deliver(self, item: Any) -> str:
        return "chat"

    def announce(self, notice: Any) -> str:
        return "chat"


def test_the_worker_runs_named_jobs_and_slack_cards_only_with_slack_tokens(sqlite_store: Store) -> None:
    always = {"outbox", "followups", "sla_watch", "retention", "transcripts", "reviews"}
    assert set(job_periods(sqlite_store.settings, 15)) == always
    slack = sqlite_store.settings.with_overrides(slack_bot_token="xoxb-test", slack_signing_secret="s" * 32)
    periods = job_periods(slack, 15)
    assert set(periods) == set(scheduler.JOBS)
    assert periods["followups"].total_seconds() == 15 and periods["retention"].days == 1


def test_run_pass_reports_like_the_old_single_pass(sqlite_store: Store) -> None:
    report = run_pass(sqlite_store, _Noop())
    assert list(report.as_dict()) == [
        "claimed",
        "sent",
        "retrying",
        "failed",
        "postponed",
        "sla_alerts",
        "outbox",
        "slack",
        "errors",
    ]
    assert report.slack == {} and report.outbox["written"] == 0


def test_a_failing_job_is_logged_and_does_not_raise(sqlite_store: Store, caplog: pytest.LogCaptureFixture) -> None:
    def broken(context: JobContext, report: PassReport) -> None:
        raise RuntimeError("database down")

    with caplog.at_level(logging.ERROR, logger="integrations.scheduler"):
        guarded("followups", broken, JobContext(sqlite_store, _Noop()))()
    assert "scheduler job followups failed" in caplog.text


def test_the_worker_runs_every_job_until_stopped(sqlite_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    service.open_case(sqlite_store, CaseDraft(description="seam split", defect_category="stitching"))
    ran: dict[str, int] = {}
    stop = threading.Event()

    def recorder(name: str) -> Any:
        def job(context: JobContext, report: PassReport) -> None:
            ran[name] = ran.get(name, 0) + 1
            if name == "sla_watch" and ran[name] >= 2:
                stop.set()
            if name == "outbox":
                raise RuntimeError("outbox failing must not stop the others")

        return job

    monkeypatch.setattr(scheduler, "JOBS", {name: recorder(name) for name in scheduler.JOBS})
    run_worker(sqlite_store, _Noop(), interval=0.1, stop=stop)
    assert {"outbox", "followups", "sla_watch", "retention"} <= set(ran) and "slack_cards" not in ran
    assert ran["outbox"] >= 2  # a failing job runs again at its next time
    assert ran["retention"] == 1  # daily


def test_integration_commands_are_registered_through_the_entry_point() -> None:
    app = build_app()
    assert {"actions", "slack", "web"} <= set(app.commands)
    followups = app.commands["followups"]
    outbox = app.commands["outbox"]
    assert {"list", "due-now", "run-due", "worker"} <= set(followups.commands)  # type: ignore[attr-defined]
    assert {"list", "replay"} <= set(outbox.commands)  # type: ignore[attr-defined]

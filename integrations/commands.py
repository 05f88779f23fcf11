"""The ``complaints`` commands that start servers or talk to other systems (entry point ``complaints.commands``).

``bot.cli`` never imports ``integrations``; ``pyproject.toml`` names :func:`register` in the
``complaints.commands`` entry-point group and the CLI calls it with its app. Heavy imports (Sanic, Slack,
Flask, APScheduler) happen inside the commands, so the rest of the CLI starts fast.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from typing import Any, Optional

import click

from bot.cases.store import Store
from bot.cli.context import CliError, json_option, pass_store, print_json, subgroup
from bot.logging_setup import configure_logging


@click.command("actions")
@click.option("--port", type=int, default=5055, show_default=True)
@click.option("--host", default=None, help="interface (default ACTION_SERVER_HOST, i.e. 127.0.0.1)")
@click.option("--actions", "actions_package", default="actions", show_default=True, help="package holding the actions")
@pass_store
def actions(store: Store, port: int, host: Optional[str], actions_package: str) -> None:
    """Run the action server (Rasa must present ACTION_SERVER_TOKEN)."""
    from integrations import action_server

    configure_logging(store.settings, "actions")
    store.dispose()  # the actions open their own store
    action_server.serve(store.settings, port=port, host=host, actions_package=actions_package)


@click.command("slack")
@click.option("--port", type=int, default=3000, show_default=True)
@click.option("--host", default="0.0.0.0", help="interface to listen on (default all)")  # noqa: S104
@pass_store
def slack(store: Store, port: int, host: str) -> None:
    """Run the Slack triage app (needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)."""
    if not store.settings.slack_enabled:
        raise CliError("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    from integrations.slack import app as slack_app

    configure_logging(store.settings, "slack")
    slack_app.serve(slack_app.build_app(store.settings, store), port=port, host=host)


@click.command("web")
@click.option("--port", type=int, default=None, help="port (default DASHBOARD_PORT or 8000)")
@click.option("--host", default="127.0.0.1", show_default=True)
@pass_store
def web(store: Store, port: Optional[int], host: str) -> None:
    """Serve the supervisor dashboard and the customer web chat (waitress)."""
    from integrations.web import serve

    configure_logging(store.settings, "dashboard")
    try:
        serve(store, host=host, port=port)
    except KeyboardInterrupt:
        print("dashboard stopped", file=sys.stderr)


@click.command("run-due")
@json_option()
@pass_store
def run_due(store: Store, as_json: bool) -> None:
    """One pass: send due follow-ups, post SLA alerts."""
    from integrations.followup_delivery import default_deliverer
    from integrations.scheduler import run_pass

    report = run_pass(store, default_deliverer(store.settings))
    if as_json:
        print_json(report.as_dict())
        return
    print(
        f"claimed {report.claimed}, sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
        f"postponed {report.postponed}, SLA alerts {report.sla_alerts}"
    )
    for error in report.errors:
        print(f"  {error}")


@click.command("worker")
@click.option("--interval", type=float, default=None, help="seconds between passes")
@pass_store
def worker(store: Store, interval: Optional[float]) -> None:
    """Run the scheduler until stopped."""
    from integrations.followup_delivery import default_deliverer
    from integrations.scheduler import run_worker

    configure_logging(store.settings, "scheduler")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    every = interval or store.settings.followup_interval_seconds
    run_worker(store, default_deliverer(store.settings), every, stop)


@click.command("replay")
@json_option()
@click.option("--no-notify", is_flag=True, help="do not tell customers their reference")
@pass_store
def replay(store: Store, as_json: bool, no_notify: bool) -> None:
    """Write waiting entries now (the scheduler worker does this every pass)."""
    from bot.cases import deferred
    from integrations.followup_delivery import default_deliverer

    announcer: Any = None if no_notify else default_deliverer(store.settings)
    report = deferred.replay(store, announcer=announcer)
    if as_json:
        _print_plain_json(report.as_dict())
        return
    print(
        f"written {report.written}, already there {report.already_there}, customers told {report.announced}, "
        f"still waiting {report.waiting}, set aside {report.set_aside}"
    )
    for error in report.errors:
        print(f"  {error}")


def _print_plain_json(value: Any) -> None:
    """JSON as ``outbox replay --json`` has always printed it (ASCII escapes)."""
    print(json.dumps(value, indent=2))


def register(app: click.Group) -> None:
    """Add ``actions``, ``slack``, ``web``, ``followups run-due|worker`` and ``outbox replay`` to the CLI."""
    for command in (actions, slack, web):
        app.add_command(command)
    followups = subgroup(app, "followups")
    followups.add_command(run_due)
    followups.add_command(worker)
    subgroup(app, "outbox").add_command(replay)

"""``complaints processes single|cluster``: print the supervisord configuration (``scripts/run*.sh``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

import click

from bot.processes import Program, cluster_programs, render, single_programs


class Ports(click.ParamType):
    """Space-separated port numbers, e.g. ``"5006 5007"``."""

    name = "ports"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> list[int]:
        """Parse the text into a list of ports; a usage error for anything else."""
        if isinstance(value, list):
            return value
        try:
            return [int(port) for port in str(value).split()]
        except ValueError:
            self.fail(f"{value!r} is not a list of ports", param, ctx)


@click.group("processes")
def processes() -> None:
    """Supervisord configuration of the assistant's processes (used by scripts/run.sh, run_cluster.sh)."""


def _write(programs: list[Program], folder: Path) -> None:
    run_dir, log_dir = folder / "run", folder / "log"
    for directory in (run_dir, log_dir):
        directory.mkdir(parents=True, exist_ok=True)
    sys.stdout.write(render(programs, run_dir, log_dir, Path(os.getcwd())))


@processes.command("single")
@click.option(
    "--var-dir", type=click.Path(path_type=Path), required=True, help="endpoints.yml, credentials.yml, log/, run/"
)
@click.option("--rasa-port", type=int, default=5005)
@click.option("--actions-port", type=int, default=5055)
@click.option("--dashboard-port", type=int, default=8000)
@click.option("--slack-port", type=int, help="also run the Slack triage app on this port")
@click.option("--model", default="models")
def single(
    var_dir: Path, rasa_port: int, actions_port: int, dashboard_port: int, slack_port: Optional[int], model: str
) -> None:
    """Make run: actions, rasa, worker, web (+ slack)."""
    var_dir = var_dir.resolve()
    _write(single_programs(var_dir, rasa_port, actions_port, dashboard_port, slack_port, model), var_dir)


@processes.command("cluster")
@click.option("--dir", "directory", type=click.Path(path_type=Path), required=True, help="the cluster folder")
@click.option("--rasa-ports", type=Ports(), required=True, help='space-separated, e.g. "5006 5007"')
@click.option("--actions-ports", type=Ports(), required=True)
@click.option("--workers", type=int, default=1)
@click.option("--redis-port", type=int, required=True)
@click.option("--nginx-port", type=int, required=True)
@click.option("--dashboard-port", type=int, default=8000)
@click.option("--no-web", is_flag=True)
@click.option("--model", default="models")
@click.option("--no-restart", is_flag=True, help="leave a dead Rasa/action server/worker down")
@click.option("--lock-lifetime", type=int, help="TICKET_LOCK_LIFETIME for the Rasa processes (s)")
def cluster(directory: Path, rasa_ports: list[int], actions_ports: list[int], **options: Any) -> None:
    """Make run-cluster: redis, K actions + rasa, M workers, web, nginx."""
    if len(rasa_ports) != len(actions_ports):
        raise SystemExit("--rasa-ports and --actions-ports need the same number of ports")
    directory = directory.resolve()
    programs = cluster_programs(
        directory,
        rasa_ports,
        actions_ports,
        options["workers"],
        options["redis_port"],
        options["nginx_port"],
        options["dashboard_port"],
        web=not options["no_web"],
        model=options["model"],
        restart=not options["no_restart"],
        lock_lifetime=options["lock_lifetime"],
    )
    _write(programs, directory)


def register(app: click.Group) -> None:
    """Add ``processes`` to the CLI."""
    app.add_command(processes)

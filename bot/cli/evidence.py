"""``complaints evidence-pack``: the evidence pack for an assessor (PDF or JSON), and ``verify`` of its export log."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any, Optional

import click

from bot.cases.store import Store
from bot.cli.context import cli_context, print_json
from bot.cli.reports import Duration


class Moment(click.ParamType):
    """An ISO date or date and time (UTC unless it says otherwise)."""

    name = "datetime"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> dt.datetime:
        """Parse ``2026-11-30`` or ``2026-11-30T12:00:00+01:00``; a usage error for anything else."""
        if isinstance(value, dt.datetime):
            return value
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date; write it like 2026-11-30 or 2026-11-30T17:00:00+00:00", param, ctx)
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


@click.group("evidence-pack", invoke_without_command=True)
@click.option("--since", type=Duration(), default="90d", show_default=True, help="period like 90d or 13w")
@click.option("--until", type=Moment(), help="end of the period, ISO date or date-time (default: now)")
@click.option("--out", type=click.Path(dir_okay=False), help="write the PDF here")
@click.option("--json", "as_json", is_flag=True, help="print the pack as JSON instead of writing a PDF")
@click.option(
    "--unredacted", is_flag=True, help="keep customers' names, e-mails and descriptions (redacted by default)"
)
@click.option("--actor", default="cli", show_default=True, help="who the pack is logged as handed out by")
@click.option(
    "--verify", "verify_log", is_flag=True, help="check the export log's hash chain instead (exit 3 if broken)"
)
@click.pass_context
def evidence_pack(
    ctx: click.Context,
    since: dt.timedelta,
    until: Optional[dt.datetime],
    out: Optional[str],
    as_json: bool,
    unredacted: bool,
    actor: str,
    verify_log: bool,
) -> None:
    """The evidence pack of a period for an assessor or auditor (every pack handed out is logged with its SHA-256).

    Without --out or --json, writes evidence-pack-<date>.pdf in the current folder and prints its path and SHA-256.
    """
    if ctx.invoked_subcommand is not None:
        return
    store = cli_context().store
    if verify_log:
        _verify(store)
        return
    if as_json and out:
        raise click.UsageError("--json prints the pack; --out writes the PDF: choose one")
    from bot.evidence import hand_out

    fmt = "json" if as_json else "pdf"
    pack = hand_out(store, since, until, fmt=fmt, redacted=not unredacted, actor=actor)
    if as_json:
        sys.stdout.buffer.write(pack.content)
        sys.stdout.flush()
        return
    path = Path(out or pack.filename)
    path.write_bytes(pack.content)
    print(f"{path} sha256 {pack.sha256}")


@evidence_pack.command("verify")
def verify() -> None:
    """Check the hash chain of the evidence-pack export log (exit status 3 when it is broken)."""
    _verify(cli_context().store)


def _verify(store: Store) -> None:
    from bot.evidence import verify_exports

    report = verify_exports(store)
    print_json(report)
    if not report["ok"]:
        raise SystemExit(3)


def register(app: click.Group) -> None:
    """Add ``evidence-pack`` to the CLI."""
    app.add_command(evidence_pack)

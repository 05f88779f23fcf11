"""``complaints transcripts sync|backfill``: each case keeps its whole conversation, every bot line with its stage."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import click

from bot.cases.store import Store
from bot.cli.context import json_option, pass_store, print_json
from bot.cli.reports import Duration


@click.group("transcripts")
def transcripts() -> None:
    """Conversations kept with their cases as process evidence."""


@transcripts.command("sync")
@click.option(
    "--since", type=Duration(), help="conversations active in this window, like 7d (default TRANSCRIPT_SYNC_DAYS)"
)
@json_option()
@pass_store
def sync(store: Store, since: Optional[dt.timedelta], as_json: bool) -> None:
    """Append to each case what its conversation said after the stored lines (follow-ups, staff takeover lines)."""
    from bot.cases.transcript_sync import sync_transcripts

    window = since or dt.timedelta(days=store.settings.transcript_sync_days)
    report = sync_transcripts(store, since=store.clock() - window)
    if as_json:
        print_json(report.as_dict())
    elif not report.tracker_store:
        print("Rasa keeps conversations in memory (TRACKER_STORE=memory): nothing to copy")
    else:
        print(
            f"{report.conversations} conversation(s), {report.cases} case(s): {report.lines_added} line(s) added "
            f"to {report.cases_updated} case(s)"
            + (f"; {report.conflicts} busy, left for the next run" if report.conflicts else "")
        )


@transcripts.command("backfill")
@json_option()
@pass_store
def backfill(store: Store, as_json: bool) -> None:
    """Give stored bot lines without a stage the one of the response that said them (tracker store, else wording)."""
    from bot.transcripts.backfill import backfill as run_backfill

    report = run_backfill(store)
    if as_json:
        print_json(report.as_dict())
    else:
        placed = report.from_tracker + report.from_wording + report.staff
        print(
            f"{report.lines} bot line(s) without a stage: {placed} placed ({report.from_tracker} from the tracker "
            f"store, {report.from_wording} from the wording, {report.staff} written by staff) in {report.cases} "
            f"case(s); {report.unplaced} could not be placed"
        )


def register(app: click.Group) -> None:
    """Add ``transcripts`` to the CLI."""
    app.add_command(transcripts)

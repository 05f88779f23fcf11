"""``complaints reviews queue|list|fill|assign|report``: the supervisor review of conversations.

JSON output names cases by reference and never holds a customer's name, e-mail or phone number.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any, Optional

import click

from bot.cases.store import Store
from bot.cli.context import json_option, pass_store, print_json
from bot.cli.reports import Duration


@click.group("reviews")
def reviews() -> None:
    """Review queue, scorecards and review reports."""


@reviews.command("queue")
@click.option("--all", "show_all", is_flag=True, help="also the items already reviewed")
@click.option("--mine", "assignee", metavar="EMAIL", help="only the items assigned to this supervisor")
@json_option()
@pass_store
def queue(store: Store, show_all: bool, assignee: Optional[str], as_json: bool) -> None:
    """Conversations waiting for review (id, reference, reasons, assignee, queued at, channel, kind)."""
    from bot.reviews.queue import OPEN, list_queue

    items = list_queue(store, status=None if show_all else OPEN, assigned_to=assignee)
    if as_json:
        print_json(items)
        return
    if not items:
        print("the review queue is empty")
    for item in items:
        print(
            f"{item['id']:>5}  {item['reference']}  {item['status']:<5} {item['channel']:<8} "
            f"{', '.join(item['reasons']):<30} {item['assigned_to'] or '(unassigned)'}  {item['queued_at'][:16]}"
        )


@reviews.command("list")
@click.option("--since", type=Duration(), default="90d", help="reviews saved in this window (default 90d)")
@click.option("--reference", help="only the reviews of this case")
@json_option()
@pass_store
def list_command(store: Store, since: dt.timedelta, reference: Optional[str], as_json: bool) -> None:
    """Saved reviews: reviewer, staff, scores, stage scores, disagreements and comments."""
    from bot.reviews.listing import list_reviews

    found = list_reviews(store, since, reference=reference)
    if as_json:
        print_json(found)
        return
    if not found:
        print("no reviews in the window")
    for r in found:
        stages = " ".join(f"{s[0]}={_share(v)}" for s, v in r["stage_scores"].items())
        print(
            f"{r['id']:>5}  {r['reference']}  {r['created_at'][:16]}  {r['reviewer']}  {stages}  "
            f"disagreements {len(r['disagreements'])}" + (f"  staff {r['staff']}" if r["staff"] else "")
        )


@reviews.command("fill")
@json_option()
@pass_store
def fill(store: Store, as_json: bool) -> None:
    """Put the conversations the sampling rules pick in the queue (safe to run again)."""
    from bot.reviews.queue import fill_queue

    report = fill_queue(store).as_dict()
    if as_json:
        print_json(report)
    else:
        print(
            f"checked {report['checked']} conversations: {report['added']} queued, {report['updated']} with new reasons"
        )


@reviews.command("assign")
@click.argument("item_id", type=int)
@click.option("--to", "email", required=True, help="e-mail of an active supervisor ('' to unassign)")
@json_option()
@pass_store
def assign(store: Store, item_id: int, email: str, as_json: bool) -> None:
    """Give a queue item to a supervisor."""
    from bot.reviews.queue import assign as assign_item

    item = assign_item(store, item_id, email)
    if as_json:
        print_json(item)
    else:
        print(f"review {item['id']} ({item['reference']}) assigned to {item['assigned_to'] or 'nobody'}")


@reviews.command("report")
@click.option("--since", type=Duration(), default="30d", help="conversations logged in this window (default 30d)")
@click.option("--json", "as_json", is_flag=True, help="the summary as JSON")
@click.option("--csv", "as_csv", is_flag=True, help="the reviews saved in the window, one CSV row each")
@pass_store
def report(store: Store, since: dt.timedelta, as_json: bool, as_csv: bool) -> None:
    """Coverage, scores per stage by week, channel and staff member, findings, disagreements."""
    if as_json and as_csv:
        raise click.UsageError("choose --json or --csv, not both")
    if as_csv:
        from bot.reviews.listing import list_reviews, reviews_csv

        sys.stdout.write(reviews_csv(list_reviews(store, since)))
        return
    from bot.reviews.reports import review_summary

    summary = review_summary(store, since)
    if as_json:
        print_json(summary)
    else:
        _print_summary(summary)


def _share(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.0%}"


def _print_summary(s: dict[str, Any]) -> None:
    print(
        f"{s['eligible']} complaint conversations, {s['queued']} queued, {s['reviewed']} reviewed "
        f"(coverage {_share(s['coverage'])}); disagreements with the pre-fill: {s['disagreements']}"
    )
    print("stages: " + ", ".join(f"{stage} {_share(v)}" for stage, v in s["stages"].items()))
    for key, rows in (("week", s["weeks"]), ("channel", s["by_channel"]), ("staff", s["by_staff"])):
        for row in rows:
            stages = " ".join(f"{st[0]}={_share(row[st])}" for st in s["stages"])
            print(f"  {key} {row[key]}: {row['reviews']} reviews  {stages}")
    for finding in s["findings"][:10]:
        print(f"  not met {finding['count']}x: {finding['label']}")


def register(app: click.Group) -> None:
    """Add ``reviews`` to the CLI."""
    app.add_command(reviews)

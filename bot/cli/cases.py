"""``complaints cases list|show|resolve|verify``: look at and change cases."""

from __future__ import annotations

from typing import Optional

import click

from bot.cases import service
from bot.cases.case_query import CaseQuery
from bot.cases.store import Store
from bot.cases.views import find_cases
from bot.cli.context import ArgChoice, json_option, pass_store, print_json
from bot.vocabulary import CASE_KINDS, RESOLUTION_TYPES


@click.group("cases")
def cases() -> None:
    """Look at and change cases."""


@cases.command("list")
@json_option()
@click.option("--status", multiple=True, help="filter by status (repeatable)")
@click.option("--kind", type=ArgChoice(CASE_KINDS), help="what the case is about (a complaint is a fault)")
@click.option("--priority")
@click.option("--line", help="product line")
@click.option("--defect", help="defect category")
@click.option("--batch")
@click.option("--customer", help="customer e-mail")
@click.option("--limit", type=int, default=500, show_default=True)
@pass_store
def list_cases(
    store: Store,
    as_json: bool,
    status: tuple[str, ...],
    kind: Optional[str],
    priority: Optional[str],
    line: Optional[str],
    defect: Optional[str],
    batch: Optional[str],
    customer: Optional[str],
    limit: int,
) -> None:
    """List cases, newest first."""
    found = find_cases(
        store,
        CaseQuery(
            status=list(status) or None,
            kind=kind,
            priority=priority,
            product_line=line,
            defect_category=defect,
            batch=batch,
            customer_email=customer,
            limit=limit,
        ),
    )
    if as_json:
        print_json(found)
        return
    for case in found:
        print(
            f"{case['reference']}  {case['kind']:<12} {case['status']:<17} {case['priority']:<7} "
            f"{case['defect_category']:<18} {case['product']['name'] or '-'}"
        )
    print(f"{len(found)} case(s)")


@cases.command("show")
@click.argument("reference")
@json_option()
@pass_store
def show(store: Store, reference: str, as_json: bool) -> None:
    """One case with its events, transcript and audit chain check."""
    case = service.get_case(store, reference)
    case["audit"] = service.verify_case_chain(store, reference)
    if as_json:
        print_json(case)
        return
    for key in ("reference", "kind", "status", "priority", "channel", "order_number", "defect_category", "component"):
        print(f"{key:>16}: {case[key]}")
    if case.get("callback_at"):
        print(f"{'call back':>16}: {case['callback_at']}")
    print(f"{'product':>16}: {case['product']['name']} ({case['product']['sku']})")
    print(f"{'resolution':>16}: {case['resolution']['type']} - {case['resolution']['reason']}")
    audit = case["audit"]
    print(f"{'audit chain':>16}: {'verified' if audit['ok'] else 'BROKEN: ' + '; '.join(audit['problems'])}")
    for event in case["events"]:
        print(f"  {event['seq']:>3} {event['at']} {event['actor']:<16} {event['kind']}")


@cases.command("resolve")
@click.argument("reference")
@click.option("--resolution", required=True, type=ArgChoice(RESOLUTION_TYPES))
@click.option("--note")
@click.option("--actor", default="cli", show_default=True)
@json_option()
@pass_store
def resolve(store: Store, reference: str, resolution: str, note: Optional[str], actor: str, as_json: bool) -> None:
    """Resolve a case."""
    case = service.resolve_case(store, reference, resolution, actor=actor, note=note or "")
    if as_json:
        print_json(case)
    else:
        print(f"{case['reference']} resolved: {resolution}")


@cases.command("verify")
@click.argument("reference")
@pass_store
def verify(store: Store, reference: str) -> None:
    """Verify a case's audit hash chain (exit status 3 when it is broken)."""
    report = service.verify_case_chain(store, reference)
    print_json(report)
    if not report["ok"]:
        raise SystemExit(3)


def register(app: click.Group) -> None:
    """Add ``cases`` to the CLI."""
    app.add_command(cases)

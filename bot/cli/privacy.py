"""Data protection: ``erase``, ``retention run``, ``subject-access`` and ``cases hold|release``."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Optional

import click

from bot.cases.store import Store
from bot.cli.context import json_option, pass_store, print_json, subgroup


@click.command("erase")
@click.option("--customer", metavar="EMAIL", help="the customer's e-mail address")
@click.option("--phone", metavar="NUMBER", help="a customer known only by a phone number (a call-back, no e-mail)")
@click.option("--actor", default="cli", show_default=True, help="operator recorded in the audit trail")
@click.option("--dry-run", is_flag=True, help="say what would be erased, change nothing")
@json_option()
@pass_store
def erase(
    store: Store, customer: Optional[str], phone: Optional[str], actor: str, dry_run: bool, as_json: bool
) -> None:
    """Erase a customer's personal data, by e-mail or phone number (refused if a case is on legal hold)."""
    from bot.privacy.erasure import erase_customer
    from bot.privacy.phone_erasure import erase_phone_customer

    if bool(customer) == bool(phone):
        raise click.UsageError("give either --customer EMAIL or --phone NUMBER")
    if phone:
        report = erase_phone_customer(store, phone, actor=actor, dry_run=dry_run)
    else:
        report = erase_customer(store, customer or "", actor=actor, dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
        return
    if report.note and not report.cases and not report.customers:
        print(report.note)
    else:
        prefix = "would erase" if dry_run else "erased"
        people = "1 customer" if report.customers == 1 else f"{report.customers} customer records"
        print(
            f"{prefix} personal data of {people} in {len(report.cases)} case(s) {', '.join(report.cases)}: "
            f"{report.events_redacted} audit event(s) redacted, {report.transcript_lines} transcript line(s), "
            f"{report.tracker_events_deleted} tracker event(s) deleted, {report.photos_deleted} photo(s) deleted"
        )
    if report.others_with_number:
        print(
            f"not erased: {report.others_with_number} customer(s) with an e-mail address also gave this number; "
            "erase them with --customer EMAIL once you know it is the same person"
        )


@click.group("retention")
def retention() -> None:
    """Retention of closed cases."""


@retention.command("run")
@click.option("--months", type=int, default=None, help="override RETENTION_MONTHS")
@click.option("--dry-run", is_flag=True)
@click.option("--actor", default="retention", show_default=True)
@json_option()
@pass_store
def retention_run(store: Store, months: Optional[int], dry_run: bool, actor: str, as_json: bool) -> None:
    """Anonymise closed cases older than RETENTION_MONTHS."""
    from bot.privacy.erasure import run_retention

    months = months if months is not None else store.settings.retention_months
    report = run_retention(store, months=months, dry_run=dry_run, actor=actor)
    if as_json:
        print_json({"months": months, **report.as_dict()})
        return
    prefix = "would anonymise" if dry_run else "anonymised"
    listed = f": {', '.join(report.cases)}" if report.cases else ""
    print(f"{prefix} {len(report.cases)} closed case(s) older than {months} months{listed}")


@click.command("subject-access")
@click.option("--customer", required=True, metavar="EMAIL")
@click.option("--out", help="write to this file (mode 600) instead of standard output")
@pass_store
def subject_access(store: Store, customer: str, out: Optional[str]) -> None:
    """Export everything held about one customer as JSON."""
    from bot.privacy.subject_access import subject_access as document_for

    document = document_for(store, customer)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    if out:
        path = Path(out)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {path} ({len(document['cases'])} case(s))")
    else:
        print(text, end="")


@click.command("hold")
@click.argument("reference")
@click.option("--reason", required=True)
@click.option("--actor", default="cli", show_default=True)
@pass_store
def hold(store: Store, reference: str, reason: str, actor: str) -> None:
    """Put a case under legal hold (no erasure or retention)."""
    from bot.privacy.legal_hold import set_hold

    result = set_hold(store, reference, reason, actor=actor)
    print(f"{result['reference']} is under legal hold: {result['reason']}")


@click.command("release")
@click.argument("reference")
@click.option("--actor", default="cli", show_default=True)
@pass_store
def release(store: Store, reference: str, actor: str) -> None:
    """Release a case's legal hold."""
    from bot.privacy.legal_hold import release_hold

    result = release_hold(store, reference, actor=actor)
    print(f"{result['reference']}: legal hold released")


def register(app: click.Group) -> None:
    """Add ``erase``, ``retention`` and ``subject-access``, and ``hold``/``release`` to ``cases``."""
    for command in (erase, retention, subject_access):
        app.add_command(command)
    cases = subgroup(app, "cases")
    cases.add_command(hold)
    cases.add_command(release)

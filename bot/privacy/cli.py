"""CLI commands of data protection: ``erase``, ``retention run``, ``subject-access``, ``cases hold|release``."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from bot.cases.store import Store


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _cmd_erase(store: Store, args: argparse.Namespace) -> None:
    from bot.privacy.erasure import erase_customer

    report = erase_customer(store, args.customer, actor=args.actor, dry_run=args.dry_run)
    if args.json:
        _print_json(report.as_dict())
    elif report.note and not report.cases and not report.customers:
        print(report.note)
    else:
        prefix = "would erase" if args.dry_run else "erased"
        print(
            f"{prefix} personal data of 1 customer in {len(report.cases)} case(s) {', '.join(report.cases)}: "
            f"{report.events_redacted} audit event(s) redacted, {report.transcript_lines} transcript line(s), "
            f"{report.tracker_events_deleted} tracker event(s) deleted, {report.photos_deleted} photo(s) deleted"
        )


def _cmd_retention_run(store: Store, args: argparse.Namespace) -> None:
    from bot.privacy.erasure import run_retention

    months = args.months if args.months is not None else store.settings.retention_months
    report = run_retention(store, months=months, dry_run=args.dry_run, actor=args.actor)
    if args.json:
        _print_json({"months": months, **report.as_dict()})
        return
    prefix = "would anonymise" if args.dry_run else "anonymised"
    listed = f": {', '.join(report.cases)}" if report.cases else ""
    print(f"{prefix} {len(report.cases)} closed case(s) older than {months} months{listed}")


def _cmd_subject_access(store: Store, args: argparse.Namespace) -> None:
    from bot.privacy.subject_access import subject_access

    document = subject_access(store, args.customer)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
    if args.out:
        out = Path(args.out)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data: owner only
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        print(f"wrote {out} ({len(document['cases'])} case(s))")
    else:
        print(text, end="")


def _cmd_hold(store: Store, args: argparse.Namespace) -> None:
    from bot.privacy.legal_hold import set_hold

    result = set_hold(store, args.reference, args.reason, actor=args.actor)
    print(f"{result['reference']} is under legal hold: {result['reason']}")


def _cmd_release(store: Store, args: argparse.Namespace) -> None:
    from bot.privacy.legal_hold import release_hold

    result = release_hold(store, args.reference, actor=args.actor)
    print(f"{result['reference']}: legal hold released")


def add_privacy_commands(sub: Any, cases: Any) -> None:
    """Register ``erase``, ``retention``, ``subject-access`` (on ``sub``) and ``hold``/``release`` (on ``cases``)."""
    erase = sub.add_parser("erase", help="erase a customer's personal data (refused if a case is on legal hold)")
    erase.add_argument("--customer", required=True, metavar="EMAIL")
    erase.add_argument("--actor", default="cli", help="operator recorded in the audit trail")
    erase.add_argument("--dry-run", action="store_true", help="say what would be erased, change nothing")
    erase.add_argument("--json", action="store_true")
    erase.set_defaults(func=_cmd_erase)

    retention = sub.add_parser("retention", help="retention of closed cases").add_subparsers(
        dest="retention_command", required=True
    )
    run = retention.add_parser("run", help="anonymise closed cases older than RETENTION_MONTHS")
    run.add_argument("--months", type=int, default=None, help="override RETENTION_MONTHS")
    run.add_argument("--dry-run", action="store_true")
    run.add_argument("--actor", default="retention")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=_cmd_retention_run)

    sar = sub.add_parser("subject-access", help="export everything held about one customer as JSON")
    sar.add_argument("--customer", required=True, metavar="EMAIL")
    sar.add_argument("--out", help="write to this file (mode 600) instead of standard output")
    sar.set_defaults(func=_cmd_subject_access)

    hold = cases.add_parser("hold", help="put a case under legal hold (no erasure or retention)")
    hold.add_argument("reference")
    hold.add_argument("--reason", required=True)
    hold.add_argument("--actor", default="cli")
    hold.set_defaults(func=_cmd_hold)
    release = cases.add_parser("release", help="release a case's legal hold")
    release.add_argument("reference")
    release.add_argument("--actor", default="cli")
    release.set_defaults(func=_cmd_release)

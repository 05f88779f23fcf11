"""``complaints outbox``: what waits for the case database, and writing it now."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bot.cases import deferred
from bot.cases.store import Store


def _cmd_list(store: Store, args: argparse.Namespace) -> None:
    outbox = deferred.outbox_for(store.settings)
    pending = [
        {
            "file": e.path.name,
            "kind": e.kind,
            "queued_at": e.queued_at,
            "attempts": e.attempts,
            "last_error": e.last_error,
        }
        for e in outbox.pending()
    ]
    failed = [path.name for path in outbox.failed()]
    if args.json:
        print(json.dumps({"directory": str(outbox.directory), "pending": pending, "failed": failed}, indent=2))
        return
    print(f"outbox {outbox.directory}: {len(pending)} waiting, {len(failed)} set aside for a person")
    for item in pending:
        print(f"  {item['queued_at']}  {item['kind']:<13} attempts {item['attempts']}  {item['last_error']}")


def _cmd_replay(store: Store, args: argparse.Namespace) -> None:
    from bot.followups.worker import default_deliverer

    announcer: Any = None if args.no_notify else default_deliverer(store.settings)
    report = deferred.replay(store, announcer=announcer)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(
            f"written {report.written}, already there {report.already_there}, customers told {report.announced}, "
            f"still waiting {report.waiting}, set aside {report.set_aside}"
        )
        for error in report.errors:
            print(f"  {error}")


def add_outbox_commands(sub: Any) -> None:
    """Register ``complaints outbox list|replay``."""
    outbox = sub.add_parser("outbox", help="work kept while the case database was unavailable").add_subparsers(
        dest="outbox_command", required=True
    )
    listing = outbox.add_parser("list", help="entries waiting to be written, and those set aside")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_cmd_list)
    replay = outbox.add_parser("replay", help="write waiting entries now (the scheduler worker does this every pass)")
    replay.add_argument("--json", action="store_true")
    replay.add_argument("--no-notify", action="store_true", help="do not tell customers their reference")
    replay.set_defaults(func=_cmd_replay)

"""The ``complaints`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from sqlalchemy.exc import OperationalError

from bot.analyse_cli import add_analyse_command
from bot.cases import migrate, service
from bot.cases.repository import CaseFilter
from bot.cases.serialize import case_to_dict, follow_up_to_dict
from bot.cases.status import IllegalTransition
from bot.cases.store import Store, open_store
from bot.cases.vocabulary import RESOLUTION_TYPES
from bot.catalogue.importer import ImportFailed, import_catalogue, import_orders
from bot.corpus_cli import add_corpus_command
from bot.outbox_cli import add_outbox_commands
from bot.privacy.cli import add_privacy_commands
from bot.privacy.log_masking import install_for_settings
from bot.supervisor_cli import add_supervisor_commands


class CliError(Exception):
    """An error to report to the user as one clear line, exit status 1."""


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _cmd_db_upgrade(store: Store, args: argparse.Namespace) -> None:
    migrate.upgrade(store.engine)
    print(f"database at revision {migrate.current_revision(store.engine)}")


def _cmd_seed(store: Store, args: argparse.Namespace) -> None:
    from bot.catalogue.seed import seed_demo

    migrate.upgrade(store.engine)
    result = seed_demo(store, with_cases=not args.no_cases)
    if args.json:
        _print_json(result)
    else:
        print(
            f"catalogue: {result['catalogue']['rows']} products, orders: {result['orders']['rows']}, "
            f"new demo cases: {result['cases_created']}"
        )


def _cmd_import(store: Store, args: argparse.Namespace) -> None:
    importer: Callable[..., Any] = import_catalogue if args.kind == "catalogue" else import_orders
    report = importer(store, Path(args.file))
    if args.json:
        _print_json(report.as_dict())
    else:
        print(f"{args.kind}: {report.rows} rows ({report.created} new, {report.updated} updated)")


def _cmd_cases_list(store: Store, args: argparse.Namespace) -> None:
    criteria = CaseFilter(
        status=args.status or None,
        priority=args.priority,
        product_line=args.line,
        defect_category=args.defect,
        batch=args.batch,
        customer_email=args.customer,
        limit=args.limit,
    )
    with store.unit_of_work() as uow:
        now = store.clock()
        cases = [case_to_dict(c, now) for c in uow.cases.find(criteria)]
    if args.json:
        _print_json(cases)
        return
    for case in cases:
        print(
            f"{case['reference']}  {case['status']:<17} {case['priority']:<7} {case['defect_category']:<18} "
            f"{case['product']['name'] or '-'}"
        )
    print(f"{len(cases)} case(s)")


def _cmd_cases_show(store: Store, args: argparse.Namespace) -> None:
    case = service.get_case(store, args.reference)
    case["audit"] = service.verify_case_chain(store, args.reference)
    if args.json:
        _print_json(case)
        return
    for key in ("reference", "status", "priority", "channel", "order_number", "defect_category", "component"):
        print(f"{key:>16}: {case[key]}")
    print(f"{'product':>16}: {case['product']['name']} ({case['product']['sku']})")
    print(f"{'resolution':>16}: {case['resolution']['type']} - {case['resolution']['reason']}")
    audit = case["audit"]
    print(f"{'audit chain':>16}: {'verified' if audit['ok'] else 'BROKEN: ' + '; '.join(audit['problems'])}")
    for event in case["events"]:
        print(f"  {event['seq']:>3} {event['at']} {event['actor']:<16} {event['kind']}")


def _cmd_cases_resolve(store: Store, args: argparse.Namespace) -> None:
    case = service.resolve_case(store, args.reference, args.resolution, actor=args.actor, note=args.note or "")
    if args.json:
        _print_json(case)
    else:
        print(f"{case['reference']} resolved: {args.resolution}")


def _cmd_cases_verify(store: Store, args: argparse.Namespace) -> None:
    report = service.verify_case_chain(store, args.reference)
    _print_json(report)
    if not report["ok"]:
        raise SystemExit(3)


def _cmd_followups_list(store: Store, args: argparse.Namespace) -> None:
    with store.unit_of_work() as uow:
        rows = [follow_up_to_dict(f) for f in uow.followups.find(status=args.status)]
    if args.json:
        _print_json(rows)
    else:
        for row in rows:
            print(f"{row['case_reference']}  {row['status']:<9} due {row['due_at']}  via {row['channel']}")
        print(f"{len(rows)} follow-up(s)")


def _cmd_followups_run_due(store: Store, args: argparse.Namespace) -> None:
    from bot.followups.worker import default_deliverer, run_pass

    report = run_pass(store, default_deliverer(store.settings))
    if args.json:
        _print_json(report.as_dict())
    else:
        print(
            f"claimed {report.claimed}, sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
            f"postponed {report.postponed}, SLA alerts {report.sla_alerts}"
        )
        for error in report.errors:
            print(f"  {error}")


def _cmd_followups_worker(store: Store, args: argparse.Namespace) -> None:
    import logging
    import signal
    import threading

    from bot.followups.worker import default_deliverer, run_forever

    logging.basicConfig(level=store.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_for_settings(store.settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(
        store, default_deliverer(store.settings), args.interval or store.settings.followup_interval_seconds, stop
    )


def _cmd_rasa_credentials(store: Store, args: argparse.Namespace) -> None:
    from bot.rasa_credentials import credentials, write_credentials

    if args.out:
        print(f"wrote {write_credentials(store.settings, Path(args.out))}")
    else:
        import yaml

        print(yaml.safe_dump(credentials(store.settings), sort_keys=False), end="")


def _cmd_slack(store: Store, args: argparse.Namespace) -> None:
    import importlib
    import logging

    if not store.settings.slack_enabled:
        raise CliError("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
    logging.basicConfig(level=store.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_for_settings(store.settings)
    slack_app = importlib.import_module("integrations.slack.app")  # bot/ must not import integrations/ statically
    slack_app.serve(slack_app.build_app(store.settings, store), port=args.port, host=args.host)


def _cmd_actions(store: Store, args: argparse.Namespace) -> None:
    import importlib
    import logging

    logging.basicConfig(level=store.settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_for_settings(store.settings)
    server = importlib.import_module("integrations.action_server")  # bot/ must not import integrations/ statically
    store.dispose()  # the actions open their own store
    server.serve(store.settings, port=args.port, host=args.host, actions_package=args.actions)


def _cmd_secret(store: Store, args: argparse.Namespace) -> None:
    settings = store.settings
    print(settings.rasa_api_token if args.name == "rasa-auth-token" else settings.action_server_secret)


def _cmd_followups_due_now(store: Store, args: argparse.Namespace) -> None:
    from bot.followups.queue import make_due_now

    key = make_due_now(store, args.reference)
    if key is None:
        raise CliError(f"case {args.reference} has no pending follow-up")
    print(f"follow-up {key} is due now; the worker sends it on its next pass (or run `complaints followups run-due`)")


def _cmd_rasa_endpoints(store: Store, args: argparse.Namespace) -> None:
    from bot.rasa_endpoints import endpoints, write_endpoints

    if args.out:
        print(f"wrote {write_endpoints(store.settings, Path(args.out))}")
    else:
        import yaml

        print(yaml.safe_dump(endpoints(store.settings), sort_keys=False), end="")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="complaints", description="Complaint assistant administration")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=_cmd_db_upgrade)

    seed = sub.add_parser("seed", help="load the demo catalogue, orders and case history")
    seed.add_argument("--no-cases", action="store_true", help="catalogue and orders only")
    seed.add_argument("--json", action="store_true")
    seed.set_defaults(func=_cmd_seed)

    imp = sub.add_parser("import", help="import a CSV file (all rows or none)")
    imp.add_argument("kind", choices=["catalogue", "orders"])
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=_cmd_import)

    cases = sub.add_parser("cases", help="look at and change cases").add_subparsers(dest="cases_command", required=True)
    listing = cases.add_parser("list", help="list cases, newest first")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--status", action="append", help="filter by status (repeatable)")
    listing.add_argument("--priority")
    listing.add_argument("--line", help="product line")
    listing.add_argument("--defect", help="defect category")
    listing.add_argument("--batch")
    listing.add_argument("--customer", help="customer e-mail")
    listing.add_argument("--limit", type=int, default=500)
    listing.set_defaults(func=_cmd_cases_list)
    show = cases.add_parser("show", help="one case with its events and transcript")
    show.add_argument("reference")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_cmd_cases_show)
    resolve = cases.add_parser("resolve", help="resolve a case")
    resolve.add_argument("reference")
    resolve.add_argument("--resolution", required=True, choices=RESOLUTION_TYPES)
    resolve.add_argument("--note")
    resolve.add_argument("--actor", default="cli")
    resolve.add_argument("--json", action="store_true")
    resolve.set_defaults(func=_cmd_cases_resolve)
    verify = cases.add_parser("verify", help="verify a case's audit hash chain")
    verify.add_argument("reference")
    verify.set_defaults(func=_cmd_cases_verify)

    followups = sub.add_parser("followups", help="satisfaction follow-ups").add_subparsers(
        dest="followups_command", required=True
    )
    fl = followups.add_parser("list", help="list follow-ups by due time")
    fl.add_argument("--json", action="store_true")
    fl.add_argument("--status")
    fl.set_defaults(func=_cmd_followups_list)
    rd = followups.add_parser("run-due", help="one pass: send due follow-ups, post SLA alerts")
    rd.add_argument("--json", action="store_true")
    rd.set_defaults(func=_cmd_followups_run_due)
    wk = followups.add_parser("worker", help="run the scheduler until stopped")
    wk.add_argument("--interval", type=float, default=None, help="seconds between passes")
    wk.set_defaults(func=_cmd_followups_worker)
    dn = followups.add_parser("due-now", help="demo: make a case's pending follow-up due now")
    dn.add_argument("reference")
    dn.set_defaults(func=_cmd_followups_due_now)

    re_ = sub.add_parser("rasa-endpoints", help="render Rasa's endpoints (actions, tracker store, lock store)")
    re_.add_argument("--out", help="write to this file (mode 600) instead of printing")
    re_.set_defaults(func=_cmd_rasa_endpoints)
    rc = sub.add_parser("rasa-credentials", help="render Rasa's input channels (adds Slack when its tokens are set)")
    rc.add_argument("--out", help="write to this file (mode 600) instead of printing")
    rc.set_defaults(func=_cmd_rasa_credentials)
    slack = sub.add_parser("slack", help="run the Slack triage app (needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)")
    slack.add_argument("--port", type=int, default=3000)
    slack.add_argument("--host", default="0.0.0.0", help="interface to listen on (default all)")  # noqa: S104
    slack.set_defaults(func=_cmd_slack)
    acts = sub.add_parser("actions", help="run the action server (Rasa must present ACTION_SERVER_TOKEN)")
    acts.add_argument("--port", type=int, default=5055)
    acts.add_argument("--host", default=None, help="interface (default ACTION_SERVER_HOST, i.e. 127.0.0.1)")
    acts.add_argument("--actions", default="actions", help="package holding the actions")
    acts.set_defaults(func=_cmd_actions)
    sec = sub.add_parser("secret", help="print a shared secret for the launcher (env value or per-install key)")
    sec.add_argument("name", choices=["rasa-auth-token", "action-server-token"])
    sec.set_defaults(func=_cmd_secret)
    add_privacy_commands(sub, cases)
    add_supervisor_commands(sub)
    add_analyse_command(sub)
    add_corpus_command(sub)
    add_outbox_commands(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None, store: Optional[Store] = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    store = store or open_store()
    install_for_settings(store.settings)  # mask personal data and secrets in every log line
    try:
        args.func(store, args)
    except ImportFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (service.CaseNotFound, IllegalTransition, ValueError, CliError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        reason = str(exc.orig) if exc.orig is not None else str(exc)
        print(
            f"error: the case database is not available ({reason.splitlines()[0]}); "
            "check DATABASE_URL and run `complaints db upgrade`",
            file=sys.stderr,
        )
        return 1
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

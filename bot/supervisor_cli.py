"""Supervisor commands of the ``complaints`` CLI: reports, users, exports and the dashboard."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from bot.cases.store import Store


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _duration(text: str) -> Any:
    from bot.reports.windows import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _cmd_report(store: Store, args: argparse.Namespace) -> None:
    from bot import reports

    result: dict[str, Any]
    if args.report == "themes":
        result = reports.themes(store, args.since)
    elif args.report == "sla":
        result = reports.sla(store, args.since)
    elif args.report == "satisfaction":
        result = reports.satisfaction(store, args.since)
    else:
        pmap = reports.process_map(store, args.since)
        result = {"compliance": reports.compliance(store, args.since), "process_map": pmap}
        if args.svg:
            Path(args.svg).write_text(reports.process_map_svg(pmap), encoding="utf-8")
    if args.json:
        _print_json(result)
        return
    _print_summary(args.report, result)


def _print_summary(kind: str, result: dict[str, Any]) -> None:
    if kind == "themes":
        print(f"{result['total']} cases in the window ({result['previous_total']} in the one before)")
        for dim, rows in result["by"].items():
            print(f"\n{dim}:")
            for row in rows[:10]:
                flag = "  SPIKE" if row["spike"] else ""
                print(f"  {row['value']:<24} {row['count']:>4} (before {row['previous']:>3}, {row['trend']}){flag}")
        for spike in result["spikes"]:
            print(
                f"\nSPIKE: {spike['dimension']} {spike['value']} / {spike['defect_category']}: {spike['count']} cases "
                f"in {spike['window_days']} days (expected {spike['expected']})"
            )
    elif kind == "sla":
        for part in ("first_response", "resolution"):
            r = result[part]
            print(
                f"{part}: met {r['met']}, breached {r['breached']}, rate {r['rate']}, "
                f"median {r['median_hours']} h, p90 {r['p90_hours']} h"
            )
        print(f"breached open cases: {len(result['breached_open'])}")
    elif kind == "satisfaction":
        print(
            f"answers {result['answers']}, average {result['average']}, low share {result['low_share']}, "
            f"reopened {result['reopened']}, distribution {result['distribution']}"
        )
    else:
        for week in result["compliance"]["weeks"]:
            print(f"{week['week']}: {week['followed']}/{week['conversations']} followed the whole flow")
        for edge in result["process_map"]["edges"]:
            print(f"{edge['from']:>18} -> {edge['to']:<18} {edge['count']:>4}  median {edge['median_hours']} h")


def _cmd_users_add(store: Store, args: argparse.Namespace) -> None:
    from bot.accounts.users import add_user

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise ValueError("the passwords do not match")
    user = add_user(store, args.email, args.name or "", args.role, password)
    print(f"user {user.email} ({user.role}) created")


def _cmd_export(store: Store, args: argparse.Namespace) -> None:
    from bot.exports.case_export import export_case

    export = export_case(store, args.reference, args.format, redacted=args.redact, actor=args.actor)
    if args.out == "-" or (args.out is None and args.format == "json"):
        sys.stdout.buffer.write(export.content)
        sys.stdout.flush()
        return
    out = Path(args.out or export.filename)
    out.write_bytes(export.content)
    print(f"wrote {out} ({len(export.content)} bytes, sha256 {export.sha256})", file=sys.stderr)


def _cmd_web(store: Store, args: argparse.Namespace) -> None:
    from bot.web.app import serve

    try:
        serve(store, host=args.host, port=args.port)
    except KeyboardInterrupt:
        print("dashboard stopped", file=sys.stderr)


def add_supervisor_commands(sub: Any) -> None:
    """Register ``report``, ``users``, ``export`` and ``web`` on the CLI's sub-parsers."""
    report = sub.add_parser("report", help="supervisor reports").add_subparsers(dest="report", required=True)
    for name, help_text in (
        ("themes", "recurring complaint themes and spikes"),
        ("sla", "SLA compliance and response/resolution times"),
        ("satisfaction", "satisfaction, reopened cases and repeat complaints"),
        ("process", "Listen-Understand-Resolve-Confirm compliance per week and the status process map"),
    ):
        rep = report.add_parser(name, help=help_text)
        rep.add_argument("--since", type=_duration, default="30d", help="window like 30d or 4w (default 30d)")
        rep.add_argument("--json", action="store_true")
        if name == "process":
            rep.add_argument("--svg", help="also write the process map as an SVG file")
        rep.set_defaults(func=_cmd_report)

    users = sub.add_parser("users", help="dashboard users").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create a dashboard user")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=["supervisor", "agent"])
    add.add_argument("--name", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=_cmd_users_add)

    export = sub.add_parser("export", help="export a case as evidence (recorded in its audit trail)")
    export.add_argument("reference")
    export.add_argument("--format", required=True, choices=["pdf", "json"])
    export.add_argument("--redact", action="store_true", help="replace names, e-mails and phone numbers")
    export.add_argument("--out", help="file to write (default: JSON to stdout, PDF to REF.pdf; - for stdout)")
    export.add_argument("--actor", default="cli")
    export.set_defaults(func=_cmd_export)

    web = sub.add_parser("web", help="serve the supervisor dashboard (waitress)")
    web.add_argument("--port", type=int, default=None, help="port (default DASHBOARD_PORT or 8000)")
    web.add_argument("--host", default="127.0.0.1")
    web.set_defaults(func=_cmd_web)

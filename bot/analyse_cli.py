"""``complaints analyse``: what the assistant understands of a message, without a conversation.

Uses the same run-time extractor as the assistant (built from the catalogue and orders in the
database), so staff can check how a product imported a minute ago, a new phrasing or a whole file
of real messages is read. One message per line with ``--file`` (``-`` reads standard input).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterable

from bot.cases.store import Store


class AnalyseError(ValueError):
    """Bad input to ``complaints analyse`` (reported as a clear error by the CLI)."""


def _lines(args: argparse.Namespace) -> list[str]:
    if args.file and args.text:
        raise AnalyseError("give either TEXT or --file FILE, not both")
    if args.file == "-":
        return sys.stdin.read().splitlines()
    if args.file:
        path = Path(args.file)
        if not path.is_file():
            raise AnalyseError(f"no such file: {path}")
        try:
            return path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise AnalyseError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    if not args.text:
        raise AnalyseError("nothing to analyse: give TEXT or --file FILE")
    return [" ".join(args.text)]


def analyse(store: Store, lines: Iterable[str]) -> list[dict[str, Any]]:
    """One result per non-blank line: the extraction plus ``product {sku, name, line}``."""
    from bot.conversation.understanding import extractor_for
    from bot.nlp.extraction import analyse_lines

    rows = analyse_lines(extractor_for(store), lines, store.clock().date())
    for row in rows:
        row["product"] = (
            {"sku": row["sku"], "name": row["product_name"], "line": row["product_line"]} if row["sku"] else None
        )
    return rows


def _text_row(row: dict[str, Any]) -> str:
    shown = {
        "defect": row["defect_category"],
        "component": row["component"],
        "product": row["sku"] and f"{row['sku']} ({row['product_name']})",
        "colour": row["colour"],
        "size": row["size"],
        "order": row["order_number"],
        "dates": ", ".join(str(d.get("date")) for d in row["dates"]) or None,
    }
    facts = "  ".join(f"{key}={value}" for key, value in shown.items() if value)
    return f"{row['text']}\n    {facts or '(nothing recognised)'}"


def _cmd_analyse(store: Store, args: argparse.Namespace) -> None:
    rows = analyse(store, _lines(args))
    if args.json:
        print(json.dumps(rows if args.file else (rows[0] if rows else {}), indent=2, ensure_ascii=False, default=str))
        return
    for row in rows:
        print(_text_row(row))


def add_analyse_command(sub: Any) -> None:
    """Register ``analyse TEXT`` / ``analyse --file FILE`` on the CLI's sub-parsers."""
    parser = sub.add_parser("analyse", help="show what the assistant understands of a message (or a file of them)")
    parser.add_argument("text", nargs="*", help="the message")
    parser.add_argument("--file", help="one message per line (- for standard input)")
    parser.add_argument("--json", action="store_true", help="JSON: an object for TEXT, a list for --file")
    parser.set_defaults(func=_cmd_analyse)

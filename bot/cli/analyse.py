"""``complaints analyse``: what the assistant understands of a message, without a conversation.

Uses the same run-time extractor as the assistant (built from the catalogue and orders in the
database), so staff can check how a product imported a minute ago, a new phrasing or a whole file
of real messages is read. One message per line with ``--file`` (``-`` reads standard input).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import click

from bot.cases.store import Store
from bot.cli.context import pass_store


class AnalyseError(ValueError):
    """Bad input to ``complaints analyse`` (reported as a clear error by the CLI)."""


def _lines(text: Sequence[str], file: Optional[str]) -> list[str]:
    if file and text:
        raise AnalyseError("give either TEXT or --file FILE, not both")
    if file == "-":
        return sys.stdin.read().splitlines()
    if file:
        path = Path(file)
        if not path.is_file():
            raise AnalyseError(f"no such file: {path}")
        try:
            return path.read_text(encoding="utf-8-sig").splitlines()
        except UnicodeDecodeError as exc:
            raise AnalyseError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    if not text:
        raise AnalyseError("nothing to analyse: give TEXT or --file FILE")
    return [" ".join(text)]


def analyse_messages(store: Store, lines: Iterable[str]) -> list[dict[str, Any]]:
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


@click.command("analyse")
@click.argument("text", nargs=-1)
@click.option("--file", help="one message per line (- for standard input)")
@click.option("--json", "as_json", is_flag=True, help="JSON: an object for TEXT, a list for --file")
@pass_store
def analyse(store: Store, text: tuple[str, ...], file: Optional[str], as_json: bool) -> None:
    """Show what the assistant understands of a message (or a file of them)."""
    rows = analyse_messages(store, _lines(text, file))
    if as_json:
        print(json.dumps(rows if file else (rows[0] if rows else {}), indent=2, ensure_ascii=False, default=str))
        return
    for row in rows:
        print(_text_row(row))


def register(app: click.Group) -> None:
    """Add ``analyse`` to the CLI."""
    app.add_command(analyse)

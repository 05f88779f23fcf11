"""``complaints report themes|sla|satisfaction|process``: supervisor reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Optional

import click

from bot.cases.store import Store
from bot.cli.context import ArgChoice, F, json_option, pass_store, print_json
from bot.vocabulary import CASE_KINDS


class Duration(click.ParamType):
    """A window like ``30d`` or ``4w``."""

    name = "period"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> dt.timedelta:
        """Parse the text into a timedelta; a usage error for anything else."""
        if isinstance(value, dt.timedelta):
            return value
        from bot.reports.windows import parse_duration

        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _window(command: F) -> F:
    since = click.option("--since", type=Duration(), default="30d", help="window like 30d or 4w (default 30d)")
    return since(json_option()(command))


def _kind(command: F) -> F:
    """``--kind K``: only cases of one kind (SLA and satisfaction count every kind without it)."""
    option = click.option("--kind", type=ArgChoice(CASE_KINDS), help="only cases of this kind (default: every kind)")
    return option(command)


@click.group("report")
def report() -> None:
    """Supervisor reports."""


@report.command("themes")
@_window
@pass_store
def themes(store: Store, since: dt.timedelta, as_json: bool) -> None:
    """Recurring complaint themes and spikes."""
    from bot import reports

    _show(reports.themes(store, since), as_json, _print_themes)


@report.command("sla")
@_window
@_kind
@pass_store
def sla(store: Store, since: dt.timedelta, as_json: bool, kind: Optional[str]) -> None:
    """SLA compliance and response/resolution times (every kind of case, or --kind K)."""
    from bot import reports

    _show(reports.sla(store, since, kind=kind), as_json, _print_sla)


@report.command("satisfaction")
@_window
@_kind
@pass_store
def satisfaction(store: Store, since: dt.timedelta, as_json: bool, kind: Optional[str]) -> None:
    """Satisfaction and reopened cases (every kind of case, or --kind K); repeat complaints."""
    from bot import reports

    _show(reports.satisfaction(store, since, kind=kind), as_json, _print_satisfaction)


@report.command("process")
@_window
@click.option("--svg", help="also write the process map as an SVG file")
@pass_store
def process(store: Store, since: dt.timedelta, as_json: bool, svg: Optional[str]) -> None:
    """Listen-Understand-Resolve-Confirm compliance per week and the status process map."""
    from bot import reports

    pmap = reports.process_map(store, since)
    result = {"compliance": reports.compliance(store, since), "process_map": pmap}
    if svg:
        Path(svg).write_text(reports.process_map_svg(pmap), encoding="utf-8")
    _show(result, as_json, _print_process)


def _show(result: dict[str, Any], as_json: bool, summary: Callable[[dict[str, Any]], None]) -> None:
    if as_json:
        print_json(result)
    else:
        summary(result)


def _print_themes(result: dict[str, Any]) -> None:
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


def _kinds_line(result: dict[str, Any]) -> str:
    kinds = result["case_kinds"]
    return "kinds of case: " + ("all" if kinds == "all" else ", ".join(kinds))


def _print_sla(result: dict[str, Any]) -> None:
    by_kind = ", ".join(f"{n} {kind}" for kind, n in result["by_kind"].items())
    print(f"{_kinds_line(result)}; {result['cases']} cases" + (f" ({by_kind})" if by_kind else ""))
    for part in ("first_response", "resolution"):
        r = result[part]
        print(
            f"{part}: met {r['met']}, breached {r['breached']}, rate {r['rate']}, "
            f"median {r['median_hours']} h, p90 {r['p90_hours']} h"
        )
    print(f"breached open cases: {len(result['breached_open'])}")


def _print_satisfaction(result: dict[str, Any]) -> None:
    print(
        f"{_kinds_line(result)}; answers {result['answers']}, average {result['average']}, "
        f"low share {result['low_share']}, reopened {result['reopened']}, distribution {result['distribution']}"
    )


def _print_process(result: dict[str, Any]) -> None:
    for week in result["compliance"]["weeks"]:
        print(f"{week['week']}: {week['followed']}/{week['conversations']} followed the whole flow")
    for edge in result["process_map"]["edges"]:
        print(f"{edge['from']:>18} -> {edge['to']:<18} {edge['count']:>4}  median {edge['median_hours']} h")


def register(app: click.Group) -> None:
    """Add ``report`` to the CLI."""
    app.add_command(report)

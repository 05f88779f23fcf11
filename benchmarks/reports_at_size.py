"""Supervisor reports at size: themes, SLA and satisfaction on 100,000 (SQLite) and 1,000,000 (PostgreSQL) cases.

    .venv/bin/python benchmarks/reports_at_size.py [--sqlite-cases 100000] [--postgres-cases 1000000]
        [--skip-postgres] [--repeat 3] [--since 30d,365d]

Generates cases with realistic distributions (product lines, products, batches, defect categories,
components, statuses, priorities, created_at over two years, SLA due times, first response and
resolution times, satisfaction on a share of the resolved cases) and their audit events (created,
triaged, resolved, satisfaction recorded, closed or reopened), bulk-loaded with ``executemany`` on
SQLite and ``COPY`` on PostgreSQL. The events are not hash-chained: the reports never verify chains.

Then it times the same functions the CLI (``complaints report themes|sla|satisfaction``) and the
dashboard's ``/reports`` call (``bot/reports``), median of ``--repeat`` runs, first without the
indexes of migration 0005 ("before") and then with them ("after"). PostgreSQL is a real server
started from Debian's packages in a temporary folder (``tests/support/servers.py``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib.util
import io
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Index, text  # noqa: E402

from bot import reports  # noqa: E402
from bot.cases import migrate  # noqa: E402
from bot.cases.models import Base  # noqa: E402
from bot.cases.store import Store, open_store  # noqa: E402
from bot.clock import FrozenClock  # noqa: E402
from bot.reports.windows import parse_duration  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES  # noqa: E402
from tests.support.servers import create_database, postgres_server  # noqa: E402

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
SPAN_DAYS = 730
CHUNK = 20_000
SLA_HOURS = {"urgent": (1, 24), "high": (4, 72), "normal": (24, 120), "low": (48, 240)}
OPEN = ("new", "triaged", "in_progress", "awaiting_customer", "reopened")
PRIORITY_WEIGHTS = {"urgent": 3, "high": 15, "normal": 70, "low": 12}
CHANNEL_WEIGHTS = {"rest": 55, "socketio": 25, "slack": 12, "email": 5, "phone": 3}
LINES = {
    "Harrogate": ("HGT", "boots"),
    "Bradford": ("BFD", "brogues"),
    "Whitby": ("WTB", "sandals"),
    "Ilkley": ("ILK", "walking boots"),
    "Saltaire": ("SLT", "bags"),
    "Ripon": ("RPN", "belts"),
    "Skipton": ("SKP", "wallets"),
    "Ledsham": ("LDS", "loafers"),
}
# Each defect is commoner in some lines than others; "other" is a small share everywhere.
DEFECT_WEIGHTS = [14, 12, 6, 8, 9, 11, 5, 6, 6, 3, 4, 5, 6, 5]
REPORTS: dict[str, Callable[[Store, dt.timedelta], Any]] = {
    "themes": reports.themes,
    "sla": reports.sla,
    "satisfaction": reports.satisfaction,
}

CASE_COLUMNS = (
    "id", "reference", "status", "priority", "channel", "conversation_id", "customer_id", "product_id",
    "order_number", "product_line", "batch", "size", "colour", "defect_category", "component", "description",
    "safety_issue", "legal_hold", "resolution_type", "assignee", "first_response_due", "resolution_due",
    "first_responded_at", "resolved_at", "closed_at", "satisfaction_score", "event_count", "head_hash",
    "created_at", "updated_at",
)  # fmt: skip
EVENT_COLUMNS = ("id", "case_id", "seq", "kind", "actor", "created_at", "data", "prev_hash", "hash")
CUSTOMER_COLUMNS = ("id", "name", "email", "created_at")
PRODUCT_COLUMNS = ("id", "sku", "name", "line", "category", "materials", "colours", "sizes", "created_at", "updated_at")


def load_migration_indexes() -> list[tuple[str, str, list[str]]]:
    """The indexes migration 0005 adds, as (name, table, columns), read from the migration itself."""
    path = ROOT / "bot" / "migrations" / "versions" / "0005_report_indexes.py"
    if not path.exists():
        return []
    spec = importlib.util.spec_from_file_location("report_indexes_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(name, table, list(columns)) for name, table, columns in module.INDEXES]


def _index(name: str, table: str) -> Index:
    for index in Base.metadata.tables[table].indexes:
        if index.name == name:
            return index
    raise LookupError(f"index {name} on {table} is not declared in bot/cases/models.py")


class Generator:
    """Deterministic rows for customers, products, cases and their events."""

    def __init__(self, cases: int, seed: int = 11) -> None:
        self.cases = cases
        self.rng = random.Random(seed)
        self.customers = max(10, cases // 3)
        self.products: list[tuple[int, str, str]] = []  # (id, sku, line)
        for line, (prefix, _category) in LINES.items():
            for n in range(1, 7):
                self.products.append((len(self.products) + 1, f"{prefix}-{n:03d}", line))
        self.product_weights = [1.0 / (i % 9 + 1) for i in range(len(self.products))]
        self.event_id = 0

    def customer_rows(self) -> list[tuple[Any, ...]]:
        """One row per customer."""
        created = _fmt(NOW - dt.timedelta(days=SPAN_DAYS + 30))
        return [(i, f"Customer {i}", f"customer{i}@example.com", created) for i in range(1, self.customers + 1)]

    def product_rows(self) -> list[tuple[Any, ...]]:
        """One row per product."""
        created = _fmt(NOW - dt.timedelta(days=SPAN_DAYS + 60))
        return [
            (pid, sku, f"{line} {sku}", line, LINES[line][1], '["leather"]', '["black", "tan"]', '["6", "7", "8"]',
             created, created)
            for pid, sku, line in self.products
        ]  # fmt: skip

    def chunks(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(case rows, event rows) in chunks of CHUNK cases."""
        for start in range(1, self.cases + 1, CHUNK):
            case_rows: list[tuple[Any, ...]] = []
            event_rows: list[tuple[Any, ...]] = []
            for case_id in range(start, min(start + CHUNK, self.cases + 1)):
                case, events = self._case(case_id)
                case_rows.append(case)
                event_rows.extend(events)
            yield case_rows, event_rows

    def _case(self, case_id: int) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng = self.rng
        # More complaints lately (the business grows): ages skew towards now.
        age = dt.timedelta(days=SPAN_DAYS * rng.random() ** 1.4, seconds=rng.randrange(86400))
        created = NOW - age
        pid, sku, line = rng.choices(self.products, self.product_weights)[0]
        batch = f"{sku[:3]}-B{rng.randrange(1, 41):02d}" if rng.random() < 0.8 else None
        defect = rng.choices(DEFECT_CATEGORIES, DEFECT_WEIGHTS)[0]
        component = rng.choice(COMPONENTS) if rng.random() < 0.7 else None
        priority = rng.choices(list(PRIORITY_WEIGHTS), list(PRIORITY_WEIGHTS.values()))[0]
        channel = rng.choices(list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values()))[0]
        first_h, resolution_h = SLA_HOURS[priority]
        first_due = created + dt.timedelta(hours=first_h)
        resolution_due = created + dt.timedelta(hours=resolution_h)
        # Response and resolution times: mostly within target, a long tail beyond it.
        responded: Optional[dt.datetime] = created + dt.timedelta(hours=first_h * rng.lognormvariate(-0.5, 0.8))
        resolved: Optional[dt.datetime] = created + dt.timedelta(hours=resolution_h * rng.lognormvariate(-0.6, 0.7))
        closed: Optional[dt.datetime] = None
        score: Optional[int] = None
        events: list[tuple[str, dt.datetime, dict[str, Any], str]] = [
            ("case_created", created, {"priority": priority, "facts": {"defect_category": defect}}, "bot")
        ]
        status = "new"
        assignee = None
        if responded is not None and responded < NOW and rng.random() < 0.97:
            status = "triaged"
            assignee = f"U{rng.randrange(100, 120)}"
            events.append(("status_changed", responded, {"from": "new", "to": "triaged"}, assignee))
        else:
            responded = None
        if status == "triaged" and resolved is not None and resolved < NOW and rng.random() < 0.95:
            status = "resolved"
            events.append(("status_changed", resolved, {"from": "triaged", "to": "resolved"}, assignee or "U100"))
            answered = resolved + dt.timedelta(days=7, hours=rng.randrange(48))
            if answered < NOW and rng.random() < 0.4:
                score = rng.choices((1, 2, 3, 4, 5), (6, 8, 16, 35, 35))[0]
                events.append(("satisfaction_recorded", answered, {"score": score, "solved": score > 2, "comment": ""},
                               "customer"))  # fmt: skip
                if score <= 2:
                    status = "reopened"
                    events.append(("status_changed", answered, {"from": "resolved", "to": "reopened"}, "customer"))
                    resolved = None
                else:
                    status = "closed"
                    closed = answered
                    events.append(("status_changed", answered, {"from": "resolved", "to": "closed"}, "customer"))
        else:
            resolved = None
            if status == "triaged" and rng.random() < 0.5:
                status = rng.choice(("in_progress", "awaiting_customer"))
        stale = events[-1][1]
        if status in OPEN and NOW - stale > dt.timedelta(days=45):
            # Nothing stays open for ever: stragglers are resolved late (SLA breached) and closed.
            resolved = stale + dt.timedelta(days=rng.uniform(2, 40))
            responded = responded or resolved
            closed = resolved + dt.timedelta(days=1)
            actor = assignee or "U100"
            events.append(("status_changed", resolved, {"from": status, "to": "resolved"}, actor))
            events.append(("status_changed", closed, {"from": "resolved", "to": "closed"}, actor))
            status = "closed"
        responded_value = None if responded is None else _fmt(responded)
        customer_id = rng.randrange(1, self.customers + 1)
        updated = max(moment for _kind, moment, _data, _actor in events)
        case = (
            case_id, f"CS-{created.year}-{case_id:07d}", status, priority, channel, f"conv-{case_id}", customer_id,
            pid, f"ORD-{case_id:07d}", line, batch, rng.choice(("6", "7", "8", "9")), rng.choice(("black", "tan")),
            defect, component, f"{defect.replace('_', ' ')} on the {component or 'product'}", False, False,
            "replacement" if resolved or closed else None, assignee, _fmt(first_due), _fmt(resolution_due),
            responded_value, _fmt(resolved) if resolved else None, _fmt(closed) if closed else None, score,
            len(events), "0" * 64, _fmt(created), _fmt(updated),
        )  # fmt: skip
        rows = []
        for seq, (kind, moment, data, actor) in enumerate(events, start=1):
            self.event_id += 1
            rows.append((self.event_id, case_id, seq, kind, actor, _fmt(moment), json.dumps(data), "0" * 64, "0" * 64))
        return case, rows


def _fmt(moment: dt.datetime) -> str:
    """Naive UTC text exactly as SQLAlchemy stores DateTime on SQLite (and PostgreSQL reads)."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_sqlite(store: Store, gen: Generator) -> int:
    raw: Any = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        events = 0

        def put(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
            marks = ", ".join("?" for _ in columns)
            cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

        cur.execute("BEGIN")
        put("customers", CUSTOMER_COLUMNS, gen.customer_rows())
        put("products", PRODUCT_COLUMNS, gen.product_rows())
        for case_rows, event_rows in gen.chunks():
            put("cases", CASE_COLUMNS, case_rows)
            put("case_events", EVENT_COLUMNS, event_rows)
            events += len(event_rows)
        cur.execute("COMMIT")
        cur.execute("ANALYZE")
        return events
    finally:
        raw.close()


def _insert_postgres(store: Store, gen: Generator) -> int:
    raw: Any = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        events = 0

        def copy(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for row in rows:
                writer.writerow(["" if value is None else value for value in row])
            buffer.seek(0)
            cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)

        copy("customers", CUSTOMER_COLUMNS, gen.customer_rows())
        copy("products", PRODUCT_COLUMNS, gen.product_rows())
        for case_rows, event_rows in gen.chunks():
            copy("cases", CASE_COLUMNS, case_rows)
            copy("case_events", EVENT_COLUMNS, event_rows)
            events += len(event_rows)
        for table in ("customers", "products", "cases", "case_events"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
        dbapi = raw.dbapi_connection
        dbapi.autocommit = True  # VACUUM cannot run in a transaction
        try:
            dbapi.cursor().execute("VACUUM ANALYZE")
        finally:
            dbapi.autocommit = False
        return events
    finally:
        raw.close()


def _analyze(store: Store) -> None:
    with store.engine.connect() as conn:
        if store.engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def _time(store: Store, report: Callable[[Store, dt.timedelta], Any], since: dt.timedelta, repeat: int) -> float:
    runs = []
    report(store, since)  # warm-up: caches and connection pool
    for _ in range(repeat):
        start = time.perf_counter()
        report(store, since)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def run_engine(
    engine_name: str, url: str, cases: int, windows: list[str], repeat: int
) -> list[tuple[str, int, str, str, float, float]]:
    """Load ``cases`` into a fresh database at ``url`` and time every report before and after the indexes."""
    store = open_store(load_settings({"DATABASE_URL": url}), clock=FrozenClock(NOW))
    try:
        migrate.upgrade(store.engine)
        added = [_index(name, table) for name, table, _cols in load_migration_indexes()]
        for index in added:
            index.drop(store.engine)
        gen = Generator(cases)
        started = time.perf_counter()
        events = (_insert_sqlite if engine_name == "sqlite" else _insert_postgres)(store, gen)
        print(
            f"# {engine_name}: loaded {cases:,} cases, {events:,} events, {gen.customers:,} customers "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        before: dict[tuple[str, str], float] = {}
        for name, report in REPORTS.items():
            for period in windows:
                before[(name, period)] = _time(store, report, parse_duration(period), repeat)
        started = time.perf_counter()
        for index in added:
            index.create(store.engine)
        _analyze(store)
        print(
            f"# {engine_name}: created {len(added)} indexes of migration 0005 in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        rows = []
        for name, report in REPORTS.items():
            for period in windows:
                after = _time(store, report, parse_duration(period), repeat)
                rows.append((engine_name, cases, name, period, before[(name, period)], after))
        return rows
    finally:
        store.dispose()


def print_table(rows: list[tuple[str, int, str, str, float, float]], repeat: int) -> None:
    """The results as a Markdown table."""
    print(f"\nSeconds per report, median of {repeat} runs:\n", flush=True)
    print("| engine | cases | report | window | before indexes (s) | after indexes (s) |")
    print("| --- | ---: | --- | --- | ---: | ---: |")
    for engine_name, cases, name, period, before, after in rows:
        print(f"| {engine_name} | {cases} | {name} | {period} | {before:.3f} | {after:.3f} |", flush=True)


def main(argv: Optional[list[str]] = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sqlite-cases", type=int, default=100_000)
    parser.add_argument("--postgres-cases", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs per report; the median is printed")
    parser.add_argument("--since", default="30d,365d", help="report windows, comma-separated (like 30d,365d)")
    args = parser.parse_args(argv)
    windows = [w.strip() for w in args.since.split(",") if w.strip()]
    for period in windows:
        parse_duration(period)
    with tempfile.TemporaryDirectory(prefix="reports-at-size-") as tmp:
        print_table(
            run_engine("sqlite", f"sqlite:///{tmp}/cases.db", args.sqlite_cases, windows, args.repeat), args.repeat
        )
    if not args.skip_postgres:
        with postgres_server() as server:
            url = create_database(server, "reports_at_size")
            print_table(run_engine("postgresql", url, args.postgres_cases, windows, args.repeat), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())

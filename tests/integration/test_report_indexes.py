"""The report indexes of migration 0005, and the reports' SQL aggregation against known answers.

The theme, SLA and satisfaction reports count in the database (``GROUP BY``, a window function for
the latest answer). These tests pin their answers on SQLite and PostgreSQL: hand-made cases with
known counts, and generated cases (the benchmark's generator) checked against the straightforward
row-by-row computation the reports used before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Optional

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, select

from bot import reports
from bot.cases import service
from bot.cases.models import Base, Case, CaseEvent
from bot.cases.service import CaseDraft
from bot.cases.sla import is_breached
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.clock import FrozenClock
from bot.reports.windows import hours, median, percentile, rounded
from tests.support.servers import create_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "complaints"
NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def _migration_indexes() -> list[tuple[str, str, list[str]]]:
    path = ROOT / "bot" / "migrations" / "versions" / "0005_report_indexes.py"
    spec = importlib.util.spec_from_file_location("report_indexes_0005", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.revision == "0005" and module.down_revision == "0004"
    return [(name, table, list(columns)) for name, table, columns in module.INDEXES]


def _benchmark_module() -> Any:
    spec = importlib.util.spec_from_file_location("reports_at_size", ROOT / "benchmarks" / "reports_at_size.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the indexes exist after `complaints db upgrade` --------------------------------------------


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_db_upgrade_creates_the_report_indexes(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if engine == "sqlite":
        url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    else:
        url = create_database(request.getfixturevalue("postgres_url"), "report_indexes_upgrade")
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run([str(BIN), "db", "upgrade"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    expected = _migration_indexes()
    assert {name for name, _t, _c in expected} >= {
        "ix_cases_created_themes",
        "ix_cases_created_sla",
        "ix_cases_status_resolution_due",
    }
    db = create_engine(url)
    try:
        found = {
            (table, index["name"]): list(index["column_names"])
            for table in {t for _n, t, _c in expected}
            for index in inspect(db).get_indexes(table)
        }
        for name, table, columns in expected:
            assert found.get((table, name)) == columns, f"{name} missing or different after db upgrade"
        # The models declare the same indexes: autogenerate sees nothing to add or drop for them.
        names = {name for name, _t, _c in expected}
        with db.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        index_diffs = [d for d in diffs if d[0] in ("add_index", "remove_index") and d[1].name in names]
        assert index_diffs == []
    finally:
        db.dispose()


def test_models_declare_every_index_of_the_migration() -> None:
    declared = {
        (table.name, index.name): [c.name for c in index.columns]
        for table in Base.metadata.tables.values()
        for index in table.indexes
    }
    for name, table, columns in _migration_indexes():
        assert declared.get((table, name)) == columns


# --- known answers on hand-made cases ------------------------------------------------------------


def at(store: Store, moment: dt.datetime) -> Store:
    return dataclasses.replace(store, clock=FrozenClock(moment))


def _case(store: Store, when: dt.datetime, **fields: Any) -> str:
    draft = CaseDraft(description="a fault", defect_category=fields.pop("defect", "stitching"))
    ref = service.open_case(at(store, when), draft).reference
    if fields:
        with store.unit_of_work() as uow:
            case = uow.cases.get(ref)
            assert case is not None
            for key, value in fields.items():
                setattr(case, key, value)
            uow.commit()
    return ref


def test_theme_counts_blank_values_and_windows(store: Store) -> None:
    days = dt.timedelta(days=1)
    _case(store, NOW - 1 * days, product_line="Harrogate", batch="HGT-B01", component="sole")
    _case(store, NOW - 2 * days, product_line="", batch="", component="")
    _case(store, NOW - 3 * days, product_line=None, batch=None, component=None, defect="hardware")
    _case(store, NOW - 9 * days, product_line="Harrogate", batch="HGT-B01", component="sole")
    _case(store, NOW - 10 * days, product_line="Bradford", batch="BFD-B02", component="heel", defect="hardware")
    _case(store, NOW - 15 * days, product_line="Bradford", batch="BFD-B02")  # before both windows

    result = reports.themes(store, dt.timedelta(days=7))
    assert (result["total"], result["previous_total"]) == (3, 2)
    by = {
        dim: {e["value"]: (e["count"], e["previous"], e["trend"]) for e in rows} for dim, rows in result["by"].items()
    }
    assert by["product_line"] == {"unknown": (2, 0, "up"), "Harrogate": (1, 1, "flat"), "Bradford": (0, 1, "down")}
    assert by["defect_category"] == {"stitching": (2, 1, "up"), "hardware": (1, 1, "flat")}
    assert by["component"] == {"sole": (1, 1, "flat"), "heel": (0, 1, "down")}
    assert by["batch"] == {"HGT-B01": (1, 1, "flat"), "BFD-B02": (0, 1, "down")}
    assert [e["value"] for e in result["by"]["product_line"]] == ["unknown", "Harrogate", "Bradford"]


def test_spike_references_are_in_time_order_and_other_is_never_a_spike(store: Store) -> None:
    refs = [_case(store, NOW - dt.timedelta(days=d), product_line="Ripon", batch="RPN-B09") for d in (5, 3, 1)]
    for d in (6, 4, 2):
        _case(store, NOW - dt.timedelta(days=d), product_line="Ripon", batch="RPN-B09", defect="other")
    found = reports.spikes(at(store, NOW))
    assert {(s["dimension"], s["value"], s["defect_category"]) for s in found} == {
        ("product_line", "Ripon", "stitching"),
        ("batch", "RPN-B09", "stitching"),
    }
    for spike in found:
        assert spike["references"] == refs and spike["count"] == 3 and spike["baseline_count"] == 0


def test_sla_compliance_by_priority_with_undecided_due_times(store: Store) -> None:
    h = dt.timedelta(hours=1)
    start = NOW - 100 * h
    met = _case(store, start, priority="high", first_response_due=start + 4 * h, resolution_due=start + 72 * h,
                first_responded_at=start + 1 * h, resolved_at=start + 50 * h, status="resolved")  # fmt: skip
    late = _case(store, start, priority="high", first_response_due=start + 4 * h, resolution_due=start + 72 * h,
                 first_responded_at=start + 5 * h, status="in_progress")  # fmt: skip
    waiting = _case(store, NOW - 2 * h, priority="low", first_response_due=NOW + 46 * h, resolution_due=NOW + 238 * h)
    no_due = _case(store, start, priority="low", first_response_due=None, resolution_due=None)

    result = reports.sla(store, dt.timedelta(days=30))
    assert result["cases"] == 4
    assert result["first_response"] == {
        "met": 1, "breached": 1, "rate": 0.5, "count": 2, "median_hours": 3.0, "p90_hours": 4.6,
    }  # fmt: skip
    assert result["resolution"] == {"met": 1, "breached": 1, "rate": 0.5, "count": 1, "median_hours": 50.0,
                                    "p90_hours": 50.0}  # fmt: skip
    assert list(result["by_priority"]) == ["high", "low"]
    assert result["by_priority"]["high"] == {
        "cases": 2,
        "first_response": {"met": 1, "breached": 1, "rate": 0.5},
        "resolution": {"met": 1, "breached": 1, "rate": 0.5},
    }
    assert result["by_priority"]["low"] == {
        "cases": 2,
        "first_response": {"met": 0, "breached": 0, "rate": None},
        "resolution": {"met": 0, "breached": 0, "rate": None},
    }
    [breached] = result["breached_open"]
    assert breached["reference"] == late
    assert breached["first_response_breached"] is True and breached["resolution_breached"] is True
    assert {met, waiting, no_due}.isdisjoint({b["reference"] for b in result["breached_open"]})


def test_satisfaction_counts_the_latest_scored_answer_per_case(store: Store) -> None:
    days = dt.timedelta(days=1)
    first = _case(store, NOW - 20 * days)
    second = _case(store, NOW - 20 * days)
    for ref in (first, second):
        service.resolve_case(at(store, NOW - 15 * days), ref, "repair", "sam")
    service.record_satisfaction(at(store, NOW - 10 * days), first, score=1, solved=False)  # reopens
    service.resolve_case(at(store, NOW - 9 * days), first, "replacement", "sam")
    service.record_satisfaction(at(store, NOW - 8 * days), first, score=4, solved=True)  # latest answer
    service.record_satisfaction(at(store, NOW - 7 * days), first, score=None, solved=True)  # no score
    service.record_satisfaction(at(store, NOW - 6 * days), second, score=2, solved=False)  # reopens
    service.record_satisfaction(at(store, NOW - 40 * days), second, score=5, solved=True)  # outside the window

    result = reports.satisfaction(at(store, NOW), dt.timedelta(days=30))
    assert result["answers"] == 2
    assert result["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert result["average"] == 3.0 and result["low_share"] == 0.5
    assert (result["reopened"], result["reopened_cases"]) == (2, 2)


# --- generated cases against the row-by-row computation -----------------------------------------


def _expected(store: Store, since: dt.timedelta) -> dict[str, Any]:
    """Themes counts, SLA and satisfaction figures computed row by row in Python (the old way)."""
    now = store.clock()
    end = now + dt.timedelta(microseconds=1)
    start, prev_start = end - since, end - 2 * since
    with store.unit_of_work() as uow:
        cases = list(uow.session.execute(select(Case.__table__)))
        events = list(
            uow.session.execute(
                select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.data, CaseEvent.created_at, CaseEvent.id).order_by(
                    CaseEvent.created_at, CaseEvent.id
                )
            )
        )
    counts: dict[str, Counter[tuple[str, bool]]] = defaultdict(Counter)
    for row in cases:
        if not prev_start <= row.created_at < end:
            continue
        for dim in ("product_line", "defect_category", "component", "batch"):
            value = getattr(row, dim)
            if value in (None, ""):
                if dim in ("component", "batch"):
                    continue
                value = "unknown"
            counts[dim][(value, row.created_at >= start)] += 1
    window_rows = [r for r in cases if start <= r.created_at < end]

    def compliance(pairs: list[tuple[Optional[dt.datetime], Optional[dt.datetime]]]) -> tuple[int, int]:
        decided = [(due, done) for due, done in pairs if due is not None and not (done is None and now <= due)]
        breached = sum(1 for due, done in decided if is_breached(due, done, now))
        return len(decided) - breached, breached

    first = [hours(r.first_responded_at - r.created_at) for r in window_rows if r.first_responded_at]
    open_values = {s.value for s in OPEN_STATUSES}
    breached_open = sorted(
        r.reference
        for r in cases
        if r.status in open_values
        and (
            is_breached(r.first_response_due, r.first_responded_at, now)
            or is_breached(r.resolution_due, r.resolved_at, now)
        )
    )
    latest: dict[int, int] = {}
    reopened = []
    for e in events:
        if not start <= e.created_at < end:
            continue
        if e.kind == "satisfaction_recorded" and isinstance((e.data or {}).get("score"), int):
            latest[e.case_id] = e.data["score"]
        if e.kind == "status_changed" and (e.data or {}).get("to") == "reopened":
            reopened.append(e.case_id)
    return {
        "themes": {dim: dict(c) for dim, c in counts.items()},
        "sla_cases": len(window_rows),
        "first_response": compliance([(r.first_response_due, r.first_responded_at) for r in window_rows]),
        "resolution": compliance([(r.resolution_due, r.resolved_at) for r in window_rows]),
        "first_median": rounded(median(first)),
        "first_p90": rounded(percentile(first, 90)),
        "breached_open": breached_open,
        "distribution": Counter(latest.values()),
        "reopened": (len(reopened), len(set(reopened))),
    }


def test_generated_cases_match_the_row_by_row_computation(store: Store) -> None:
    bench = _benchmark_module()
    generated = dataclasses.replace(store, clock=FrozenClock(bench.NOW))
    gen = bench.Generator(1500, seed=5)
    insert = bench._insert_sqlite if store.engine.dialect.name == "sqlite" else bench._insert_postgres
    assert insert(generated, gen) > 3000
    for days in (14, 90, 400):
        since = dt.timedelta(days=days)
        expected = _expected(generated, since)
        themes = reports.themes(generated, since)
        got: dict[str, dict[tuple[str, bool], int]] = {}
        for dim, rows in themes["by"].items():
            got[dim] = {}
            for row in rows:
                for key, n in (((row["value"], True), row["count"]), ((row["value"], False), row["previous"])):
                    if n:
                        got[dim][key] = n
        assert got == expected["themes"]
        sla = reports.sla(generated, since)
        assert sla["cases"] == expected["sla_cases"]
        assert (sla["first_response"]["met"], sla["first_response"]["breached"]) == expected["first_response"]
        assert (sla["resolution"]["met"], sla["resolution"]["breached"]) == expected["resolution"]
        assert sla["first_response"]["median_hours"] == expected["first_median"]
        assert sla["first_response"]["p90_hours"] == expected["first_p90"]
        assert sorted(b["reference"] for b in sla["breached_open"]) == expected["breached_open"]
        satisfaction = reports.satisfaction(generated, since)
        assert satisfaction["distribution"] == {str(s): expected["distribution"].get(s, 0) for s in range(1, 6)}
        assert (satisfaction["reopened"], satisfaction["reopened_cases"]) == expected["reopened"]
    assert expected["breached_open"] and expected["distribution"] and expected["reopened"][0]


# --- recurring-defect reports count complaints only (issue #18) --------------------------------------------


def test_recurring_defect_reports_count_complaints_only(store: Store) -> None:
    days = dt.timedelta(days=1)
    complaints = [_case(store, NOW - d * days, product_line="Ripon", batch="RPN-B09") for d in (5, 3, 1)]
    # requests that are no fault, even when they name the same line, batch and defect, never make a theme
    for d, kind in ((6, "cancellation"), (4, "return"), (2, "callback"), (2, "enquiry")):
        _case(store, NOW - d * days, product_line="Ripon", batch="RPN-B09", kind=kind)
    result = reports.themes(at(store, NOW), dt.timedelta(days=7))
    assert result["total"] == 3 and result["case_kinds"] == ["complaint"]
    assert {e["value"]: e["count"] for e in result["by"]["product_line"]} == {"Ripon": 3}
    [spike] = [s for s in reports.spikes(at(store, NOW)) if s["dimension"] == "batch"]
    assert spike["references"] == complaints and spike["count"] == 3
    # SLA and satisfaction keep every kind and say so
    sla = reports.sla(at(store, NOW), dt.timedelta(days=7))
    assert sla["cases"] == 7 and sla["case_kinds"] == "all"
    assert sla["by_kind"] == {"callback": 1, "cancellation": 1, "complaint": 3, "enquiry": 1, "return": 1}
    assert reports.satisfaction(at(store, NOW), dt.timedelta(days=7))["case_kinds"] == "all"
    process = reports.compliance(at(store, NOW), dt.timedelta(days=7))
    assert process["case_kinds"] == ["complaint"]


def test_repeat_complaints_and_investigations_leave_other_kinds_out(store: Store) -> None:
    from bot.cases.models import Customer

    with store.unit_of_work() as uow:
        customer = Customer(email="rep@example.com", name="Rep Eater")
        uow.session.add(customer)
        uow.commit()
        customer_id = customer.id
    days = dt.timedelta(days=1)
    _case(store, NOW - 3 * days, customer_id=customer_id, product_line="Ripon")
    _case(store, NOW - 2 * days, customer_id=customer_id, product_line="Ripon", kind="callback")
    repeat = reports.repeat_complaints(at(store, NOW), dt.timedelta(days=7))
    assert repeat["customers"] == []  # one complaint and one call-back: not a repeat complaint
    _case(store, NOW - 1 * days, customer_id=customer_id, product_line="Ripon")
    [repeated] = reports.repeat_complaints(at(store, NOW), dt.timedelta(days=7))["customers"]
    assert repeated["cases"] == 2
    investigation = reports.open_investigation(at(store, NOW), title="Ripon stitching", product_line="Ripon",
                                               defect_category="stitching", actor="sue")  # fmt: skip
    assert investigation["cases"] == 2

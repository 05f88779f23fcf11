"""The evidence pack's parts that need no database: criteria index, the export log's hash, chart labels, imports."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from bot.evidence.charts import week_labels
from bot.evidence.criteria import CRITERIA, SECTIONS, criteria_index
from bot.evidence.export_log import GENESIS_HASH, export_hash
from bot.evidence.pack import pack_json
from bot.reviews.models import EvidenceExport

ROOT = Path(__file__).resolve().parents[2]
ISSUE_CRITERIA = {
    "logging and tracking complaints",
    "analysing recurring problems and options",
    "corrective action with measurable follow-up",
    "recording systems in active use",
    "review of feedback and performance data",
}


def test_every_criterion_of_the_qualification_is_evidenced_by_a_section() -> None:
    assert {label.lower() for label in CRITERIA.values()} == ISSUE_CRITERIA
    index = criteria_index()
    assert all(entry["sections"] for entry in index), index
    numbers = {s["number"] for entry in index for s in entry["sections"]}
    assert numbers == set(range(1, len(SECTIONS) + 1))  # and every section evidences something


def test_a_section_with_two_criteria_names_both() -> None:
    spec = next(s for s in SECTIONS if s.key == "process_reviews")
    assert spec.criterion == "Review of feedback and performance data; recording systems in active use"


def _row(**changes: object) -> EvidenceExport:
    fields: dict[str, object] = {
        "actor": "sue@example.com",
        "format": "pdf",
        "period_start": dt.datetime(2026, 8, 4, tzinfo=dt.timezone.utc),
        "period_end": dt.datetime(2026, 11, 2, tzinfo=dt.timezone.utc),
        "redacted": True,
        "sha256": "a" * 64,
        "bytes": 1234,
        "created_at": dt.datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=dt.timezone.utc),
    }
    fields.update(changes)
    return EvidenceExport(**fields)


@pytest.mark.parametrize(
    "change",
    [
        {"actor": "mallory@example.com"},
        {"format": "json"},
        {"period_start": dt.datetime(2026, 8, 5, tzinfo=dt.timezone.utc)},
        {"period_end": dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)},
        {"redacted": False},
        {"sha256": "b" * 64},
        {"bytes": 1235},
        {"created_at": dt.datetime(2026, 11, 2, 9, 0, 0, 123457, tzinfo=dt.timezone.utc)},
    ],
)
def test_every_logged_field_is_in_the_hash(change: dict[str, object]) -> None:
    assert export_hash(_row(**change), GENESIS_HASH) != export_hash(_row(), GENESIS_HASH)


def test_the_hash_chains_to_the_previous_row_and_ignores_time_zone_spelling() -> None:
    first = export_hash(_row(), GENESIS_HASH)
    assert len(first) == 64 and export_hash(_row(), first) != first
    local = dt.timezone(dt.timedelta(hours=1))
    moved = _row(created_at=dt.datetime(2026, 11, 2, 10, 0, 0, 123456, tzinfo=local))
    assert export_hash(moved, GENESIS_HASH) == first  # the same instant


def test_week_labels_are_short_and_thinned() -> None:
    weeks = [f"2026-W{n:02d}" for n in range(1, 53)]
    labels = week_labels(weeks)
    assert len(labels) == 52 and labels[0] == "W01"
    assert 0 < sum(1 for label in labels if label) <= 13
    assert week_labels(["2025-W52", "2026-W01"]) == ["25-W52", "26-W01"]


def test_pack_json_is_utf8_with_a_newline() -> None:
    data = pack_json({"cover": {"title": "Évidence"}, "when": dt.date(2026, 11, 2)})
    assert data.endswith(b"\n") and "Évidence".encode() in data and b"2026-11-02" in data


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_reports_and_reviews_never_import_the_evidence_pack() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("reports", "reviews", "cases")
        for path in sorted((ROOT / "bot" / package).rglob("*.py"))
        if any(name == "bot.evidence" or name.startswith("bot.evidence.") for name in _imports(path))
    ]
    assert not offenders, f"bot.evidence is built on these; they must not import it: {offenders}"


def test_the_import_check_would_see_an_import() -> None:
    probe = ROOT / "bot" / "reports" / "__init__.py"
    assert "bot.reports.themes" in _imports(probe)

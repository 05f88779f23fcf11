"""The supervisor commands of the CLI: reports, users and exports (in-process, on SQLite)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.accounts.users import authenticate
from bot.cases import service
from bot.cases.service import CaseDraft
from bot.cases.store import Store
from bot.cli import main


def _case(store: Store) -> str:
    return service.open_case(store, CaseDraft(description="seam split", defect_category="stitching")).reference


def test_report_themes_json_contract(sqlite_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    _case(sqlite_store)
    assert main(["report", "themes", "--since", "30d", "--json"], store=sqlite_store) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == 1
    assert {"product_line", "defect_category", "component", "batch"} == set(result["by"])
    assert result["by"]["defect_category"][0]["value"] == "stitching"
    assert main(["report", "themes", "--since", "4w", "--json"], store=sqlite_store) == 0
    capsys.readouterr()


@pytest.mark.parametrize("report", ["sla", "satisfaction", "process"])
def test_other_reports_print_json(report: str, sqlite_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    _case(sqlite_store)
    assert main(["report", report, "--json"], store=sqlite_store) == 0
    assert isinstance(json.loads(capsys.readouterr().out), dict)


def test_bad_period_is_a_usage_error(sqlite_store: Store) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["report", "themes", "--since", "thirty"], store=sqlite_store)
    assert exc.value.code == 2


def test_users_add_from_stdin(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    args = ["users", "add", "sue@example.com", "--role", "supervisor", "--name", "Sue", "--password-stdin"]
    assert main(args, store=sqlite_store) == 1
    assert "too weak" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a-much-longer-password\n"))
    assert main(args, store=sqlite_store) == 0
    user = authenticate(sqlite_store, "sue@example.com", "a-much-longer-password")
    assert user is not None and user.role == "supervisor"
    monkeypatch.setattr("sys.stdin", io.StringIO("a-much-longer-password\n"))
    assert main(args, store=sqlite_store) == 1
    assert "already exists" in capsys.readouterr().err


def test_export_json_and_pdf(sqlite_store: Store, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    reference = _case(sqlite_store)
    assert main(["export", reference, "--format", "json"], store=sqlite_store) == 0
    assert json.loads(capsysbinary.readouterr().out)["audit"]["ok"] is True
    out = tmp_path / "case.pdf"
    assert main(["export", reference, "--format", "pdf", "--redact", "--out", str(out)], store=sqlite_store) == 0
    assert out.read_bytes().startswith(b"%PDF")
    kinds = [e["kind"] for e in service.get_case(sqlite_store, reference)["events"]]
    assert kinds.count("exported") == 2
    assert main(["export", "CS-1999-000001", "--format", "json"], store=sqlite_store) == 1

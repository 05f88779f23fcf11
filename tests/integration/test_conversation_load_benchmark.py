"""Smoke test for benchmarks/conversation_load.py: tiny settings, so the benchmark cannot rot unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.rasa_stack import ensure_model

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_completes_a_complaint_and_compares_with_bare_rasa(tmp_path: Path) -> None:
    ensure_model()
    out = tmp_path / "results.json"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "conversation_load.py"),
            "--levels",
            "1",
            "--conversations",
            "2",
            "--no-seed",
            "--json-out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
        timeout=3600,
    )
    report = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr[-4000:]}"
    assert result.returncode == 0, report
    assert "| assistant | level | conversations | messages | msg/s | p50 ms |" in result.stdout, report
    assert "| level | throughput ours/bare | p50 ours/bare |" in result.stdout, report
    rows = {r["assistant"]: r for r in json.loads(out.read_text())}
    ours, bare = rows["complaints"], rows["bare-rasa"]
    assert ours["conversations"] == 2 and ours["errors"] == 0, report
    assert ours["cases"] == ours["cases_expected"] == 2 and not ours["case_problems"], report
    assert ours["messages"] >= 2 * 3, report  # a complaint takes several turns
    assert "| complaints | 1 | 2 |" in result.stdout and "| 2/2 |" in result.stdout, report
    assert bare["errors"] == 0 and bare["messages"] > 0, report
    assert "| bare-rasa | 1 | 2 |" in result.stdout, report

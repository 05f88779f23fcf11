"""The benchmark scripts still run: tiny sizes, real processes, their tables printed, exit status 0.

Benchmarks print numbers and are not tests; this only keeps them from rotting. No timings are checked.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str) -> str:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_reports_at_size_prints_its_table() -> None:
    out = _run("reports_at_size.py", "--sqlite-cases", "200", "--skip-postgres", "--repeat", "1", "--since", "30d")
    assert "loaded 200 cases" in out
    assert "| engine | cases | report | window | before indexes (s) | after indexes (s) |" in out
    rows = re.findall(r"^\| sqlite \| 200 \| (\w+) \| 30d \| [\d.]+ \| [\d.]+ \|$", out, re.MULTILINE)
    assert sorted(rows) == ["satisfaction", "sla", "themes"]
    assert "postgresql" not in out


def test_slack_ack_latency_prints_its_tables_and_the_lazy_work_is_done() -> None:
    out = _run("slack_ack_latency.py", "--rate", "20", "--seconds", "2")
    assert "| handler | requests | p50 | p95 | p99 | max | errors | within 3 s |" in out
    latency, lazy = out.split("Lazy work after the run")
    handlers = re.findall(r"^\| ((?:button|select|view|command|event): [^|]+?) \| (\d+) \|", latency, re.MULTILINE)
    names = {name for name, _count in handlers}
    assert {"button: assign", "button: take over", "button: hand back", "view: resolve", "command: /cases"} <= names
    assert {"event: app_home_opened", "event: message (thread reply)"} <= names
    assert len(names) == 15 and sum(int(count) for _name, count in handlers) == 40
    assert re.search(r"^\| all \| 40 \| .* \| 0 \| 100\.0% \|$", latency, re.MULTILINE)
    assert re.search(r"^\| view: resolve \| (\d+) \| \1 \|$", lazy, re.MULTILINE)  # every resolve was applied
    assert "errors: 0; lazy changes missing: 0" in out

"""Policy YAML files are read once, re-read when they change, and callers cannot change the cache."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from bot.cases.service import follow_up_delay
from bot.data_files import read_yaml
from bot.settings import load_settings


def _write(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_changed_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    _write(path, "default_days: 5\n", 1_000_000_000_000_000_000)
    assert read_yaml(path) == {"default_days": 5}
    _write(path, "default_days: 9\n", 1_000_000_001_000_000_000)
    assert read_yaml(path) == {"default_days": 9}


def test_callers_get_their_own_copy(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text("by_resolution: {refund: 3}\n", encoding="utf-8")
    first: Any = read_yaml(path)
    first["by_resolution"]["refund"] = 99
    assert read_yaml(path) == {"by_resolution": {"refund": 3}}


def test_follow_up_delay_follows_an_edited_file(tmp_path: Path) -> None:
    path = tmp_path / "followups.yml"
    _write(path, "default_days: 5\nby_resolution: {refund: 3}\n", 1_000_000_000_000_000_000)

    class FakeStore:  # follow_up_delay reads only the settings
        settings = load_settings({"FOLLOWUP_DELAYS_FILE": str(path)})

    store: Any = FakeStore()
    assert follow_up_delay(store, "refund") == dt.timedelta(days=3)
    assert follow_up_delay(store, "repair") == dt.timedelta(days=5)
    _write(path, "default_days: 7\nby_resolution: {refund: 2}\n", 1_000_000_002_000_000_000)
    assert follow_up_delay(store, "refund") == dt.timedelta(days=2)
    assert follow_up_delay(store, None) == dt.timedelta(days=7)

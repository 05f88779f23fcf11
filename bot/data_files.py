"""Policy data files (YAML) read once per process and re-read only when the file changes."""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Any

import yaml

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], Any]] = {}


def read_yaml(path: Path | str) -> Any:
    """The parsed YAML of ``path``; cached until the file's modification time or size changes.

    Each caller gets its own copy, so changing the result cannot change what the next caller sees.
    """
    key = os.fspath(path)
    stat = os.stat(key)
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _cache.get(key)
    if cached is None or cached[0] != stamp:
        with open(key, encoding="utf-8") as handle:
            value = yaml.safe_load(handle)
        cached = (stamp, value)
        with _lock:
            _cache[key] = cached
    return copy.deepcopy(cached[1])


def write_private_yaml(path: Path, header: str, data: Any) -> Path:
    """Write ``data`` as YAML after a ``# header`` line, readable by the owner only (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = f"# {header}\n" + yaml.safe_dump(data, sort_keys=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path

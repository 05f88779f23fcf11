"""Files the project writes and reads: policy YAML (cached until it changes), private YAML, and durable JSON.

:func:`write_json_durably` is the one way work that must survive a crash is put on disk (the case
outbox, the conversation journal): temporary file, fsync, rename, fsync of the folder.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
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


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_durably(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON to ``path`` atomically and durably, owner-readable only (mode 600).

    After a crash the file holds either the previous content or the new one, never half of it; once this
    returns, the new content survives a power cut.
    """
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(draft, path)
    except BaseException:
        Path(draft).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return path

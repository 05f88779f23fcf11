"""Real faults for the fault suite: an SQLite file held locked by another process."""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_HOLDER = r"""
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes our stdin
connection.execute("ROLLBACK")
"""


class SqliteLock:
    """Another process holding an exclusive lock on an SQLite file (like a long write or a backup)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._process: subprocess.Popen[str] | None = None

    def acquire(self) -> None:
        """Take the lock (returns once it is held)."""
        self._process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        assert line == "locked", f"could not lock {self.path}: {line!r}"

    def release(self) -> None:
        """Let go of the lock (the holder process ends)."""
        if self._process is None:
            return
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)
        self._process = None


@contextmanager
def locked_sqlite(path: Path) -> Iterator[SqliteLock]:
    """Hold ``path`` locked by another process for the duration of the block."""
    lock = SqliteLock(path)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()

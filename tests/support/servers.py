"""Real database servers for tests, started from Debian's packages in a temporary folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from scripts.local_postgres import as_postgres_user, postgres_bin


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Block until something accepts connections on localhost:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


# Shared with scripts/run_cluster.sh (scripts/local_postgres.py).
_postgres_bin = postgres_bin
_as_postgres_user = as_postgres_user


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a throw-away PostgreSQL cluster; yields a SQLAlchemy URL to a fresh database."""
    root = Path(tempfile.mkdtemp(prefix="complaints-pg-"))
    data = root / "data"
    port = free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_postgres_user([_postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log = root / "server.log"
    subprocess.run(
        _as_postgres_user(
            [
                _postgres_bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-w",
                "-o",
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres_user([_postgres_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server; return its URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"

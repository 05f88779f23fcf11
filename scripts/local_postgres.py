"""A PostgreSQL cluster in a folder of this machine, started from Debian's packages.

Development and test tooling, not part of the runtime package: used by ``scripts/run_cluster.sh``
(``python scripts/local_postgres.py start|stop ...``) and by the tests' throw-away servers
(``tests/support/servers.py``, imported as ``scripts.local_postgres``). initdb and postgres refuse to
run as root, so when root they run as the ``postgres`` user through ``runuser``.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path


def postgres_bin(name: str) -> str:
    """Path of a PostgreSQL server program (newest installed major version)."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(
            f"PostgreSQL's {name} was not found; run `make system-deps` (installs Debian's postgresql package)"
        )
    return found


def as_postgres_user(cmd: list[str]) -> list[str]:
    """``cmd`` run as the postgres user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def init_cluster(data: Path) -> bool:
    """Create a cluster in ``data`` (trust auth for local TCP) unless one is there; True if created."""
    if (data / "PG_VERSION").exists():
        return False
    data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    data.chmod(0o700)
    subprocess.run(
        as_postgres_user([postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return True


def start(data: Path, port: int, log: Path, socket_dir: Path, max_connections: int = 200) -> None:
    """Start the server of cluster ``data`` on 127.0.0.1:``port`` and wait until it accepts connections."""
    for folder in (log.parent, socket_dir):
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
    options = f"-p {port} -k {socket_dir} -c listen_addresses=127.0.0.1 -c max_connections={max_connections}"
    subprocess.run(
        as_postgres_user([postgres_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o", options, "start"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def stop(data: Path, mode: str = "fast") -> None:
    """Stop the server of cluster ``data`` (no error when it is not running)."""
    subprocess.run(
        as_postgres_user([postgres_bin("pg_ctl"), "-D", str(data), "-m", mode, "-w", "stop"]),
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def ensure_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server if missing; return its SQLAlchemy URL."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with engine.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def main(argv: list[str] | None = None) -> int:
    """``start DATA --port P --log FILE --socket-dir DIR [--database NAME]`` or ``stop DATA``."""
    parser = argparse.ArgumentParser(prog="python scripts/local_postgres.py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    start_cmd = sub.add_parser("start", help="initdb if needed, start, create the database; print its URL")
    start_cmd.add_argument("data", type=Path)
    start_cmd.add_argument("--port", type=int, required=True)
    start_cmd.add_argument("--log", type=Path, required=True)
    start_cmd.add_argument("--socket-dir", type=Path, required=True)
    start_cmd.add_argument("--database", default="complaints")
    start_cmd.add_argument("--max-connections", type=int, default=200)
    stop_cmd = sub.add_parser("stop", help="stop the server")
    stop_cmd.add_argument("data", type=Path)
    args = parser.parse_args(argv)
    data = args.data.resolve()
    if args.command == "stop":
        stop(data)
        return 0
    init_cluster(data)
    start(data, args.port, args.log.resolve(), args.socket_dir.resolve(), args.max_connections)
    server = f"postgresql+psycopg2://postgres@127.0.0.1:{args.port}/postgres"
    print(ensure_database(server, args.database))
    return 0


if __name__ == "__main__":
    sys.exit(main())

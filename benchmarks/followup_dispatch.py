"""Follow-up dispatch throughput with 1 and 2 worker processes.

    .venv/bin/python benchmarks/followup_dispatch.py [--count 1000] [--postgres]

Creates COUNT due follow-ups, starts N `complaints followups worker` processes against a local
stand-in of Rasa's trigger_intent endpoint (which marks each follow-up delivered exactly like the
real action does) and prints follow-ups sent per second, plus a check that each was sent once.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.cases import migrate  # noqa: E402
from bot.cases.models import FollowUp  # noqa: E402
from bot.cases.store import open_store  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from tests.integration.test_followups import _bulk_due_follow_ups  # noqa: E402
from tests.support.rasa_standin import rasa_standin  # noqa: E402
from tests.support.servers import create_database, postgres_server  # noqa: E402

BIN = Path(sys.executable).parent / "complaints"


def run(url: str, count: int, workers: int) -> tuple[float, int, int]:
    """Seconds to send ``count`` follow-ups with ``workers`` processes; (seconds, sent, max sends per key)."""
    store = open_store(load_settings({"DATABASE_URL": url}))
    migrate.upgrade(store.engine)
    _bulk_due_follow_ups(store, count)
    with rasa_standin(url) as standin:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "RASA_URL": standin.url,
            "FOLLOWUP_INTERVAL_SECONDS": "0.1",
            "SMTP_HOST": "",
        }
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [str(BIN), "followups", "worker"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            for _ in range(workers)
        ]
        try:
            while True:
                with store.unit_of_work() as uow:
                    sent = uow.session.execute(
                        select(func.count(FollowUp.id)).where(FollowUp.status == "sent")
                    ).scalar_one()
                if sent >= count:
                    break
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
        most = max(standin.spoken.values()) if standin.spoken else 0
    store.dispose()
    return elapsed, sent, most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--postgres", action="store_true", help="also measure on a real PostgreSQL server")
    args = parser.parse_args()
    print(f"follow-up dispatch, {args.count} due follow-ups, {os.cpu_count()} CPU cores")
    print("(includes worker start-up, ~2 s a process; the stand-in answers at once)")
    print(f"{'database':<12}{'workers':>8}{'seconds':>10}{'per second':>12}{'sent':>7}{'max per key':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            url = f"sqlite:///{Path(tmp) / f'bench-{workers}.db'}"
            seconds, sent, most = run(url, args.count, workers)
            print(f"{'sqlite':<12}{workers:>8}{seconds:>10.1f}{sent / seconds:>12.1f}{sent:>7}{most:>13}")
    if args.postgres:
        with postgres_server() as server:
            for workers in (1, 2):
                url = create_database(server, f"bench_{workers}")
                seconds, sent, most = run(url, args.count, workers)
                print(f"{'postgresql':<12}{workers:>8}{seconds:>10.1f}{sent / seconds:>12.1f}{sent:>7}{most:>13}")


if __name__ == "__main__":
    main()

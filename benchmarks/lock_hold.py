"""How long a Rasa process holds a conversation's lock per message, in the production layout under load.

    .venv/bin/python benchmarks/lock_hold.py [--customers 10 50] [--rasa 2]

Starts ``scripts/run_cluster.sh`` (PostgreSQL tracker store, Redis lock store, ``--rasa`` processes
behind nginx) on free ports in a temporary folder, warms every Rasa process up, then for each
``--customers`` count lets that many simulated customers complain at the same time through nginx
while ``redis-cli MONITOR`` records the lock store's commands. Rasa issues a ticket (``SET
lock:<conversation>``) when a message arrives and deletes the lock (``DEL``) when it is done, so the
time from the first SET to the DEL is how long the ticket had to stay valid for that message: waiting
for the lock plus handling the message (NLU, policies, action server calls, tracker save). Prints
p50/p99/max seconds per message for each load; ``TICKET_LOCK_LIFETIME`` of the cluster layout must
stay above the max with a safety margin (docs/cluster.md).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cluster_scaling import _direct  # noqa: E402
from tests.cluster.test_cluster import persona  # noqa: E402
from tests.support.cluster import RetryingSender, run_cluster  # noqa: E402
from tests.support.customer import complain  # noqa: E402

MONITOR_LINE = re.compile(r'^(\d+\.\d+) \[\d+ [^\]]+\] "(SET|DEL)" "lock:([^"]+)"')


def hold_times(monitor_output: str, prefix: str) -> list[float]:
    """Seconds from a lock's first SET (ticket issued) to its DEL (message done), per message."""
    opened: dict[str, float] = {}
    holds: list[float] = []
    for line in monitor_output.splitlines():
        found = MONITOR_LINE.match(line)
        if not found or not found.group(3).startswith(prefix):
            continue
        stamp, command, conversation = float(found.group(1)), found.group(2), found.group(3)
        if command == "SET":
            opened.setdefault(conversation, stamp)
        elif conversation in opened:
            holds.append(stamp - opened.pop(conversation))
    return holds


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


def _complain(sender: RetryingSender, name: str, n: int) -> int:
    """One customer's complaint; 1 when it ended with a case reference.

    Under heavy load the assistant may answer "your case reference will follow" (the case database
    was slow) instead of a reference, which the simulated customer cannot answer: the messages sent
    until then still count for the lock figures.
    """
    try:
        complain(sender, name, persona(n))
    except AssertionError:
        return 0
    return 1


def main() -> int:
    """Run the loads and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rasa", type=int, default=2)
    args = parser.parse_args()
    rows = []
    with run_cluster(rasa=args.rasa, workers=1) as cluster:
        for n, port in enumerate(cluster.rasa_ports):
            complain(_direct(port), f"warmup-{n}", persona(1000 + n))
        for customers in args.customers:
            prefix = f"hold{customers}-"
            # MONITOR writes to a file as it goes: a pipe read only at the end would stall redis-cli and
            # lose whatever Redis still had queued for it when it is stopped.
            record = cluster.directory / f"monitor-{customers}.log"
            with open(record, "w") as out:
                monitor = subprocess.Popen(
                    ["redis-cli", "-p", str(cluster.redis_port), "MONITOR"], stdout=out, stderr=subprocess.DEVNULL
                )
            sender = RetryingSender(cluster.url, cluster.auth_token)
            started = time.monotonic()
            with ThreadPoolExecutor(max_workers=customers) as pool:
                futures = [pool.submit(_complain, sender, f"{prefix}{n:02d}", n) for n in range(customers)]
                finished = sum(f.result(timeout=1800) for f in futures)
            elapsed = time.monotonic() - started
            turns = sum(sender.sent.values())
            time.sleep(1)
            monitor.terminate()
            monitor.wait(timeout=30)
            holds = hold_times(record.read_text(errors="replace"), prefix)
            rows.append((customers, finished, turns, len(holds), elapsed, holds))
            print(f"{customers} customers: {finished} cases, {turns} messages, {len(holds)} lock spans", flush=True)
    print(f"lock hold per message, {args.rasa} Rasa processes behind nginx, Redis lock store:")
    header = ("customers", 9), ("cases", 5), ("messages", 8), ("locks", 6), ("msg/s", 6), ("p50 s", 7), ("p99 s", 7)
    print(" ".join(f"{name:>{width}}" for name, width in header), f"{'max s':>7}")
    for customers, finished, turns, count, elapsed, holds in rows:
        if not holds:
            print(f"{customers:>9} {finished:>5} {turns:>8} {count:>6}  (no lock traffic seen)")
            continue
        print(
            f"{customers:>9} {finished:>5} {turns:>8} {count:>6} {turns / elapsed:>6.1f} "
            f"{percentile(holds, 0.5):>7.2f} {percentile(holds, 0.99):>7.2f} {max(holds):>7.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Throughput of the production layout with 1 and with 2 Rasa processes behind nginx.

    .venv/bin/python benchmarks/cluster_scaling.py [--customers 30] [--rasa 1 2]

For each process count, starts ``scripts/run_cluster.sh`` (PostgreSQL tracker store, Redis lock
store, one action server per Rasa process, nginx least_conn) on free ports in a temporary folder,
warms every Rasa process up with one complaint sent to it directly, then lets ``--customers``
simulated customers (``tests/support/customer.py``) complain at the same time through nginx and
measures wall time until the last one has its case reference. Prints conversations and messages
per second for each count and the ratio of the last to the first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cluster.test_cluster import persona  # noqa: E402
from tests.support.cluster import RetryingSender, run_cluster  # noqa: E402
from tests.support.customer import complain  # noqa: E402


def _direct(port: int) -> Callable[[str, str], list[dict[str, Any]]]:
    """A sender that talks to one Rasa process directly (to warm it up)."""

    def send(sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310 - localhost only
            return list(json.loads(response.read().decode()))

    return send


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(rasa: int, customers: int) -> dict[str, float]:
    """Start a cluster with ``rasa`` processes and time ``customers`` concurrent complaints."""
    with run_cluster(rasa=rasa, workers=1) as cluster:
        for n, port in enumerate(cluster.rasa_ports):
            complain(_direct(port), f"warmup-{rasa}-{n}", persona(1000 + n))
        sender = RetryingSender(cluster.url, cluster.auth_token)
        parts = [f"{kind}-{n}" for kind in ("rasa", "actions") for n in range(1, rasa + 1)]
        cpu_before = {part: _cpu_seconds(cluster.pid(part)) for part in parts}
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=customers) as pool:
            futures = [pool.submit(complain, sender, f"bench-{rasa}-{n}", persona(n)) for n in range(customers)]
            conversations = [f.result() for f in futures]
        seconds = time.monotonic() - started
        cpu = {part: _cpu_seconds(cluster.pid(part)) - cpu_before[part] for part in parts}
        print(
            f"rasa={rasa}: CPU seconds used during the run: "
            + ", ".join(f"{part} {used:.1f}" for part, used in cpu.items())
            + f"; load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    messages = sum(len(c.turns) for c in conversations)
    done = sum(1 for c in conversations if c.reference)
    return {
        "rasa": rasa,
        "customers": customers,
        "seconds": seconds,
        "conversations": done,
        "messages": messages,
        "conversations_per_s": done / seconds,
        "messages_per_s": messages / seconds,
        "retries": sender.retries,
    }


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--rasa", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    results = []
    for count in args.rasa:
        result = measure(count, args.customers)
        results.append(result)
        print(
            f"rasa={count}: {result['conversations']:.0f} conversations, {result['messages']:.0f} messages "
            f"in {result['seconds']:.1f} s -> {result['conversations_per_s']:.3f} conv/s, "
            f"{result['messages_per_s']:.2f} msg/s",
            flush=True,
        )
    print("| Rasa processes | customers | seconds | conversations/s | messages/s |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['rasa']:.0f} | {r['customers']:.0f} | {r['seconds']:.1f} | "
            f"{r['conversations_per_s']:.3f} | {r['messages_per_s']:.2f} |"
        )
    if len(results) > 1:
        ratio = results[-1]["messages_per_s"] / results[0]["messages_per_s"]
        print(f"throughput ratio {results[-1]['rasa']:.0f} vs {results[0]['rasa']:.0f} Rasa processes: {ratio:.2f}x")


if __name__ == "__main__":
    main()

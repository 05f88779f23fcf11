"""The production layout (`scripts/run_cluster.sh`) started in a temporary folder, and customers that talk to it.

Used by ``tests/cluster/test_cluster.py`` and ``benchmarks/cluster_scaling.py``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run_cluster.sh"


@dataclass
class Cluster:
    """A running cluster: nginx in front of ``rasa_count`` Rasa processes."""

    url: str
    directory: Path
    database_url: str
    redis_port: int
    rasa_ports: list[int]
    auth_token: str
    process: subprocess.Popen[bytes]

    def pid(self, name: str) -> int:
        """Pid of a part (``rasa-1``, ``actions-2``, ``nginx`` ...) as supervisord knows it (0: not running)."""
        result = subprocess.run(
            [
                str(ROOT / ".venv" / "bin" / "supervisorctl"),
                "-c",
                str(self.directory / "supervisord.conf"),
                "pid",
                name,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        answer = result.stdout.strip()
        return int(answer) if answer.isdigit() else 0

    def lock_lifetime(self) -> int:
        """``TICKET_LOCK_LIFETIME`` the Rasa processes run with (from the generated supervisord.conf)."""
        found = re.search(r'TICKET_LOCK_LIFETIME="(\d+)"', (self.directory / "supervisord.conf").read_text())
        return int(found.group(1)) if found else 60

    def log(self, name: str) -> str:
        """The log of one part (for failure messages)."""
        path = self.directory / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


@contextmanager
def run_cluster(rasa: int = 2, workers: int = 1, timeout: float = 600.0, restart: bool = False) -> Iterator[Cluster]:
    """Run ``scripts/run_cluster.sh`` on free ports under a temporary folder; stop it afterwards.

    Unless ``restart``, a failed Rasa process, action server or worker is not restarted
    (``CLUSTER_RESTART=0``), so a benchmark sees the cluster run on the remaining ones.
    """
    directory = Path(tempfile.mkdtemp(prefix="complaints-cluster-"))
    directory.chmod(0o755)  # the postgres user must reach the data folder inside
    ports = _ports(2 * rasa + 4)
    nginx_port, pg_port, redis_port, web_port = ports[:4]
    rasa_ports, actions_ports = ports[4 : 4 + rasa], ports[4 + rasa :]
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "ENV_FILE": "/dev/null",  # a developer's .env must not redirect the test cluster
        "CLUSTER_DIR": str(directory / "cluster"),
        "CLUSTER_PORT": str(nginx_port),
        "CLUSTER_RASA": str(rasa),
        "CLUSTER_WORKERS": str(workers),
        "CLUSTER_WEB": "0",
        "CLUSTER_RESTART": "1" if restart else "0",
        "CLUSTER_PG_PORT": str(pg_port),
        "CLUSTER_REDIS_PORT": str(redis_port),
        "RASA_PORTS": " ".join(map(str, rasa_ports)),
        "ACTIONS_PORTS": " ".join(map(str, actions_ports)),
        "CLUSTER_SEED_ARGS": "--no-cases",
        "RASA_AUTH_TOKEN": token,
        "ACTION_SERVER_TOKEN": secrets.token_hex(16),
    }
    env.pop("DATABASE_URL", None)
    log = open(directory / "run_cluster.out", "wb")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [str(SCRIPT)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    cluster_dir = directory / "cluster"
    try:
        deadline = time.monotonic() + timeout
        while not (cluster_dir / "run" / "ready").exists():
            if process.poll() is not None:
                raise RuntimeError(f"run_cluster.sh exited:\n{(directory / 'run_cluster.out').read_text()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"cluster not ready in {timeout}s:\n{(directory / 'run_cluster.out').read_text()}")
            time.sleep(1)
        database_url = f"postgresql+psycopg2://postgres@127.0.0.1:{pg_port}/complaints"
        yield Cluster(
            f"http://127.0.0.1:{nginx_port}", cluster_dir, database_url, redis_port, rasa_ports, token, process
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the script's trap stops every part, PostgreSQL too
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()
        if os.environ.get("KEEP_CLUSTER_DIR") != "1":
            subprocess.run(["rm", "-rf", str(directory)], check=False)


@dataclass
class RetryingSender:
    """Sends customer messages through nginx and retries a turn whose request failed.

    A request fails when the Rasa process handling it dies. Rasa saves a conversation's new events
    (the user message, the actions, the bot messages) in one go at the end of handling a message,
    so a message whose handling was cut off left no trace and must be sent again. Rarely the process
    dies after saving but before answering: then the message is already in the tracker and sending
    it again would duplicate it. So before a retry the sender reads the conversation from the tracker
    store (Rasa's HTTP API, through nginx, answered by a live process): if its last user message is
    the one that failed, and the conversation has as many user messages as this customer sent, the
    turn was handled and the bot's messages after it are the answer.
    """

    base_url: str
    token: str
    timeout: float = 600.0
    attempts: int = 8
    retries: int = 0
    recovered_from_tracker: int = 0
    sent: dict[str, int] = field(default_factory=dict)

    def _post(self, sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.base_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - localhost only
            return list(json.loads(response.read().decode()))

    def tracker_events(self, sender: str) -> list[dict[str, Any]]:
        """The conversation's events as Rasa's tracker store holds them."""
        query = urllib.parse.urlencode({"token": self.token, "include_events": "ALL"})
        url = f"{self.base_url}/conversations/{urllib.parse.quote(sender)}/tracker?{query}"
        with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 - localhost only
            return list(json.loads(response.read().decode()).get("events") or [])

    def _already_handled(self, sender: str, message: str, count: int) -> Optional[list[dict[str, Any]]]:
        events = self.tracker_events(sender)
        users = [i for i, e in enumerate(events) if e.get("event") == "user"]
        if len(users) != count or events[users[-1]].get("text") != message:
            return None
        return [{"text": e.get("text")} for e in events[users[-1] + 1 :] if e.get("event") == "bot"]

    def __call__(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Send one turn (the ``send`` callable of :func:`tests.support.customer.complain`)."""
        count = self.sent.get(sender, 0) + 1
        error: Optional[Exception] = None
        for attempt in range(self.attempts):
            if attempt:
                time.sleep(min(2 * attempt, 10))
                self.retries += 1
                try:
                    handled = self._already_handled(sender, message, count)
                except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                    error = exc
                    continue
                if handled is not None:
                    self.recovered_from_tracker += 1
                    self.sent[sender] = count
                    return handled
            try:
                replies = self._post(sender, message)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:  # HTTPError (502) included
                error = exc
                continue
            self.sent[sender] = count
            return replies
        raise RuntimeError(f"{sender}: {message!r} failed {self.attempts} times: {error}")

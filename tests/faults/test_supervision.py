"""`make run` under faults: the real ``scripts/run.sh`` (supervisord) on free ports and a temporary var folder.

The layout is started once for the module (SQLite in the temporary folder, no Slack). Customers
complain over the REST channel while a process is SIGKILLed between two of their turns:

* the action server: supervisord starts it again (``exited: actions (terminated by SIGKILL; not
  expected)`` in ``supervisord.log``), the conversation goes on and exactly one case is logged;
* Rasa: supervisord starts it again; the tracker is in SQL, so the conversation goes on at the form
  step where it was (the answer to the pending question gets the next question, not a fresh start).

Last, SIGINT to the script's process group (Ctrl-C) stops every process: no survivor, ports closed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.support.customer import ANSWERS, Persona, complain
from tests.support.rasa_stack import ensure_model, wait_for_http
from tests.support.servers import free_port

pytestmark = [pytest.mark.rasa, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "scripts" / "run.sh"


@dataclass
class Layout:
    """The running ``make run`` layout."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    var_dir: Path
    ports: dict[str, int]
    output: Path

    @property
    def conf(self) -> Path:
        return self.var_dir / "supervisord.conf"

    def pid(self, name: str) -> int:
        """Pid of a program, as supervisord knows it (0 while it is down)."""
        result = subprocess.run(
            [str(BIN / "supervisorctl"), "-c", str(self.conf), "pid", name],
            capture_output=True,
            text=True,
            env=self.env,
            check=False,
        )
        return int(result.stdout.strip()) if result.stdout.strip().isdigit() else 0

    def log(self, name: str) -> str:
        path = self.var_dir / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.ports['rasa']}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - localhost only
            return list(json.loads(response.read().decode()))

    def wait_ready(self, timeout: float = 300.0) -> None:
        token = self.env["RASA_AUTH_TOKEN"]
        wait_for_http(f"http://127.0.0.1:{self.ports['actions']}/health", timeout=timeout, process=self.process)
        wait_for_http(
            f"http://127.0.0.1:{self.ports['rasa']}/status?token={token}", timeout=timeout, process=self.process
        )

    def cases(self) -> list[dict[str, Any]]:
        result = subprocess.run(
            [str(BIN / "complaints"), "cases", "list", "--json"],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=ROOT,
            check=True,
        )
        return list(json.loads(result.stdout))


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    """True for a running process (a zombie waiting to be reaped counts as dead)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


def _descendants(pid: int) -> set[int]:
    """``pid`` and every process below it (from /proc/*/stat parent links)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise TimeoutError(f"{what} not within {timeout}s")


@pytest.fixture(scope="module")
def layout() -> Iterator[Layout]:
    """``scripts/run.sh`` on free ports with everything it writes under a temporary folder."""
    # RASA_MODEL runs a given model file as it is (no training check); by default the project model.
    model = Path(os.environ["RASA_MODEL"]) if os.environ.get("RASA_MODEL") else ensure_model()
    directory = Path(tempfile.mkdtemp(prefix="complaints-run-"))
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port(), "slack": free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update(
        {
            "ENV_FILE": "/dev/null",  # a developer's .env must not point the test at real data
            "VAR_DIR": str(directory / "var"),
            "DATABASE_URL": f"sqlite:///{directory / 'cases.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{directory / 'conversations.db'}",
            "PHOTOS_DIR": str(directory / "photos"),
            "OUTBOX_DIR": str(directory / "outbox"),
            "RASA_PORT": str(ports["rasa"]),
            "ACTIONS_PORT": str(ports["actions"]),
            "DASHBOARD_PORT": str(ports["web"]),
            "SLACK_PORT": str(ports["slack"]),
            "RASA_MODEL": str(model),
            "RASA_URL": f"http://127.0.0.1:{ports['rasa']}",
            "RASA_SOCKET_URL": f"http://127.0.0.1:{ports['rasa']}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports['actions']}/webhook",
            "RASA_AUTH_TOKEN": "test-" + secrets.token_hex(16),
            "ACTION_SERVER_TOKEN": "test-" + secrets.token_hex(16),
            "WEBCHAT_SECRET_KEY": secrets.token_hex(16),
            "DASHBOARD_SECRET_KEY": secrets.token_hex(16),
            "COMPLAINTS_ENV": "development",
            "FOLLOWUP_INTERVAL_SECONDS": "5",
        }
    )
    for command in (["db", "upgrade"], ["seed", "--no-cases"]):
        subprocess.run([str(BIN / "complaints"), *command], env=env, cwd=ROOT, check=True, capture_output=True)
    output = directory / "run.out"
    with open(output, "wb") as out:
        process = subprocess.Popen(
            [str(SCRIPT)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    running = Layout(process, env, directory / "var", ports, output)
    try:
        running.wait_ready()
        _wait(lambda: (running.var_dir / "run" / "ready").exists(), 120, "the ready banner")
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if os.environ.get("KEEP_RUN_DIR") != "1":
            subprocess.run(["rm", "-rf", str(directory)], check=False)


def _persona(name: str, email: str) -> Persona:
    return Persona(
        story="Hi, the stitching on the side seam of my Harrogate Chelsea boots has split",
        email=email,
        name=name,
        product="my Harrogate Chelsea boots",
        defect="the stitching on the side seam has split",
        date="3 weeks ago",
        resolution="replacement please",
    )


def _interrupting(
    layout: Layout, after_turns: int, fault: Callable[[], None]
) -> tuple[Callable[[str, str], list[dict[str, Any]]], list[list[str]]]:
    """A sender that runs ``fault`` once, after ``after_turns`` answered turns; records every answer."""
    answers: list[list[str]] = []

    def send(sender: str, message: str) -> list[dict[str, Any]]:
        if len(answers) == after_turns:
            fault()
        replies = layout.send(sender, message)
        answers.append([str(r.get("text") or "") for r in replies])
        return replies

    return send, answers


def _kill_and_wait_for_restart(layout: Layout, name: str, ready: Callable[[], None]) -> tuple[int, int]:
    """SIGKILL program ``name``; wait until supervisord has started a new one and it answers."""
    old = layout.pid(name)
    assert old and _alive(old), layout.log("supervisord")
    os.kill(old, signal.SIGKILL)
    _wait(lambda: layout.pid(name) not in (0, old), 60, f"supervisord restarting {name}")
    ready()
    return old, layout.pid(name)


def _is_question(text: str) -> bool:
    return any(pattern.search(text) for pattern, _ in ANSWERS)


def test_killed_action_server_is_restarted_and_the_complaint_is_logged_once(layout: Layout) -> None:
    sender = f"fault-actions-{secrets.token_hex(3)}"
    restarted: list[tuple[int, int]] = []

    def fault() -> None:
        restarted.append(
            _kill_and_wait_for_restart(
                layout,
                "actions",
                lambda: wait_for_http(f"http://127.0.0.1:{layout.ports['actions']}/health", timeout=120),
            )
        )

    send, answers = _interrupting(layout, 3, fault)
    conversation = complain(send, sender, _persona("Ada Stone", "ada.stone@example.com"))

    assert restarted, "the conversation ended before the fault"
    old, new = restarted[0]
    assert new != old and not _alive(old)
    supervisor_log = layout.log("supervisord")
    assert re.search(r"exited: actions \(terminated by SIGKILL; not expected\)", supervisor_log), supervisor_log
    assert re.search(rf"spawned: 'actions' with pid {new}\b", supervisor_log), supervisor_log
    # The answer after the restart is the next form question, and the complaint was logged once.
    assert _is_question(answers[3][-1]), conversation.transcript()
    assert conversation.reference, conversation.transcript()
    mine = [case for case in layout.cases() if case["conversation_id"] == sender]
    assert [case["reference"] for case in mine] == [conversation.reference], mine


def test_killed_rasa_is_restarted_and_the_conversation_continues_where_it_was(layout: Layout) -> None:
    sender = f"fault-rasa-{secrets.token_hex(3)}"
    restarted: list[tuple[int, int]] = []

    def fault() -> None:
        restarted.append(_kill_and_wait_for_restart(layout, "rasa", layout.wait_ready))

    send, answers = _interrupting(layout, 4, fault)
    conversation = complain(send, sender, _persona("Ben Hale", "ben.hale@example.com"))

    assert restarted, "the conversation ended before the fault"
    old, new = restarted[0]
    assert new != old and not _alive(old)
    supervisor_log = layout.log("supervisord")
    assert re.search(r"exited: rasa \(terminated by SIGKILL; not expected\)", supervisor_log), supervisor_log
    # The new Rasa read the conversation from the SQL tracker store: the customer's answer to the
    # question asked before the kill got the form's next question, not the opening of a new complaint.
    question_before, answer_after = answers[3][-1], answers[4][-1]
    said_after = conversation.turns[4][0]
    assert _is_question(answer_after), conversation.transcript()
    assert answer_after != question_before, conversation.transcript()
    assert said_after != conversation.turns[0][0]
    assert conversation.reference, conversation.transcript()
    mine = [case for case in layout.cases() if case["conversation_id"] == sender]
    assert [case["reference"] for case in mine] == [conversation.reference], mine
    # Every message is in the tracker once, in order, across the restart.
    query = urllib.parse.urlencode({"token": layout.env["RASA_AUTH_TOKEN"]})
    url = f"http://127.0.0.1:{layout.ports['rasa']}/conversations/{sender}/tracker?{query}"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - localhost only
        events = json.loads(response.read().decode())["events"]
    said = [e.get("text") for e in events if e.get("event") == "user"]
    assert said == [message for message, _ in conversation.turns]


def test_ctrl_c_stops_every_process(layout: Layout) -> None:
    supervisord = int((layout.var_dir / "run" / "supervisord.pid").read_text().strip())
    tree = _descendants(layout.process.pid) | _descendants(supervisord)
    programs = {name: layout.pid(name) for name in ("actions", "rasa", "worker", "web")}
    assert all(programs.values()), programs
    assert set(programs.values()) <= tree
    assert all(_listening(port) for name, port in layout.ports.items() if name != "slack")

    os.killpg(layout.process.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    layout.process.wait(timeout=90)

    survivors = [pid for pid in tree if _alive(pid)]
    assert not survivors, survivors
    listening = [name for name, port in layout.ports.items() if _listening(port)]
    assert not listening, listening
    out = layout.output.read_text(errors="replace")
    assert "ready:" in out and "stopping..." in out, out
    assert "slack triage app" in out.lower() and "off" in out, out

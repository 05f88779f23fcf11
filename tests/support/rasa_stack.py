"""Start the real Rasa server and action server for integration tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODEL_DIR = ROOT / "models"


def ensure_model() -> Path:
    """Train the model if the data changed (Rasa skips training when its fingerprint matches)."""
    subprocess.run([str(ROOT / "scripts" / "train.sh")], check=True, cwd=ROOT, timeout=3600)
    model = MODEL_DIR / "complaints.tar.gz"
    assert model.exists(), "training produced no model"
    return model


def _get(url: str, timeout: float = 5.0) -> Optional[int]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - localhost only
            return int(response.status)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for_http(url: str, timeout: float = 240.0, process: Optional[subprocess.Popen[bytes]] = None) -> None:
    """Block until ``url`` answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} came up")
        if _get(url) == 200:
            return
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not come up in {timeout}s")


@dataclass
class RasaStack:
    """Running Rasa + action server on free ports."""

    rasa_url: str
    actions_url: str
    env: dict[str, str]
    logs: Path

    @property
    def token(self) -> str:
        """Rasa's HTTP API token (``RASA_AUTH_TOKEN``): the stack always runs with one."""
        return self.env["RASA_AUTH_TOKEN"]

    def api_url(self, path: str) -> str:
        """URL of Rasa HTTP API ``path`` with the token (e.g. ``/conversations/ID/tracker``)."""
        separator = "&" if "?" in path else "?"
        return f"{self.rasa_url}{path}{separator}{urllib.parse.urlencode({'token': self.token})}"

    def send(self, sender: str, message: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """POST to the REST channel and return the bot's messages."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - localhost only
            return list(json.loads(response.read().decode()))


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@contextmanager
def rasa_stack(
    database_url: str,
    workdir: Path,
    extra_env: Optional[dict[str, str]] = None,
    extra_args: Optional[list[str]] = None,
    model: Optional[Path] = None,
) -> Iterator[RasaStack]:
    """Start the action server and Rasa (REST channel, API enabled) against ``database_url``.

    ``extra_args`` are added to ``rasa run`` (e.g. ``["--cors", "*"]`` for the browser chat).
    ``model`` runs that model file as it is; by default the project model is (re)trained if needed.
    """
    model = model or ensure_model_once()
    rasa_port, actions_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        # Rasa's API and the action server always run with credentials, like `make run`.
        "RASA_AUTH_TOKEN": "test-" + secrets.token_hex(16),
        "ACTION_SERVER_TOKEN": "test-" + secrets.token_hex(16),
        **(extra_env or {}),
    }
    workdir.mkdir(parents=True, exist_ok=True)
    logs = workdir
    endpoints_file = workdir / "endpoints.yml"
    subprocess.run(
        [str(BIN / "complaints"), "rasa-endpoints", "--out", str(endpoints_file)], env=env, check=True, cwd=ROOT
    )
    actions_log = open(logs / "actions.log", "wb")  # noqa: SIM115 - closed in finally
    rasa_log = open(logs / "rasa.log", "wb")  # noqa: SIM115
    actions = subprocess.Popen(
        [str(BIN / "complaints"), "actions", "--port", str(actions_port)],
        cwd=ROOT,
        env=env,
        stdout=actions_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    rasa = subprocess.Popen(
        [
            str(BIN / "rasa"),
            "run",
            "--enable-api",
            "--auth-token",
            env["RASA_AUTH_TOKEN"],
            "--port",
            str(rasa_port),
            "--model",
            str(model),
            "--endpoints",
            str(endpoints_file),
            "--credentials",
            str(ROOT / "credentials.yml"),
            *(extra_args or []),
        ],
        cwd=ROOT,
        env=env,
        stdout=rasa_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{actions_port}/health", process=actions)
        wait_for_http(f"http://127.0.0.1:{rasa_port}/status?token={env['RASA_AUTH_TOKEN']}", process=rasa)
        yield RasaStack(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", env, logs)
    finally:
        _terminate(rasa)
        _terminate(actions)
        actions_log.close()
        rasa_log.close()


_ENSURED_MODEL: Optional[Path] = None


def ensure_model_once() -> Path:
    """:func:`ensure_model` at most once per test process.

    Each ``ensure_model`` runs scripts/train.sh (at least a fingerprint check, a full training when the inputs
    changed meanwhile); tests sharing one session (and one running stack) need it once, and then the same model.
    """
    global _ENSURED_MODEL
    if _ENSURED_MODEL is None or not _ENSURED_MODEL.exists():
        _ENSURED_MODEL = ensure_model()
    return _ENSURED_MODEL

"""Per-install secrets, the launcher's refusal in production, and the action server's credential check."""

from __future__ import annotations

import base64
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rasa_endpoints import endpoints
from bot.settings import SettingsError, load_settings
from integrations.action_server import action_call_problem, credential_from, secret_matches

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "complaints"
FAST = settings(max_examples=100, deadline=None)


def test_development_makes_one_private_key_per_install(tmp_path: Path) -> None:
    settings_ = load_settings({"COMPLAINTS_ROOT": str(tmp_path)})
    token = settings_.rasa_api_token
    secret = settings_.action_server_secret
    assert len(token) == 64 and len(secret) == 64 and token != secret
    for name in ("rasa-api.key", "action-server.key"):
        mode = stat.S_IMODE((tmp_path / "var" / name).stat().st_mode)
        assert mode == 0o600, oct(mode)
    again = load_settings({"COMPLAINTS_ROOT": str(tmp_path)})
    assert again.rasa_api_token == token and again.action_server_secret == secret  # stable across processes
    assert not list((tmp_path / "var").glob(".*"))  # no drafts left behind


def test_environment_values_win_over_the_key_files(tmp_path: Path) -> None:
    settings_ = load_settings(
        {"COMPLAINTS_ROOT": str(tmp_path), "RASA_AUTH_TOKEN": "from-env-1", "ACTION_SERVER_TOKEN": "from-env-2"}
    )
    assert settings_.rasa_api_token == "from-env-1" and settings_.action_server_secret == "from-env-2"
    assert not (tmp_path / "var").exists()
    action = endpoints(settings_)["action_endpoint"]
    assert action["basic_auth"] == {"username": "rasa", "password": "from-env-2"}
    assert "from-env-2" not in action["url"]


def test_production_never_makes_keys_and_refuses_placeholders(tmp_path: Path) -> None:
    production = load_settings({"COMPLAINTS_ROOT": str(tmp_path), "COMPLAINTS_ENV": "production"})
    with pytest.raises(SettingsError, match="RASA_AUTH_TOKEN"):
        _ = production.rasa_api_token
    with pytest.raises(SettingsError, match="ACTION_SERVER_TOKEN"):
        _ = production.action_server_secret
    assert not (tmp_path / "var" / "rasa-api.key").exists()
    placeholder = load_settings(
        {"COMPLAINTS_ENV": "production", "DASHBOARD_SECRET_KEY": "k" * 40, "RASA_AUTH_TOKEN": "r" * 40,
         "ACTION_SERVER_TOKEN": "change-me"}
    )
    with pytest.raises(SettingsError, match="ACTION_SERVER_TOKEN"):
        placeholder.check_production()


def _complaints(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)


def test_the_secret_command_prints_the_key_and_refuses_in_production(tmp_path: Path) -> None:
    env = {**os.environ, "COMPLAINTS_ROOT": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    env.pop("RASA_AUTH_TOKEN", None)
    env.pop("ACTION_SERVER_TOKEN", None)
    done = _complaints(env, "secret", "rasa-auth-token")
    assert done.returncode == 0 and done.stdout.strip() == (tmp_path / "var" / "rasa-api.key").read_text().strip()
    refused = _complaints({**env, "COMPLAINTS_ROOT": str(tmp_path / "prod"), "COMPLAINTS_ENV": "production"},
                          "secret", "action-server-token")
    assert refused.returncode == 1 and "ACTION_SERVER_TOKEN must be set" in refused.stderr


def test_the_launcher_refuses_production_without_tokens(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "COMPLAINTS_ROOT": str(tmp_path),
        "COMPLAINTS_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "RASA_PORT": "1",  # never reached: nothing may start
    }
    env.pop("RASA_AUTH_TOKEN", None)
    env.pop("ACTION_SERVER_TOKEN", None)
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "run.sh")], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "RASA_AUTH_TOKEN" in done.stderr
    assert "starting the complaint assistant" not in done.stdout


@FAST
@given(expected=st.text(min_size=1, max_size=40), presented=st.one_of(st.none(), st.text(max_size=40)))
def test_only_the_exact_secret_matches(expected: str, presented: Optional[str]) -> None:
    assert secret_matches(expected, presented) == (presented == expected)
    assert not secret_matches("", presented)


@FAST
@given(user=st.text(max_size=10).filter(lambda u: ":" not in u), password=st.text(min_size=1, max_size=30))
def test_basic_auth_carries_the_secret_as_password(user: str, password: str) -> None:
    header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    assert credential_from(header, None) == password
    assert credential_from(f"Bearer {password.strip() or 'x'}", None) == (password.strip() or "x")
    assert credential_from("", password) == password
    assert credential_from("Basic %%%not-base64", None) is None


def test_action_calls_must_have_the_shape_rasa_sdk_reads() -> None:
    good = {"next_action": "action_x", "tracker": {"sender_id": "a", "slots": {}, "events": []}, "domain": {}}
    assert action_call_problem(good) is None
    for bad in (
        [],
        {"next_action": "x"},
        {"next_action": "x", "tracker": "t"},
        {"next_action": "x", "tracker": {"sender_id": 1}},
        {"next_action": "x", "tracker": {"sender_id": "a", "slots": []}},
        {"next_action": "x", "tracker": {"sender_id": "a"}, "domain": []},
    ):
        assert action_call_problem(bad) is not None, bad

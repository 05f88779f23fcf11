"""Settings, read once from the environment.

This is the only module that reads ``os.environ``. Everything else receives a
:class:`Settings` instance (usually from :func:`get_settings`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/complaints.db"

_PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "dev", "development"}


class SettingsError(ValueError):
    """Raised when the environment holds an invalid setting."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc


def _default_outbox(database_url: str, root: Path) -> Path:
    """Where work for ``database_url`` waits when it is unavailable: beside an SQLite file, else under var/.

    An outbox belongs to one database (replaying it into another would write cases in the wrong place),
    so the default is derived from the database URL.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "outbox"
    name = "-".join(str(part) for part in (url.get_backend_name(), url.host, url.port, url.database) if part)
    return root / "var" / "outbox" / re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def _resolve_sqlite_url(url: str, root: Path) -> str:
    """Make a relative SQLite path absolute against the project root.

    ``sqlite:///var/complaints.db`` is relative; every process (Rasa, the action
    server, the CLI started from another folder) must reach the same file.
    """
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite://" or url.startswith("sqlite:////"):
        return url
    path = url[len(prefix) :]
    if path in ("", ":memory:"):
        return url
    return prefix + str((root / path).resolve())


def _sqlite_file(url: str) -> Path | None:
    """The file of an (already resolved) SQLite URL, or None for other databases and in-memory SQLite."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :].split("?", 1)[0]
    if path in ("", ":memory:"):
        return None
    return Path(path)


def _conversations_url(database_url: str) -> str:
    """Where Rasa keeps conversations when ``TRACKER_STORE_URL`` is unset.

    SQLite cases: a file of its own beside the case database (``var/conversations.db`` by default), so a
    lock on the case database never stops a conversation from being saved. A server database (PostgreSQL):
    the same database (table ``events``).
    """
    cases = _sqlite_file(database_url)
    if cases is None:
        return database_url
    name = "conversations.db" if cases.name != "conversations.db" else "conversations-rasa.db"
    return "sqlite:///" + str(cases.with_name(name))


def _tracker_journal_dir(env: Mapping[str, str], root: Path, tracker_store_url: str) -> Path:
    """Folder of the tracker store's journal (``TRACKER_JOURNAL_DIR``; default beside the conversations file)."""
    raw = env.get("TRACKER_JOURNAL_DIR", "").strip()
    if raw:
        return (root / raw).resolve()
    conversations = _sqlite_file(tracker_store_url)
    if conversations is not None:
        return conversations.parent / "tracker-journal"
    return root / "var" / "tracker-journal"


@dataclass(frozen=True)
class Settings:
    """All runtime configuration of the complaint assistant."""

    database_url: str = DEFAULT_DATABASE_URL
    environment: str = "development"
    rasa_url: str = "http://localhost:5005"
    rasa_auth_token: str = ""
    action_server_url: str = "http://localhost:5055/webhook"
    tracker_store: str = "sql"
    tracker_store_url: str = ""
    tracker_journal_dir: Path = PROJECT_ROOT / "var" / "tracker-journal"
    tracker_busy_timeout_ms: int = 1000
    tracker_retry_seconds: float = 1.5
    lock_store_url: str = ""
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_triage_channel: str = "#complaints-triage"
    slack_api_url: str = ""
    slack_supervisor_channel: str = "#complaints-supervisors"
    slack_quality_channel: str = "#quality"
    dashboard_secret_key: str = ""
    dashboard_port: int = 8000
    sla_rules_file: Path = PROJECT_ROOT / "data" / "policy" / "sla.yml"
    resolution_policy_file: Path = PROJECT_ROOT / "data" / "policy" / "resolution.yml"
    followup_delays_file: Path = PROJECT_ROOT / "data" / "policy" / "followups.yml"
    timezone: str = "Europe/London"
    sqlite_busy_timeout_ms: int = 30000
    db_answer_timeout_ms: int = 1500
    outbox_dir: Path = PROJECT_ROOT / "var" / "outbox"
    log_level: str = "INFO"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "customer-care@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    public_base_url: str = "http://localhost:8000"
    followup_interval_seconds: float = 15.0
    followup_claim_timeout_seconds: float = 300.0
    rasa_socket_url: str = "http://localhost:5005"
    webchat_secret_key: str = ""
    photos_dir: Path = PROJECT_ROOT / "var" / "photos"
    photo_max_bytes: int = 8 * 1024 * 1024
    retention_months: int = 72
    action_server_token: str = ""
    action_server_host: str = "127.0.0.1"
    project_root: Path = field(default=PROJECT_ROOT)

    @property
    def webchat_secret(self) -> str:
        """Key signing web chat session ids (``WEBCHAT_SECRET_KEY``, or a per-install key under var/).

        The chat page and the Rasa socket.io channel must share it: set it explicitly when they
        run on different machines.
        """
        if self.webchat_secret_key:
            return self.webchat_secret_key
        key_file = self.project_root / "var" / "webchat.key"
        if not key_file.exists():
            import secrets

            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    @property
    def rating_secret(self) -> str:
        """Key for one-time rating links (the dashboard key, or a per-install key under var/)."""
        if self.dashboard_secret_key:
            return self.dashboard_secret_key
        key_file = self.project_root / "var" / "rating.key"
        if not key_file.exists():
            import secrets

            key_file.parent.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    def _install_key(self, name: str, variable: str) -> str:
        """The per-install key ``var/<name>``, made on first use (development only).

        Outside development an existing key file is used but never created: the deployment must
        set ``variable`` (or provide the file) deliberately.
        """
        key_file = self.project_root / "var" / name
        if not key_file.exists():
            if self.environment != "development":
                raise SettingsError(f"{variable} must be set outside development (COMPLAINTS_ENV={self.environment})")
            import secrets

            key_file.parent.mkdir(parents=True, exist_ok=True)
            draft = key_file.with_name(f".{name}.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
            try:
                os.link(draft, key_file)  # atomic: a process starting at the same time keeps the first key
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return key_file.read_text().strip()

    @property
    def rasa_api_token(self) -> str:
        """Token of Rasa's HTTP API (``RASA_AUTH_TOKEN``, or a per-install key in var/rasa-api.key)."""
        if self.rasa_auth_token:
            return self.rasa_auth_token
        return self._install_key("rasa-api.key", "RASA_AUTH_TOKEN")

    @property
    def action_server_secret(self) -> str:
        """Secret Rasa sends to the action server (``ACTION_SERVER_TOKEN``, or var/action-server.key)."""
        if self.action_server_token:
            return self.action_server_token
        return self._install_key("action-server.key", "ACTION_SERVER_TOKEN")

    @property
    def is_sqlite(self) -> bool:
        """True when cases live in an SQLite database."""
        return self.database_url.startswith("sqlite")

    @property
    def slack_enabled(self) -> bool:
        """Slack is only switched on when both its token and signing secret are set."""
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def with_overrides(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced (handy for tests)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def check_production(self) -> None:
        """Refuse placeholder secrets outside development."""
        if self.environment == "development":
            return
        if self.dashboard_secret_key.lower() in _PLACEHOLDER_SECRETS:
            raise SettingsError("DASHBOARD_SECRET_KEY must be set to a real secret outside development")
        if self.webchat_secret_key and self.webchat_secret_key.lower() in _PLACEHOLDER_SECRETS:
            raise SettingsError("WEBCHAT_SECRET_KEY must be a real secret outside development")
        if self.rasa_auth_token.lower() in _PLACEHOLDER_SECRETS:
            raise SettingsError("RASA_AUTH_TOKEN must be set to a real secret outside development")
        if self.action_server_token and self.action_server_token.lower() in _PLACEHOLDER_SECRETS:
            raise SettingsError("ACTION_SERVER_TOKEN must be a real secret outside development")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Build :class:`Settings` from an environment mapping (default ``os.environ``)."""
    env = os.environ if env is None else env
    root = Path(env.get("COMPLAINTS_ROOT", str(PROJECT_ROOT))).resolve()
    database_url = _resolve_sqlite_url(env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL, root)
    tracker_store_url = _resolve_sqlite_url(env.get("TRACKER_STORE_URL", "").strip(), root) or _conversations_url(
        database_url
    )
    policy_dir = root / "data" / "policy"
    return Settings(
        database_url=database_url,
        environment=env.get("COMPLAINTS_ENV", "development").strip() or "development",
        rasa_url=env.get("RASA_URL", "http://localhost:5005").rstrip("/"),
        rasa_auth_token=env.get("RASA_AUTH_TOKEN", ""),
        action_server_url=env.get("ACTION_ENDPOINT_URL", "")
        or env.get("ACTION_SERVER_URL", "http://localhost:5055/webhook"),
        tracker_store=env.get("TRACKER_STORE", "sql").strip().lower() or "sql",
        tracker_store_url=tracker_store_url,
        tracker_journal_dir=_tracker_journal_dir(env, root, tracker_store_url),
        tracker_busy_timeout_ms=_int(env, "TRACKER_STORE_BUSY_TIMEOUT_MS", 1000),
        tracker_retry_seconds=_float(env, "TRACKER_STORE_RETRY_SECONDS", 1.5),
        lock_store_url=env.get("LOCK_STORE_URL", "").strip(),
        slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
        slack_triage_channel=env.get("SLACK_TRIAGE_CHANNEL", "#complaints-triage"),
        slack_api_url=env.get("SLACK_API_URL", ""),
        slack_supervisor_channel=env.get("SLACK_SUPERVISOR_CHANNEL", "#complaints-supervisors"),
        slack_quality_channel=env.get("SLACK_QUALITY_CHANNEL", "#quality"),
        dashboard_secret_key=env.get("DASHBOARD_SECRET_KEY", ""),
        dashboard_port=_int(env, "DASHBOARD_PORT", 8000),
        sla_rules_file=Path(env.get("SLA_RULES_FILE", str(policy_dir / "sla.yml"))),
        resolution_policy_file=Path(env.get("RESOLUTION_POLICY_FILE", str(policy_dir / "resolution.yml"))),
        followup_delays_file=Path(env.get("FOLLOWUP_DELAYS_FILE", str(policy_dir / "followups.yml"))),
        timezone=env.get("COMPLAINTS_TIMEZONE", "Europe/London"),
        sqlite_busy_timeout_ms=_int(env, "SQLITE_BUSY_TIMEOUT_MS", 30000),
        db_answer_timeout_ms=_int(env, "DB_ANSWER_TIMEOUT_MS", 1500),
        outbox_dir=(root / env["OUTBOX_DIR"]).resolve()
        if env.get("OUTBOX_DIR", "").strip()
        else _default_outbox(database_url, root),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        smtp_host=env.get("SMTP_HOST", ""),
        smtp_port=_int(env, "SMTP_PORT", 25),
        smtp_from=env.get("SMTP_FROM", "customer-care@localhost"),
        smtp_username=env.get("SMTP_USERNAME", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=env.get("SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        public_base_url=env.get("PUBLIC_BASE_URL", "http://localhost:8000").rstrip("/"),
        followup_interval_seconds=float(env.get("FOLLOWUP_INTERVAL_SECONDS", "") or 15),
        followup_claim_timeout_seconds=float(env.get("FOLLOWUP_CLAIM_TIMEOUT_SECONDS", "") or 300),
        rasa_socket_url=env.get("RASA_SOCKET_URL", "http://localhost:5005").rstrip("/"),
        webchat_secret_key=env.get("WEBCHAT_SECRET_KEY", ""),
        photos_dir=(root / env.get("PHOTOS_DIR", "var/photos")).resolve(),
        photo_max_bytes=_int(env, "PHOTO_MAX_BYTES", 8 * 1024 * 1024),
        retention_months=_int(env, "RETENTION_MONTHS", 72),
        action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
        action_server_host=env.get("ACTION_SERVER_HOST", "127.0.0.1").strip() or "127.0.0.1",
        project_root=root,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()

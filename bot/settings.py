"""Settings, read once from the environment (pydantic ``BaseSettings``).

This is the only module that reads ``os.environ``. Everything else receives a
:class:`Settings` instance (usually from :func:`get_settings`).

Each setting is one field: its default and its environment variable(s) are written there and
nowhere else. A variable set to blanks counts as unset. Values that follow from other settings
(an SQLite path made absolute, the conversations database beside the case database, the outbox and
tracker journal folders) are worked out by the validators below, in field order.
"""

from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from pydantic import BaseSettings, Field, ValidationError, validator
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///var/complaints.db"

_PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development"})


class SettingsError(ValueError):
    """Raised when the environment holds an invalid setting."""


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


def _sqlite_file(url: str) -> Optional[Path]:
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


def _local_url(values: Mapping[str, Any], port_field: str, path: str = "") -> str:
    """``http://localhost:<port><path>`` for a service of this machine ("" when the port itself was invalid)."""
    port = values.get(port_field)
    return "" if port is None else f"http://localhost:{port}{path}"


def _write_new_key(key_file: Path) -> None:
    """Write a random key to ``key_file`` (mode 0600) unless another process wrote one first."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    draft = key_file.with_name(f".{key_file.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32))
    try:
        os.link(draft, key_file)  # atomic: a process starting at the same time keeps the first key
    except FileExistsError:
        pass
    finally:
        draft.unlink()


class Settings(BaseSettings):
    """All runtime configuration of the complaint assistant (immutable once loaded)."""

    # Folder the relative paths below are anchored to; declared first because the validators need it.
    project_root: Path = Field(PROJECT_ROOT, env="COMPLAINTS_ROOT")
    environment: str = Field("development", env="COMPLAINTS_ENV")
    database_url: str = Field(DEFAULT_DATABASE_URL, env="DATABASE_URL")
    rasa_port: int = Field(5005, env="RASA_PORT")
    actions_port: int = Field(5055, env="ACTIONS_PORT")
    slack_port: int = Field(3000, env="SLACK_PORT")
    rasa_url: str = Field(None, env="RASA_URL")  # default: http://localhost:<rasa_port>
    rasa_auth_token: str = Field("", env="RASA_AUTH_TOKEN")
    # default: http://localhost:<actions_port>/webhook (ACTION_SERVER_URL is an older name)
    action_server_url: str = Field(None, env=["ACTION_ENDPOINT_URL", "ACTION_SERVER_URL"])
    tracker_store: str = Field("sql", env="TRACKER_STORE")
    tracker_store_url: str = Field(None, env="TRACKER_STORE_URL")  # default: derived from database_url
    tracker_journal_dir: Path = Field(None, env="TRACKER_JOURNAL_DIR")  # default: beside the conversations
    tracker_busy_timeout_ms: int = Field(1000, env="TRACKER_STORE_BUSY_TIMEOUT_MS")
    tracker_retry_seconds: float = Field(1.5, env="TRACKER_STORE_RETRY_SECONDS")
    lock_store_url: str = Field("", env="LOCK_STORE_URL")
    slack_bot_token: str = Field("", env="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", env="SLACK_SIGNING_SECRET")
    slack_triage_channel: str = Field("#complaints-triage", env="SLACK_TRIAGE_CHANNEL")
    slack_api_url: str = Field("", env="SLACK_API_URL")
    slack_supervisor_channel: str = Field("#complaints-supervisors", env="SLACK_SUPERVISOR_CHANNEL")
    slack_quality_channel: str = Field("#quality", env="SLACK_QUALITY_CHANNEL")
    dashboard_secret_key: str = Field("", env="DASHBOARD_SECRET_KEY")
    dashboard_port: int = Field(8000, env="DASHBOARD_PORT")
    sla_rules_file: Path = Field(Path("data/policy/sla.yml"), env="SLA_RULES_FILE")
    resolution_policy_file: Path = Field(Path("data/policy/resolution.yml"), env="RESOLUTION_POLICY_FILE")
    followup_delays_file: Path = Field(Path("data/policy/followups.yml"), env="FOLLOWUP_DELAYS_FILE")
    returns_policy_file: Path = Field(Path("data/policy/returns.yml"), env="RETURNS_POLICY_FILE")
    # How customers reach a person (answered directly in chat). Demo values: 0808 157 0xxx is Ofcom's range
    # kept for drama, so it rings nobody; example.com never receives mail.
    contact_phone: str = Field("0808 157 0192", env="CONTACT_PHONE")
    contact_email: str = Field("customer-care@example.com", env="CONTACT_EMAIL")
    contact_hours: str = Field("Monday to Friday 9am to 5:30pm, Saturday 10am to 4pm", env="CONTACT_HOURS")
    returns_address: str = Field(
        "Returns Department, Unit 4 Example Trading Estate, Northampton NN5 9ZZ", env="RETURNS_ADDRESS"
    )
    timezone: str = Field("Europe/London", env="COMPLAINTS_TIMEZONE")
    sqlite_busy_timeout_ms: int = Field(30000, env="SQLITE_BUSY_TIMEOUT_MS")
    db_answer_timeout_ms: int = Field(1500, env="DB_ANSWER_TIMEOUT_MS")
    outbox_dir: Path = Field(None, env="OUTBOX_DIR")  # default: derived from database_url
    log_level: str = Field("INFO", env="LOG_LEVEL")
    smtp_host: str = Field("", env="SMTP_HOST")
    smtp_port: int = Field(25, env="SMTP_PORT")
    smtp_from: str = Field("customer-care@localhost", env="SMTP_FROM")
    smtp_username: str = Field("", env="SMTP_USERNAME")
    smtp_password: str = Field("", env="SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, env="SMTP_STARTTLS")
    public_base_url: str = Field("http://localhost:8000", env="PUBLIC_BASE_URL")
    followup_interval_seconds: float = Field(15.0, env="FOLLOWUP_INTERVAL_SECONDS")
    followup_claim_timeout_seconds: float = Field(300.0, env="FOLLOWUP_CLAIM_TIMEOUT_SECONDS")
    # The whole conversation kept with its case (bot/cases/transcript_sync.py): how often the worker copies what
    # Rasa's tracker store holds after each case's snapshot, and how far back its first pass (and the CLI) looks.
    transcript_sync_seconds: float = Field(60.0, gt=0, env="TRANSCRIPT_SYNC_SECONDS")
    transcript_sync_days: int = Field(30, ge=1, env="TRANSCRIPT_SYNC_DAYS")
    rasa_socket_url: str = Field(None, env="RASA_SOCKET_URL")  # default: http://localhost:<rasa_port>
    webchat_secret_key: str = Field("", env="WEBCHAT_SECRET_KEY")
    photos_dir: Path = Field(Path("var/photos"), env="PHOTOS_DIR")
    photo_max_bytes: int = Field(8 * 1024 * 1024, env="PHOTO_MAX_BYTES")
    retention_months: int = Field(72, env="RETENTION_MONTHS")
    # Supervisor review queue (bot/reviews/sampling.py): who is picked, and how often the worker fills it.
    review_low_rating: int = Field(2, ge=1, le=5, env="REVIEW_LOW_RATING")
    review_sample_share: float = Field(0.1, ge=0.0, le=1.0, env="REVIEW_SAMPLE_SHARE")
    review_sample_seed: str = Field("", env="REVIEW_SAMPLE_SEED")
    review_fill_interval_seconds: float = Field(3600.0, gt=0, env="REVIEW_FILL_INTERVAL_SECONDS")
    action_server_token: str = Field("", env="ACTION_SERVER_TOKEN")
    action_server_host: str = Field("127.0.0.1", env="ACTION_SERVER_HOST")

    class Config:
        """Immutable; validators also run on defaults (derived values); only :func:`load_settings` reads."""

        frozen = True
        validate_all = True
        case_sensitive = True

        @classmethod
        def customise_sources(cls, init_settings: Any, env_settings: Any, file_secret_settings: Any) -> tuple[Any, ...]:
            """Values come only from :func:`load_settings`, which reads the mapping it is given."""
            return (init_settings,)

    @validator("project_root", pre=True)
    def _absolute_root(cls, value: Any) -> Path:
        return Path(value).resolve()

    @validator(
        "environment",
        "lock_store_url",
        "action_server_host",
        "contact_phone",
        "contact_email",
        "contact_hours",
        "returns_address",
    )
    def _stripped(cls, value: str) -> str:
        return value.strip()

    @validator("tracker_store")
    def _store_kind(cls, value: str) -> str:
        return value.strip().lower()

    @validator("log_level")
    def _upper_case(cls, value: str) -> str:
        return value.upper()

    @validator("public_base_url")
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @validator("rasa_url", "rasa_socket_url", pre=True, always=True)
    def _rasa_on_its_port(cls, value: Optional[str], values: dict[str, Any]) -> str:
        if value is not None:
            return value.rstrip("/")
        return _local_url(values, "rasa_port")

    @validator("action_server_url", pre=True, always=True)
    def _actions_on_their_port(cls, value: Optional[str], values: dict[str, Any]) -> str:
        return value if value is not None else _local_url(values, "actions_port", "/webhook")

    @validator("database_url")
    def _anchored_database(cls, value: str, values: dict[str, Any]) -> str:
        return _resolve_sqlite_url(value.strip(), values["project_root"])

    @validator("tracker_store_url", pre=True, always=True)
    def _conversations_database(cls, value: Optional[str], values: dict[str, Any]) -> str:
        if value is None:
            return _conversations_url(values.get("database_url", ""))
        return _resolve_sqlite_url(value.strip(), values["project_root"])

    @validator("tracker_journal_dir", pre=True, always=True)
    def _journal_beside_conversations(cls, value: Any, values: dict[str, Any]) -> Path:
        if value is not None:
            return (values["project_root"] / str(value).strip()).resolve()
        conversations = _sqlite_file(values.get("tracker_store_url", ""))
        if conversations is not None:
            return conversations.parent / "tracker-journal"
        return values["project_root"] / "var" / "tracker-journal"

    @validator("outbox_dir", pre=True, always=True)
    def _outbox_of_the_database(cls, value: Any, values: dict[str, Any]) -> Path:
        if value is not None:
            return (values["project_root"] / value).resolve()
        return _default_outbox(values.get("database_url", DEFAULT_DATABASE_URL), values["project_root"])

    @validator("sla_rules_file", "resolution_policy_file", "followup_delays_file", "returns_policy_file")
    def _policy_file(cls, value: Path, values: dict[str, Any]) -> Path:
        return values["project_root"] / value

    @validator("photos_dir")
    def _photos_folder(cls, value: Path, values: dict[str, Any]) -> Path:
        return (values["project_root"] / value).resolve()

    @validator("smtp_starttls", pre=True)
    def _yes_words(cls, value: Any) -> bool:
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")

    @property
    def webchat_secret(self) -> str:
        """Key signing web chat session ids (``WEBCHAT_SECRET_KEY``, or a per-install key under var/).

        The chat page and the Rasa socket.io channel must share it: set it explicitly when they
        run on different machines.
        """
        if self.webchat_secret_key:
            return self.webchat_secret_key
        return self._install_key("webchat.key", "WEBCHAT_SECRET_KEY", development_only=False)

    @property
    def rating_secret(self) -> str:
        """Key for one-time rating links (the dashboard key, or a per-install key under var/)."""
        if self.dashboard_secret_key:
            return self.dashboard_secret_key
        return self._install_key("rating.key", "DASHBOARD_SECRET_KEY", development_only=False)

    def _install_key(self, name: str, variable: str, development_only: bool = True) -> str:
        """The per-install key ``var/<name>``, made on first use (only in development if ``development_only``).

        Outside development an existing key file is used but never created: the deployment must
        set ``variable`` (or provide the file) deliberately.
        """
        key_file = self.project_root / "var" / name
        if not key_file.exists():
            if development_only and self.environment != "development":
                raise SettingsError(f"{variable} must be set outside development (COMPLAINTS_ENV={self.environment})")
            _write_new_key(key_file)
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

    def with_overrides(self, **changes: Any) -> Settings:
        """Return a copy with some fields replaced as given (handy for tests; nothing is re-derived)."""
        unknown = sorted(set(changes) - set(self.__fields__))
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(unknown)}")
        return self.copy(update=changes)

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


def _environment_values(env: Mapping[str, str]) -> dict[str, str]:
    """Each field's raw value: the first of its variables set to something other than blanks."""
    values: dict[str, str] = {}
    for name, field in Settings.__fields__.items():
        for variable in field.field_info.extra["env_names"]:
            raw = env.get(variable)
            if raw is not None and raw.strip():
                values[name] = raw
                break
    return values


def _problem(error: Mapping[str, Any], raw: Mapping[str, str]) -> str:
    """A one-line message naming the variable behind a pydantic error, e.g. ``DASHBOARD_PORT must be ...``."""
    name = str(error["loc"][0])
    field = Settings.__fields__[name]
    variable = next(iter(field.field_info.extra["env_names"]))
    expected = {int: "a whole number", float: "a number"}.get(field.outer_type_)
    if expected is not None:
        return f"{variable} must be {expected}, got {raw.get(name)!r}"
    return f"{variable}: {error['msg']}"


def load_settings(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Build :class:`Settings` from an environment mapping (default ``os.environ``)."""
    raw = _environment_values(os.environ if env is None else env)
    try:
        return Settings.parse_obj(raw)
    except ValidationError as exc:
        raise SettingsError(_problem(exc.errors()[0], raw)) from exc


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return load_settings()

from pathlib import Path

import pytest
import yaml

from bot.rasa_endpoints import endpoints, write_endpoints
from bot.settings import PROJECT_ROOT, SettingsError, load_settings

DURABLE = "integrations.rasa_tracker_store.DurableSQLTrackerStore"


def test_default_tracker_store_is_its_own_sqlite_file_beside_the_cases() -> None:
    config = endpoints(load_settings({}))
    assert config["action_endpoint"]["url"] == "http://localhost:5055/webhook"
    assert config["action_endpoint"]["basic_auth"]["password"]  # the action server's shared secret
    assert config["tracker_store"] == {
        "type": DURABLE,
        "dialect": "sqlite",
        "db": str(PROJECT_ROOT / "var" / "conversations.db"),
        "journal_dir": str(PROJECT_ROOT / "var" / "tracker-journal"),
        "busy_timeout_ms": 1000,
        "retry_seconds": 1.5,
    }
    assert "lock_store" not in config


def test_conversations_follow_a_relocated_sqlite_case_database(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'cases.db'}"})
    assert settings.tracker_store_url == f"sqlite:///{tmp_path / 'conversations.db'}"
    tracker = endpoints(settings)["tracker_store"]
    assert tracker["db"] == str(tmp_path / "conversations.db")
    assert tracker["journal_dir"] == str(tmp_path / "tracker-journal")


def test_tracker_settings_and_override() -> None:
    settings = load_settings(
        {
            "TRACKER_STORE_URL": "sqlite:///var/chats.db",
            "TRACKER_JOURNAL_DIR": "var/journal",
            "TRACKER_STORE_BUSY_TIMEOUT_MS": "2500",
            "TRACKER_STORE_RETRY_SECONDS": "4.5",
        }
    )
    tracker = endpoints(settings)["tracker_store"]
    assert tracker["db"] == str(PROJECT_ROOT / "var" / "chats.db")
    assert tracker["journal_dir"] == str(PROJECT_ROOT / "var" / "journal")
    assert tracker["busy_timeout_ms"] == 2500 and tracker["retry_seconds"] == 4.5
    with pytest.raises(SettingsError, match="TRACKER_STORE_RETRY_SECONDS"):
        load_settings({"TRACKER_STORE_RETRY_SECONDS": "soon"})


def test_postgresql_and_redis_for_production() -> None:
    config = endpoints(
        load_settings(
            {
                "DATABASE_URL": "postgresql+psycopg2://app:pw@db.internal:5433/complaints",
                "LOCK_STORE_URL": "redis://:redispw@cache.internal:6380/2",
                "ACTION_ENDPOINT_URL": "http://actions:5055/webhook",
            }
        )
    )
    assert config["action_endpoint"]["url"] == "http://actions:5055/webhook"
    tracker = config["tracker_store"]
    assert {k: v for k, v in tracker.items() if k not in ("journal_dir", "busy_timeout_ms", "retry_seconds")} == {
        "type": DURABLE,  # the same PostgreSQL database as the cases (table `events`)
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "complaints",
        "port": 5433,
        "username": "app",
        "password": "pw",
    }
    assert config["lock_store"] == {
        "type": "integrations.rasa_lock_store.RecoveringRedisLockStore",
        "url": "cache.internal",
        "port": 6380,
        "db": 2,
        "password": "redispw",
    }


def test_memory_tracker_store_when_asked() -> None:
    assert "tracker_store" not in endpoints(load_settings({"TRACKER_STORE": "memory"}))


def test_written_file_is_private(tmp_path: Path) -> None:
    path = write_endpoints(load_settings({"DATABASE_URL": "postgresql://u:secret@h/d"}), tmp_path / "e.yml")
    assert path.stat().st_mode & 0o077 == 0
    assert yaml.safe_load(path.read_text())["tracker_store"]["password"] == "secret"

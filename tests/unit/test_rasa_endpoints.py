from pathlib import Path

import yaml

from bot.rasa_endpoints import endpoints, write_endpoints
from bot.settings import load_settings


def test_default_tracker_store_is_the_project_sqlite_database() -> None:
    config = endpoints(load_settings({}))
    assert config["action_endpoint"]["url"] == "http://localhost:5055/webhook"
    assert config["action_endpoint"]["basic_auth"]["password"]  # the action server's shared secret
    assert config["tracker_store"]["type"] == "SQL" and config["tracker_store"]["dialect"] == "sqlite"
    assert config["tracker_store"]["db"].endswith("var/complaints.db")
    assert "lock_store" not in config


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
    assert config["tracker_store"] == {
        "type": "SQL",
        "dialect": "postgresql",
        "url": "db.internal",
        "db": "complaints",
        "port": 5433,
        "username": "app",
        "password": "pw",
    }
    assert config["lock_store"] == {
        "type": "redis",
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

import pytest

from bot.settings import PROJECT_ROOT, SettingsError, load_settings


def test_defaults_are_embedded_sqlite_without_slack() -> None:
    settings = load_settings({})
    assert settings.database_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'complaints.db'}"
    assert settings.is_sqlite
    assert not settings.slack_enabled


def test_relative_sqlite_paths_are_anchored_to_the_project() -> None:
    settings = load_settings({"DATABASE_URL": "sqlite:///var/other.db"})
    assert settings.database_url.endswith("/var/other.db")
    assert settings.database_url.startswith(f"sqlite:///{PROJECT_ROOT}")


def test_absolute_and_server_urls_are_kept() -> None:
    assert load_settings({"DATABASE_URL": "sqlite:////tmp/x.db"}).database_url == "sqlite:////tmp/x.db"
    url = "postgresql+psycopg2://u:p@db:5432/complaints"
    assert load_settings({"DATABASE_URL": url}).database_url == url


def test_slack_needs_both_token_and_secret() -> None:
    assert not load_settings({"SLACK_BOT_TOKEN": "xoxb-1"}).slack_enabled
    assert load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}).slack_enabled


def test_bad_numbers_are_named() -> None:
    with pytest.raises(SettingsError, match="DASHBOARD_PORT"):
        load_settings({"DASHBOARD_PORT": "eighty"})


def test_placeholder_secrets_are_refused_outside_development() -> None:
    settings = load_settings({"COMPLAINTS_ENV": "production", "DASHBOARD_SECRET_KEY": "change-me"})
    with pytest.raises(SettingsError, match="DASHBOARD_SECRET_KEY"):
        settings.check_production()
    load_settings({}).check_production()  # development accepts the defaults

from pathlib import Path

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


def test_every_default_lives_in_its_field() -> None:
    settings = load_settings({})
    assert settings.action_server_url == "http://localhost:5055/webhook"
    assert settings.sla_rules_file == PROJECT_ROOT / "data" / "policy" / "sla.yml"
    assert settings.outbox_dir == PROJECT_ROOT / "var" / "outbox"
    assert settings.photos_dir == PROJECT_ROOT / "var" / "photos"
    assert settings.tracker_store_url == f"sqlite:///{PROJECT_ROOT / 'var' / 'conversations.db'}"


def test_blank_variables_count_as_unset_and_the_endpoint_has_two_names() -> None:
    assert load_settings({"DATABASE_URL": "  ", "OUTBOX_DIR": ""}) == load_settings({})
    assert load_settings({"ACTION_SERVER_URL": "http://a:1/webhook"}).action_server_url == "http://a:1/webhook"
    both = {"ACTION_ENDPOINT_URL": "http://b:2/webhook", "ACTION_SERVER_URL": "http://a:1/webhook"}
    assert load_settings(both).action_server_url == "http://b:2/webhook"
    assert load_settings({**both, "ACTION_ENDPOINT_URL": ""}).action_server_url == "http://a:1/webhook"


def test_derived_values_follow_the_database_and_the_root(tmp_path: Path) -> None:
    settings = load_settings({"COMPLAINTS_ROOT": str(tmp_path), "DATABASE_URL": "sqlite:///data/cases.db"})
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'data' / 'cases.db'}"
    assert settings.outbox_dir == tmp_path.resolve() / "data" / "outbox"
    assert settings.tracker_journal_dir == tmp_path.resolve() / "data" / "tracker-journal"
    server = load_settings({"DATABASE_URL": "postgresql+psycopg2://u:p@db:5432/complaints"})
    assert server.tracker_store_url == server.database_url
    assert server.outbox_dir == PROJECT_ROOT / "var" / "outbox" / "postgresql-db-5432-complaints"


def test_values_are_normalised_as_documented() -> None:
    settings = load_settings(
        {"RASA_URL": "http://rasa:5005/", "TRACKER_STORE": " Memory ", "LOG_LEVEL": "debug", "SMTP_STARTTLS": "Yes"}
    )
    assert settings.rasa_url == "http://rasa:5005" and settings.tracker_store == "memory"
    assert settings.log_level == "DEBUG" and settings.smtp_starttls is True
    assert load_settings({"SMTP_STARTTLS": "on"}).smtp_starttls is False  # only 1, true, yes switch it on


def test_settings_are_immutable_and_overrides_make_copies() -> None:
    settings = load_settings({})
    with pytest.raises(TypeError):
        settings.rasa_url = "http://elsewhere"  # type: ignore[misc]
    changed = settings.with_overrides(dashboard_port=9000)
    assert changed.dashboard_port == 9000 and settings.dashboard_port == 8000
    with pytest.raises(TypeError, match="dashboard_prot"):
        settings.with_overrides(dashboard_prot=9000)


def test_every_bad_number_is_named_with_its_value() -> None:
    with pytest.raises(SettingsError, match="FOLLOWUP_INTERVAL_SECONDS must be a number, got 'soon'"):
        load_settings({"FOLLOWUP_INTERVAL_SECONDS": "soon"})
    with pytest.raises(SettingsError, match="SMTP_PORT must be a whole number, got '25.5'"):
        load_settings({"SMTP_PORT": "25.5"})


def test_local_endpoints_follow_the_ports_unless_set() -> None:
    settings = load_settings({"RASA_PORT": "6005", "ACTIONS_PORT": "6055"})
    assert settings.rasa_url == settings.rasa_socket_url == "http://localhost:6005"
    assert settings.action_server_url == "http://localhost:6055/webhook"
    assert (settings.dashboard_port, settings.slack_port) == (8000, 3000)
    pinned = load_settings({"RASA_PORT": "6005", "RASA_URL": "http://rasa.internal:5005/"})
    assert pinned.rasa_url == "http://rasa.internal:5005" and pinned.rasa_socket_url == "http://localhost:6005"


def test_contact_details_and_returns_address_have_demo_defaults_and_can_be_set() -> None:
    settings = load_settings({})
    assert settings.contact_phone == "0808 157 0192"  # Ofcom's drama range: rings nobody
    assert settings.contact_email == "customer-care@example.com"
    assert settings.contact_hours == "Monday to Friday 9am to 5:30pm, Saturday 10am to 4pm"
    assert settings.returns_address and "Returns" in settings.returns_address
    assert settings.returns_policy_file == PROJECT_ROOT / "data" / "policy" / "returns.yml"
    custom = load_settings(
        {
            "CONTACT_PHONE": " 0161 496 0000 ",
            "CONTACT_EMAIL": "help@shop.example",
            "CONTACT_HOURS": "Every day 8am to 8pm",
            "RETURNS_ADDRESS": "Returns, 1 Mill Lane, Leeds LS1 1AA",
            "RETURNS_POLICY_FILE": "policy/returns.yml",
        }
    )
    assert (custom.contact_phone, custom.contact_email) == ("0161 496 0000", "help@shop.example")
    assert custom.contact_hours == "Every day 8am to 8pm"
    assert custom.returns_address == "Returns, 1 Mill Lane, Leeds LS1 1AA"
    assert custom.returns_policy_file == PROJECT_ROOT / "policy" / "returns.yml"


def test_env_example_documents_the_contact_and_returns_settings() -> None:
    documented = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    for variable in ("CONTACT_PHONE", "CONTACT_EMAIL", "CONTACT_HOURS", "RETURNS_ADDRESS", "RETURNS_POLICY_FILE"):
        assert variable in documented

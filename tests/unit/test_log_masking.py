"""Log masking: personal data and secrets never reach a log line (property-based and examples)."""

from __future__ import annotations

import io
import logging
from typing import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy.log_masking import PersonalDataFilter, install_log_masking, mask_text, settings_secrets
from bot.settings import load_settings

WORDS = st.sampled_from(
    [
        "the", "heel", "came", "off", "my", "boots", "case", "CS-2026-000123", "order", "ORD-100234", "batch",
        "B-2026-04", "sole", "stitching", "status", "resolved", "in", "days", "sku", "HC-CHELSEA-BRN-42",
        "took", "ms", "2026-11-23", "12:30:01", "3.25", "sent", "ok", "GET", "/cases?status=new", "200",
    ]
)  # fmt: skip
NUMBERS = st.integers(min_value=0, max_value=99_999).map(str)
SAFE_TEXT = st.lists(st.one_of(WORDS, NUMBERS), max_size=25).map(" ".join)

LOCAL = st.from_regex(r"[a-z][a-z0-9._+-]{0,15}[a-z0-9]", fullmatch=True)
DOMAIN = st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(com|co\.uk|org|example)", fullmatch=True)
EMAILS = st.builds(lambda local, domain, upper: (f"{local}@{domain}".upper() if upper else f"{local}@{domain}"),
                   LOCAL, DOMAIN, st.booleans())  # fmt: skip
UK_MOBILE = st.from_regex(r"07\d{3} ?\d{6}", fullmatch=True)
UK_INTL = st.from_regex(r"\+44 ?7\d{3} ?\d{3} ?\d{3}", fullmatch=True)
LANDLINE = st.from_regex(r"\(0\d{2,4}\) ?\d{3,4} ?\d{4}", fullmatch=True)
PHONES = st.one_of(UK_MOBILE, UK_INTL, LANDLINE)

# Token-shaped test values are assembled at run time so no token-like literal sits in the repository.
FAKE_SLACK_TOKEN = "-".join(["xox" + "b", "1234", "5678", "AbCdEf"])
FAKE_SHORT_TOKEN = "-".join(["xox" + "b", "abc", "123"])


@given(before=SAFE_TEXT, after=SAFE_TEXT, email=EMAILS)
@settings(max_examples=300, deadline=None)
def test_an_email_in_any_text_is_masked(before: str, after: str, email: str) -> None:
    masked = mask_text(f"{before} {email} {after}")
    assert email not in masked and email.split("@")[1] not in masked
    assert "[email]" in masked


@given(before=SAFE_TEXT, after=SAFE_TEXT, phone=PHONES, glue=st.sampled_from([" ", ": ", " (", ", "]))
@settings(max_examples=300, deadline=None)
def test_a_phone_number_in_any_text_is_masked(before: str, after: str, phone: str, glue: str) -> None:
    masked = mask_text(f"{before}{glue}{phone} {after}")
    digits = "".join(ch for ch in phone if ch.isdigit())
    assert digits not in "".join(ch for ch in masked if ch.isdigit() or ch == "[")
    assert "[phone]" in masked


@given(text=SAFE_TEXT)
@settings(max_examples=300, deadline=None)
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("I live at 12 High Street, Leeds LS1 4AB", "I live at [address], Leeds [postcode]"),
        ("postcode sw1a 1aa please", "postcode [postcode] please"),
        (f"token {FAKE_SLACK_TOKEN} posted", "token [secret] posted"),
        ("GET /rating?token=abc.def-123&x=1", "GET /rating?token=[secret]&x=1"),
        ("Authorization: Bearer abcdefgh12345678", "Authorization: Bearer [secret]"),
    ],
)
def test_addresses_postcodes_and_secrets_are_masked(raw: str, expected: str) -> None:
    assert mask_text(raw) == expected


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("test.log_masking")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)


def test_filter_masks_arguments_exceptions_and_configured_secrets(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    install_log_masking(["s3cr3t-rasa-token-value"], logger=logger)
    logger.info("customer %s phoned from %s", "ann.lee@example.co.uk", "+44 7700 900321")
    logger.warning("calling http://rasa:5005/model?token=s3cr3t-rasa-token-value")
    logger.warning("auth header was s3cr3t-rasa-token-value")
    try:
        raise ValueError("no customer ann.lee@example.co.uk")
    except ValueError:
        logger.exception("lookup failed")
    logged = stream.getvalue()
    assert "ann.lee" not in logged and "7700" not in logged and "s3cr3t" not in logged
    assert "customer [email] phoned from [phone]" in logged
    assert "ValueError: no customer [email]" in logged
    assert all(isinstance(f, PersonalDataFilter) for f in logger.handlers[0].filters)
    install_log_masking([], logger=logger)  # idempotent: still one filter
    assert len(logger.handlers[0].filters) == 1


def test_settings_secrets_include_tokens_from_the_environment(tmp_path: object) -> None:
    loaded = load_settings(
        {"RASA_AUTH_TOKEN": "rasa-token-123456", "SLACK_BOT_TOKEN": FAKE_SHORT_TOKEN, "COMPLAINTS_ROOT": str(tmp_path)}
    )
    secrets = settings_secrets(loaded)
    assert "rasa-token-123456" in secrets and FAKE_SHORT_TOKEN in secrets
    assert mask_text("token is rasa-token-123456", secrets) == "token is [secret]"


def test_importing_the_actions_package_masks_the_action_server_logs(tmp_path: object) -> None:
    """``rasa run actions --actions actions`` imports the package after configuring logging."""
    import os
    import subprocess
    import sys

    code = (
        "import logging; logging.basicConfig(format='%(message)s'); import actions; "
        "logging.getLogger('rasa_sdk.executor').warning('slot email=%s phone=%s', 'ann@example.org', '07700 900456')"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "RASA_AUTH_TOKEN": "rasa-secret-token-1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "slot email=[email] phone=[phone]" in done.stderr and "ann@example.org" not in done.stderr

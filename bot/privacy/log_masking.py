"""Mask personal data and secrets in application logs.

:class:`PersonalDataFilter` rewrites each log record's message (and exception text) so that e-mail
addresses, phone numbers, UK postcodes, street addresses, Slack tokens, ``token=`` query parameters
and known secret values never reach a log file. :func:`install_log_masking` puts it on every root
handler and also masks records as they are created, so handlers added later are covered too.
Entry points do not call it directly: :func:`bot.logging_setup.configure_logging` does, once per process.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

from bot.patterns import EMAIL, PHONE

if TYPE_CHECKING:
    from bot.settings import Settings

UK_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
STREET = re.compile(
    r"\b\d{1,4}[A-Za-z]?,? +(?:[A-Z][a-z'-]+ +){1,3}"
    r"(?:Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Court|Ct|Place|Pl|Gardens|Crescent|Terrace|"
    r"Square|Grove|Hill|Row|Mews|Walk|Parade|Park)\b\.?"
)
SLACK_TOKEN = re.compile(r"\bxox[abpr]-[A-Za-z0-9-]+")
TOKEN_PARAM = re.compile(r"(?i)(\b(?:[a-z_]*token|secret|password|api_key|key)=)[^&\s\"']+")
BEARER = re.compile(r"(?i)(\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}")

MASKS = {
    "email": "[email]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "address": "[address]",
    "secret": "[secret]",
}


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with personal data (e-mail, phone, postcode, street address) and secrets replaced by markers."""
    if not text:
        return text
    for secret in sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True):
        text = text.replace(secret, MASKS["secret"])
    text = SLACK_TOKEN.sub(MASKS["secret"], text)
    text = TOKEN_PARAM.sub(lambda m: m.group(1) + MASKS["secret"], text)
    text = BEARER.sub(lambda m: m.group(1) + MASKS["secret"], text)
    text = EMAIL.sub(MASKS["email"], text)
    text = STREET.sub(MASKS["address"], text)
    text = UK_POSTCODE.sub(MASKS["postcode"], text)
    text = PHONE.sub(MASKS["phone"], text)
    return text


class PersonalDataFilter(logging.Filter):
    """A logging filter that masks personal data and secrets in every record it sees (never drops one)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the record's message, exception and stack text with masked text; always keeps the record."""
        mask_record(record, self.secrets)
        return True


def mask_record(record: logging.LogRecord, secrets: Iterable[str] = ()) -> None:
    """Mask one record in place (message with its arguments merged, exception and stack text)."""
    if getattr(record, "_personal_data_masked", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep the raw text, still masked
        message = f"{record.msg} {record.args}"
    record.msg = mask_text(message, secrets)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text, secrets)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info, secrets)
    record._personal_data_masked = True


_installed: dict[str, Any] = {"factory": None, "secrets": ()}


def install_log_masking(secrets: Iterable[str] = (), logger: Optional[logging.Logger] = None) -> PersonalDataFilter:
    """Put the masking filter on every handler of the root logger (or ``logger``) and mask new records.

    Safe to call more than once (each handler gets one filter; the secrets are merged).
    :func:`bot.logging_setup.configure_logging` calls it after setting the format; records are also
    masked when created, which covers handlers that libraries (Rasa, Sanic, waitress) add afterwards.
    """
    merged = tuple(dict.fromkeys([*_installed["secrets"], *(s for s in secrets if s)]))
    _installed["secrets"] = merged
    target = logger or logging.getLogger()
    masking = PersonalDataFilter(merged)
    for handler in target.handlers:
        for existing in handler.filters:
            if isinstance(existing, PersonalDataFilter):
                existing.secrets = merged
                break
        else:
            handler.addFilter(masking)
    if _installed["factory"] is None:
        previous: Callable[..., logging.LogRecord] = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            mask_record(record, _installed["secrets"])
            return record

        logging.setLogRecordFactory(factory)
        _installed["factory"] = factory
    return masking


def settings_secrets(settings: Settings) -> list[str]:
    """The secret values of a :class:`bot.settings.Settings` that must never be logged."""
    names = (
        "rasa_auth_token",
        "slack_bot_token",
        "slack_signing_secret",
        "dashboard_secret_key",
        "webchat_secret_key",
        "smtp_password",
        "action_server_token",
    )
    values = [str(getattr(settings, name) or "") for name in names]
    for key_name in ("rasa-api.key", "action-server.key", "webchat.key", "rating.key"):
        try:  # per-install keys used when the variables are unset (read, never created here)
            values.append((settings.project_root / "var" / key_name).read_text().strip())
        except OSError:
            continue
    return [v for v in values if len(v) >= 6]


def install_for_settings(settings: Settings) -> PersonalDataFilter:
    """Install masking with the secrets of ``settings`` (called by ``configure_logging``)."""
    return install_log_masking(settings_secrets(settings))

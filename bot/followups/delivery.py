"""Reaching the customer: by email with a one-time rating link, or in chat, whichever fits the case.

The chat deliverer talks to Rasa and so lives in ``integrations/followup_delivery.py``; this module
holds what does not depend on Rasa: the :class:`Deliverer` protocol, :class:`EmailDeliverer`, rating
tokens and the :class:`ChannelRouter` that picks chat or email.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Optional, Protocol

from bot.cases.deferred import AnnounceFailed, CaseLoggedNotice
from bot.followups.queue import DueFollowUp
from bot.settings import Settings

CHAT_CHANNELS = frozenset({"rest", "socketio", "slack"})


class DeliveryError(Exception):
    """Delivery failed; ``retryable`` says whether trying again later may help."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class Deliverer(Protocol):
    """Something that can put a follow-up in front of the customer."""

    def deliver(self, item: DueFollowUp) -> str:
        """Deliver ``item``; return how ("chat" or "email"); raise DeliveryError on failure."""

    def announce(self, notice: CaseLoggedNotice) -> str:
        """Give the customer the reference of a complaint saved late; raise DeliveryError on failure."""


def _digest(secret: str, key: str) -> str:
    return hmac.new(secret.encode(), key.encode(), hashlib.sha256).hexdigest()[:32]


def rating_token(secret: str, key: str) -> str:
    """A URL-safe token for the one-time rating link of follow-up ``key`` (HMAC, so it cannot be forged)."""
    encoded = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
    return f"{encoded}.{_digest(secret, key)}"


def check_rating_token(secret: str, token: str) -> Optional[str]:
    """The follow-up key a rating token stands for, or None if it is forged or malformed."""
    encoded, _, digest = token.partition(".")
    try:
        key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not key or not hmac.compare_digest(_digest(secret, key), digest):
        return None
    return key


@dataclass
class EmailDeliverer:
    """Sends the follow-up by email with a one-time rating link to the web app."""

    host: str
    port: int
    sender: str
    public_url: str
    secret: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 30.0

    def message(self, item: DueFollowUp) -> EmailMessage:
        """The email for ``item``."""
        if not item.customer_email:
            raise DeliveryError("the customer has no email address", retryable=False)
        link = f"{self.public_url.rstrip('/')}/rate/{rating_token(self.secret, item.key)}"
        what = item.product_name or "your item"
        msg = EmailMessage()
        msg["Subject"] = f"Is everything sorted? (case {item.case_reference})"
        msg["From"] = self.sender
        msg["To"] = item.customer_email
        # A stable Message-ID lets mail systems drop a duplicate if a send is ever retried.
        msg["Message-ID"] = f"<{hashlib.sha256(item.key.encode()).hexdigest()[:24]}@complaints>"
        greeting = f"Dear {item.customer_name}," if item.customer_name else "Hello,"
        msg.set_content(
            f"{greeting}\n\nWe recently resolved your case {item.case_reference} about {what}.\n"
            "Has the problem been solved, and how satisfied are you with how we handled it?\n\n"
            f"Please tell us here (it takes a few seconds): {link}\n\n"
            "If the problem is not solved, we will reopen your case straight away.\n\nCustomer Care\n"
        )
        return msg

    def deliver(self, item: DueFollowUp) -> str:
        """Send the follow-up email through the configured SMTP server."""
        self.send(self.message(item))
        return "email"

    def announce(self, notice: CaseLoggedNotice) -> str:
        """Email the customer the reference of a complaint saved late."""
        if not notice.customer_email:
            raise DeliveryError("the customer has no email address", retryable=False)
        msg = EmailMessage()
        msg["Subject"] = f"Your complaint is logged: case {notice.reference}"
        msg["From"] = self.sender
        msg["To"] = notice.customer_email
        msg["Message-ID"] = f"<{hashlib.sha256(('logged:' + notice.reference).encode()).hexdigest()[:24]}@complaints>"
        greeting = f"Dear {notice.customer_name}," if notice.customer_name else "Hello,"
        msg.set_content(
            f"{greeting}\n\nThank you for your patience. The complaint you confirmed with our assistant is now "
            f"logged.\nYour reference is {notice.reference}; please keep it handy.\n\n"
            "A member of our team will be in touch, and we will check with you that everything is sorted.\n\n"
            "Customer Care\n"
        )
        self.send(msg)
        return "email"

    def send(self, msg: EmailMessage) -> None:
        """Send ``msg`` through the configured SMTP server."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"email not sent: {exc}") from exc


def email_deliverer(settings: Settings) -> Optional[EmailDeliverer]:
    """The e-mail deliverer of ``settings``, or None when no SMTP server is configured."""
    if not settings.smtp_host:
        return None
    return EmailDeliverer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        public_url=settings.public_base_url,
        secret=settings.rating_secret,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )


@dataclass
class ChannelRouter:
    """Chat when the customer came through a chat channel, email otherwise (or if chat is impossible)."""

    chat: Optional[Deliverer]
    email: Optional[Deliverer]

    def deliver(self, item: DueFollowUp) -> str:
        """Deliver on the best channel for ``item``."""
        if self.chat is not None and item.conversation_id and item.channel in CHAT_CHANNELS:
            try:
                return self.chat.deliver(item)
            except DeliveryError as exc:
                if exc.retryable or self.email is None:
                    raise
        if self.email is not None:
            return self.email.deliver(item)
        raise DeliveryError("no way to reach this customer (no chat conversation and no email set up)", False)

    def announce(self, notice: CaseLoggedNotice) -> str:
        """Give the customer a late case reference: in their chat, else by email."""
        try:
            if self.chat is not None and notice.conversation_id and notice.channel in CHAT_CHANNELS:
                try:
                    return self.chat.announce(notice)
                except DeliveryError as exc:
                    if exc.retryable or self.email is None:
                        raise
            if self.email is not None:
                return self.email.announce(notice)
            raise DeliveryError("no way to reach this customer (no chat conversation and no email set up)", False)
        except DeliveryError as exc:
            raise AnnounceFailed(str(exc), exc.retryable) from exc


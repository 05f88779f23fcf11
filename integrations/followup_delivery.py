"""Follow-ups and late case references in the customer's chat, through Rasa's ``trigger_intent``.

:class:`RasaDeliverer` is the chat half of :class:`bot.followups.delivery.ChannelRouter`; it talks to
Rasa through :class:`integrations.rasa_client.RasaClient`, which never sends a ``trigger_intent`` twice
(a failed attempt is reported, and the follow-up queue decides when to try again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from bot.cases.deferred import CaseLoggedNotice
from bot.followups.delivery import ChannelRouter, Deliverer, DeliveryError, email_deliverer
from bot.followups.queue import DueFollowUp
from bot.settings import Settings
from integrations.rasa_client import RasaClient, RasaError, RetryPolicy

FOLLOWUP_INTENT = "EXTERNAL_followup"
CASE_LOGGED_INTENT = "EXTERNAL_case_logged"


@dataclass
class RasaDeliverer:
    """Asks Rasa to start the satisfaction conversation on the customer's own channel."""

    rasa_url: str
    token: str = ""
    timeout: float = 30.0
    client: Optional[RasaClient] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = RasaClient(self.rasa_url, self.token, RetryPolicy(read_timeout=self.timeout))

    def deliver(self, item: DueFollowUp) -> str:
        """POST /conversations/{id}/trigger_intent with the latest output channel of the conversation."""
        if not item.conversation_id:
            raise DeliveryError("the case has no conversation to follow up in", retryable=False)
        self.trigger(
            item.conversation_id, FOLLOWUP_INTENT, {"followup_key": item.key, "case_reference": item.case_reference}
        )
        return "chat"

    def announce(self, notice: CaseLoggedNotice) -> str:
        """Tell the customer, in their conversation, the reference of a complaint saved late."""
        if not notice.conversation_id:
            raise DeliveryError("the case has no conversation", retryable=False)
        self.trigger(notice.conversation_id, CASE_LOGGED_INTENT, {"case_reference": notice.reference})
        return "chat"

    def trigger(self, conversation_id: str, intent: str, entities: dict[str, str]) -> None:
        """Inject ``intent`` into the conversation; Rasa answers on the conversation's latest channel."""
        assert self.client is not None  # set in __post_init__
        try:
            self.client.trigger_intent(conversation_id, intent, entities, output_channel="latest")
        except RasaError as exc:
            raise DeliveryError(str(exc), retryable=exc.retryable) from exc


def default_deliverer(settings: Settings) -> Deliverer:
    """Chat through Rasa, with email as the fallback when SMTP is configured."""
    chat = RasaDeliverer(settings.rasa_url, settings.rasa_api_token)
    return ChannelRouter(chat=chat, email=email_deliverer(settings))

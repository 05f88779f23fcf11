"""Who may see an order's or a case's details: the one check shared by case status, order status and refunds."""

from __future__ import annotations

from typing import Optional


def owns(
    owner_email: Optional[str],
    given_email: Optional[str],
    owner_conversation: Optional[str] = None,
    sender_id: Optional[str] = None,
) -> bool:
    """True when the customer asking is the owner: the same conversation, or the owner's e-mail address given."""
    if owner_conversation and sender_id and owner_conversation == sender_id:
        return True
    return bool(given_email and owner_email and given_email.strip().lower() == owner_email.strip().lower())

"""Who may see an order's or a case's details: the one check shared by case status, order status and refunds."""

from __future__ import annotations

from typing import Iterable, Optional

from bot.patterns import EMAIL


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


def proven_email(email: Optional[str], customer_texts: Iterable[str]) -> Optional[str]:
    """``email`` when the customer typed it in this conversation, else None.

    An address filled in from an order the customer only named (the complaint form does that) proves nothing:
    anyone can type an order number. Only an address the customer wrote themselves counts as proof.
    """
    if not email:
        return None
    wanted = email.strip().lower()
    for text in customer_texts:
        if any(found.group().rstrip(".").lower() == wanted for found in EMAIL.finditer(text or "")):
            return email
    return None

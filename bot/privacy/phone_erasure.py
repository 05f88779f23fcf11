"""Erasure of a customer known only by a phone number (a call-back request that gave no e-mail address).

Such a customer has a row with a phone number and no e-mail (each such call-back its own row, see
bot/cases/opening.py), so ``complaints erase --customer EMAIL`` cannot reach them. ``--phone NUMBER`` finds every
row with the same number however it was typed (``07700 900123``, ``+44 7700 900123``: bot.patterns.same_phone)
and erases it like the e-mail route (bot/privacy/erasure.py): their cases' personal data, audit events,
transcripts, photos and Rasa conversations, each case with a ``personal_data_erased`` event.

A customer with an e-mail address who also gave that number is not erased: a number alone does not prove that
the person asking is them (a shared household or work number). They are only counted (``others_with_number``) so
the operator can erase them with ``--customer EMAIL`` once they know it is the same person; conversations that
belong to their cases are left alone.
"""

from __future__ import annotations

import logging
import re
from typing import Iterable, Optional

from sqlalchemy import or_, select

from bot.cases.models import Case, Customer
from bot.cases.store import Store
from bot.cases.unit_of_work import UnitOfWork
from bot.patterns import PHONE, find_phone, same_phone
from bot.privacy.erasure import ErasureReport, commit_erasure, conversations_of, erase_customers, salted_digest

log = logging.getLogger(__name__)


def is_same_number(written: Optional[str], same: re.Pattern[str]) -> bool:
    """True when ``written`` is the number ``same`` stands for (``+44 (0)7700 900123`` included)."""
    return bool(written) and same.fullmatch(str(written).replace("(0)", "").strip()) is not None


def _known_by_number(uow: UnitOfWork, same: re.Pattern[str]) -> list[Customer]:
    rows = uow.session.execute(select(Customer).where(Customer.phone.is_not(None)).order_by(Customer.id))
    return [customer for customer in rows.scalars() if is_same_number(customer.phone, same)]


def _mentioning(store: Store, uow: UnitOfWork, number: str, same: re.Pattern[str], erased: Iterable[int]) -> list[str]:
    """Conversations in which the customer wrote the number, except those of other customers' cases."""
    conversations = conversations_of(store)
    digits = re.sub(r"\D", "", number)
    said = [
        conversation_id
        for conversation_id in conversations.mentioning(digits[-3:])  # a cheap first cut in SQL, then exactly
        if any(
            is_same_number(found.group(), same)
            for line in conversations.transcript(conversation_id) or []
            for found in PHONE.finditer(str(line.get("text") or ""))
        )
    ]
    if not said:
        return []
    others = uow.session.execute(
        select(Case.conversation_id).where(
            Case.conversation_id.in_(said), or_(Case.customer_id.is_(None), Case.customer_id.not_in(sorted(erased)))
        )
    )
    kept = set(others.scalars())
    return [conversation_id for conversation_id in said if conversation_id not in kept]


def erase_phone_customer(store: Store, phone: str, actor: str, dry_run: bool = False) -> ErasureReport:
    """Erase the personal data of the customer(s) known only by ``phone``, all or nothing.

    Refused (nothing changed) when any of their cases is under legal hold. Running it again finds nobody and does
    nothing. Customers with an e-mail address who gave the same number are counted, not erased (module docstring).
    """
    number = find_phone(phone or "")
    same = same_phone(number or "")
    if number is None or same is None:
        raise ValueError("give the customer's phone number, with its area or country code")
    report = ErasureReport(dry_run=dry_run)
    with store.unit_of_work() as uow:
        matching = _known_by_number(uow, same)
        customers = [customer for customer in matching if not customer.email]
        report.others_with_number = len(matching) - len(customers)
        if not customers:
            report.note = "no customer known only by that phone number (never known, already erased, or has an e-mail)"
            return report
        erased = [customer.id for customer in customers]
        erase_customers(uow, store, customers, actor, report)
        report.add_conversations(_mentioning(store, uow, number, same, erased))
        if not commit_erasure(store, uow, report):
            return report
    tag = salted_digest(re.sub(r"\D", "", number)[-10:])
    log.info("erased personal data of phone-only customer %s: %d case(s)", tag, len(report.cases))
    return report

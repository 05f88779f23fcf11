"""Dashboard users: creation, password hashing and sign-in checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from bot.cases.models import User
from bot.cases.store import Store
from bot.patterns import is_email

ROLES = ("supervisor", "agent")
MIN_PASSWORD_LENGTH = 10
# A hash to compare against when the e-mail is unknown, so timing does not tell which e-mails exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0000", method="scrypt")


class UserError(ValueError):
    """A user could not be created (bad e-mail, role or weak password, or e-mail taken)."""


@dataclass(frozen=True)
class StaffUser:
    """A signed-in member of staff (no password hash)."""

    id: int
    email: str
    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        """Supervisors see reports and run investigations."""
        return self.role == "supervisor"


def check_password_strength(password: str) -> None:
    """Refuse passwords shorter than 10 characters or made of one repeated character."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password is too weak: use at least {MIN_PASSWORD_LENGTH} characters")
    if len(set(password)) < 3:
        raise UserError("the password is too weak: use more than one or two different characters")


def add_user(store: Store, email: str, name: str, role: str, password: str) -> StaffUser:
    """Create a dashboard user with a scrypt password hash."""
    email = email.strip().lower()
    if not is_email(email):
        raise UserError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    check_password_strength(password)
    with store.unit_of_work() as uow:
        user = User(
            email=email,
            name=name.strip() or email,
            role=role,
            password_hash=generate_password_hash(password, method="scrypt"),
            active=True,
            created_at=store.clock(),
        )
        uow.session.add(user)
        try:
            uow.session.flush()
            uow.commit()
        except IntegrityError as exc:
            raise UserError(f"a user with e-mail {email} already exists") from exc
        return StaffUser(id=int(user.id), email=user.email, name=user.name, role=user.role)


def authenticate(store: Store, email: str, password: str) -> Optional[StaffUser]:
    """The active user with this e-mail and password, or None."""
    with store.unit_of_work() as uow:
        user = uow.session.execute(
            select(User).where(func.lower(User.email) == email.strip().lower())
        ).scalar_one_or_none()
        if user is None or not user.active:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(user.password_hash, password):
            return None
        return StaffUser(id=int(user.id), email=user.email, name=user.name, role=user.role)


def get_user(store: Store, user_id: int) -> Optional[StaffUser]:
    """The active user with ``user_id``, or None."""
    with store.unit_of_work() as uow:
        user = uow.session.get(User, user_id)
        if user is None or not user.active:
            return None
        return StaffUser(id=int(user.id), email=user.email, name=user.name, role=user.role)

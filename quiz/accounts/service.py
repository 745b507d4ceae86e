"""Accounts: creating one, checking a password, and the settings a learner keeps."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from quiz.extensions import db
from quiz.models import User


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


def normal_email(email: str) -> str:
    """The form an address is stored and looked up in."""
    return email.strip().lower()


def create_account(email: str, password: str) -> User:
    """A new learner account; EmailTaken if the address is in use."""
    user = User(email=normal_email(email))
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise EmailTaken(email) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """The account `email` names if `password` is its password, else None."""
    user = db.session.scalars(db.select(User).where(User.email == normal_email(email))).first()
    if user is not None and user.check_password(password):
        return user
    return None

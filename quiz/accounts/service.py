"""Accounts: creating one, checking a password, and the settings a learner keeps."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from quiz.extensions import db
from quiz.models import User
from quiz.study import tallies


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


def normal_email(email: str) -> str:
    """The form an address is stored and looked up in."""
    return email.strip().lower()


def create_account(email: str, password: str, *, time_zone: str = "UTC") -> User:
    """A new learner account; EmailTaken if the address is in use."""
    user = User(email=normal_email(email), time_zone=time_zone)
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


def save_settings(user: User, *, time_zone: str, new_per_day: int,
                  desired_retention: float) -> None:
    """Store the learner's settings; a new time zone moves their study days, so their day
    tallies are counted again on the new days."""
    moved = time_zone != user.time_zone
    user.time_zone, user.new_per_day = time_zone, new_per_day
    user.desired_retention = desired_retention
    if moved:
        tallies.recount(user)
    db.session.commit()

"""Accounts: creating one, checking a password, and the settings a learner keeps."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from quiz import jobs
from quiz.extensions import db
from quiz.models import Job, User
from quiz.study import tallies, tuning

# What the settings form edits (and an export carries), by the User column's name.
SETTINGS = ("time_zone", "new_per_day", "desired_retention", "learning_steps",
            "relearning_steps", "maximum_interval")


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


def save_settings(user: User, values: dict[str, Any]) -> Job | None:
    """Store the learner's settings; if due dates depend on what changed (retention, maximum
    interval), queue the rescheduling of their cards and return that job. A new time zone
    moves their study days, so their day tallies are counted again on the new days."""
    moved = (values["desired_retention"] != user.desired_retention
             or values["maximum_interval"] != user.maximum_interval)
    new_zone = values["time_zone"] != user.time_zone
    for name in SETTINGS:
        setattr(user, name, values[name])
    if new_zone:
        tallies.recount(user)
    db.session.commit()
    if not moved:
        return None
    return jobs.pending(user, tuning.RESCHEDULE) or jobs.enqueue(tuning.RESCHEDULE, user)

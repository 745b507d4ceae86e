"""Accounts: creating one, checking a password, and changing the password or the address."""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from quiz import jobs, mail
from quiz.accounts import audit
from quiz.extensions import db
from quiz.models import Job, PasswordReset, User
from quiz.study import tallies, tuning

# What the settings form edits (and an export carries), by the User column's name.
SETTINGS = ("time_zone", "new_per_day", "desired_retention", "learning_steps",
            "relearning_steps", "maximum_interval", "reviews_per_day", "study_order",
            "leech_threshold", "leech_suspends")

RESET_ADVICE = ("If it was not, reset your password from the sign-in page straight away: that "
                "signs out every browser.")


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


def normal_email(email: str) -> str:
    """The form an address is stored and looked up in."""
    return email.strip().lower()


def find(email: str) -> User | None:
    """The account `email` names, if any."""
    return db.session.scalars(db.select(User).where(User.email == normal_email(email))).first()


def create_account(email: str, password: str, *, time_zone: str = "UTC") -> User:
    """A new learner account; EmailTaken if the address is in use."""
    user = User(email=normal_email(email), time_zone=time_zone)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        audit.record("signup.email_taken", user=find(email))
        raise EmailTaken(email) from exc
    audit.record("signup", user=user)
    return user


@cache
def _decoy_hash(method: str) -> str:
    # Made like every stored hash, so checking a password against it costs the same time.
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def authenticate(email: str, password: str) -> User | None:
    """The account `email` names if `password` is its password, else None.

    An unknown address costs one password hash, as a known one does: how long the refusal
    takes must not tell whether the address has an account.
    """
    user = find(email)
    if user is None:
        check_password_hash(_decoy_hash(current_app.config["KDF_METHOD"]), password)
        audit.record("signin.failed", account="unknown")
        return None
    if not user.check_password(password):
        audit.record("signin.failed", user=user)
        return None
    audit.record("signin", user=user)
    return user


def set_password(user: User, password: str) -> None:
    """Give `user` a new password; reset links already sent stop working (the caller commits,
    and ends the sessions it must)."""
    user.set_password(password)
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))


def change_password(user: User, current: str, new: str) -> bool:
    """Replace the password of `user` if `current` is it; False (and nothing changed) if not.
    The caller ends the other sessions."""
    if not user.check_password(current):
        audit.record("password.change_refused", user=user)
        return False
    set_password(user, new)
    db.session.commit()
    audit.record("password.changed", user=user)
    notify(user, "Your Pivot password was changed", RESET_ADVICE)
    return True


def change_email(user: User, password: str, email: str) -> bool:
    """Move `user` to the address `email` if `password` is theirs; False if it is not, and
    EmailTaken if another account has that address. Reset links sent to the old address stop
    working."""
    if not user.check_password(password):
        audit.record("email.change_refused", user=user)
        return False
    old = user.email
    try:
        user.email = normal_email(email)
        db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise EmailTaken(email) from exc
    audit.record("email.changed", user=user)
    notify(user, f"The address you sign in to Pivot with was changed to {user.email}",
           "If it was not, someone else knows your password: tell whoever runs this Pivot site.",
           to=old)
    return True


def notify(user: User, subject: str, advice: str, *, to: str | None = None) -> None:
    """Mail the learner (at `to`, or their address) that their sign-in details changed, with
    `advice` on what to do if it was not them."""
    mail.later(mail.send, mail.Message(to=to or user.email, subject=subject, body=(
        f"{subject}.\n\nIf this was you, there is nothing to do. {advice}\n")))


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

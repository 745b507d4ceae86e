"""Password reset by e-mail link.

Asking for a link answers the same way, as fast, whether or not the address has an account:
the request only mints a token and hands the rest to the mail thread (`quiz.mail`), which
looks the address up, stores the token's hash and sends the link, or does nothing. A link works
once, for an hour; using it ends every session of the account, remember-me tokens included,
and so does any other change of password.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import request
from sqlalchemy import delete

from quiz import mail
from quiz.accounts import audit, service, sessions
from quiz.core import clock
from quiz.extensions import db
from quiz.models import PasswordReset, User

LIFETIME = timedelta(hours=1)


def send_link(email: str, *, link: Callable[[str], str]) -> None:
    """Queue a reset mail for `email` with the link `link(token)` for a fresh token; nothing is
    sent if the address has no account, but this call takes the same time either way."""
    token = secrets.token_urlsafe(32)
    mail.later(_send_link, email, token, link(token), request.remote_addr)


def _send_link(email: str, token: str, link: str, address: str | None) -> None:
    user = service.find(email)
    if user is None:
        audit.record("password.reset_requested", account="unknown", ip=address)
        return
    now = clock.utcnow()
    db.session.execute(delete(PasswordReset).where(PasswordReset.expires_at <= now))
    db.session.add(PasswordReset(user_id=user.id, token_hash=sessions.digest(token),
                                 created_at=now, expires_at=now + LIFETIME))
    db.session.commit()
    audit.record("password.reset_requested", user=user, ip=address)
    mail.send(mail.Message(to=user.email, subject="Reset your Pivot password", body=(
        "Someone, probably you, asked to reset the password of your Pivot account.\n\n"
        f"Choose a new password here (the link works once, for an hour):\n\n{link}\n\n"
        "If you did not ask, ignore this message: your password stays as it is.\n")))


def holder(token: str, now: datetime) -> User | None:
    """The account a live reset token belongs to, or None (unknown, used or expired)."""
    if not token or len(token) > 100:
        return None
    return db.session.scalars(
        db.select(User).join(PasswordReset, PasswordReset.user_id == User.id)
        .where(PasswordReset.token_hash == sessions.digest(token),
               PasswordReset.expires_at > now)).first()


def complete(token: str, password: str, now: datetime) -> User | None:
    """Set the password of the account `token` resets and end all its sessions; None if the
    token is unknown, used or expired. Of two uses at once, only one succeeds."""
    user = holder(token, now)
    if user is None:
        audit.record("password.reset_refused")
        return None
    # Deleting the row is the claim: a second use finds nothing to delete.
    claimed = db.session.execute(delete(PasswordReset).where(
        PasswordReset.token_hash == sessions.digest(token))).rowcount
    if claimed != 1:
        db.session.rollback()
        return None
    service.set_password(user, password)
    db.session.commit()
    sessions.end_all(user)
    audit.record("password.reset", user=user)
    service.notify(user, "Your Pivot password was reset", service.RESET_ADVICE)
    return user

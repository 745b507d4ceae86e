"""Personal access tokens: made, listed, revoked, and read from an `Authorization` header.

A token is `pvt_` and 32 random bytes (URL-safe base64); the prefix lets secret scanners and
people recognise one. Only its SHA-256 is stored, like a password reset link's: a stolen
database holds no working token, and a slow hash is not needed for 256 random bits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from quiz.extensions import db
from quiz.models import ApiToken, User

PREFIX = "pvt_"
# A learner's tokens are for their own scripts: a few are plenty, and a cap bounds the page.
MAX_TOKENS = 20
NAME_LENGTH = 100
# Writing "last used" on every call would make each read a write; to the minute is enough.
TOUCH_EVERY = timedelta(minutes=1)


class TooManyTokens(Exception):
    """The learner already has `MAX_TOKENS` live tokens."""


def digest(token: str) -> str:
    """The SHA-256 that identifies a token in the database."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A new token: its row, and the token itself (shown once, never stored)."""

    row: ApiToken
    token: str


def create(user: User, name: str, now: datetime) -> Issued:
    """Make a token named `name` for `user`."""
    if len(live(user)) >= MAX_TOKENS:
        raise TooManyTokens(f"You have {MAX_TOKENS} tokens: revoke one you no longer use first.")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip()[:NAME_LENGTH], token_hash=digest(token),
                   created_at=now)
    db.session.add(row)
    db.session.commit()
    return Issued(row, token)


def live(user: User) -> list[ApiToken]:
    """The learner's tokens that still work, newest first."""
    return list(db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(user: User, token_id: int, now: datetime) -> bool:
    """Revoke one of the learner's tokens; False if they have no such live token."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    db.session.commit()
    return True


def bearer(header: str | None) -> str | None:
    """The token an `Authorization: Bearer ...` header carries, if it is shaped like one."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > 100:
        return None
    return token


def authenticate(token: str, now: datetime) -> User | None:
    """The learner a live token belongs to, noting when it was used; None for any other."""
    found = db.session.execute(
        db.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(token), ApiToken.revoked_at.is_(None))).first()
    if found is None:
        return None
    row, user = found
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
        db.session.commit()
    return user

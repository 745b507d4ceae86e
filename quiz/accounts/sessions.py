"""Login sessions held on the server: how a cookie is bound to an account and how it is revoked.

A session cookie carries a random secret, never a user id; the database keeps only its SHA-256
and finds the learner through it on every request. A session ends when its row is deleted:
on sign-out, "sign out everywhere", a password change or reset, or with the account itself.
Whatever cookies were copied from that browser then open nothing.

"Keep me signed in" adds a second random token, also stored hashed, that brings a session back
after the browser has dropped its session cookie. Each use replaces both secrets, so a token
works once, and it lapses some weeks after its last use (`Lifetimes`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete

from quiz.extensions import db
from quiz.models import LoginSession, User


@dataclass(frozen=True)
class Lifetimes:
    """How long sessions last (settings `SESSION_IDLE_HOURS`, `REMEMBER_DAYS`,
    `SESSION_MAX_DAYS`): a session unused for `idle` ends; one kept signed in by its remember-me
    token comes back until `remember` after its last use; none outlives `limit` after sign-in."""

    idle: timedelta = timedelta(hours=24)
    remember: timedelta = timedelta(days=30)
    limit: timedelta = timedelta(days=90)

# Writing "last seen" on every request would make every page a write: a few minutes'
# precision is plenty for idle expiry and the sessions list.
TOUCH_EVERY = timedelta(minutes=5)


def digest(secret: str) -> str:
    """What the database stores of a secret: enough to recognise it, useless to replay."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A login session with the secrets its cookies must carry (shown once, never stored)."""

    session: LoginSession
    secret: str
    remember_token: str | None


def start(user: User, *, now: datetime, user_agent: str, remember: bool,
          lifetimes: Lifetimes) -> Issued:
    """Open a login session for `user` (the caller commits)."""
    secret = secrets.token_urlsafe(32)
    token = secrets.token_urlsafe(32) if remember else None
    row = LoginSession(user_id=user.id, secret_hash=digest(secret), created_at=now,
                       last_seen_at=now, user_agent=user_agent[:200],
                       remember_hash=digest(token) if token else None,
                       remember_until=now + lifetimes.remember if token else None)
    db.session.add(row)
    return Issued(row, secret, token)


def _alive(row: LoginSession, now: datetime, lifetimes: Lifetimes) -> bool:
    return row.created_at > now - lifetimes.limit


# Every request of a signed-in learner runs this: built once, with a bound parameter.
_BY_SECRET = (db.select(LoginSession, User).join(User, User.id == LoginSession.user_id)
              .where(LoginSession.secret_hash == bindparam("secret_hash")))


def resume(secret: str, *, now: datetime, lifetimes: Lifetimes) -> User | None:
    """The learner whose live session holds `secret`, or None (ended, expired, unknown)."""
    if not secret or len(secret) > 100:
        return None
    found = db.session.execute(_BY_SECRET, {"secret_hash": digest(secret)}).first()
    if found is None:
        return None
    row, user = found
    if not _alive(row, now, lifetimes) or row.last_seen_at <= now - lifetimes.idle:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    user.login_session, user.session_secret = row, secret
    return user


def restore(token: str, *, now: datetime, lifetimes: Lifetimes) -> tuple[User, Issued] | None:
    """Bring back the session a remember-me token belongs to, replacing both its secrets; None
    if the token is unknown, used already, or expired."""
    if not token or len(token) > 100:
        return None
    found = db.session.execute(
        db.select(LoginSession, User).join(User, User.id == LoginSession.user_id)
        .where(LoginSession.remember_hash == digest(token))).first()
    if found is None:
        return None
    row, user = found
    if (not _alive(row, now, lifetimes) or row.remember_until is None
            or row.remember_until <= now):
        return None
    secret, fresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row.secret_hash, row.remember_hash = digest(secret), digest(fresh_token)
    row.remember_until, row.last_seen_at = now + lifetimes.remember, now
    db.session.commit()
    user.login_session, user.session_secret = row, secret
    return user, Issued(row, secret, fresh_token)


def end(row: LoginSession) -> None:
    """End one login session (sign-out)."""
    db.session.execute(delete(LoginSession).where(LoginSession.id == row.id))
    db.session.commit()


def end_all(user: User, *, keep: LoginSession | None = None) -> int:
    """End every session of `user` but `keep`; returns how many ended. Used by "sign out
    everywhere" and whenever the password changes."""
    query = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    ended = db.session.execute(query).rowcount or 0
    db.session.commit()
    return ended


def active(user: User, now: datetime, lifetimes: Lifetimes) -> list[LoginSession]:
    """The learner's sessions that could still be used, most recently seen first."""
    rows = db.session.scalars(db.select(LoginSession).where(LoginSession.user_id == user.id)
                              .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc()))
    return [row for row in rows if _alive(row, now, lifetimes) and (
        row.last_seen_at > now - lifetimes.idle
        or (row.remember_until is not None and row.remember_until > now))]


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chromium/", "Chromium"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"),
            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
            ("Linux", "Linux"))


def describe_device(user_agent: str) -> str:
    """A short name for the browser behind a User-Agent, for the sessions list."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    words = re.sub(r"[^\w./ -]", "", user_agent).strip()
    return browser or system or (words[:40] if words else "Unknown browser")

"""Signing in and out: Flask-Login on top of the server-side login sessions of `sessions`.

Flask-Login keeps `User.get_id()` in the session cookie; here that is the login session's
secret, so every request is checked against the database and a cookie stops working the
moment its session is ended. Flask-Login's own remember-me cookie (an HMAC of the user id,
valid forever) is never set: "keep me signed in" uses the rotating token of `sessions`.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, after_this_request, current_app, request, session
from flask_login import current_user, login_user, logout_user

from quiz.accounts import audit, limits, reset, service, sessions
from quiz.core import clock
from quiz.extensions import db, login_manager
from quiz.models import User

REMEMBER_COOKIE = "pivot_remember"

login_manager.login_view = "accounts.login"
login_manager.login_message = "Please sign in to continue."
login_manager.login_message_category = "info"


def lifetimes() -> sessions.Lifetimes:
    """Session lifetimes from the app's settings."""
    config = current_app.config
    return sessions.Lifetimes(idle=timedelta(hours=config["SESSION_IDLE_HOURS"]),
                              remember=timedelta(days=config["REMEMBER_DAYS"]),
                              limit=timedelta(days=config["SESSION_MAX_DAYS"]))


@login_manager.user_loader
def _from_session_cookie(secret: str) -> User | None:
    # A session that has ended or lapsed may still be brought back by a remember-me token.
    resumed = sessions.resume(secret, now=clock.utcnow(), lifetimes=lifetimes())
    return resumed or _from_remember_cookie()


@login_manager.request_loader
def _from_request(_request) -> User | None:
    return _from_remember_cookie()


def _from_remember_cookie() -> User | None:
    token = request.cookies.get(REMEMBER_COOKIE)
    if not token:
        return None
    restored = sessions.restore(token, now=clock.utcnow(), lifetimes=lifetimes())
    if restored is None:
        after_this_request(_forget_remember_cookie)
        return None
    user, issued = restored
    login_user(user, fresh=False)  # the session cookie now carries the new secret
    _remember(issued.remember_token)
    return user


def sign_in(user: User, *, remember: bool) -> None:
    """Open a new login session for `user` in this browser."""
    # Nothing of the signed-out session (its CSRF token included) carries over: a fixed
    # session cookie planted before sign-in is worth nothing after it.
    session.clear()
    issued = sessions.start(user, now=clock.utcnow(), user_agent=request.user_agent.string,
                            remember=remember, lifetimes=lifetimes())
    db.session.commit()
    user.login_session, user.session_secret = issued.session, issued.secret
    login_user(user)
    if issued.remember_token:
        _remember(issued.remember_token)
    limits.mark_device(user.email)


def sign_out() -> None:
    """End this browser's login session on the server and drop its cookies."""
    row = getattr(current_user, "login_session", None)
    logout_user()
    session.clear()
    if row is not None:
        sessions.end(row)
    after_this_request(_forget_remember_cookie)


def sign_out_everywhere() -> None:
    """End every login session of the signed-in learner, this one included."""
    user = current_user._get_current_object()
    sign_out()
    ended = sessions.end_all(user)
    audit.record("sessions.ended_everywhere", user=user, sessions=ended + 1)


def change_password(current: str, new: str) -> bool:
    """Give the signed-in learner the password `new` if `current` is theirs (False if not).
    Every other session ends, and this browser's starts afresh, so that a copied cookie of it
    dies too."""
    user = current_user._get_current_object()
    if not service.change_password(user, current, new):
        return False
    this = getattr(user, "login_session", None)
    remember = this is not None and this.remember_hash is not None
    sessions.end_all(user)
    sign_in(user, remember=remember)
    return True


def reset_password(token: str, password: str) -> bool:
    """Set a new password through a reset link and sign in here; every earlier session of the
    account, remember-me tokens included, ends. False if the link is unknown, used or
    expired."""
    user = reset.complete(token, password, clock.utcnow())
    if user is None:
        return False
    sign_in(user, remember=False)
    return True


def devices() -> dict:
    """The learner's live sessions for the settings page, this browser's marked."""
    this = getattr(current_user, "login_session", None)
    rows = sessions.active(current_user, clock.utcnow(), lifetimes())
    return {"devices": [dict(row=row, name=sessions.describe_device(row.user_agent),
                             current=this is not None and row.id == this.id) for row in rows]}


def _remember(token: str | None) -> None:
    def set_cookie(response: Response) -> Response:
        response.set_cookie(REMEMBER_COOKIE, token or "",
                            max_age=int(lifetimes().remember.total_seconds()),
                            secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True,
                            samesite="Lax")
        return response

    after_this_request(set_cookie)


def _forget_remember_cookie(response: Response) -> Response:
    response.delete_cookie(REMEMBER_COOKIE, secure=current_app.config["SESSION_COOKIE_SECURE"],
                           httponly=True, samesite="Lax")
    return response

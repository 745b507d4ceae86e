"""Rate limits on whatever checks a password or sends mail, with Flask-Limiter.

Guessing is slowed without giving anyone a way to lock a learner out for long (the "device
cookie" scheme of OWASP's authentication cheat sheet):

- Where a password is checked, only refused attempts count (the view answers 422, or 401 for
  the API): signing in successfully costs nothing.
- Sign-in: 10 wrong passwords in 15 minutes per account *and client*. The client is this
  browser if it has signed into that account before (a signed `pivot_device` cookie lists the
  accounts it has), else its address. A guesser elsewhere, or at the same school address,
  uses up only their own count and the learner's own browser keeps signing in.
- Browsers that never signed into an account also share a count per account, 50 an hour, which
  stops a guesser spread over many addresses. Only a learner on a new browser can wait behind
  it, an hour at most; a reset link gets them in at once (and marks that browser as theirs).
- One address trying many accounts: 100 wrong passwords in 15 minutes, known browsers exempt.
- Sign-up: 30 accounts created, or refused because the address is taken, per address an hour:
  that answer is what tells whether an address has an account.
- Reset links: 5 requests per address and 3 per account an hour, so nobody is mail-bombed;
  links already sent keep working, so the limit locks nobody out.
- Typing the password again (to change it or the address, or to delete the account): 10 wrong
  in 15 minutes per account, so a borrowed session cannot guess it.

The windows move (each attempt counts for exactly its window), so the 429 page can say when to
try again. Counts live in memory by default and in Redis when `REDIS_URL` is set, shared by
every app server. `guard` is the building block, and the hook the API is to use: decorate its
endpoints with it, keyed by token and by address.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from flask import Response, after_this_request, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer

from quiz.accounts.service import normal_email
from quiz.extensions import limiter

# Read at each request, so a test can lower one without making a hundred attempts.
LIMITS = {
    "signin_per_client": "10 per 15 minutes",
    "signin_per_account": "50 per hour",
    "signin_per_address": "100 per 15 minutes",
    "signup_per_address": "30 per hour",
    "reset_per_address": "5 per hour",
    "reset_per_account": "3 per hour",
    "reauthenticate_per_account": "10 per 15 minutes",
    # Every API call counts, per token (per address without one): a script may poll, not flood.
    "api_per_token": "300 per minute",
}

DEVICE_COOKIE = "pivot_device"
DEVICE_DAYS = 365
# A shared school computer remembers this many accounts; the oldest drops off.
DEVICE_ACCOUNTS = 30


def refused(response: Response) -> bool:
    """Whether the view refused the attempt: only refusals count against a limit."""
    return response.status_code in (401, 422)


def sent(response: Response) -> bool:
    """Whether the view did what was asked (a sign-up, a reset mail): those count."""
    return response.status_code < 400


def guard(name: str, key: Callable[[], str], *, message: str,
          counts: Callable[[Response], bool] = refused,
          exempt: Callable[[], bool] | None = None) -> Any:
    """A decorator limiting a view's POSTs to `LIMITS[name]` per `key()`, counting the
    responses `counts` picks (refusals by default); `exempt()` lets a request through
    uncounted."""
    return limiter.limit(lambda: LIMITS[name], key_func=key, methods=["POST"],
                         deduct_when=counts, exempt_when=exempt, error_message=message)


def _all(*limits: Any) -> Callable:
    def decorate(view: Callable) -> Callable:
        for limit in limits:
            view = limit(view)
        return view
    return decorate


def _digest(text: str) -> str:
    # Counters are keyed by a hash of the address typed, so Redis holds no e-mail addresses.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _account() -> str:
    return "account:" + _digest(normal_email(request.form.get("email", "")))


def _signed_in_account() -> str:
    # Limits are checked before login_required turns a signed-out request away.
    if not current_user.is_authenticated:
        return f"address:{get_remote_address()}"
    return f"user:{current_user.id}"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="pivot-device")


def _device() -> dict[str, Any] | None:
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw or len(raw) > 4000:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadData:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("id"), str)
            or not isinstance(data.get("accounts"), list)):
        return None
    return data


def known_device() -> bool:
    """Whether this browser has signed into the account the form names before."""
    device = _device()
    return device is not None and _account() in device["accounts"]


def _client_and_account() -> str:
    device = _device()
    if device is not None and _account() in device["accounts"]:
        return f"device:{device['id']}|{_account()}"
    return f"address:{get_remote_address()}|{_account()}"


def mark_device(email: str) -> None:
    """Remember in this browser's device cookie that it signed into the account `email`."""
    device = _device() or {"id": secrets.token_urlsafe(16), "accounts": []}
    account = "account:" + _digest(normal_email(email))
    accounts = [known for known in device["accounts"] if known != account] + [account]
    value = _serializer().dumps({"id": device["id"], "accounts": accounts[-DEVICE_ACCOUNTS:]})

    def set_cookie(response: Response) -> Response:
        response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"], samesite="Lax")
        return response

    after_this_request(set_cookie)


signin = _all(
    guard("signin_per_client", _client_and_account,
          message="Too many wrong passwords for this account from here."),
    guard("signin_per_account", _account, exempt=known_device,
          message="Too many wrong passwords for this account from browsers it has not used."),
    guard("signin_per_address", get_remote_address, exempt=known_device,
          message="Too many wrong passwords from your network."),
)
signup = guard("signup_per_address", get_remote_address,
               counts=lambda response: response.status_code in (302, 409),  # created, taken
               message="Too many sign-ups from your network.")
reset = _all(
    guard("reset_per_address", get_remote_address, counts=sent,
          message="Too many reset links asked for from your network."),
    guard("reset_per_account", _account, counts=sent,
          message="Too many reset links asked for this address; the ones already sent work "
                  "for an hour."),
)
reauthenticate = limiter.shared_limit(
    lambda: LIMITS["reauthenticate_per_account"], scope="reauthenticate",
    key_func=_signed_in_account,
    methods=["POST"], deduct_when=refused,
    error_message="Too many wrong passwords for this account.")

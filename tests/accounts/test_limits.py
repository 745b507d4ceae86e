"""Rate limits: guessing is slowed per account and client, per account and per address, and
nobody can lock a learner out of their own browser. Limits are lowered here so that a test
makes a handful of attempts, not a hundred."""

from __future__ import annotations

import os
import uuid

import pytest

from quiz import create_app
from quiz.accounts import limits
from quiz.extensions import db
from quiz.models import User
from tests.conftest import PASSWORD, Browser

ATTACKER, LEARNER = "203.0.113.5", "198.51.100.7"


@pytest.fixture
def low(monkeypatch):
    """Set some limits low for one test: low(signin_per_client="3 per 15 minutes")."""
    def lower(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setitem(limits.LIMITS, name, value)
    return lower


def sign_in(browser: Browser, email: str, password: str, address: str = "127.0.0.1"):
    return browser.post("/login", {"email": email, "password": password},
                        token_from="/login", environ_overrides={"REMOTE_ADDR": address})


def test_wrong_passwords_from_one_place_are_limited_with_a_page_that_says_when_to_retry(
        client, build, low):
    low(signin_per_client="3 per 15 minutes")
    build.user(email="ayesha@example.org")
    attacker = Browser(client)
    for _ in range(3):
        assert sign_in(attacker, "ayesha@example.org", "guess", ATTACKER).status_code == 422
    response = sign_in(attacker, "ayesha@example.org", PASSWORD, ATTACKER)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many wrong passwords for this account from here." in page
    assert "Try again in 15 minutes." in page
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert response.headers["Cache-Control"] == "no-store"


def test_the_learner_signs_in_from_elsewhere_while_an_attacker_is_limited(app, client, build,
                                                                          low):
    low(signin_per_client="3 per 15 minutes")
    build.user(email="ayesha@example.org")
    attacker = Browser(client)
    for _ in range(4):
        sign_in(attacker, "ayesha@example.org", "guess", ATTACKER)
    learner = Browser(app.test_client())
    assert sign_in(learner, "ayesha@example.org", PASSWORD, LEARNER).status_code == 302


def test_the_learners_own_browser_signs_in_even_at_the_attackers_address(app, client, build,
                                                                         low):
    # A school: everyone comes from one address, the attacker included.
    low(signin_per_client="3 per 15 minutes", signin_per_address="3 per 15 minutes")
    build.user(email="ayesha@example.org")
    learner = Browser(app.test_client())
    assert sign_in(learner, "ayesha@example.org", PASSWORD, ATTACKER).status_code == 302
    learner.post("/logout")
    attacker = Browser(client)
    for _ in range(3):
        sign_in(attacker, "ayesha@example.org", "guess", ATTACKER)
    assert sign_in(attacker, "ayesha@example.org", PASSWORD, ATTACKER).status_code == 429
    assert sign_in(learner, "ayesha@example.org", "one typo", ATTACKER).status_code == 422
    assert sign_in(learner, "ayesha@example.org", PASSWORD, ATTACKER).status_code == 302


def test_guesses_spread_over_many_addresses_are_limited_per_account_but_not_for_known_browsers(
        app, client, build, low):
    low(signin_per_account="4 per hour")
    build.user(email="ayesha@example.org")
    learner = Browser(app.test_client())
    assert sign_in(learner, "ayesha@example.org", PASSWORD, LEARNER).status_code == 302
    learner.post("/logout")
    botnet = Browser(client)
    for host in range(4):
        assert sign_in(botnet, "ayesha@example.org", "guess", f"192.0.2.{host}").status_code == 422
    response = sign_in(botnet, "ayesha@example.org", PASSWORD, "192.0.2.99")
    assert response.status_code == 429
    assert "from browsers it has not used" in response.get_data(as_text=True)
    assert sign_in(learner, "ayesha@example.org", PASSWORD, LEARNER).status_code == 302


def test_one_address_trying_many_accounts_is_limited(client, build, low):
    low(signin_per_address="3 per 15 minutes")
    guesser = Browser(client)
    for number in range(3):
        assert sign_in(guesser, f"user{number}@example.org", "guess").status_code == 422
    response = sign_in(guesser, "user9@example.org", "guess")
    assert response.status_code == 429
    assert "Too many wrong passwords from your network." in response.get_data(as_text=True)


def test_signing_in_successfully_never_counts(client, build, low):
    low(signin_per_client="2 per 15 minutes", signin_per_address="2 per 15 minutes",
        signin_per_account="2 per hour")
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    for _ in range(4):
        assert sign_in(browser, "ayesha@example.org", PASSWORD).status_code == 302
        browser.post("/logout")


def signup(browser: Browser, email: str, password: str = PASSWORD):
    return browser.post("/signup", {"email": email, "password": password, "confirm": password},
                        token_from="/signup")


def test_sign_up_says_an_address_is_taken_only_within_a_limit(client, build, low):
    low(signup_per_address="2 per hour")
    build.user(email="taken@example.org")
    browser = Browser(client)
    assert signup(browser, "new@example.org", "password12").status_code == 422  # not counted
    assert signup(browser, "taken@example.org").status_code == 409
    assert signup(browser, "new@example.org").status_code == 302
    browser.post("/logout")
    response = signup(browser, "taken2@example.org")
    assert response.status_code == 429
    assert "already exists" not in response.get_data(as_text=True)
    assert db.session.scalars(db.select(User).where(User.email == "taken2@example.org")).first() \
        is None


def test_reset_links_are_limited_per_account_and_those_sent_keep_working(app, client, build,
                                                                         low, mailbox):
    low(reset_per_account="2 per hour")
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    for host in range(2):
        response = browser.post("/password-reset", {"email": "ayesha@example.org"},
                                token_from="/password-reset",
                                environ_overrides={"REMOTE_ADDR": f"192.0.2.{host}"})
        assert response.status_code == 302
    response = browser.post("/password-reset", {"email": "ayesha@example.org"},
                            token_from="/password-reset",
                            environ_overrides={"REMOTE_ADDR": "192.0.2.50"})
    assert response.status_code == 429
    assert "the ones already sent work for an hour" in response.get_data(as_text=True)
    assert len(mailbox.messages(to="ayesha@example.org")) == 2


def test_reset_links_are_limited_per_address(client, build, low, mailbox):
    low(reset_per_address="2 per hour")
    browser = Browser(client)
    for number in range(2):
        assert browser.post("/password-reset", {"email": f"user{number}@example.org"},
                            token_from="/password-reset").status_code == 302
    assert browser.post("/password-reset", {"email": "user9@example.org"},
                        token_from="/password-reset").status_code == 429


def test_wrong_passwords_typed_again_while_signed_in_share_one_limit(learner, low):
    low(reauthenticate_per_account="2 per 15 minutes")
    for _ in range(2):
        response = learner.post("/settings/password", {"current": "guess", "password": "x" * 12,
                                                       "confirm": "x" * 12},
                                token_from="/settings/password")
        assert response.status_code == 422
    # Deleting the account checks the same password: the same count.
    response = learner.post("/account/delete", {"password": PASSWORD}, token_from="/account")
    assert response.status_code == 429
    assert db.session.get(User, learner.user.id) is not None


def redis_url() -> str:
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is unreachable at {url}: {exc}")
        pytest.skip(f"Redis is unreachable at {url}")
    return url


def test_with_redis_every_app_server_shares_the_counts(app, build, low):
    import redis

    url = redis_url()
    low(signin_per_account="2 per hour")
    email = f"{uuid.uuid4().hex}@example.org"
    build.user(email=email)
    config = {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
              "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
              "RATELIMIT_STORAGE_URI": url}
    first = create_app(config)
    for host in range(2):
        sign_in(Browser(first.test_client()), email, "guess", f"192.0.2.{host}")
    store = redis.Redis.from_url(url)
    digest = limits._digest(email)
    keys = store.keys(f"*{digest}*")
    try:
        assert keys and not any(email.encode() in key for key in store.keys("*pivot*"))
        second = create_app(config)  # another server: its own connection, nothing in memory
        response = sign_in(Browser(second.test_client()), email, PASSWORD, "192.0.2.77")
        assert response.status_code == 429
    finally:
        if keys:
            store.delete(*keys)

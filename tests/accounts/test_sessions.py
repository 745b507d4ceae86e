"""Login sessions on the server: their lifetimes, rotation, the sessions list and sign-out
everywhere. The app fixture stretches lifetimes for tests that move the clock by months; these
tests put the real defaults back."""

from __future__ import annotations

import pytest
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event

from quiz.accounts import sessions
from quiz.extensions import db
from quiz.models import LoginSession, User
from tests.accounts.test_takeover import cookies_of, replay, signed_in_as
from tests.conftest import PASSWORD, Browser

DEFAULTS = sessions.Lifetimes()


@pytest.fixture
def real_lifetimes(app):
    app.config.update(SESSION_IDLE_HOURS=24, REMEMBER_DAYS=30, SESSION_MAX_DAYS=90)


def signed_in(client, build, *, remember: bool, email: str = "ayesha@example.org") -> Browser:
    if db.session.scalars(db.select(User).where(User.email == email)).first() is None:
        build.user(email=email)
    browser = Browser(client)
    browser.login(email, remember=remember)
    return browser


def session_cookie_data(app, browser: Browser) -> dict:
    """What Flask's signed session cookie holds, decoded as the server would."""
    interface = SecureCookieSessionInterface()
    signer = URLSafeTimedSerializer(app.secret_key, salt=interface.salt,
                                    serializer=interface.serializer,
                                    signer_kwargs={"key_derivation": "hmac",
                                                   "digest_method": interface.digest_method})
    return signer.loads(cookies_of(browser)["session"])


def test_the_session_cookie_holds_a_random_secret_never_the_user_id(app, client, build):
    browser = signed_in(client, build, remember=False)
    user = db.session.scalars(db.select(User)).one()
    secret = session_cookie_data(app, browser)["_user_id"]
    assert secret != str(user.id) and len(secret) >= 40
    row = db.session.scalars(db.select(LoginSession)).one()
    assert row.secret_hash == sessions.digest(secret) and secret not in row.secret_hash


def test_a_session_unused_for_a_day_ends(client, build, clock, real_lifetimes):
    browser = signed_in(client, build, remember=False)
    clock.advance(hours=23)
    assert signed_in_as(browser) == "ayesha@example.org"  # use keeps it alive...
    clock.advance(hours=23)
    assert signed_in_as(browser) == "ayesha@example.org"
    clock.advance(hours=24, minutes=1)
    assert signed_in_as(browser) is None  # ...a day without use ends it


def test_keep_me_signed_in_lasts_thirty_days_after_last_use_and_rotates(client, build, clock,
                                                                       real_lifetimes):
    browser = signed_in(client, build, remember=True)
    first = cookies_of(browser)["pivot_remember"]
    clock.advance(days=29)
    assert signed_in_as(browser) == "ayesha@example.org"
    second = cookies_of(browser)["pivot_remember"]
    assert second != first  # each use replaces the token...
    clock.advance(days=29)
    assert signed_in_as(browser) == "ayesha@example.org"  # ...and the thirty days restart
    clock.advance(days=30, minutes=1)
    assert signed_in_as(browser) is None
    assert "pivot_remember" not in cookies_of(browser)  # a dead token is cleared


def test_no_session_outlives_ninety_days_from_sign_in(client, build, clock, real_lifetimes):
    browser = signed_in(client, build, remember=True)
    for _ in range(3):
        clock.advance(days=29)
        assert signed_in_as(browser) == "ayesha@example.org"
    clock.advance(days=4)
    assert signed_in_as(browser) is None


def test_sign_in_starts_a_new_session_and_a_new_csrf_token(app, client, build):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    browser.get("/login")
    before = cookies_of(browser)["session"]
    before_token = browser.token("/login")
    browser.login("ayesha@example.org", remember=False)
    assert "_user_id" not in replay(app, {"session": before}).client.get("/").get_data(
        as_text=True)  # the anonymous cookie stays anonymous
    assert signed_in_as(replay(app, {"session": before})) is None
    assert browser.token("/") != before_token


def test_each_sign_in_is_its_own_session_and_signing_out_ends_only_that_one(app, client,
                                                                           build):
    laptop = signed_in(client, build, remember=False)
    phone = signed_in(app.test_client(), build, remember=False)
    assert db.session.scalar(db.select(db.func.count()).select_from(LoginSession)) == 2
    phone.post("/logout", token_from="/")
    assert signed_in_as(phone) is None
    assert signed_in_as(laptop) == "ayesha@example.org"


def test_sign_out_everywhere_ends_every_session_of_the_account_only(app, client, build):
    laptop = signed_in(client, build, remember=True)
    phone = signed_in(app.test_client(), build, remember=True)
    stolen = cookies_of(phone)
    other = signed_in(app.test_client(), build, remember=False, email="other@example.org")
    response = laptop.post("/account/sign-out-everywhere", token_from="/settings")
    assert response.status_code == 302
    assert signed_in_as(laptop) is None and signed_in_as(phone) is None
    assert signed_in_as(replay(app, stolen)) is None
    assert signed_in_as(other) == "other@example.org"


def test_the_settings_page_lists_where_the_learner_is_signed_in(app, client, build):
    build.user(email="ayesha@example.org")
    phone = Browser(app.test_client())
    phone.client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0")
    phone.login("ayesha@example.org", remember=False)
    laptop = Browser(client)
    laptop.client.environ_base["HTTP_USER_AGENT"] = (
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    laptop.login("ayesha@example.org", remember=False)
    page = laptop.get("/settings").get_data(as_text=True)
    assert "Chrome on Android" in page
    assert "Firefox on Linux <strong>(this browser)</strong>" in page
    assert "Sign out everywhere" in page


def test_a_legacy_flask_login_remember_cookie_opens_nothing(app, client, build):
    from flask_login.utils import encode_cookie

    user = build.user(email="ayesha@example.org")
    with app.test_request_context():
        legacy = encode_cookie(str(user.id))  # what the old remember-me cookie held
    assert signed_in_as(replay(app, {"remember_token": legacy})) is None


def test_deleting_the_account_deletes_its_login_sessions(client, build):
    browser = signed_in(client, build, remember=True)
    browser.post("/account/delete", {"password": PASSWORD}, token_from="/account")
    assert db.session.scalars(db.select(LoginSession)).first() is None


def test_last_seen_is_written_at_most_every_few_minutes(client, build, clock):
    browser = signed_in(client, build, remember=False)
    clock.advance(minutes=1)
    assert updates_sent(browser.get, "/settings") == 0
    clock.advance(minutes=10)
    assert updates_sent(browser.get, "/settings") == 1
    row = db.session.scalars(db.select(LoginSession)).one()
    assert row.last_seen_at == clock.now


def updates_sent(function, *args) -> int:
    statements = []

    def record(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        function(*args)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return sum(statement.lstrip().upper().startswith("UPDATE") for statement in statements)


@pytest.mark.parametrize("user_agent, name", [
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
     "Version/17.0 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 "
     "Safari/537.36 Edg/130.0", "Edge on Windows"),
    ("curl/8.5.0", "curl/8.5.0"),
    ("", "Unknown browser"),
])
def test_devices_are_named_by_browser_and_system(user_agent, name):
    assert sessions.describe_device(user_agent) == name

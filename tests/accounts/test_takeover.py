"""The two account takeovers: a deleted account's cookies must not open the next sign-up, and
signing out (or anything else that ends sessions) must revoke the cookies on the server.

Each test plays the attack through the test client, as a browser and an attacker holding a
copy of its cookies would."""

from __future__ import annotations

import gzip
import json

from quiz.extensions import db
from quiz.models import User
from tests.conftest import PASSWORD, Browser


def signup(browser: Browser, email: str) -> None:
    response = browser.post("/signup", {"email": email, "password": PASSWORD,
                                        "confirm": PASSWORD}, token_from="/signup")
    assert response.status_code == 302, response.get_data(as_text=True)


def cookies_of(browser: Browser) -> dict[str, str]:
    """Every cookie the browser holds for the site, as an attacker would copy them."""
    return {cookie.key: cookie.value for cookie in browser.client._cookies.values()}


def replay(app, cookies: dict[str, str]) -> Browser:
    """A fresh browser holding nothing but copied cookies."""
    thief = Browser(app.test_client())
    for name, value in cookies.items():
        thief.client.set_cookie(name, value)
    return thief


def signed_in_as(browser: Browser) -> str | None:
    """Whose data the browser reaches: the email in its export, or None if it is refused."""
    response = browser.get("/account/export.json.gz")
    if response.status_code != 200:
        return None
    return json.loads(gzip.decompress(response.get_data()))["account"]["email"]


def test_a_deleted_accounts_cookies_do_not_open_the_next_sign_up(app, client):
    victim_browser = Browser(client)
    signup(victim_browser, "first@example.org")
    stolen = cookies_of(victim_browser)
    victim_browser.post("/account/delete", {"password": PASSWORD}, token_from="/account")
    assert db.session.scalars(db.select(User)).first() is None

    newcomer = Browser(app.test_client())
    signup(newcomer, "newcomer@example.org")
    assert signed_in_as(newcomer) == "newcomer@example.org"
    assert signed_in_as(replay(app, stolen)) is None


def test_a_deleted_accounts_remember_me_cookie_does_not_open_the_next_sign_up(app, client,
                                                                              build):
    build.user(email="first@example.org")
    browser = Browser(client)
    stolen = remembered(browser, "first@example.org")
    browser.post("/account/delete", {"password": PASSWORD}, token_from="/account")

    newcomer = Browser(app.test_client())
    signup(newcomer, "newcomer@example.org")
    assert signed_in_as(replay(app, stolen)) is None


def test_user_ids_are_never_reused_after_a_deletion(app, client):
    browser = Browser(client)
    signup(browser, "first@example.org")
    first_id = db.session.scalars(db.select(User.id)).one()
    browser.post("/account/delete", {"password": PASSWORD}, token_from="/account")
    signup(Browser(app.test_client()), "second@example.org")
    assert db.session.scalars(db.select(User.id)).one() > first_id


def test_a_session_cookie_copied_before_sign_out_no_longer_works(app, client, build):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    browser.login("ayesha@example.org")
    stolen = cookies_of(browser)
    assert signed_in_as(replay(app, stolen)) == "ayesha@example.org"  # the copy works...
    browser.post("/logout", token_from="/")
    assert signed_in_as(browser) is None
    assert signed_in_as(replay(app, stolen)) is None  # ...until the owner signs out


def remembered(browser: Browser, email: str) -> dict[str, str]:
    """Sign in with "keep me signed in" and return a copy of the remember-me cookie alone."""
    browser.login(email, remember=True)
    copied = {name: value for name, value in cookies_of(browser).items() if name != "session"}
    assert copied, "signing in with 'keep me signed in' sets a remember-me cookie"
    return copied


def test_a_remember_me_cookie_copied_before_sign_out_no_longer_works(app, client, build):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    stolen = remembered(browser, "ayesha@example.org")
    browser.post("/logout", token_from="/")
    assert signed_in_as(replay(app, stolen)) is None


def test_a_remember_me_token_works_once_and_is_replaced_by_a_new_one(app, client, build):
    build.user(email="ayesha@example.org")
    stolen = remembered(Browser(client), "ayesha@example.org")
    first = replay(app, stolen)
    assert signed_in_as(first) == "ayesha@example.org"
    assert cookies_of(first)["pivot_remember"] != stolen["pivot_remember"]  # rotated
    assert signed_in_as(replay(app, stolen)) is None  # the used token opens nothing
    assert signed_in_as(first) == "ayesha@example.org"

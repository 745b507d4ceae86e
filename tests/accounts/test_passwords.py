"""Choosing, changing and re-checking passwords; changing the sign-in address."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import User
from tests.accounts.test_sessions import signed_in
from tests.accounts.test_takeover import cookies_of, replay, signed_in_as
from tests.conftest import PASSWORD, Browser

NEW = "tashkent declaration 1966"


def signup(browser: Browser, email: str, password: str):
    return browser.post("/signup", {"email": email, "password": password, "confirm": password},
                        token_from="/signup")


@pytest.mark.parametrize(("password", "message"), [
    ("password12", "one of the passwords guessers try first"),
    ("1234567890", "one of the passwords guessers try first"),
    ("Password123!", "one of the passwords guessers try first"),
    ("ayesha@example.org", "Don&#39;t build your password from your email address"),
    ("ayesha2026!!", "Don&#39;t build your password from your email address"),
    ("Pivot-2026", "Don&#39;t build your password from your email address"),
    ("x" * 1001, "Use at most 1,000 characters."),
    ("short", "Use at least 10 characters."),
])
def test_sign_up_refuses_weak_passwords_with_a_message_that_says_why(browser, password,
                                                                      message):
    response = signup(browser, "ayesha@example.org", password)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert db.session.scalars(db.select(User)).first() is None


def test_a_long_passphrase_is_accepted(browser):
    passphrase = "the tashkent declaration was signed in january 1966 " * 19  # 988 characters
    assert signup(browser, "ayesha@example.org", passphrase).status_code == 302
    assert browser.post("/logout").status_code == 302
    assert browser.login("ayesha@example.org", passphrase).status_code == 302


def change_password(browser: Browser, current: str = PASSWORD, new: str = NEW):
    return browser.post("/settings/password", {"current": current, "password": new,
                                               "confirm": new}, token_from="/settings/password")


def test_changing_the_password_needs_the_current_one(app, client, build):
    browser = signed_in(client, build, remember=False)
    response = change_password(browser, current="not my password")
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    assert db.session.scalars(db.select(User)).one().check_password(PASSWORD)


def test_changing_the_password_ends_every_other_session_and_renews_this_one(app, client, build):
    laptop = signed_in(client, build, remember=True)
    phone = signed_in(app.test_client(), build, remember=True)
    copied = cookies_of(laptop)
    response = change_password(laptop)
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    assert "every other browser is signed out" in laptop.get("/settings").get_data(as_text=True)
    assert signed_in_as(laptop) == "ayesha@example.org"
    assert signed_in_as(phone) is None
    # A copy of this browser's cookies taken before the change opens nothing either.
    assert signed_in_as(replay(app, copied)) is None
    user = db.session.scalars(db.select(User)).one()
    assert user.check_password(NEW) and not user.check_password(PASSWORD)


def test_a_new_password_is_held_to_the_same_rules(app, client, build):
    browser = signed_in(client, build, remember=False)
    response = change_password(browser, new="Password123!")
    assert response.status_code == 422
    assert "guessers try first" in response.get_data(as_text=True)
    response = change_password(browser, new="ayesha-2026")
    assert "Don&#39;t build your password" in response.get_data(as_text=True)


def test_the_learner_is_told_by_mail_that_the_password_changed(app, client, build, mailbox):
    browser = signed_in(client, build, remember=False)
    change_password(browser)
    [notice] = mailbox.messages(to="ayesha@example.org")
    assert "Subject: Your Pivot password was changed" in notice
    assert NEW not in notice and PASSWORD not in notice


def change_email(browser: Browser, email: str, password: str = PASSWORD):
    return browser.post("/settings/email", {"email": email, "password": password},
                        token_from="/settings/email")


def test_changing_the_email_needs_the_password_and_a_free_address(app, client, build, mailbox):
    build.user(email="taken@example.org")
    browser = signed_in(client, build, remember=False)
    response = change_email(browser, "new@example.org", password="wrong password")
    assert response.status_code == 422
    assert "That is not your password." in response.get_data(as_text=True)
    response = change_email(browser, "TAKEN@example.org")
    assert response.status_code == 422
    assert "Another account uses this address." in response.get_data(as_text=True)
    assert mailbox.messages() == []


def test_after_changing_the_email_the_learner_signs_in_with_the_new_one(app, client, build,
                                                                        mailbox):
    browser = signed_in(client, build, remember=False)
    response = change_email(browser, "New@Example.org")
    assert response.status_code == 302
    assert "From now on, sign in with new@example.org." in browser.get("/settings").get_data(
        as_text=True)
    [notice] = mailbox.messages(to="ayesha@example.org")
    assert "changed to new@example.org" in notice
    other = Browser(app.test_client())
    assert other.login("ayesha@example.org").status_code == 422
    assert other.login("new@example.org").status_code == 302


def test_the_settings_page_links_to_changing_the_password_and_email(app, client, build):
    browser = signed_in(client, build, remember=False)
    page = browser.get("/settings").get_data(as_text=True)
    assert "You sign in with <strong>ayesha@example.org</strong>" in page
    assert 'href="/settings/password"' in page and 'href="/settings/email"' in page


@pytest.mark.parametrize("path", ["/settings/password", "/settings/email"])
def test_password_and_email_pages_need_a_signed_in_learner(client, path):
    assert client.get(path).status_code == 302
    assert client.post(path).status_code in (302, 400)

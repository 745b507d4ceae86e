"""Password reset by e-mail link: the same answer for every address, a link that works once
for an hour, and every session of the account ended by it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from quiz import create_app, mail
from quiz.accounts import sessions
from quiz.extensions import db
from quiz.models import PasswordReset, User
from tests.accounts.test_sessions import signed_in
from tests.accounts.test_takeover import cookies_of, replay, signed_in_as
from tests.conftest import PASSWORD, Browser

NEW = "tashkent declaration 1966"


def ask(browser: Browser, email: str, **kwargs):
    return browser.post("/password-reset", {"email": email}, token_from="/password-reset",
                        **kwargs)


def choose(browser: Browser, path: str, password: str = NEW):
    return browser.post(path, {"password": password, "confirm": password}, token_from=path)


def test_asking_for_a_link_answers_the_same_whether_or_not_the_address_has_an_account(
        app, client, build, mailbox):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    known, unknown = ask(browser, "ayesha@example.org"), ask(browser, "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/login"
    assert "a link to choose a new password is on its way" in browser.get("/login").get_data(
        as_text=True)
    assert len(mailbox.messages(to="ayesha@example.org")) == 1
    assert mailbox.messages(to="nobody@example.org") == []


def test_the_sign_in_page_links_to_the_reset(client):
    assert 'href="/password-reset"' in client.get("/login").get_data(as_text=True)


def test_the_link_works_once_and_signs_in_with_the_new_password(app, client, build, mailbox):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    ask(browser, "ayesha@example.org")
    path = urlsplit(mailbox.link("ayesha@example.org")).path
    assert browser.get(path).status_code == 200  # opening the link (a mail scanner) uses nothing
    assert browser.get(path).status_code == 200
    response = choose(browser, path)
    assert response.status_code == 302
    assert signed_in_as(browser) == "ayesha@example.org"
    assert db.session.scalars(db.select(User)).one().check_password(NEW)
    again = Browser(app.test_client())
    assert again.get(path).status_code == 404
    assert "This link no longer works" in again.get(path).get_data(as_text=True)
    assert again.post(path, {"password": "another fine passphrase",
                             "confirm": "another fine passphrase"},
                      token_from="/login").status_code == 404
    assert db.session.scalars(db.select(User)).one().check_password(NEW)


def test_the_link_expires_after_an_hour(app, client, build, clock, mailbox):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    ask(browser, "ayesha@example.org")
    path = urlsplit(mailbox.link("ayesha@example.org")).path
    clock.advance(minutes=59)
    assert browser.get(path).status_code == 200
    clock.advance(minutes=2)
    assert browser.get(path).status_code == 404


def test_a_reset_ends_every_session_of_the_account_remember_me_included(app, client, build,
                                                                        mailbox):
    laptop = signed_in(app.test_client(), build, remember=True)
    stolen = cookies_of(laptop)
    phone = signed_in(app.test_client(), build, remember=True)
    browser = Browser(client)
    ask(browser, "ayesha@example.org")
    assert choose(browser, urlsplit(mailbox.link("ayesha@example.org")).path).status_code == 302
    assert signed_in_as(laptop) is None and signed_in_as(phone) is None
    assert signed_in_as(replay(app, stolen)) is None
    assert signed_in_as(browser) == "ayesha@example.org"
    assert "Subject: Your Pivot password was reset" in "".join(
        mailbox.messages(to="ayesha@example.org"))


def test_the_token_is_stored_only_as_its_hash(app, client, build, mailbox):
    build.user(email="ayesha@example.org")
    ask(Browser(client), "ayesha@example.org")
    token = urlsplit(mailbox.link("ayesha@example.org")).path.rsplit("/", 1)[1]
    row = db.session.scalars(db.select(PasswordReset)).one()
    assert row.token_hash == sessions.digest(token) and token not in row.token_hash


def test_changing_the_password_or_the_address_kills_links_already_sent(app, client, build,
                                                                       mailbox):
    browser = signed_in(client, build, remember=False)
    ask(Browser(app.test_client()), "ayesha@example.org")
    path = urlsplit(mailbox.link("ayesha@example.org")).path
    browser.post("/settings/password", {"current": PASSWORD, "password": NEW, "confirm": NEW},
                 token_from="/settings/password")
    assert Browser(app.test_client()).get(path).status_code == 404
    ask(Browser(app.test_client()), "ayesha@example.org")
    path = urlsplit(mailbox.link("ayesha@example.org")).path
    browser.post("/settings/email", {"email": "new@example.org", "password": NEW},
                 token_from="/settings/email")
    assert Browser(app.test_client()).get(path).status_code == 404


def test_the_new_password_is_held_to_the_rules(app, client, build, mailbox):
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    ask(browser, "ayesha@example.org")
    path = urlsplit(mailbox.link("ayesha@example.org")).path
    response = choose(browser, path, "Password123!")
    assert response.status_code == 422
    assert "guessers try first" in response.get_data(as_text=True)
    assert choose(browser, path, "ayesha-2026!").status_code == 422
    assert db.session.scalars(db.select(User)).one().check_password(PASSWORD)


@pytest.mark.parametrize("token", ["x", "a" * 500, "%00", "..%2F..%2Fsettings", "%FF"])
def test_a_made_up_link_is_refused_with_a_4xx(client, token):
    assert client.get(f"/password-reset/{token}").status_code in (400, 404)


def test_links_point_at_the_configured_address_whatever_the_host_header(app, client, build,
                                                                        mailbox):
    app.config.update(BASE_URL="https://pivot.example.org", WTF_CSRF_ENABLED=False)
    build.user(email="ayesha@example.org")
    response = client.post("/password-reset", data={"email": "ayesha@example.org"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 302
    assert mailbox.link("ayesha@example.org").startswith(
        "https://pivot.example.org/password-reset/")


def test_mail_goes_through_smtp_when_a_server_is_set(app, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            sent.append(("quit",))

        def starttls(self, context):
            sent.append(("starttls",))

        def login(self, user, password):
            sent.append(("login", user, password))

        def send_message(self, message):
            sent.append(("send", message["To"], message["Subject"], message.get_content()))

    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_USERNAME="pivot",
                      MAIL_PASSWORD="app-password", BASE_URL="https://pivot.example.org")
    mail.send(mail.Message(to="ayesha@example.org", subject="Hello", body="Body text"))
    assert sent == [("connect", "smtp.example.org", 587), ("starttls",),
                    ("login", "pivot", "app-password"),
                    ("send", "ayesha@example.org", "Hello", "Body text\n"), ("quit",)]


def test_a_mail_server_needs_the_sites_address_for_its_links(monkeypatch, tmp_path):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(ValueError, match="set PIVOT_BASE_URL too"):
        create_app({"SECRET_KEY": "x"})
    monkeypatch.setenv("PIVOT_BASE_URL", "https://pivot.example.org/")
    assert create_app({"SECRET_KEY": "x"}).config["BASE_URL"] == "https://pivot.example.org"

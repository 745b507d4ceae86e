"""Security events: one JSON line each on the `quiz.security` log, never holding a secret."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

import pytest

from quiz import mail
from quiz.accounts import audit, limits
from tests.accounts.test_data import (
    exported,
    imported,
    studied,
    switch_to_fresh_account,
    upload,
)
from tests.conftest import PASSWORD, Browser

NEW = "tashkent declaration 1966"


@pytest.fixture
def events(caplog):
    """The security events logged so far, as dicts."""
    caplog.set_level(logging.INFO, logger=audit.LOGGER)

    def logged() -> list[dict]:
        mail.wait()
        return [json.loads(record.getMessage()) for record in caplog.records
                if record.name == audit.LOGGER]
    return logged


def named(entries: list[dict], event: str) -> list[dict]:
    return [entry for entry in entries if entry["event"] == event]


def test_sign_in_failures_name_the_account_and_address_but_no_password_or_unknown_address(
        client, build, events, clock):
    user = build.user(email="ayesha@example.org")
    browser = Browser(client)
    browser.login("ayesha@example.org", "hunter2-but-longer")
    browser.login("secret-typed-here@example.org", "whatever")
    failed = named(events(), "signin.failed")
    assert failed[0] == {"event": "signin.failed", "at": clock.now.isoformat(), "user": user.id,
                         "ip": "127.0.0.1"}
    assert failed[1] == {"event": "signin.failed", "at": clock.now.isoformat(),
                         "account": "unknown", "ip": "127.0.0.1"}
    text = json.dumps(events())
    assert "hunter2" not in text and "secret-typed-here" not in text and "whatever" not in text
    browser.login("ayesha@example.org")
    assert named(events(), "signin")[-1]["user"] == user.id


def test_password_changes_and_resets_are_logged_without_the_password_or_the_token(
        app, client, build, events, mailbox):
    user = build.user(email="ayesha@example.org")
    browser = Browser(client)
    browser.login("ayesha@example.org")
    browser.post("/settings/password", {"current": PASSWORD, "password": NEW, "confirm": NEW},
                 token_from="/settings/password")
    other = Browser(app.test_client())
    other.post("/password-reset", {"email": "ayesha@example.org"}, token_from="/password-reset")
    path = urlsplit(mailbox.link("ayesha@example.org")).path
    other.post(path, {"password": "another long passphrase", "confirm":
                      "another long passphrase"}, token_from=path)
    entries = events()
    assert [e["user"] for e in named(entries, "password.changed")] == [user.id]
    assert [e["user"] for e in named(entries, "password.reset_requested")] == [user.id]
    assert [e["user"] for e in named(entries, "password.reset")] == [user.id]
    text = json.dumps(entries)
    assert NEW not in text and "another long passphrase" not in text
    assert path.rsplit("/", 1)[1] not in text


def test_email_changes_imports_and_deletions_are_logged(learner, clock, build, events):
    studied(learner, clock)
    data = exported(learner)
    fresh = switch_to_fresh_account(learner, build).id
    assert imported(upload(learner, json.dumps(data)))
    learner.post("/settings/email", {"email": "moved@example.org", "password": PASSWORD},
                 token_from="/settings/email")
    learner.post("/account/delete", {"password": PASSWORD}, token_from="/account")
    entries = events()
    [entry] = named(entries, "data.imported")
    assert (entry["user"], entry["cards"], entry["reviews"]) == (fresh, 4, 5)
    assert named(entries, "email.changed")[0]["user"] == fresh
    assert "moved@example.org" not in json.dumps(entries)
    assert named(entries, "account.deleted")[0]["user"] == fresh


def test_making_an_admin_is_logged(app, build, events):
    user = build.user(email="teacher@example.org")
    result = app.test_cli_runner().invoke(args=["users", "promote", "teacher@example.org"])
    assert result.exit_code == 0
    [changed] = named(events(), "role.changed")
    assert (changed["user"], changed["admin"], changed["by"]) == (user.id, True, "cli")


def test_hitting_a_rate_limit_is_logged(client, build, events, monkeypatch):
    monkeypatch.setitem(limits.LIMITS, "signin_per_client", "1 per 15 minutes")
    build.user(email="ayesha@example.org")
    browser = Browser(client)
    browser.login("ayesha@example.org", "wrong password")
    assert browser.login("ayesha@example.org", "wrong password").status_code == 429
    [hit] = named(events(), "ratelimit.hit")
    assert hit["endpoint"] == "accounts.login" and hit["limit"] == "1 per 15 minute"

"""Sign up, sign in, sign out: hashed passwords, CSRF, safe redirects, clear field errors."""

import pytest

from quiz import create_app
from quiz.accounts.views import safe_next
from quiz.extensions import db
from quiz.models import User
from tests.conftest import PASSWORD


def signup(browser, email="ayesha@example.org", password=PASSWORD, confirm=None):
    return browser.post("/signup", {"email": email, "password": password,
                                    "confirm": confirm or password}, token_from="/signup")


def test_signing_up_creates_an_account_with_a_hashed_password_and_signs_in(browser):
    response = signup(browser, email="Ayesha@Example.org")
    assert response.status_code == 302
    user = db.session.scalars(db.select(User)).one()
    assert user.email == "ayesha@example.org"
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert "Sign out" in browser.get("/").get_data(as_text=True)


def test_outside_the_tests_passwords_are_hashed_with_scrypt_at_full_strength(app, monkeypatch):
    # The tests' own app hashes cheaply (tests/conftest.py); the real setting is this one, and
    # the environment cannot lower it.
    for name in ("KDF_METHOD", "PIVOT_KDF_METHOD"):
        monkeypatch.setenv(name, "scrypt:16:1:1")
    settings = {"SECRET_KEY": "test-secret",
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    real = create_app(settings)
    with real.app_context():
        user = User(email="ayesha@example.org")
        user.set_password(PASSWORD)
    assert real.config["KDF_METHOD"] == "scrypt"
    assert user.password_hash.startswith("scrypt:32768:8:1$")
    assert user.check_password(PASSWORD) and not user.check_password("not the password")
    with pytest.raises(ValueError, match="for tests only"):
        create_app({**settings, "KDF_METHOD": "scrypt:1024:8:1"})  # an app that is not a test


def test_signup_errors_are_shown_beside_their_fields(browser):
    response = signup(browser, email="not-an-email", password="short", confirm="other")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Invalid email address." in page
    assert "Use at least 10 characters." in page
    assert "The passwords do not match." in page
    assert db.session.scalars(db.select(User)).first() is None


def test_the_same_email_cannot_sign_up_twice(browser, build):
    build.user(email="taken@example.org")
    response = signup(browser, email="TAKEN@example.org")
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)


def test_sign_in_with_a_wrong_password_fails_with_a_message(browser, build):
    build.user(email="a@example.org")
    response = browser.login("a@example.org", "wrong password!")
    assert response.status_code == 422
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_sign_in_follows_next_only_within_the_site(browser, build):
    build.user(email="a@example.org")
    page = browser.get("/login?next=/settings").get_data(as_text=True)
    assert 'value="/settings"' in page
    response = browser.post("/login", {"email": "a@example.org", "password": PASSWORD,
                                       "next": "/settings"}, token_from="/login")
    assert response.headers["Location"] == "/settings"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)", "settings",
                                    "\t//evil.example"])
def test_next_never_leaves_the_site(browser, build, target):
    assert safe_next(target) is None
    build.user(email="a@example.org")
    response = browser.post("/login", {"email": "a@example.org", "password": PASSWORD,
                                       "next": target}, token_from="/login")
    assert response.headers["Location"] == "/"


def test_sign_out_is_a_post_with_a_csrf_token(browser, build):
    build.user(email="a@example.org")
    browser.login("a@example.org")
    assert browser.get("/logout").status_code == 405
    assert browser.client.post("/logout").status_code == 400  # no token
    assert "Sign out" in browser.get("/").get_data(as_text=True)
    browser.post("/logout")
    assert "Sign in" in browser.get("/").get_data(as_text=True)


def test_a_form_without_csrf_token_is_refused_with_a_clear_message(client):
    response = client.post("/signup", data={"email": "x@example.org", "password": PASSWORD,
                                            "confirm": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert db.session.scalars(db.select(User)).first() is None


def test_pages_that_need_an_account_redirect_to_sign_in(client):
    response = client.get("/settings")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_up_keeps_the_time_zone_the_page_sends_if_it_is_a_real_one(browser):
    browser.post("/signup", {"email": "a@example.org", "password": PASSWORD,
                             "confirm": PASSWORD, "time_zone": "Asia/Karachi"},
                 token_from="/signup")
    other = browser.client.application.test_client()
    from tests.conftest import Browser

    Browser(other).post("/signup", {"email": "b@example.org", "password": PASSWORD,
                                    "confirm": PASSWORD, "time_zone": "Mars/Olympus"},
                        token_from="/signup")
    zones = dict(db.session.execute(db.select(User.email, User.time_zone)).all())
    assert zones == {"a@example.org": "Asia/Karachi", "b@example.org": "UTC"}

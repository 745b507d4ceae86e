"""Headers, cookies, secret keys and error pages."""

from pathlib import Path

from quiz import create_app
from quiz.config import database_url, secret_key


def test_every_page_sends_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/signup").get_data(as_text=True)
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert "onclick=" not in page


def test_session_cookie_is_httponly_and_samesite(browser, build):
    build.user(email="a@example.org")
    response = browser.login("a@example.org")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_pages_get_a_friendly_404_without_a_traceback(client):
    response = client.get("/sessions/999999")
    assert response.status_code in (302, 404)
    response = client.get("/no-such-page")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and "Traceback" not in page and "Not Found" in page


def test_a_secret_key_is_generated_once_into_the_instance_folder(tmp_path: Path):
    first = secret_key(str(tmp_path))
    assert len(first) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert secret_key(str(tmp_path)) == first


def test_secret_key_from_the_environment_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert create_app().config["SECRET_KEY"] == "from-env"


def test_database_url_defaults_to_sqlite_in_instance_and_upgrades_postgres_urls():
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/pivot.db"
    assert database_url("postgres://u@h/d", "") == "postgresql+psycopg://u@h/d"
    assert database_url("postgresql+psycopg://u@h/d", "") == "postgresql+psycopg://u@h/d"

"""Headers, cookies, secret keys and error pages."""

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from quiz import create_app
from quiz.config import database_url, secret_key
from quiz.extensions import db
from tests.conftest import Browser


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


def route_values(learner) -> dict[str, str]:
    """A real value for every URL argument of the app, from a learner who has answered once."""
    session_url = learner.start()
    fields = learner.shown(session_url)
    learner.answer(session_url, fields, choice="Washington")
    session_id = session_url.rsplit("/", 1)[1]
    review_id = learner.feedback_url().rsplit("/", 1)[1]
    return {"bank_id": "demo", "session_id": session_id, "review_id": review_id,
            "question_id": fields["question_id"], "token": "no-such-token",
            "filename": "style.css", "job_id": "1", "report_id": "1", "action": "suspend",
            "token_id": "1", "class_id": "1", "user_id": "1", "assignment_id": "1",
            "code": "NOSUCHCODE"}


def test_no_response_but_static_files_may_be_cached_on_any_route(app, learner):
    learner.user.is_admin = True
    db.session.commit()
    values = route_values(learner)
    pages = 0
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<[^>]*\b{name}>", values[name], path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # A POST without its CSRF token is refused before it changes anything.
            response = learner.client.open(path, method=method)
            assert response.status_code < 500, (method, path)
            if rule.endpoint == "static":
                assert response.headers.get("Cache-Control") != "no-store", path
                continue
            assert response.headers["Cache-Control"] == "no-store", (method, path)
            pages += response.status_code == 200
    assert pages >= 18  # the signed-in pages themselves, not only refusals
    for anonymous in ("/", "/login", "/signup", "/password-reset", "/no-such-page"):
        assert Browser(app.test_client()).get(anonymous).headers["Cache-Control"] == "no-store"


def test_every_page_forbids_unused_browser_features_and_keeps_its_window_to_itself(client):
    response = client.get("/login")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP by default


def test_behind_https_browsers_are_told_to_use_nothing_else(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("host", ["a" * 64 + ".example.org", "a" * 300, "x" * 5000])
def test_an_over_long_host_header_is_a_400_without_a_traceback(client, host):
    # Werkzeug cannot encode a name with a label over 63 characters, so no URL can be built.
    response = client.get("/login", headers={"Host": host})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "Bad Request" in text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", ["bad host", "[::1", "example.org:99999999", "ex\u00e4mple.org",
                                  ".", ""])
def test_odd_host_headers_never_cause_a_server_error(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code < 500 and "Traceback" not in response.get_data(as_text=True)


def test_the_database_file_and_instance_folder_are_private(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    monkeypatch.setattr("quiz.ROOT", tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'pivot.db'}"})
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        files = {path.name: path.stat().st_mode & 0o777 for path in instance.iterdir()}
        db.session.remove()
        db.engine.dispose()
    assert (instance.stat().st_mode & 0o777) == 0o700
    assert files["secret_key"] == files["pivot.db"] == 0o600
    assert files["pivot.db-wal"] == files["pivot.db-shm"] == 0o600  # WAL files copy its mode

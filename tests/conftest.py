"""Shared fixtures: an app per database, a fixed clock, builders and a CSRF-aware client.

Every test that uses `app` (directly or through `client`, `db_session`, `build`) runs once
on SQLite and, when TEST_DATABASE_URL is set, once more on PostgreSQL. The schema comes
from the real Alembic migrations, applied once per database per run.
"""

from __future__ import annotations

import contextvars
import gzip
import html
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, insert, text
from sqlalchemy.engine import make_url

from quiz import create_app, mail
from quiz.authoring.sync import sync_directory
from quiz.config import database_url
from quiz.core import clock as clock_module
from quiz.core.scheduling import Phase
from quiz.extensions import db, limiter
from quiz.models import Card, Question, Review, SessionKind, StudySession, User

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
TEST_BANKS = FIXTURES / "banks"
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def postgres_url(suffix: str = "") -> str:
    """The PostgreSQL test database (created if missing); `suffix` names a separate one.
    Each pytest-xdist worker gets databases of its own, since tests truncate theirs."""
    url = database_url(os.environ["TEST_DATABASE_URL"], "")
    parsed = make_url(url)
    parts = [suffix, os.environ.get("PYTEST_XDIST_WORKER", "")]
    if any(parts):
        parsed = parsed.set(database="_".join([parsed.database, *filter(None, parts)]))
        url = parsed.render_as_string(hide_password=False)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": parsed.database})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    except Exception as exc:
        pytest.exit(f"TEST_DATABASE_URL is set but PostgreSQL is unreachable: {exc}", returncode=3)
    finally:
        admin.dispose()
    return url


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True,
                      "JOBS_BACKEND": "memory"})
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated database per backend: an SQLite file to copy, a PostgreSQL URL to truncate."""
    templates = {}
    sqlite_file = tmp_path_factory.mktemp("db") / "template.db"
    _migrate(f"sqlite:///{sqlite_file}")
    templates["sqlite"] = str(sqlite_file)
    if "postgresql" in BACKENDS:
        url = postgres_url()
        _migrate(url)
        templates["postgresql"] = url
    return templates


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as a real server's does:
    a fresh `g` (so no signed-in user leaks from one request to the next) and a fresh database
    session, whatever contexts the test itself has pushed."""

    def open(self, *args, **kwargs):
        # A streamed body is read inside the request's own context, before it is left.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # What the test loaded before the request may have changed under it: read it afresh.
        db.session.expire_all()
        return response


@pytest.fixture(params=BACKENDS)
def app(request: pytest.FixtureRequest, database_templates: dict[str, str], tmp_path: Path):
    """The app on a fresh, migrated database."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(database_templates["sqlite"], path)
        url = f"sqlite:///{path}"
    else:
        url = database_templates["postgresql"]
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "QUESTIONS_DIR": str(TEST_BANKS),
        "FSRS_FUZZING": False,
        # Password hashes at 1/32 of scrypt's full work: full strength costs 0.1 s a hash, and
        # most tests make a learner and sign them in. tests/accounts/test_auth.py checks the
        # real setting; the sign-in timing test of test_enumeration.py restores it.
        "KDF_METHOD": "scrypt:1024:8:1",
        # An in-memory queue per test: jobs run only when a test calls quiz.jobs.run_pending.
        "JOBS_BACKEND": "memory",
        # Tests move the clock on by months between requests: sessions outlast that here;
        # tests/accounts/test_sessions.py checks the real lifetimes.
        "REMEMBER_DAYS": 3650,
        "SESSION_MAX_DAYS": 3650,
    })
    app.config["BACKEND"] = request.param
    app.test_client_class = IsolatedClient
    limiter.reset()  # rate-limit counts start afresh for every test (they live per process)
    with app.app_context():
        if request.param == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


@dataclass
class FixedClock:
    """A clock that only moves when a test moves it."""

    now: datetime = START

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """Every test runs on a fixed clock (2 March 2026, noon UTC) unless it moves it."""
    fixed = FixedClock()
    monkeypatch.setattr(clock_module, "utcnow", lambda: fixed.now)
    return fixed


class Builder:
    """Makes the rows tests need, through the same code paths the app uses."""

    def __init__(self, app, tmp_path: Path):
        self.app = app
        self.tmp_path = tmp_path
        self._users = 0

    def user(self, *, email: str | None = None, time_zone: str = "UTC", new_per_day: int = 20,
             admin: bool = False) -> User:
        self._users += 1
        user = User(email=email or f"learner{self._users}@example.org", time_zone=time_zone,
                    new_per_day=new_per_day, is_admin=admin)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user

    def banks(self, directory: Path = TEST_BANKS, *, now: datetime | None = None):
        """Sync a directory of banks (default: the demo bank with every type)."""
        return sync_directory(directory, now=now or clock_module.utcnow())

    def retire(self, *question_ids: str, now: datetime | None = None):
        """Sync the demo bank again without `question_ids`, as an author deleting them would."""
        header, *blocks = re.split(r"(?m)^(?=  - id: )", (TEST_BANKS / "demo.yaml").read_text())
        kept = [b for b in blocks if b.split(maxsplit=3)[2] not in question_ids]
        assert len(kept) == len(blocks) - len(question_ids), "unknown question id"
        return self.banks(self.bank_dir({"demo.yaml": header + "".join(kept)}), now=now)

    def bank_dir(self, files: dict[str, str]) -> Path:
        """A questions directory holding the test sources and events plus `files`."""
        directory = self.tmp_path / "questions"
        directory.mkdir(exist_ok=True)
        for shared in ("sources.yaml", "events.yaml"):
            shutil.copy(TEST_BANKS / shared, directory / shared)
        for name, content in files.items():
            (directory / name).write_text(content, encoding="utf-8")
        return directory


    def bulk_history(self, user: User, *, reviews: int, days: int = 400,
                     now: datetime | None = None) -> None:
        """`reviews` answers by `user` to the demo bank spread over the `days` before `now`,
        written in bulk (for tests that need a long history fast): cards in review (one due
        now), one study session a day, a finished practice test every month, and the day
        tallies to match."""
        from quiz.study import tallies

        now = now or clock_module.utcnow()
        questions = list(db.session.scalars(db.select(Question.id).where(
            Question.bank_id == "demo", Question.retired_at.is_(None)).order_by(Question.id)))
        sessions = [StudySession(user_id=user.id, kind=SessionKind.BANK, bank_id="demo",
                                 started_at=now - timedelta(days=days - day))
                    for day in range(days)]
        tests = [StudySession(user_id=user.id, kind=SessionKind.TEST, question_ids=questions[:3],
                              started_at=now - timedelta(days=day, hours=1),
                              ended_at=now - timedelta(days=day))
                 for day in range(30, days, 30)]
        db.session.add_all(sessions + tests)
        db.session.flush()
        per_question = max(1, reviews // len(questions))
        cards = [Card(user_id=user.id, question_id=question_id, phase=int(Phase.REVIEW),
                      stability=30.0, difficulty=5.0, due=now + timedelta(days=index - 1),
                      last_review=now - timedelta(days=1), reps=per_question, lapses=index,
                      answers=per_question) for index, question_id in enumerate(questions)]
        db.session.add_all(cards)
        db.session.flush()
        rows = []
        for number in range(reviews):
            card = cards[number % len(cards)]
            session = sessions[number * days // reviews]
            moment = session.started_at + timedelta(minutes=number % 50)
            rows.append(dict(card_id=card.id, user_id=user.id, session_id=session.id,
                             seq=number // len(cards), scheduled=True, rating=3 - number % 2,
                             score=float(number % 3 > 0), response="x",
                             phase_before=int(Phase.REVIEW), reviewed_at=moment,
                             duration_ms=3000, due_after=moment + timedelta(days=5),
                             stability_after=30.0, difficulty_after=5.0))
        for card in cards:
            card.answers = max(row["seq"] for row in rows if row["card_id"] == card.id) + 1
        db.session.execute(insert(Review), rows)
        tallies.recount(user)
        db.session.commit()


def body_text(response) -> str:
    """A response's body as text, a gzip-compressed download (the JSON export) unpacked."""
    raw = response.get_data()
    if response.mimetype == "application/gzip":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", "replace")


def count_queries(function, *args, **kwargs) -> int:
    """How many SQL statements `function` sends: proves a page or job runs no query per row."""
    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        function(*args, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def compiled_each_time(function, *args, **kwargs) -> list[str]:
    """The SQL statements `function` sends that SQLAlchemy compiled more than once, or could
    not cache at all: each such statement pays its compilation on every request."""
    misses: dict[str, int] = {}

    def record(_connection, _cursor, statement, _parameters, context, _many):
        hit = getattr(context, "cache_hit", None)
        if hit is not None and hit is not context.dialect.CACHE_HIT:
            uncacheable = hit in (context.dialect.NO_CACHE_KEY, context.dialect.CACHING_DISABLED)
            misses[statement] = misses.get(statement, 0) + (2 if uncacheable else 1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        function(*args, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return [statement for statement, count in misses.items() if count > 1]


@pytest.fixture
def client(app) -> IsolatedClient:
    """A client that keeps its cookies between requests, like one browser."""
    return app.test_client()


@pytest.fixture
def build(app, tmp_path: Path) -> Builder:
    return Builder(app, tmp_path)


class Browser:
    """A test client that signs in and posts forms with their CSRF tokens, like a browser."""

    TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                       r'name="csrf_token" value="([^"]+)"')

    def __init__(self, client):
        self.client = client

    def token(self, path: str = "/") -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = self.TOKEN.search(page)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict | None = None, *, token_from: str = "/", **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from))
        return self.client.post(path, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD, *, remember: bool = True):
        """Sign in; with "keep me signed in" by default, as a learner who studies for weeks
        on a fixed clock that tests move on by days would."""
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self.post("/login", data, token_from="/login")

    def get(self, path: str, **kwargs):
        return self.client.get(path, **kwargs)


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


class Learner(Browser):
    """A signed-in browser that studies: starts sessions and answers what it is shown."""

    FIELD = re.compile(r'name="(question_id|seq|shown_at)" type="hidden" value="([^"]*)"|'
                       r'id="(question_id|seq|shown_at)" name="\3" type="hidden" value="([^"]*)"')

    def start(self, bank_id: str = "demo") -> str:
        response = self.post(f"/banks/{bank_id}/sessions")
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"]

    def shown(self, session_url: str, **query) -> dict[str, str]:
        """The hidden fields of the question on screen (a flashcard is flipped first)."""
        page = self.get(session_url, query_string=query).get_data(as_text=True)
        flip = re.search(r'href="([^"]*flip=1[^"]*)" data-key="flip"', page)
        if flip:  # a flashcard's front: its form comes with the back
            page = self.get(html.unescape(flip.group(1))).get_data(as_text=True)
        fields = {}
        for name in ("question_id", "seq", "shown_at", "offer"):
            match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
                rf'value="([^"]*)"[^>]*name="{name}"', page)
            if match:
                fields[name] = match.group(1)
        return fields

    def back(self, session_url: str) -> str:
        """The back of the flashcard on screen, through its "Show answer" link."""
        page = self.get(session_url).get_data(as_text=True)
        flip = re.search(r'href="([^"]*flip=1[^"]*)" data-key="flip"', page)
        assert flip, "no flashcard front on screen"
        return self.get(html.unescape(flip.group(1))).get_data(as_text=True)

    def feedback_url(self) -> str:
        """Where the feedback on this learner's latest answer can be seen again."""
        review = db.session.scalars(db.select(Review).where(Review.user_id == self.user.id)
                                    .order_by(Review.id.desc()).limit(1)).one()
        return f"/sessions/{review.session_id}/reviews/{review.id}"

    def answer(self, session_url: str, fields: dict[str, str], **response):
        data = {**fields, **response}
        return self.post(f"{session_url}/answers", data, token_from=session_url)


class Mailbox:
    """The mail the app printed to its log in place of sending it (no MAIL_SERVER in tests)."""

    def __init__(self, caplog: pytest.LogCaptureFixture):
        self.caplog = caplog

    def messages(self, to: str | None = None) -> list[str]:
        mail.wait()
        found = [record.getMessage() for record in self.caplog.records
                 if record.name == mail.LOGGER]
        return [text for text in found if to is None or f"\nTo: {to}\n" in text]

    def link(self, to: str) -> str:
        """The last reset link sent to `to`."""
        links = re.findall(r"https?://\S+/password-reset/\S+", "".join(self.messages(to)))
        assert links, f"no reset link was sent to {to}"
        return links[-1]


@pytest.fixture
def mailbox(caplog: pytest.LogCaptureFixture) -> Mailbox:
    caplog.set_level(logging.INFO, logger=mail.LOGGER)
    return Mailbox(caplog)


@pytest.fixture
def learner(client, build) -> Learner:
    """A signed-in learner (UTC) with the demo bank loaded."""
    build.banks()
    user = build.user(email="learner@example.org")
    browser = Learner(client)
    browser.login(user.email)
    browser.user = user
    return browser

"""An answer posted while another learner's big import is being written waits for it and is
recorded (SQLite's busy timeout applies), never "database is locked"; bench/locks.py is the
full-size run."""

import sqlite3
import threading
import time

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from quiz.accounts import data, export
from quiz.extensions import db
from quiz.models import Review, User
from quiz.study import tallies

HOLD_SECONDS = 1.0


def test_an_answer_waits_out_an_import_holding_the_write_lock(app, learner, clock, build,
                                                              monkeypatch):
    source = build.user(email="source@example.org")
    build.bulk_history(source, reviews=90, days=10)
    raw = export.export_json(source, clock.now).encode()
    importer_id = build.user(email="importer@example.org").id
    writing = threading.Event()
    recount = tallies.recount

    def recount_slowly(user: User) -> None:
        # The import has written its rows and holds the write lock until it commits.
        recount(user)
        db.session.flush()
        writing.set()
        time.sleep(HOLD_SECONDS)

    monkeypatch.setattr(tallies, "recount", recount_slowly)
    failures: list[BaseException] = []

    def import_in_another_thread() -> None:
        with app.app_context():
            try:
                data.import_data(db.session.get(User, importer_id), data.parse_export(raw))
            except BaseException as exc:  # reported by the test, not lost in the thread
                failures.append(exc)
                writing.set()

    url = learner.start()
    fields = learner.shown(url)
    thread = threading.Thread(target=import_in_another_thread)
    thread.start()
    assert writing.wait(30)
    response = learner.answer(url, fields, choice="Washington")
    thread.join()
    assert failures == []
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)
                             .where(Review.user_id == learner.user.id)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)
                             .where(Review.user_id == importer_id)) == 90


def _busy() -> OperationalError:
    return OperationalError("INSERT INTO card …", {}, sqlite3.OperationalError(
        "database is locked"))


def test_an_answer_sqlite_found_busy_is_tried_again_and_recorded_once(learner, monkeypatch):
    url = learner.start()
    fields = learner.shown(url)
    record, calls = tallies.record, []

    def busy_the_first_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _busy()
        return record(*args, **kwargs)

    monkeypatch.setattr(tallies, "record", busy_the_first_time)
    response = learner.answer(url, fields, choice="Washington")
    assert response.status_code == 200 and len(calls) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1


def test_a_request_sqlite_stays_busy_for_is_a_503_saying_to_send_it_again(learner, monkeypatch,
                                                                           caplog):
    url = learner.start()
    fields = learner.shown(url)

    def always_busy(*args, **kwargs):
        raise _busy()

    monkeypatch.setattr(tallies, "record", always_busy)
    response = learner.answer(url, fields, choice="Washington")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "send it again" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 0
    monkeypatch.undo()
    # Sent again once the writer is done: recorded, once.
    assert learner.answer(url, fields, choice="Washington").status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Review)) == 1


def test_a_request_that_reads_then_writes_waits_for_the_writer_instead_of_failing(app, build):
    # SQLite fails at once ("database is locked", no busy timeout) when a transaction that has
    # read tries to write while another connection writes. The driver's default begins the
    # transaction only at the first write, so reads come before it and the write waits: a
    # switch to beginning at the first statement (Python 3.12's autocommit=False, or a
    # "BEGIN" event recipe) must come with BEGIN IMMEDIATE, or this fails.
    first, second = build.user().id, build.user().id
    writing, done = threading.Event(), threading.Event()

    def hold_a_write() -> None:
        with app.app_context(), db.engine.connect() as connection:
            connection.execute(update(User).where(User.id == first).values(new_per_day=5))
            writing.set()
            time.sleep(HOLD_SECONDS)
            connection.commit()
            done.set()

    thread = threading.Thread(target=hold_a_write)
    thread.start()
    assert writing.wait(30)
    started = time.monotonic()
    with db.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(User)) == 2
        connection.execute(update(User).where(User.id == second).values(new_per_day=7))
        connection.commit()
    waited = time.monotonic() - started
    thread.join()
    if app.config["BACKEND"] == "sqlite":  # one writer at a time; PostgreSQL locks rows
        assert done.is_set() and waited >= HOLD_SECONDS * 0.5
    assert db.session.get(User, second).new_per_day == 7


def test_a_sqlite_without_math_functions_is_given_power_for_the_class_pages():
    from quiz import _sqlite_pragmas

    class NoMath:
        """A connection whose SQLite lacks power(), as one built without math functions."""

        def __init__(self):
            self.real, self.functions = sqlite3.connect(":memory:"), {}

        def cursor(self):
            real = self.real.cursor()

            class Cursor:
                def execute(self, sql):
                    if "power" in sql:
                        raise sqlite3.OperationalError("no such function: power")
                    return real.execute(sql)

                def close(self):
                    real.close()
            return Cursor()

        def create_function(self, name, arity, function, deterministic):
            self.functions[name] = (arity, function, deterministic)

    connection = NoMath()
    _sqlite_pragmas(connection, None)
    arity, power, deterministic = connection.functions["power"]
    assert (arity, deterministic, power(2.0, 0.5)) == (2, True, 2.0 ** 0.5)

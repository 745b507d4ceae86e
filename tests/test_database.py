"""What a request's end leaves on its database connection: nothing uncommitted, and on
PostgreSQL the statements the connection prepared."""

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import OperationalError

from quiz.extensions import db
from quiz.models import User


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite prepares nothing on a server")


def test_a_session_closed_without_a_commit_leaves_nothing_it_wrote(build):
    user = build.user(email="before@example.org")
    db.session.get(User, user.id).time_zone = "Asia/Karachi"  # through the ORM
    db.session.execute(update(User).where(User.id == user.id)
                       .values(email="after@example.org"))  # through Core
    db.session.remove()  # as at the end of every request
    kept = db.session.get(User, user.id)
    assert (kept.email, kept.time_zone) == ("before@example.org", "UTC")


def test_postgresql_keeps_a_statement_prepared_from_one_request_to_the_next(build):
    _postgresql_only()
    user = build.user()
    query = select(User.email).where(User.id == user.id)
    for _ in range(8):  # psycopg prepares a statement on its sixth run on a connection
        assert db.session.scalar(query) == user.email
        db.session.remove()  # the request ends: its transaction is rolled back
    prepared = db.session.execute(text(
        "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE 'SELECT \"user\".email%'")).scalars().all()
    # Prepared once, on the sixth run, and used again on the next two.
    assert prepared == [3]


def test_a_connection_whose_server_process_ended_is_replaced(app, build):
    _postgresql_only()
    user = build.user()
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # a transaction is open on it
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    # The rollback at the request's end reports the lost connection, as psycopg's own does,
    # and the pool drops it: the next request gets a new one.
    with pytest.raises(OperationalError, match="server closed the connection"):
        db.session.remove()
    db.session.remove()
    assert db.session.scalar(select(User.email).where(User.id == user.id)) == user.email
    assert db.session.scalar(text("SELECT pg_backend_pid()")) != pid

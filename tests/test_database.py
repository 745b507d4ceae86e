"""A request's database connection: closed, it keeps nothing uncommitted; on PostgreSQL it
keeps the statements it prepared, and reads timestamps in UTC."""

from datetime import UTC

import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import NotSupportedError, OperationalError

from quiz.extensions import db
from quiz.models import User


def _postgresql_only():
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server session to set up")


def _once_a_request(query, params, expected, *, times=8):
    """Run `query` in `times` requests, one after another (psycopg prepares a statement on its
    sixth run on a connection)."""
    for _ in range(times):
        assert db.session.scalar(query, params) == expected
        db.session.remove()  # the request ends: its transaction is rolled back


def _from_another_process(sql, params=None):
    """Run `sql` on a connection of its own, as a migration or an administrator would."""
    admin = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            result = connection.execute(text(sql), params or {})
            return result.scalar() if result.returns_rows else None
    finally:
        admin.dispose()


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
    _once_a_request(select(User.email).where(User.id == user.id), {}, user.email)
    prepared = db.session.execute(text(
        "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
        "WHERE statement LIKE 'SELECT \"user\".email%'")).scalars().all()
    # Prepared once, on the sixth run, and used again on the next two.
    assert prepared == [3]


def test_a_prepared_statement_a_migration_broke_fails_once_then_works_again(build):
    _postgresql_only()
    db.session.execute(text("CREATE TABLE migrated (id integer PRIMARY KEY, v varchar(10))"))
    db.session.execute(text("INSERT INTO migrated VALUES (1, 'ten')"))
    db.session.commit()
    query = text("SELECT v FROM migrated WHERE id = :id")
    _once_a_request(query, {"id": 1}, "ten")
    _from_another_process("ALTER TABLE migrated ALTER COLUMN v TYPE varchar(20)")
    try:
        # PostgreSQL refuses the plan it kept, once: the failed request's rollback is
        # psycopg's own, which forgets every prepared statement, and the next one works.
        with pytest.raises(NotSupportedError, match="cached plan must not change result type"):
            db.session.scalar(query, {"id": 1})
        db.session.remove()
        assert db.session.scalar(query, {"id": 1}) == "ten"
    finally:
        db.session.remove()
        db.session.execute(text("DROP TABLE migrated"))
        db.session.commit()


def test_a_connection_whose_server_process_ended_is_replaced(app, build):
    _postgresql_only()
    user = build.user()
    pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # a transaction is open on it
    # Waits until the process has ended.
    assert _from_another_process("SELECT pg_terminate_backend(:pid, 5000)", {"pid": pid})
    # The rollback at the request's end reports the lost connection, as psycopg's own does,
    # and the pool drops it: the next request gets a new one.
    with pytest.raises(OperationalError) as lost:
        db.session.remove()
    assert lost.value.connection_invalidated
    db.session.remove()
    assert db.session.scalar(select(User.email).where(User.id == user.id)) == user.email
    assert db.session.scalar(text("SELECT pg_backend_pid()")) != pid


def test_postgresql_sessions_read_timestamps_in_utc_whatever_the_servers_zone(app):
    _postgresql_only()
    assert db.session.scalar(text("SHOW TIME ZONE")) == "UTC"
    # psycopg hands them back in UTC itself, so none needs converting on the way out (the
    # server here runs in 'Etc/UTC', which it would read as a ZoneInfo to convert from).
    moment = db.session.connection().exec_driver_sql("SELECT now()").scalar()
    assert moment.tzinfo is UTC
    db.session.remove()  # and so does the next request, on the pooled connection
    assert db.session.scalar(text("SHOW TIME ZONE")) == "UTC"

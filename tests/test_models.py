"""The tables' own types: timestamps are stored in UTC and always read back timezone-aware."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from quiz.extensions import db
from quiz.models import User


def _created_at(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id).created_at


def test_a_timestamp_comes_back_as_the_same_instant_in_utc(build):
    user = build.user()
    in_lahore = datetime(2026, 3, 2, 17, 30, 15, 123456, tzinfo=timezone(timedelta(hours=5)))
    user.created_at = in_lahore
    db.session.commit()
    read = _created_at(user.id)
    assert read == in_lahore and read.tzinfo is UTC
    assert read.isoformat() == "2026-03-02T12:30:15.123456+00:00"


def test_a_naive_timestamp_is_refused_rather_than_guessed(build):
    user = build.user()
    user.created_at = datetime(2026, 3, 2, 12)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()
    db.session.rollback()


def test_sqlite_text_with_an_offset_of_its_own_is_read_as_its_utc_instant(build):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL stores timestamps with their zone")
    user = build.user()
    for stored, expected in (("2026-03-02 17:30:00+05:00", datetime(2026, 3, 2, 12, 30)),
                             ("2026-03-02 12:30:00", datetime(2026, 3, 2, 12, 30)),
                             ("2026-03-02T12:30:00.5", datetime(2026, 3, 2, 12, 30, 0, 500000)),
                             ("2026-03-02", datetime(2026, 3, 2))):
        db.session.execute(text("UPDATE user SET created_at = :stored WHERE id = :id"),
                           {"stored": stored, "id": user.id})
        db.session.commit()
        read = _created_at(user.id)
        assert read == expected.replace(tzinfo=UTC) and read.tzinfo is UTC

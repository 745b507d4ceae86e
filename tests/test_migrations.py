"""Migrations keep every learner's data, on both databases, going up and coming back down."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Integer, inspect, text

from quiz import create_app
from quiz.extensions import db
from tests.conftest import BACKENDS, postgres_url

WHEN = datetime(2026, 1, 5, 9, 30, tzinfo=UTC).replace(tzinfo=None)


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path):
    """The app on an empty database that each test migrates itself."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
    else:
        url = postgres_url("migrations")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test", "TESTING": True})
    with app.app_context():
        if request.param == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def rows(table: str) -> list[tuple]:
    found = [tuple(row) for row in db.session.execute(
        text(f'SELECT * FROM "{table}" ORDER BY 1, 2'))]
    # An open read transaction would hold PostgreSQL locks the next migration must take.
    db.session.commit()
    return found


def seed_0002() -> None:
    """A learner with a card, an answer and a session, as the 0002 schema stores them."""
    statements = [
        """INSERT INTO "user" (id, email, password_hash, time_zone, new_per_day,
           desired_retention, is_admin, created_at) VALUES
           (1, 'gone@example.org', 'x', 'UTC', 20, 0.9, false, :when),
           (2, 'ayesha@example.org', 'x', 'Asia/Karachi', 15, 0.85, false, :when)""",
        "DELETE FROM \"user\" WHERE id = 1",
        """INSERT INTO bank (id, title, description, synced_at)
           VALUES ('demo', 'Demo', '', :when)""",
        """INSERT INTO question (id, bank_id, position, type, era, difficulty, source_article,
           source_section, citation, spec, content_hash, answer_hash)
           VALUES ('q1', 'demo', 0, 'true_false', 'cold-war', 2, 'a', 's', 'c', '{}', 'h', 'h')""",
        """INSERT INTO study_session (id, user_id, kind, bank_id, bank_ids, eras, tags,
           question_ids, scheduled, started_at) VALUES
           (7, 2, 'test', NULL, '[]', '[]', '[]', '["q1"]', true, :when)""",
        """INSERT INTO card (id, user_id, question_id, phase, step, stability, difficulty, due,
           last_review, reps, lapses, answers, revised)
           VALUES (3, 2, 'q1', 2, NULL, 4.5, 5.2, :when, :when, 2, 0, 2, false)""",
        """INSERT INTO review (id, card_id, user_id, session_id, seq, rating, score, response,
           phase_before, reviewed_at, duration_ms, due_after, scheduled)
           VALUES (11, 3, 2, 7, 1, 3, 1.0, '"true"', 1, :when, 1200, :when, true)""",
    ]
    for statement in statements:
        db.session.execute(text(statement), {"when": WHEN})
    if db.engine.dialect.name == "postgresql":
        # Rows made by the app take their ids from the sequences; these were given ids by
        # hand, so move each sequence on as if the app had made them.
        for table in ("user", "study_session", "card", "review"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', "
                                    f"'id'), (SELECT max(id) FROM \"{table}\"))"))
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('\"user\"', 'id'), 2)"))
    db.session.commit()


def test_0003_keeps_every_row_and_ids_are_never_reused_afterwards(empty_app):
    upgrade(revision="0002")
    seed_0002()
    before = {table: rows(table) for table in ("user", "study_session", "card", "review")}
    upgrade()
    assert {table: rows(table) for table in before} == before
    # The highest id ever used is remembered, even one whose row is gone.
    db.session.execute(text("""INSERT INTO "user" (email, password_hash, time_zone, new_per_day,
        desired_retention, is_admin, created_at) VALUES ('new@example.org', 'x', 'UTC', 20,
        0.9, false, :when)"""), {"when": WHEN})
    db.session.execute(text('DELETE FROM "user" WHERE email = \'new@example.org\''))
    db.session.execute(text("""INSERT INTO "user" (email, password_hash, time_zone, new_per_day,
        desired_retention, is_admin, created_at) VALUES ('newer@example.org', 'x', 'UTC', 20,
        0.9, false, :when)"""), {"when": WHEN})
    db.session.commit()
    newest = db.session.scalar(text("SELECT id FROM \"user\" WHERE email = 'newer@example.org'"))
    db.session.commit()
    assert newest == 4
    downgrade(revision="0002")
    assert rows("review") == before["review"] and rows("card") == before["card"]


def test_0007_lists_each_bank_under_its_questions_era_and_keeps_every_row(empty_app):
    upgrade(revision="0003")
    seed_0002()
    db.session.execute(text("INSERT INTO event (id, date, title, citation) "
                            "VALUES ('treaty', '1971-08', 't', 'c')"))
    db.session.commit()
    before = {table: rows(table) for table in ("question", "card", "review")}
    upgrade(revision="0007")
    assert {table: rows(table) for table in before} == before
    assert db.session.execute(text("SELECT id, era, content_hash FROM bank")).all() == [
        ("demo", "cold-war", None)]
    assert db.session.execute(text("SELECT id, position, inferred FROM event")).all() == [
        ("treaty", 0, False)]
    db.session.commit()
    downgrade(revision="0003")
    assert rows("question") == before["question"]


def test_every_table_with_integer_ids_never_reuses_them(app):
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) == 1 and isinstance(keys[0].type, Integer):
            assert table.kwargs.get("sqlite_autoincrement"), table.name
            if app.config["BACKEND"] == "sqlite":
                created = db.session.scalar(text(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
                    {"name": table.name})
                assert "AUTOINCREMENT" in created, table.name


def test_the_migrated_schema_has_every_model_table(app):
    tables = {table.name for table in db.metadata.tables.values()}
    assert set(inspect(db.engine).get_table_names()) >= tables

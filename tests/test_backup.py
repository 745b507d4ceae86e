"""`flask db backup`: a consistent copy of a database in use, that restores every answer."""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert, select, text

from quiz import backup
from quiz.core import clock
from quiz.extensions import db
from quiz.models import Card, Review
from tests.conftest import postgres_url

# Bounds the writer: it stops on its own even if the test never tells it to.
MOST_WRITES = 5000


class Writer(threading.Thread):
    """Appends answers to one card, one committed transaction each, until told to stop; `acked`
    holds the sequence numbers the database confirmed."""

    def __init__(self, url: str, card: Card):
        super().__init__(daemon=True)
        self.url, self.card_id, self.user_id = url, card.id, card.user_id
        self.acked: list[int] = []
        self.stop = threading.Event()
        self.started_writing = threading.Event()

    def run(self) -> None:
        engine = create_engine(self.url, connect_args={"timeout": 30}
                               if self.url.startswith("sqlite") else {})
        now = clock.utcnow()
        try:
            with engine.connect() as connection:
                for seq in range(MOST_WRITES):
                    if self.stop.is_set():
                        break
                    connection.execute(insert(Review), dict(
                        card_id=self.card_id, user_id=self.user_id, seq=seq, rating=3,
                        score=1.0, response="true", phase_before=2, scheduled=True,
                        reviewed_at=now + timedelta(seconds=seq), duration_ms=1000,
                        due_after=now + timedelta(days=seq)))
                    connection.commit()
                    self.acked.append(seq)
                    if seq == 50:
                        self.started_writing.set()
        finally:
            self.started_writing.set()
            engine.dispose()


def _card(build) -> Card:
    build.banks()
    user = build.user()
    card = Card(user_id=user.id, question_id="demo-tf", answers=0)
    db.session.add(card)
    db.session.commit()
    return card


def _backup_while_writing(app, build, path: Path) -> tuple[Writer, int, int]:
    """Back up to `path` while a writer appends answers; returns it and how many answers were
    acknowledged before the backup began and once it had ended."""
    writer = Writer(app.config["SQLALCHEMY_DATABASE_URI"], _card(build))
    writer.start()
    try:
        assert writer.started_writing.wait(60)
        before = len(writer.acked)
        result = app.test_cli_runner().invoke(args=["db", "backup", str(path)])
        after = len(writer.acked)
    finally:
        writer.stop.set()
        writer.join(60)
    assert result.exit_code == 0, result.output
    assert "to restore:" in result.output
    return writer, before, after


def _restored_seqs(url: str) -> list[int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Review.seq).order_by(Review.seq)))
    finally:
        engine.dispose()


def test_a_backup_taken_while_answers_are_written_restores_every_answer_it_saw(
        app, build, tmp_path):
    path = tmp_path / "pivot-backup"
    if app.config["BACKEND"] == "postgresql" and shutil.which("pg_restore") is None:
        pytest.skip("pg_dump and pg_restore are not installed (apt-get install "
                    "postgresql-client)")
    writer, before, after = _backup_while_writing(app, build, path)
    assert path.stat().st_mode & 0o077 == 0  # it holds password hashes
    if app.config["BACKEND"] == "sqlite":
        restored = tmp_path / "restored.db"
        shutil.copy(path, restored)  # a restore, as the command's output describes it
        url = f"sqlite:///{restored}"
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
            assert connection.scalar(text("PRAGMA journal_mode")) == "delete"
        engine.dispose()
    else:
        url = postgres_url("restore")
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        target = url.replace("postgresql+psycopg://", "postgresql://")
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={target}", str(path)],
                       check=True, capture_output=True)
    seqs = _restored_seqs(url)
    # One moment of the database: every answer acknowledged before the backup began, and no
    # gap (a later answer without an earlier one would be a torn copy).
    assert seqs == list(range(len(seqs)))
    assert before <= len(seqs) <= after
    assert len(writer.acked) > len(seqs) or after == len(seqs)


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    path = tmp_path / "taken"
    path.write_text("an older backup")
    result = app.test_cli_runner().invoke(args=["db", "backup", str(path)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert path.read_text() == "an older backup"


def test_without_pg_dump_the_command_says_how_to_back_up_postgresql(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupFailed) as refused:
        backup.backup("postgresql+psycopg://pivot@db.example/pivot", tmp_path / "dump")
    assert "pg_dump --format=custom" in str(refused.value)
    assert "pg_restore" in str(refused.value)
    assert not list(tmp_path.iterdir())

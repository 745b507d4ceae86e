"""Backups of a live database: a consistent copy taken while the servers keep writing.

A plain copy of a running SQLite database is not a backup: answers committed since the last
checkpoint live in the `-wal` file beside it, and a copy of the main file alone passes its
integrity check while silently missing them. SQLite's online backup API copies what one
transaction sees, WAL included. PostgreSQL has `pg_dump` for the same purpose.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupFailed(Exception):
    """The backup could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    """A finished backup: where it is, how large, and how it is restored."""

    path: Path
    size: int
    restore: str


def backup(database_url: str, target: Path) -> Backup:
    """Copy the database at `database_url` to `target` (a new file) while it stays in use."""
    if target.exists():
        raise BackupFailed(f"{target} already exists: name a new file, so that no backup "
                           "(or the database itself) is overwritten.")
    if not target.parent.is_dir():
        raise BackupFailed(f"{target.parent} is not a directory.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite(url, target)
    if url.get_backend_name() == "postgresql":
        return _postgresql(url, target)
    raise BackupFailed(f"backups of {url.get_backend_name()} databases are not supported.")


def _private(path: Path) -> None:
    # The copy holds password hashes and every learner's answers.
    path.touch(mode=0o600)
    path.chmod(0o600)


def _sqlite(url: URL, target: Path) -> Backup:
    source_path = url.database
    if not source_path or source_path == ":memory:" or not Path(source_path).exists():
        raise BackupFailed(f"there is no SQLite database at {source_path!r}.")
    partial = target.with_name(target.name + ".partial")
    _private(partial)
    try:
        source = sqlite3.connect(source_path, timeout=30)
        copy = sqlite3.connect(partial)
        try:
            # One step: the whole copy is read in a single transaction, so it is one
            # consistent moment of the database while writers carry on (WAL lets them).
            source.backup(copy)
            # A standalone file: no -wal beside it to lose when it is moved.
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = copy.execute("PRAGMA integrity_check").fetchall()
        finally:
            copy.close()
            source.close()
        if problems != [("ok",)]:
            raise BackupFailed(f"the copy failed its integrity check: {problems[:5]}")
        partial.replace(target)
    except sqlite3.Error as exc:
        raise BackupFailed(f"SQLite refused the backup: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size,
                  f"stop the servers, then copy {target} over {source_path} (and delete any "
                  f"{Path(source_path).name}-wal and -shm files beside it).")


PG_DUMP_HELP = ("Install PostgreSQL's client tools (Debian: apt-get install postgresql-client; "
                "the same major version as the server or newer), or run on a machine that has "
                "them: pg_dump --format=custom --file=PATH DATABASE_URL. Restore with "
                "pg_restore --clean --if-exists --no-owner --dbname=DATABASE_URL PATH.")


def _postgresql(url: URL, target: Path) -> Backup:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupFailed(f"pg_dump is not installed here. {PG_DUMP_HELP}")
    # The password goes through the environment, never the command line (`ps` shows that).
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    connection = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    partial = target.with_name(target.name + ".partial")
    _private(partial)
    try:
        # pg_dump reads the whole database in one snapshot: consistent while others write.
        done = subprocess.run(  # noqa: S603 - pg_dump found on PATH, no shell
            [pg_dump, "--format=custom", "--no-owner", f"--file={partial}",
             f"--dbname={connection}"], env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise BackupFailed(f"pg_dump failed: {done.stderr.strip()}")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size,
                  f"pg_restore --clean --if-exists --no-owner --dbname=DATABASE_URL {target} "
                  "(into an empty database, leave out --clean).")

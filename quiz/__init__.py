"""Pivot: spaced-repetition quizzes on Cold War and post-2011 Pakistan-Russia history."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from quiz import mail
from quiz.accounts import audit
from quiz.assets import init_assets
from quiz.authoring.live import enable_live_reload
from quiz.cli import register_commands
from quiz.config import ROOT, configure
from quiz.core import markup
from quiz.extensions import compress, csrf, db, limiter, login_manager, migrate
from quiz.jobs import init_jobs
from quiz.web import register_blueprints


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    configure(app, test_config)
    init_logging(app)
    init_extensions(app)
    register_blueprints(app)
    register_commands(app)
    if app.config["QUESTIONS_LIVE_RELOAD"]:
        enable_live_reload(app)
    return app


def init_logging(app: Flask) -> None:
    """Let security events and mail printed in place of sending (INFO lines) reach the log."""
    for name in (audit.LOGGER, mail.LOGGER):
        logging.getLogger(name).setLevel(logging.INFO)
    # Flask gives the app's logger, the parent of both, its stderr handler on first use.
    app.logger.debug("security and mail lines are logged at INFO")


def init_extensions(app: Flask) -> None:
    """Bind the extension objects to `app`."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "quiz" / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    compress.init_app(app)
    init_assets(app)
    init_jobs(app)
    limiter.init_app(app)
    if app.config["PROXIES"]:
        # Only as many X-Forwarded-* hops as there are proxies are believed: a client cannot
        # forge its address past them.
        hops = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    with app.app_context():  # creating the engine opens no connection
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "do_connect", _private_sqlite_file)
            event.listen(db.engine, "connect", _sqlite_pragmas)
        elif db.engine.dialect.driver == "psycopg":
            event.listen(db.engine, "connect", _utc_session)
            # The engine's pool resets connections through its dialect too.
            db.engine.dialect.do_rollback = _rollback_keeping_prepared  # type: ignore[method-assign]
    app.add_template_filter(markup.render, "markdown")
    app.add_template_filter(markup.render_inline, "markdown_inline")


def _private_sqlite_file(dialect, connection_record, cargs, cparams) -> None:
    # SQLite would create the file readable by every user of the machine (0644), and its -wal
    # and -shm files after it take the same mode: create it first, for the server's user alone.
    name = str(cargs[0]) if cargs else ""
    if name and name != ":memory:" and not name.startswith("file:"):
        with contextlib.suppress(FileExistsError):
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _utc_session(dbapi_connection, connection_record) -> None:
    # psycopg reads timestamps in the session's time zone, which is the server's by default
    # (Debian's is 'Etc/UTC', a ZoneInfo), and every one was then converted to UTC on the way
    # out: 0.4 µs more each, up to a third of reading a learner's 300 studied cards. In UTC
    # they need no converting, and no SQL of the app depends on the server's zone.
    dbapi_connection.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def _rollback_keeping_prepared(dbapi_connection) -> None:
    # psycopg prepares a statement on the server once a connection has run it five times, and
    # forgets every one at each rollback, in case the transaction changed what they read.
    # Every request ends in a rollback when its session closes, so no statement ever got
    # there, and PostgreSQL parsed and planned each one again on every request. A request
    # that went well changed no table's columns, and PostgreSQL keeps prepared statements
    # through a rollback: that rollback is libpq's own, which psycopg does not see. Anything
    # else goes through psycopg's, which forgets them: a failed statement (a migration can
    # make a prepared one fail once, "cached plan must not change result type") and a lost
    # connection, which psycopg reports as SQLAlchemy expects.
    from psycopg import pq

    if dbapi_connection.pgconn.transaction_status != pq.TransactionStatus.INTRANS:
        dbapi_connection.rollback()
        return
    result = dbapi_connection.pgconn.exec_(b"ROLLBACK")
    if result.status != pq.ExecStatus.COMMAND_OK:
        dbapi_connection.rollback()


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    # SQLite ignores foreign keys unless asked; WAL lets gunicorn workers read while one writes.
    # In WAL mode, synchronous=NORMAL syncs at checkpoints rather than at every commit (an
    # eighth of an answer's cost): a crashed or killed app loses nothing and nothing can be
    # corrupted; only a power cut or an OS crash can undo the last commits (SQLite's documented
    # trade-off; PostgreSQL is the choice where that matters).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    try:
        cursor.execute("SELECT power(2, 2)")
    except sqlite3.OperationalError:
        # A SQLite built without its math functions (before 3.35, or without the option):
        # the class pages compute recall curves in SQL (quiz.classes.mastery).
        dbapi_connection.create_function("power", 2, math.pow, deterministic=True)
    cursor.close()

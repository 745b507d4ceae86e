"""Configuration from environment variables, with safe defaults for a zero-setup start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def database_url(raw: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL: `DATABASE_URL` if set (PostgreSQL via psycopg 3), else SQLite."""
    if not raw:
        return "sqlite:///" + str(Path(instance_path) / "pivot.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a dialect and a driver.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def secret_key(instance_path: str) -> str:
    """The key in `instance/secret_key`, created on first use so no key is ever hard-coded."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive")
    return value


def _whole(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.strip().isdigit():
        raise ValueError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _check(config: dict) -> None:
    # Only tests may hash passwords more cheaply than scrypt's full strength.
    if config["KDF_METHOD"] != "scrypt" and not config.get("TESTING"):
        raise ValueError("KDF_METHOD is for tests only: the app hashes passwords with "
                         "Werkzeug's full-strength scrypt")
    base = config["BASE_URL"]
    if base and not base.startswith(("https://", "http://")):
        raise ValueError(f"PIVOT_BASE_URL must start with https:// or http://, not {base!r}")
    # Links in mail are built from this, never from a Host header an attacker could forge to
    # point a victim's reset link at their own site.
    if config["MAIL_SERVER"] and not base:
        raise ValueError("MAIL_SERVER is set: set PIVOT_BASE_URL too (the address learners "
                         "use, like https://pivot.example.org), so links in mail point there")


def configure(app: Flask, test_config: dict | None) -> None:
    """Load settings: defaults, then the environment, then `test_config` (tests only)."""
    # The instance folder holds the secret key and, by default, the database: the server's
    # user alone may read it.
    Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
    app.config.from_mapping(
        SQLALCHEMY_DATABASE_URI=database_url(os.environ.get("DATABASE_URL"), app.instance_path),
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        QUESTIONS_DIR=str(ROOT / "questions"),
        FSRS_FUZZING=True,
        # Background jobs (quiz.jobs): a Redis queue shared by every app server when REDIS_URL
        # is set, else an SQLite file that needs no server.
        REDIS_URL=os.environ.get("REDIS_URL"),
        JOBS_BACKEND="redis" if os.environ.get("REDIS_URL") else "sqlite",
        JOBS_DB=str(Path(app.instance_path) / "jobs.db"),
        # Development (`flask run --debug`): pick up edited YAML banks without a restart.
        QUESTIONS_LIVE_RELOAD=app.debug or _flag("PIVOT_LIVE_RELOAD"),
        # Sign-in sessions (quiz.accounts.sessions): a day unused ends one; "keep me signed in"
        # lasts 30 days after its last use; none outlives 90 days.
        SESSION_IDLE_HOURS=_number("PIVOT_SESSION_IDLE_HOURS", 24),
        REMEMBER_DAYS=_number("PIVOT_REMEMBER_DAYS", 30),
        SESSION_MAX_DAYS=_number("PIVOT_SESSION_MAX_DAYS", 90),
        # How passwords are hashed: Werkzeug's scrypt at full strength (N=2^15, r=8, p=1),
        # about 0.1 s a hash. Not read from the environment: only tests lower it (test_config),
        # as Django's own docs advise, to spare 0.2 s per test learner who signs in.
        KDF_METHOD="scrypt",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_flag("PIVOT_SECURE_COOKIES"),
        # A question can stay open for a long time; the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=512 * 1024,
        # Imports (quiz.accounts.imports): the upload, gzip-compressed as exported or plain
        # JSON, and the JSON it unpacks to, which the worker holds in memory while it checks
        # it. A 35,000-answer export is 12.7 MB of JSON and 1.1 MB compressed.
        IMPORT_MAX_UPLOAD=32 * 1024 * 1024,
        IMPORT_MAX_JSON=128 * 1024 * 1024,
        # Reverse proxies in front of the app, whose X-Forwarded-For and -Proto are believed:
        # rate limits count per address, which must be the learner's, not the proxy's.
        PROXIES=_whole("PIVOT_PROXIES", 0),
        # Where learners reach the app; links in mail are built from it.
        BASE_URL=os.environ.get("PIVOT_BASE_URL", "").strip().rstrip("/"),
        # Mail (quiz.mail): without MAIL_SERVER, messages are printed to the log instead.
        MAIL_SERVER=os.environ.get("MAIL_SERVER", "").strip(),
        MAIL_PORT=_whole("MAIL_PORT", 587),
        MAIL_USE_TLS=_flag("MAIL_USE_TLS", default=True),
        MAIL_USE_SSL=_flag("MAIL_USE_SSL"),
        MAIL_USERNAME=os.environ.get("MAIL_USERNAME", ""),
        MAIL_PASSWORD=os.environ.get("MAIL_PASSWORD", ""),
        MAIL_DEFAULT_SENDER=os.environ.get("MAIL_DEFAULT_SENDER", "Pivot <pivot@localhost>"),
        # Rate limits (quiz.accounts.limits), counted in Redis when there is one so that every
        # app server shares them; a moving window so "try again in" is exact. If Redis stops
        # answering, each server goes on counting in memory rather than letting guesses through.
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=os.environ.get("REDIS_URL", "").strip() or "memory://",
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_KEY_PREFIX="pivot",
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
    )
    if test_config:
        app.config.update(test_config)
    _check(app.config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key(app.instance_path)

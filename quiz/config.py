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
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two workers starting together must not each write a different key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")


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


def configure(app: Flask, test_config: dict | None) -> None:
    """Load settings: defaults, then the environment, then `test_config` (tests only)."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
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
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_flag("PIVOT_SECURE_COOKIES"),
        # A question can stay open for a long time; the token lives as long as the session.
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=512 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_key(app.instance_path)

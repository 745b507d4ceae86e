"""The unbound extension objects, bound to an app in `create_app`."""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, bindparam, func, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapper
from sqlalchemy.orm.attributes import instance_state, set_committed_value


class Base(DeclarativeBase):
    # Stable constraint names, so Alembic can alter them (SQLite batch mode needs names).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


# Objects keep their loaded values after a commit: a request that commits and then renders
# what it wrote would otherwise read every row back.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Pages, CSS and JS compressed (zstd, brotli or gzip, as the browser accepts).
compress = Compress()
# Limits are declared where they apply (quiz.accounts.limits); storage and strategy come from
# the RATELIMIT_* settings.
limiter = Limiter(key_func=get_remote_address)


T = TypeVar("T")
# How many times a transaction SQLite found busy is tried in all; each try first waits out
# the busy timeout (5 s), so a learner waits at most 15 s behind the longest writer.
BUSY_ATTEMPTS = 3


def is_busy(error: Exception) -> bool:
    """Whether `error` is SQLite saying another connection held the write lock too long."""
    return isinstance(error, OperationalError) and any(
        words in str(error.orig) for words in ("database is locked", "database is busy"))


def retry_when_busy(work: Callable[[], T]) -> T:
    """Run the transaction `work` and, if SQLite was busy, roll back and run it again: only
    for work that is safe to repeat (an answer is: its sequence number records it once)."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as exc:
            if not is_busy(exc) or attempt == BUSY_ATTEMPTS:
                raise
            db.session.rollback()
    raise AssertionError("unreachable")


def add_one(instance: Any, attribute: str) -> int:
    """Add one to a counter of a loaded row in SQL, so two requests counting at once both
    count, and keep the new value on `instance` without reading the row back or leaving it
    for the flush."""
    state = instance_state(instance)  # a proxy such as current_user works too
    value = db.session.connection().execute(
        _add_one(state.mapper, attribute), {"counted_id": state.identity[0]}).scalar_one()
    set_committed_value(instance, attribute, value)
    return value


@functools.cache
def _add_one(mapper: Mapper, attribute: str) -> Any:
    """`add_one`'s statement for one counter, built once: it runs in every answer."""
    table = mapper.local_table
    (key,) = table.primary_key.columns
    column = table.c[attribute]
    return (update(table).where(key == bindparam("counted_id"))
            .values({column: func.coalesce(column, 0) + 1}).returning(column))

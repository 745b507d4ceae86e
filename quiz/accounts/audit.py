"""Security events, one JSON object per log line on the `quiz.security` logger.

Each line says what happened, when, to which account (by id) and from which address, so that
an administrator can follow an attack or answer "was that me?". It never holds a password, a
token, a session secret or an address typed at sign-in that matches no account (people type
their password into the wrong field).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import has_request_context, request

from quiz.core import clock

LOGGER = "quiz.security"
logger = logging.getLogger(LOGGER)


def record(event: str, *, user: Any = None, **fields: Any) -> None:
    """Log the security event `event` (dotted, like "password.changed") about `user`."""
    entry: dict[str, Any] = {"event": event, "at": clock.utcnow().isoformat()}
    if user is not None:
        entry["user"] = getattr(user, "id", user)
    if has_request_context():
        entry["ip"] = request.remote_addr
    entry.update(fields)
    logger.info(json.dumps(entry, default=str))

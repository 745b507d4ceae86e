"""Errors under /api/ as RFC 9457 problem details (`application/problem+json`), never HTML."""

from __future__ import annotations

import json

from flask import Response, request
from pydantic import BaseModel, Field

MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An error: `type` is `about:blank`, so `title` is the HTTP status's own name."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(description="The HTTP status's name.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str = Field(description="What went wrong, for a person to read.")


def wanted() -> bool:
    """Whether this request is an API call, whose errors are problems rather than pages."""
    return request.path == "/api" or request.path.startswith("/api/")


def response(status: int, title: str, detail: str,
             headers: list[tuple[str, str]] | None = None) -> Response:
    """A problem response; `headers` (Allow, WWW-Authenticate, Retry-After) are kept."""
    body = Problem(title=title, status=status, detail=detail).model_dump()
    reply = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in headers or []:
        if name.lower() not in ("content-type", "content-length"):
            reply.headers[name] = value
    return reply

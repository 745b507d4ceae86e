"""Blueprints, error pages and the security headers every response carries."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable

from flask import Flask, Response, abort, current_app, render_template, request
from flask.globals import request_ctx
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from quiz.accounts import audit
from quiz.accounts import views as accounts
from quiz.api import problems
from quiz.api import token_views as tokens
from quiz.api import views as api
from quiz.authoring import views as authoring
from quiz.classes import views as classes
from quiz.extensions import db, is_busy, limiter
from quiz.interop import views as interop
from quiz.progress import views as progress
from quiz.study import control_views as controls
from quiz.study import views as study

# Everything the pages need is served from 'self'; no inline script or style is allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
BUSY_RETRY_SECONDS = 5
# Pivot uses none of these browser features; a page (or an injected script) may not either.
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
                      "magnetometer=(), microphone=(), payment=(), usb=()")


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, the error pages and the response headers."""
    for module in (study, controls, accounts, progress, authoring, api, tokens, interop,
                   classes):
        app.register_blueprint(module.bp)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(RateLimitExceeded, _too_many_attempts)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.wsgi_app = refuse_bad_hosts(app.wsgi_app)


# A host name (labels of letters, digits, hyphens; underscores as container names use them)
# or a bracketed IPv6 address, with an optional port.
_HOST = re.compile(r"(?:[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?|\[[0-9A-Fa-f:.]+\])"
                   r"(?::[0-9]{1,5})?")


def valid_host(host: str) -> bool:
    """Whether a Host header names a host Werkzeug can build URLs for."""
    if len(host) > 260 or not _HOST.fullmatch(host):
        return False
    try:
        host.encode("ascii").decode("idna")  # an "xn--" label must be real punycode
    except UnicodeError:
        return False
    return True


def refuse_bad_hosts(wsgi_app: Callable) -> Callable:
    """Wrap the app so a request whose Host header is no host name gets a plain 400.

    Werkzeug cannot build a URL for such a host (an over-long label fails its IDNA step), so
    neither a page nor the error page could be rendered: refuse it before Flask starts.
    """

    def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if host and not valid_host(host):
            body = b"Bad Request: the Host header does not name a host.\n"
            start_response("400 Bad Request", [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("Content-Security-Policy", "default-src 'none'"),
                ("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")])
            return [body]
        return wsgi_app(environ, start_response)

    return app


def _refuse_nul_bytes() -> None:
    # No text we store may hold a NUL (PostgreSQL refuses it outright): answer 400 up front
    # rather than let it reach a query.
    values = [request.path, *(v for vs in request.args.listvalues() for v in vs)]
    # Uploads (multipart) are left to their view, which sets its own size limit first.
    if request.mimetype == "application/x-www-form-urlencoded":
        values += [v for vs in request.form.listvalues() for v in vs]
    if any("\x00" in value for value in values):
        abort(400, description="The request contains a NUL character.")


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # One rule rather than a judgement per page: nothing but the static files may be kept by a
    # browser or a proxy. Pages carry a learner's answers, e-mail or a CSRF token, and a shared
    # school computer's back button must not bring them back after sign-out.
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    # Cookies marked Secure mean the site is served over HTTPS: tell browsers never to use
    # plain HTTP for it (a year; not includeSubDomains, which would bind a school's other sites).
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error_page(code: int, title: str, message: str) -> Response:
    # A Host header Werkzeug cannot read (a label over 63 characters, say) leaves the request
    # without a URL adapter, so the page template's url_for would fail and turn a 400 into a
    # 500: such a request gets the message as plain text.
    if request_ctx.url_adapter is None:
        return Response(f"{title}\n\n{message}\n", status=code, mimetype="text/plain")
    return Response(render_template("error.html", code=code, title=title, message=message),
                    status=code)


def _csrf_error(error: CSRFError) -> Response:
    if problems.wanted():  # the API is exempt, but a path under /api/ may still be posted to
        return problems.response(400, "Bad Request", "This request carries no valid token.")
    return _error_page(400, "Form expired", "This form has expired or was not sent by Pivot. "
                                            "Go back, reload the page and try again.")


def _too_many_attempts(error: RateLimitExceeded) -> Response:
    limit = limiter.current_limit
    # The window's own reset time: Flask-Limiter's reset_at adds a second, so a fresh
    # 15-minute window would read 901 seconds and "16 minutes".
    seconds = max(1, math.ceil(limit.window[0] - time.time())) if limit else 60
    audit.record("ratelimit.hit", limit=str(error.limit.limit), endpoint=request.endpoint)
    minutes = math.ceil(seconds / 60)
    wait = "a minute" if minutes == 1 else f"{minutes} minutes"
    if problems.wanted():
        return problems.response(429, "Too Many Requests", f"{error.description} Try again in "
                                 f"{wait}.", [("Retry-After", str(seconds))])
    response = _error_page(429, "Too many attempts",
                           f"{error.description} Try again in {wait}.")
    response.headers["Retry-After"] = str(seconds)
    return response


def _http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400:
        return error
    if problems.wanted():
        return problems.response(error.code, error.name, error.description or "",
                                 error.get_headers(request.environ))
    return _error_page(error.code, error.name, error.description or "")


def _database_error(error: OperationalError) -> Response:
    if not is_busy(error):
        return _unexpected_error(error)
    # SQLite's write lock was held past the busy timeout (a long import, say): nothing of this
    # request was written, and sending the same form again is safe.
    db.session.rollback()
    current_app.logger.warning("database busy: %s %s", request.method, request.path)
    message = ("The server is busy and nothing was saved. Wait a few seconds and send it "
               "again: an answer sent twice counts once.")
    retry = [("Retry-After", str(BUSY_RETRY_SECONDS))]
    if problems.wanted():
        return problems.response(503, "Service Unavailable", message, retry)
    response = _error_page(503, "Busy", message)
    response.headers.extend(retry)
    return response


def _unexpected_error(error: Exception) -> Response:
    # The traceback goes to the log, never to the learner.
    current_app.logger.exception("unhandled error")
    if problems.wanted():
        return problems.response(500, "Internal Server Error", "Something failed on our side.")
    return _error_page(500, "Something went wrong", "Sorry, something failed on our side. Your "
                                                    "answers so far are saved.")

"""Blueprints, error pages and the security headers every response carries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Flask, Response, abort, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from quiz.accounts import views as accounts
from quiz.authoring import views as authoring
from quiz.progress import views as progress
from quiz.study import views as study

# Everything the pages need is served from 'self'; no inline script or style is allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint, the error pages and the response headers."""
    for module in (study, accounts, progress, authoring):
        app.register_blueprint(module.bp)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
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
                ("X-Content-Type-Options", "nosniff")])
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
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    message = ("This form has expired or was not sent by Pivot. Go back, reload the page and "
               "try again.")
    return render_template("error.html", code=400, title="Form expired", message=message), 400


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
    if error.code is None or error.code < 400:
        return error
    return render_template("error.html", code=error.code, title=error.name,
                           message=error.description), error.code


def _unexpected_error(error: Exception) -> tuple[str, int]:
    # The traceback goes to the log, never to the learner.
    from flask import current_app

    current_app.logger.exception("unhandled error")
    return render_template("error.html", code=500, title="Something went wrong",
                           message="Sorry, something failed on our side. Your answers so far "
                                   "are saved."), 500

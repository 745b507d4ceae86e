"""The app as the benchmark serves it: the real app, plus what only the benchmark needs.

    gunicorn 'bench.wsgi:create_app()'

- `/_bench/bare?id=N`: one indexed SELECT and a tiny response, the yardstick every page is
  compared with (same server, same middleware, same run). The app itself never registers it.
- `/_bench/layout`: a signed-in learner's page with the shared layout (`base.html`) and nothing
  in it: the least any page of the study loop can cost on this stack (loading the learner,
  CSRF token, navigation, security headers), so the loop's own work can be told from it.
- Probes: a request carrying `X-Bench-Probe: <name>` has its SQL statements (counted by a
  `before_cursor_execute` listener), the worker's CPU time and wall time measured from the
  first byte in to the last byte out (streamed bodies included), and written to
  `<BENCH_PROBE_DIR>/<name>.json`. A name ending in `-memory` also traces the request's peak
  Python heap (tracemalloc, which slows it down, so CPU is read from other probes) and its
  peak resident memory. Other requests only pay for an integer increment per statement.
"""

from __future__ import annotations

import json
import os
import re
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_login import login_required
from sqlalchemy import event, text

import quiz
from quiz.extensions import db

PROBE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,80}")


class _Statements:
    """SQL statements sent by this process so far (a sync worker serves one request at a
    time, so a difference of two readings is one request's count)."""

    count = 0

    @classmethod
    def record(cls, *_args: Any) -> None:
        cls.count += 1


def create_app(test_config: dict | None = None) -> Flask:
    """The real app (configured from the environment), with the bare route and probes."""
    app = quiz.create_app(test_config)
    instrument(app, os.environ.get("BENCH_PROBE_DIR"))
    return app


def instrument(app: Flask, probe_dir: str | None) -> None:
    """Add the bare route and, when `probe_dir` is given, answer probes into it."""
    app.add_url_rule("/_bench/bare", "bench_bare", bare)
    # Compiled once here, as the app's own templates are on their first use.
    empty = app.jinja_env.from_string(
        "{% extends 'base.html' %}{% block title %}Layout{% endblock %}"
        "{% block content %}<h1>Layout</h1>{% endblock %}")
    app.add_url_rule("/_bench/layout", "bench_layout",
                     login_required(lambda: render_template(empty)))
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _Statements.record)
    if probe_dir:
        app.wsgi_app = Probes(app.wsgi_app, Path(probe_dir))


def bare() -> tuple[str, int, dict[str, str]]:
    """One indexed SELECT by primary key: the cheapest request that still uses the database."""
    user_id = request.args.get("id", 1, type=int)
    found = db.session.execute(text('SELECT id FROM "user" WHERE id = :id'),
                               {"id": user_id}).scalar()
    return ("ok" if found is not None else "none"), 200, {"Content-Type": "text/plain"}


def _memory_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    # Linux: writing 5 resets the process's peak resident set size (VmHWM) to its current one.
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


class Probes:
    """WSGI middleware that measures the requests that ask for it."""

    def __init__(self, wsgi_app: Callable, directory: Path):
        self.wsgi_app = wsgi_app
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        name = environ.get("HTTP_X_BENCH_PROBE")
        if not name or not PROBE_NAME.fullmatch(name):
            return self.wsgi_app(environ, start_response)
        return _Measured(self, name, environ, start_response)


class _Measured:
    """One probed request's body, passed through; the measurement ends when the server
    closes it, after the last byte (WSGI servers always call `close`)."""

    def __init__(self, probes: Probes, name: str, environ: dict, start_response: Callable):
        self.path = probes.directory / f"{name}.json"
        self.result: dict[str, Any] = {"name": name, "path": environ.get("PATH_INFO", ""),
                                       "bytes": 0}
        self.memory = name.endswith("-memory")

        def record_status(status: str, headers: list, *args: Any) -> Callable:
            self.result["status"] = int(status.split()[0])
            return start_response(status, headers, *args)

        self.rss_before = _memory_kib("VmRSS") if self.memory and _reset_peak_rss() else None
        if self.memory:
            tracemalloc.start()
        self.statements = _Statements.count
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        self.body = probes.wsgi_app(environ, record_status)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.result["bytes"] += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()  # the app's teardown (database session) is part of it
        finally:
            self.result.update(statements=_Statements.count - self.statements,
                               cpu_ms=(time.process_time() - self.cpu) * 1000,
                               wall_ms=(time.perf_counter() - self.wall) * 1000)
            if self.memory:
                self.result["python_peak_kib"] = tracemalloc.get_traced_memory()[1] // 1024
                tracemalloc.stop()
                peak = _memory_kib("VmHWM")
                if self.rss_before is not None and peak is not None:
                    self.result["rss_growth_kib"] = peak - self.rss_before
            self.path.write_text(json.dumps(self.result))

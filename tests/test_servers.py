"""Real gunicorn servers: several of them on one PostgreSQL database and one Redis, and one
killed with `kill -9` in the middle of a load; no acknowledged answer is ever lost or counted
twice.

These start processes, so they are kept small; bench/crash.py runs the same load at full size.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import time

import pytest

from tests.conftest import BACKENDS
from tests.live import (
    Browser,
    LoadLearner,
    Server,
    Tally,
    check,
    flush_redis,
    reachable,
    running,
    true_false_bank,
)

# A Redis database of the tests' own (the app's default is 0).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SAME_FORM_TRIES = 8


def _unavailable(reason: str) -> None:
    # CI starts PostgreSQL and Redis (.ci/run): there, a missing one is a failure.
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run this test")
    pytest.skip(reason)


@pytest.fixture
def several_servers(app):
    """Skip (fail in CI) unless PostgreSQL and Redis are both at hand."""
    if "postgresql" not in BACKENDS:
        _unavailable("several servers need PostgreSQL (set TEST_DATABASE_URL)")
    if app.config["BACKEND"] != "postgresql":
        pytest.skip("several servers share a PostgreSQL database: see the postgresql run")
    if not reachable("127.0.0.1", 6379):
        _unavailable("several servers need Redis on 127.0.0.1:6379")
    flush_redis(REDIS_URL)
    return app


def _environment(app, build) -> dict[str, str]:
    """What every server gets: one database, one Redis, one secret key; the load bank synced."""
    build.banks(build.bank_dir({"load.yaml": true_false_bank(40)}))
    return {"DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": REDIS_URL,
            "SECRET_KEY": "shared by every server"}


def _both_at_once(browser: Browser, session_url: str, fields: dict, servers) -> list:
    replies, barrier = [None] * len(servers), threading.Barrier(len(servers))

    def post(slot: int) -> None:
        barrier.wait()
        replies[slot] = browser.answer(session_url, fields, server=servers[slot])

    threads = [threading.Thread(target=post, args=(slot,)) for slot in range(len(servers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return replies


def _form(tally: Tally, fields: dict) -> tuple:
    form = ("learner@example.org", fields["question_id"], int(fields["seq"]))
    tally.forms.add(form)
    return form


def test_two_servers_share_sign_in_answers_and_sign_out(several_servers, build, tmp_path):
    env = _environment(several_servers, build)
    first, second = Server(env, log=tmp_path / "a.log"), Server(env, log=tmp_path / "b.log")
    tally = Tally()
    with running(first, second):
        browser = Browser(first)
        browser.sign_up("learner@example.org")
        assert browser.signed_in(server=second)  # signed in on one, known to the other
        session_url = browser.start("load", server=first)
        fields = browser.shown(session_url, server=first)
        form = _form(tally, fields)
        reply = browser.answer(session_url, fields, server=second)
        review = re.search(r'data-review-id="(\d+)"', reply.body)
        assert reply.status == 200 and review  # the feedback, straight back
        assert browser.get(f"{session_url}/reviews/{review.group(1)}",
                           server=first).status == 200
        tally.acknowledge(form, reply)

        for _ in range(SAME_FORM_TRIES):
            fields = browser.shown(session_url, server=second)
            form = _form(tally, fields)
            replies = _both_at_once(browser, session_url, fields, (first, second))
            for reply in replies:
                tally.acknowledge(form, reply)
            # Both servers show one and the same answer.
            assert [r.status for r in replies] == [200, 200], replies
            shown = [re.search(r'data-review-id="(\d+)"', r.body).group(1) for r in replies]
            assert shown[0] == shown[1]

        copied = browser.copy()  # the cookies, as an attacker might have taken them
        assert browser.post("/logout", server=second).status == 302
        assert not browser.signed_in(server=first)
        assert not copied.signed_in(server=first) and not copied.signed_in(server=second)
    result = check(tally, several_servers.config["SQLALCHEMY_DATABASE_URI"])
    assert result.ok, result
    assert result.acknowledged == SAME_FORM_TRIES + 1


def test_rate_limits_are_shared_by_the_servers(several_servers, build, tmp_path):
    # Rate limits come with the accounts half of issue 14 (Flask-Limiter, counts in Redis when
    # REDIS_URL is set); until then there is nothing to share, and this test waits for them.
    if "limiter" not in several_servers.extensions:
        pytest.skip("no rate limits yet (issue 14, accounts): this test waits for them")
    env = _environment(several_servers, build)
    first, second = Server(env, log=tmp_path / "a.log"), Server(env, log=tmp_path / "b.log")
    with running(first, second):
        Browser(first).sign_up("learner@example.org")
        guesser = Browser(first)
        for _ in range(100):
            reply = guesser.post("/login", {"email": "learner@example.org",
                                            "password": "not the password"},
                                 token_from="/login")
            if reply.status == 429:
                break
        assert reply.status == 429, "sign-in is never limited"
        # The other server has seen none of these guesses, yet refuses the next one: the
        # count lives in Redis, shared, not in each server's memory.
        reply = guesser.post("/login", {"email": "learner@example.org",
                                        "password": "not the password"},
                             token_from="/login", server=second)
        assert reply.status == 429


LEARNERS = 3
ANSWERS_EACH = 15


def test_no_acknowledged_answer_is_lost_or_doubled_by_duplicates_or_a_kill_9(
        app, build, tmp_path):
    env = _environment(app, build)
    server = Server(env, log=tmp_path / "server.log")
    tally, stop = Tally(), threading.Event()
    learners = [LoadLearner(server, f"load{i}@example.org", "load", tally, stop,
                            answers=ANSWERS_EACH, seed=i, duplicate_every=3)
                for i in range(LEARNERS)]
    with running(server):
        # gunicorn names itself without its version (no hint of which flaws it may have).
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().getheader("Server") == "gunicorn"
        connection.close()
        for learner in learners:
            learner.prepare()
        for learner in learners:
            learner.start()
        deadline = time.monotonic() + 60
        while tally.posts < LEARNERS * ANSWERS_EACH // 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # mid-load: requests in flight are cut off
        server.start()
        for learner in learners:
            learner.join(120)
        stop.set()
    result = check(tally, app.config["SQLALCHEMY_DATABASE_URI"])
    assert result.ok, (result, tally.server_errors)
    assert tally.duplicates and tally.same_instant and tally.lost_connections
    assert result.acknowledged >= LEARNERS * ANSWERS_EACH * 0.9

"""Nothing tells whether an address has an account: not the messages of sign-in and reset, and
not how long they take to answer. Timings are compared as medians of interleaved runs (which
goes first alternates), so that a busy machine slows both sides alike."""

from __future__ import annotations

import re
import statistics
import time

import pytest

from quiz import mail
from quiz.accounts import limits
from tests.conftest import Browser

ROUNDS = 15
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')


@pytest.fixture
def no_limits(monkeypatch):
    """Limits high enough that thirty attempts on one account from one address all count."""
    for name in limits.LIMITS:
        monkeypatch.setitem(limits.LIMITS, name, "1000 per hour")


@pytest.fixture
def full_strength_hashes(app):
    """Password hashes as the real app makes them (the tests' app hashes cheaply): a missing
    decoy hash then shows as 120 ms against a few."""
    app.config["KDF_METHOD"] = "scrypt"


def median_times(attempt_known, attempt_unknown) -> tuple[float, float]:
    """Median seconds of `attempt_known(i)` and `attempt_unknown(i)`, run in turn."""
    attempt_known(-1), attempt_unknown(-1)  # warm-up: templates, the decoy hash
    times: dict = {attempt_known: [], attempt_unknown: []}
    for number in range(ROUNDS):
        pair = (attempt_known, attempt_unknown) if number % 2 else (attempt_unknown,
                                                                    attempt_known)
        for attempt in pair:
            started = time.perf_counter()
            attempt(number)
            times[attempt].append(time.perf_counter() - started)
            mail.wait()  # background work of one attempt must not slow the next
    return statistics.median(times[attempt_known]), statistics.median(times[attempt_unknown])


def within(ratio: float, first: float, second: float) -> bool:
    return abs(first - second) <= ratio * max(first, second)


def alike(attempt_known, attempt_unknown) -> tuple[float, float]:
    """The medians, measured once more if a burst of load on a shared machine put them more
    than 20% apart: a real difference (122 ms against 5 ms before the decoy hash) is far
    outside that both times."""
    known, unknown = median_times(attempt_known, attempt_unknown)
    if not within(0.2, known, unknown):
        known, unknown = median_times(attempt_known, attempt_unknown)
    return known, unknown


def test_sign_in_refuses_known_and_unknown_addresses_alike_and_as_fast(client, build,
                                                                       no_limits,
                                                                       full_strength_hashes):
    build.user(email="known@example.org")
    token = Browser(client).token("/login")
    pages = {}

    def attempt(email: str):
        def run(number: int) -> None:
            response = client.post("/login", data={"email": email, "csrf_token": token,
                                                   "password": "not the password"})
            pages[email] = (response.status_code,
                            TOKEN.sub("", response.get_data(as_text=True)).replace(email, "…"))
        return run

    known, unknown = alike(attempt("known@example.org"), attempt("nobody@example.org"))
    assert within(0.2, known, unknown), (known, unknown)
    assert pages["known@example.org"] == pages["nobody@example.org"]
    assert pages["known@example.org"][0] == 422


def test_asking_for_a_reset_link_takes_as_long_for_an_unknown_address(client, build, mailbox,
                                                                      no_limits):
    build.user(email="known@example.org")
    token = Browser(client).token("/password-reset")
    answers = {}

    def attempt(email: str):
        def run(number: int) -> None:
            response = client.post("/password-reset", data={"email": email, "csrf_token": token})
            answers[email] = (response.status_code, response.headers["Location"])
        return run

    known, unknown = alike(attempt("known@example.org"), attempt("nobody@example.org"))
    assert within(0.2, known, unknown), (known, unknown)
    assert answers["known@example.org"] == answers["nobody@example.org"] == (302, "/login")
    assert len(mailbox.messages(to="known@example.org")) in (ROUNDS + 1, 2 * ROUNDS + 2)
    assert mailbox.messages(to="nobody@example.org") == []

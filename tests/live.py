"""Real servers for tests and benchmarks: gunicorn started on a free port, a browser that talks
HTTP to it, and learners that answer as fast as they can, posting some forms twice.

Used by tests/test_servers.py (several servers, a crash mid-load) and bench/crash.py.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                   r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    """Whether something listens on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Server:
    """`gunicorn app:app` on its own port and process group, with the given environment."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, log: Path | None = None):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        """Start gunicorn and wait until it answers."""
        self.spawn()
        return self.wait(timeout)

    def spawn(self) -> None:
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), "--bind",
             f"127.0.0.1:{self.port}", "--graceful-timeout", "2", "app:app"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=output, stderr=output,
            start_new_session=True)  # its own process group: kill() reaches the workers too

    def wait(self, timeout: float = 60) -> Server:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if Browser(self).get("/").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"gunicorn did not answer on port {self.port} in {timeout} s")

    def kill(self) -> None:
        """`kill -9` of the master and every worker, mid-whatever they were doing."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running(*servers: Server) -> Iterator[tuple[Server, ...]]:
    """Start the servers, and stop them whatever happens."""
    try:
        for server in servers:  # side by side: each takes a few seconds to import the app
            server.spawn()
        for server in servers:
            server.wait()
        yield servers
    finally:
        for server in servers:
            server.stop()


@dataclass
class Reply:
    status: int
    location: str
    body: str


class Browser:
    """One browser's cookies, sent to whichever server a request goes to (as behind a load
    balancer: cookies do not depend on the port)."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def copy(self) -> Browser:
        """Another browser holding copies of this one's cookies."""
        other = Browser(self.server)
        other.cookies = dict(self.cookies)
        return other

    def request(self, method: str, path: str, data: dict | None = None, *,
                server: Server | None = None, timeout: float = 30) -> Reply:
        server = server or self.server
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        headers = {"User-Agent": "pivot-live-test"}
        with self.lock:
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            with self.lock:
                for header in response.headers.get_all("Set-Cookie") or []:
                    for name, morsel in SimpleCookie(header).items():
                        if morsel["max-age"] == "0" or morsel.value == "":
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = morsel.value
            return Reply(response.status, response.headers.get("Location", ""), text)
        except http.client.HTTPException as exc:
            # A response cut off mid-body (the server was killed while sending it) is a lost
            # connection, as a reset is: the load learners wait for the server and carry on.
            raise ConnectionError(f"the response was cut off: {exc!r}") from exc
        finally:
            connection.close()

    def get(self, path: str, **kwargs) -> Reply:
        return self.request("GET", path, **kwargs)

    def token(self, path: str = "/", **kwargs) -> str:
        page = self.get(path, **kwargs).body
        match = TOKEN.search(page)
        if not match:
            raise AssertionError(f"no CSRF token on {path}")
        return match.group(1) or match.group(2)

    def post(self, path: str, data: dict | None = None, *, token_from: str = "/",
             **kwargs) -> Reply:
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from, **kwargs))
        return self.request("POST", path, data, **kwargs)

    def sign_up(self, email: str) -> None:
        reply = self.post("/signup", {"email": email, "password": PASSWORD,
                                      "confirm": PASSWORD}, token_from="/signup")
        assert reply.status == 302, (reply.status, reply.body[:500])

    def sign_in(self, email: str) -> Reply:
        return self.post("/login", {"email": email, "password": PASSWORD},
                         token_from="/login")

    def signed_in(self, **kwargs) -> bool:
        return self.get("/settings", **kwargs).status == 200

    def start(self, bank_id: str, **kwargs) -> str:
        reply = self.post(f"/banks/{bank_id}/sessions", **kwargs)
        assert reply.status == 302, (reply.status, reply.body[:500])
        return reply.location

    def shown(self, session_url: str, **kwargs) -> dict[str, str] | None:
        """The hidden fields of the question on screen, or None if the session has none now."""
        page = self.get(session_url, **kwargs).body
        fields = {}
        for name in ("question_id", "seq", "shown_at", "offer", "csrf_token"):
            match = (re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
                     or re.search(rf'value="([^"]*)"[^>]*name="{name}"', page))
            if match:
                fields[name] = match.group(1)
        return fields if "question_id" in fields else None

    def answer(self, session_url: str, fields: dict[str, str], **kwargs) -> Reply:
        return self.request("POST", f"{session_url}/answers", {**fields, "choice": "false"},
                            **kwargs)


def true_false_bank(count: int) -> str:
    """A bank of `count` true statements, which the learners here always call false (so every
    card stays in learning and can be asked again at once)."""
    lines = ["title: Load", "description: True statements for load tests.", "era: cold-war",
             "tags: [diplomacy]", "questions:"]
    for index in range(count):
        lines += [f"  - id: load-{index}", "    type: true_false",
                  f"    prompt: Statement {index:04d} in the load bank is true.",
                  "    answer: true", "    explanation: It says so.",
                  "    source: {article: new-best-friends, "
                  "section: on-opposite-sides-of-the-cold-war}"]
    return "\n".join(lines) + "\n"


@dataclass
class Tally:
    """What a load run posted and what the servers acknowledged."""

    forms: set = field(default_factory=set)  # (email, question_id, seq) of every form posted
    acked: dict = field(default_factory=dict)  # form -> review ids the servers answered with
    posts: int = 0
    duplicates: int = 0  # forms posted a second time
    same_instant: int = 0  # of which both posts left together
    refused: int = 0  # 4xx or 5xx answers
    server_errors: int = 0
    lost_connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, form: tuple, reply: Reply) -> None:
        # The answer's feedback page comes straight back, naming the review it shows.
        match = re.search(r'data-review-id="(\d+)"', reply.body)
        with self.lock:
            self.posts += 1
            if reply.status == 200 and match:
                self.acked.setdefault(form, set()).add(int(match.group(1)))
            elif reply.status >= 500:
                self.server_errors += 1
            elif reply.status >= 400:
                self.refused += 1


class LoadLearner(threading.Thread):
    """A learner answering in a loop until `stop` is set or `answers` forms are posted; some
    forms are posted twice, one after the other or at the same instant."""

    def __init__(self, server: Server, email: str, bank_id: str, tally: Tally,
                 stop: threading.Event, *, answers: int, seed: int, duplicate_every: int = 5):
        super().__init__(daemon=True)
        self.server, self.email, self.bank_id, self.tally = server, email, bank_id, tally
        self.stop, self.answers, self.duplicate_every = stop, answers, duplicate_every
        self.random = random.Random(seed)
        self.browser = Browser(server)
        self.session_url: str | None = None

    def prepare(self) -> None:
        """Sign up (before the load starts, so the load is all answers)."""
        self.browser.sign_up(self.email)

    def run(self) -> None:
        posted = 0
        while posted < self.answers and not self.stop.is_set():
            try:
                posted += self._answer_one()
            except OSError:  # the server went away (killed): wait for it, then carry on
                with self.tally.lock:
                    self.tally.lost_connections += 1
                time.sleep(0.2)

    def _answer_one(self) -> int:
        if self.session_url is None:
            self.session_url = self.browser.start(self.bank_id)
        fields = self.browser.shown(self.session_url)
        if fields is None:
            self.session_url = None
            return 0
        form = (self.email, fields["question_id"], int(fields["seq"]))
        with self.tally.lock:
            self.tally.forms.add(form)
        twice = self.random.randrange(self.duplicate_every) == 0
        together = twice and self.random.random() < 0.5
        if together:
            replies: list[Reply | OSError] = [None, None]  # type: ignore[list-item]
            barrier = threading.Barrier(2)

            def post(slot: int) -> None:
                barrier.wait()
                try:
                    replies[slot] = self.browser.answer(self.session_url, fields)
                except OSError as exc:
                    replies[slot] = exc

            threads = [threading.Thread(target=post, args=(slot,)) for slot in (0, 1)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with self.tally.lock:
                self.tally.duplicates += 1
                self.tally.same_instant += 1
            for reply in replies:
                if isinstance(reply, OSError):
                    raise reply
                self.tally.acknowledge(form, reply)
            return 1
        self.tally.acknowledge(form, self.browser.answer(self.session_url, fields))
        if twice:
            with self.tally.lock:
                self.tally.duplicates += 1
            self.tally.acknowledge(form, self.browser.answer(self.session_url, fields))
        return 1



@dataclass
class Check:
    """What the database holds against what the servers acknowledged."""

    posted_forms: int
    acknowledged: int
    lost: int  # acknowledged, but no such answer in the database
    counted_twice: int  # one form recorded more than once
    unexplained: int  # answers in the database that no form posted
    split_acks: int  # one form acknowledged as two different answers
    integrity: str

    @property
    def ok(self) -> bool:
        return (self.lost == self.counted_twice == self.unexplained == self.split_acks == 0
                and self.integrity == "ok")


def check(tally: Tally, database_url: str) -> Check:
    """Compare every acknowledged answer with the review log."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text(
                'SELECT u.email, c.question_id, r.seq, r.id FROM review r '
                'JOIN card c ON c.id = r.card_id JOIN "user" u ON u.id = r.user_id')).all()
            integrity = "ok"
            if connection.dialect.name == "sqlite":
                integrity = ", ".join(row[0] for row in connection.execute(
                    text("PRAGMA integrity_check")))
    finally:
        engine.dispose()
    stored: dict[tuple, list[int]] = {}
    for email, question_id, seq, review_id in rows:
        stored.setdefault((email, question_id, seq), []).append(review_id)
    mine = {form: ids for form, ids in stored.items() if form[0] in {f[0] for f in tally.forms}}
    lost = sum(1 for form, ids in tally.acked.items()
               if not ids <= set(stored.get(form, [])))
    return Check(
        posted_forms=len(tally.forms), acknowledged=len(tally.acked), lost=lost,
        counted_twice=sum(1 for ids in mine.values() if len(ids) > 1),
        unexplained=sum(1 for form in mine if form not in tally.forms),
        split_acks=sum(1 for ids in tally.acked.values() if len(ids) > 1),
        integrity=integrity)


def flush_redis(url: str) -> None:
    """Empty the Redis database `url` names (redis://host:port/db), speaking RESP directly so
    the tests need no client library of their own."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    number = (parts.path or "/0").strip("/") or "0"
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379),
                                  timeout=5) as connection:
        connection.sendall(f"SELECT {number}\r\nFLUSHDB\r\n".encode())
        replies = b""
        while replies.count(b"\r\n") < 2:
            replies += connection.recv(1024)
    assert replies.startswith(b"+OK\r\n+OK"), replies

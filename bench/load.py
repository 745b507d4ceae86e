"""Serving and loading: gunicorn on a seeded database, learners signed in over HTTP, wrk phases.

The load client is wrk (the Debian package) with `bench/loop.lua`: C and LuaJIT, one thread
and one connection per learner, so the client takes a small share of two cores while the
server's workers take the rest. Python only signs learners in and sends the few sequential
probe requests whose cost the server measures itself (`bench/wsgi.py`).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).with_name("loop.lua")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')
TICKS = os.sysconf("SC_CLK_TCK")


def require_wrk() -> str:
    """The path of wrk, or exit with how to install it."""
    found = shutil.which("wrk")
    if found is None:
        sys.exit("The benchmark drives the server with wrk, which is not installed. Install the "
                 "Debian/Ubuntu package: sudo apt-get install wrk")
    return found


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with 2 sync workers serving `bench.wsgi` on `database_url`."""

    def __init__(self, database_url: str, *, log: Path, probes: Path, workers: int = 2):
        self.port = free_port()
        self.probes = probes
        env = {**os.environ, "DATABASE_URL": database_url,
               "SECRET_KEY": "pivot benchmark, not a deployment",
               "BENCH_PROBE_DIR": str(probes)}
        env.pop("PIVOT_LIVE_RELOAD", None)
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class",
             "sync", "--bind", f"127.0.0.1:{self.port}", "--timeout", "120",
             "bench.wsgi:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_until_up(workers)

    def _wait_until_up(self, workers: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                if request(self.port, "GET", "/_bench/bare").status == 200 and \
                        len(self.workers()) == workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within a minute; see {self.log.name}")

    def workers(self) -> list[int]:
        """The worker processes' ids (children of the gunicorn master)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def cpu_seconds(self) -> float:
        """User plus system CPU time of the workers so far."""
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / TICKS

    def stop(self) -> None:
        """Stop gunicorn and wait for it."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@dataclass
class Reply:
    """An HTTP response as the runner needs it."""

    status: int
    headers: dict[str, str]
    body: str


def request(port: int, method: str, path: str, *, body: str | None = None,
            headers: dict[str, str] | None = None) -> Reply:
    """One HTTP request to the server (gunicorn's sync workers close every connection)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, dict(response.getheaders()),
                     response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def wait_for(path: Path, timeout: float = 10) -> None:
    """Wait for the server to write a probe's result: it does so after the last byte is sent,
    so the client can be a moment ahead of it."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server wrote no probe {path.name}")
        time.sleep(0.01)


def settle(directory: Path, pattern: str, timeout: float = 10) -> None:
    """Wait until no more probe results matching `pattern` appear (after a wrk run)."""
    deadline, seen, still = time.monotonic() + timeout, -1, 0
    while still < 5 and time.monotonic() < deadline:
        count = len(list(directory.glob(pattern)))
        still = still + 1 if count == seen else 0
        seen = count
        time.sleep(0.05)


class Learner:
    """A learner signed in through the real /login form, holding their session cookie."""

    def __init__(self, server: Server, user_id: int, email: str, password: str):
        self.port, self.probes, self.user_id, self.cookie = (server.port, server.probes,
                                                             user_id, "")
        form = self.get("/login")
        reply = self.post("/login", {"csrf_token": self._token(form.body), "email": email,
                                     "password": password, "next": ""})
        if not 300 <= reply.status < 400:
            raise RuntimeError(f"could not sign in as {email}: {reply.status}")
        self.token = self._token(self.get("/").body)

    @staticmethod
    def _token(page: str) -> str:
        match = TOKEN.search(page)
        if match is None:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1)

    def _send(self, method: str, path: str, body: str | None, headers: dict[str, str]) -> Reply:
        if self.cookie:
            headers = {**headers, "Cookie": f"session={self.cookie}"}
        reply = request(self.port, method, path, body=body, headers=headers)
        found = re.search(r"session=([^;]*)", reply.headers.get("Set-Cookie", ""))
        if found:
            self.cookie = found.group(1)
        return reply

    def get(self, path: str, *, probe: str | None = None) -> Reply:
        """GET `path`, asking the server to measure it as `probe` when given."""
        reply = self._send("GET", path, None, {"X-Bench-Probe": probe} if probe else {})
        if probe:
            wait_for(self.probes / f"{probe}.json")
        return reply

    def post(self, path: str, form: dict[str, str]) -> Reply:
        """POST a form."""
        return self._send("POST", path, urlencode(form),
                          {"Content-Type": "application/x-www-form-urlencoded"})


def percentile(values: list[float], share: float) -> float | None:
    """The `share` percentile of `values` (nearest rank), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Timing:
    """Requests (or loop iterations) of one kind in a phase."""

    count: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    failed: int = 0

    def summary(self, seconds: float) -> dict[str, float | int | None]:
        return {"rps": self.count / seconds if seconds else None,
                "p50_ms": percentile(self.latencies_ms, 0.50),
                "p99_ms": percentile(self.latencies_ms, 0.99), "count": self.count,
                "failed": self.failed}


@dataclass
class Phase:
    """One wrk run: what was served, how fast, and what it cost the server."""

    mode: str
    seconds: float
    kinds: dict[str, Timing]
    iterations: Timing
    # Thirds of loop iterations left under way when wrk stopped (a question shown, or also
    # answered): the server did that work too, which matters in short or slow phases.
    unfinished: float
    events: dict[str, int]
    server_cpu_s: float
    client_cpu_s: float
    machine_busy_cores: float  # every process on the machine, the benchmark's included

    @property
    def requests(self) -> int:
        return sum(timing.count for timing in self.kinds.values())

    @property
    def units(self) -> float:
        """What the phase counts: loop iterations (finished, plus the share done of those
        under way at the end), or requests."""
        if self.mode == "loop":
            return self.iterations.count + self.unfinished
        return self.requests

    @property
    def rate(self) -> float:
        return self.units / self.seconds

    @property
    def cpu_ms_per_unit(self) -> float | None:
        return self.server_cpu_s * 1000 / self.units if self.units else None

    @property
    def other_busy_cores(self) -> float:
        """CPU taken by processes other than the server's workers and wrk, in cores."""
        return max(0.0, self.machine_busy_cores
                   - (self.server_cpu_s + self.client_cpu_s) / self.seconds)


# The steps of a loop iteration each kind of request belongs to.
STEPS = {"question": "question", "flip": "question", "answer": "answer", "feedback": "feedback"}


def _machine_ticks() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


def run_wrk(server: Server, learners: list[Learner], *, mode: str, seconds: float,
            banks: list[str], workdir: Path, rate: float | None = None,
            probe: str | None = None) -> Phase:
    """Drive the server with one wrk thread and connection per learner for `seconds`."""
    clients = workdir / "clients.tsv"
    clients.write_text("".join(f"{learner.user_id}\t{learner.cookie}\t{learner.token}\n"
                               for learner in learners))
    out = workdir / f"wrk-{mode}"
    for old in workdir.glob(f"wrk-{mode}.*"):
        old.unlink()
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_CLIENTS": str(clients),
           "BENCH_BANKS": ",".join(banks), "BENCH_OUT": str(out)}
    if rate:
        env["BENCH_RATE"] = f"{rate:.3f}"
    if probe:
        env["BENCH_PROBE"] = probe
    threads = str(len(learners))
    cpu_before, busy_before = server.cpu_seconds(), _machine_ticks()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    finished = subprocess.run(
        [require_wrk(), "-t", threads, "-c", threads, "-d", f"{max(1, round(seconds))}s",
         "--timeout", "60s", "-s", str(LUA), f"http://127.0.0.1:{server.port}"],
        env=env, capture_output=True, text=True, check=False)
    if finished.returncode:
        raise RuntimeError(f"wrk failed: {finished.stderr or finished.stdout}")
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_after, busy_after = server.cpu_seconds(), _machine_ticks()
    if probe:
        settle(server.probes, f"{probe}-*.json")
    took = re.search(r"requests in ([\d.]+)(m?s)", finished.stdout)
    elapsed = (float(took.group(1)) / (1000 if took.group(2) == "ms" else 1)) if took \
        else seconds
    kinds: dict[str, Timing] = {}
    iterations, events, unfinished = Timing(), {}, 0.0
    for path in sorted(workdir.glob(f"wrk-{mode}.*")):
        steps: set[str] = set()  # of the iteration under way when the run stopped
        for line in path.read_text().splitlines():
            parts = line.split()
            if parts[0] == "R":
                timing = kinds.setdefault(parts[1], Timing())
                timing.count += 1
                timing.latencies_ms.append(int(parts[2]) / 1000)
                timing.failed += int(parts[3]) >= 500
                steps.add(STEPS.get(parts[1], ""))
            elif parts[0] == "I":
                iterations.count += 1
                iterations.latencies_ms.append(int(parts[1]) / 1000)
                steps.clear()
            elif parts[0] == "E":
                events[parts[1]] = events.get(parts[1], 0) + 1
        unfinished += len(steps - {""}) / 3
    busy = (busy_after[0] - busy_before[0]) / max(1, busy_after[1] - busy_before[1])
    return Phase(mode, elapsed, kinds, iterations, unfinished, events, cpu_after - cpu_before,
                 (client_after.ru_utime + client_after.ru_stime)
                 - (client_before.ru_utime + client_before.ru_stime),
                 busy * (os.cpu_count() or 1))


def read_probes(directory: Path, prefix: str) -> dict[str, list[dict]]:
    """The server's measurements of probes named `<prefix>-<kind>-...`, by kind."""
    found: dict[str, list[dict]] = {}
    for path in directory.glob(f"{prefix}-*.json"):
        result = json.loads(path.read_text())
        kind = result["name"][len(prefix) + 1:].split("-")[0]
        found.setdefault(kind, []).append(result)
    return found


def median_of(results: list[dict], key: str) -> float | None:
    """The median of `key` over probe results that have it."""
    values = [result[key] for result in results if result.get(key) is not None]
    return statistics.median(values) if values else None

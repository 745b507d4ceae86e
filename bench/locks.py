"""SQLite under a big import: how many answers fail with "database is locked". Prints its
figures; not a test (tests/test_sqlite_busy.py is the small one).

Learners answer in parallel against gunicorn on one SQLite file while another learner's big
import (an export of `--reviews` answers) is written, again and again. Each answer that the
server refuses or fails on is counted, with how long it took.

Run: .venv/bin/python bench/locks.py [--learners 8] [--reviews 20000] [--imports 2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.accounts import export  # noqa: E402
from quiz.authoring.sync import sync_directory  # noqa: E402
from quiz.extensions import db  # noqa: E402
from tests.conftest import TEST_BANKS, Builder  # noqa: E402
from tests.live import Browser, Server, true_false_bank  # noqa: E402

BANKS = ROOT / "tests" / "fixtures" / "banks"


def prepare(url: str, work: Path, reviews: int) -> bytes:
    """Migrate, load the banks, and return the JSON export of a learner with `reviews`
    answers (a big file to import)."""
    banks = work / "questions"
    banks.mkdir()
    for name in ("sources.yaml", "events.yaml", "demo.yaml"):
        shutil.copy(BANKS / name, banks / name)
    (banks / "load.yaml").write_text(true_false_bank(200), encoding="utf-8")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "QUESTIONS_DIR": str(TEST_BANKS)})
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        assert sync_directory(banks, now=now).ok
        source = Builder(app, work).user(email="source@example.org")
        Builder(app, work).bulk_history(source, reviews=reviews, days=300, now=now)
        raw = export.export_json(source, now).encode()
        db.engine.dispose()
    return raw


def multipart(browser: Browser, path: str, token_from: str, raw: bytes,
              name: str) -> tuple[int, str]:
    """Post `raw` as the form's file, the way a browser uploads one."""
    import http.client

    token = browser.token(token_from)
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    body += raw + f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", browser.server.port, timeout=120)
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    connection.request("POST", path, body=body, headers={
        "Cookie": cookies, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.headers.get("Location", "")


def wait_for_job(browser: Browser, location: str) -> str:
    """How the import's job ended ("done" or "failed"), once it has (imports are jobs)."""
    while True:
        page = browser.get(location).body
        for outcome, words in (("done", "Done."), ("failed", "It failed.")):
            if words in page:
                return outcome
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--reviews", type=int, default=20000, help="answers in the import")
    parser.add_argument("--imports", type=int, default=2, help="imports posted at once")
    parser.add_argument("--rounds", type=int, default=3, help="how many times")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pivot-locks-"))
    url = f"sqlite:///{work / 'pivot.db'}"
    raw = prepare(url, work, args.reviews)
    packed = gzip.compress(raw)
    server = Server({"DATABASE_URL": url, "SECRET_KEY": "bench"},
                    workers=args.workers, log=work / "gunicorn.log")
    failures: list[tuple[int, float]] = []
    answered, stop, lock = [0], threading.Event(), threading.Lock()

    def learn(number: int) -> None:
        browser = Browser(server)
        browser.sign_up(f"learner{number}@example.org")
        session_url = browser.start("load")
        while not stop.is_set():
            fields = browser.shown(session_url)
            if fields is None:
                session_url = browser.start("load")
                continue
            started = time.monotonic()
            reply = browser.answer(session_url, fields)
            with lock:
                answered[0] += 1
                if reply.status != 200:
                    failures.append((reply.status, time.monotonic() - started))

    imports: list[tuple[str, float]] = []
    server.start()
    # Imports run as background jobs: one worker process, as the README says to keep running.
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"},
        stdout=open(work / "worker.log", "ab"), stderr=subprocess.STDOUT)  # noqa: SIM115
    try:
        threads = [threading.Thread(target=learn, args=(n,), daemon=True)
                   for n in range(args.learners)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        def load(number: int) -> None:
            importer = Browser(server)
            importer.sign_up(f"importer{number}@example.org")
            started = time.monotonic()
            status, location = multipart(importer, "/account/import", "/account", packed,
                                         "export.json.gz")
            outcome = str(status)
            if "/jobs/" in location:
                outcome = wait_for_job(importer, location)
            imports.append((outcome, time.monotonic() - started))

        for _ in range(args.rounds):
            batch = [threading.Thread(target=load, args=(len(imports) + n,))
                     for n in range(args.imports)]
            for thread in batch:
                thread.start()
            for thread in batch:
                thread.join()
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        server.stop()
        worker.terminate()
        worker.wait(30)
    print(f"SQLite, {args.workers} gunicorn workers and a jobs worker, {args.learners} "
          f"learners answering, {args.rounds} × {args.imports} imports posted at once of "
          f"{args.reviews} answers ({len(raw) / 1e6:.1f} MB JSON, {len(packed) / 1e6:.1f} MB "
          "gzip'd)")
    print("imports (outcome, seconds until done): "
          + ", ".join(f"{status} {seconds:.1f}" for status, seconds in imports))
    print(f"answers posted: {answered[0]}; failed: {len(failures)}")
    if failures:
        times = sorted(seconds * 1000 for _, seconds in failures)
        print(f"failed answers took {times[0]:.0f}–{times[-1]:.0f} ms; statuses: "
              + ", ".join(sorted({str(status) for status, _ in failures})))


if __name__ == "__main__":
    main()

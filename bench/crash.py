"""Concurrency and crash check at full size: prints its figures. Not a test (the suite runs a
small one: tests/test_servers.py).

Many learners answer in parallel against a real gunicorn server, posting some forms twice (one
after the other, or both at the same instant); the server is killed with `kill -9` several
times mid-load and restarted. Then every acknowledged answer (the server's redirect to it was
received) must be in the database exactly once, and SQLite's integrity check must pass.

Run: .venv/bin/python bench/crash.py [--learners 32] [--answers 60] [--crashes 5]
(a throwaway SQLite database, or the database in BENCH_DATABASE_URL; the app itself need not
be set up).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.authoring.sync import sync_directory  # noqa: E402
from quiz.config import database_url  # noqa: E402
from quiz.extensions import db  # noqa: E402
from tests.live import LoadLearner, Server, Tally, check, true_false_bank  # noqa: E402

FIXTURE_BANKS = ROOT / "tests" / "fixtures" / "banks"


def prepare(url: str, work: Path) -> None:
    """Migrate the database and load a bank of true-or-false statements into it."""
    banks = work / "questions"
    banks.mkdir()
    for shared in ("sources.yaml", "events.yaml"):
        shutil.copy(FIXTURE_BANKS / shared, banks / shared)
    (banks / "load.yaml").write_text(true_false_bank(200), encoding="utf-8")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        report = sync_directory(banks, now=datetime.now(UTC))
        assert report.ok, report.skipped
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=32)
    parser.add_argument("--answers", type=int, default=60, help="forms each learner posts")
    parser.add_argument("--crashes", type=int, default=5, help="kill -9 of the server")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="pivot-crash-"))
    url = database_url(os.environ.get("BENCH_DATABASE_URL"), str(work))
    prepare(url, work)
    server = Server({"DATABASE_URL": url, "SECRET_KEY": "bench"}, workers=args.workers,
                    log=work / "gunicorn.log")
    tally, stop = Tally(), threading.Event()
    run = f"{datetime.now(UTC):%H%M%S}"
    learners = [LoadLearner(server, f"crash{run}-{i}@example.org", "load", tally, stop,
                            answers=args.answers, seed=i) for i in range(args.learners)]
    started = time.monotonic()
    server.start()
    crashes = 0
    try:
        for learner in learners:
            learner.prepare()
        for learner in learners:
            learner.start()
        total = args.learners * args.answers
        for crash in range(args.crashes):
            # Spread the crashes over the run: kill once each share of the load is posted.
            target = total * (crash + 1) // (args.crashes + 1)
            while tally.posts < target and any(learner.is_alive() for learner in learners):
                time.sleep(0.02)
            server.kill()
            crashes += 1
            server.start()
        for learner in learners:
            learner.join()
    finally:
        stop.set()
        server.stop()
    elapsed = time.monotonic() - started
    result = check(tally, url)
    backend = url.split(":")[0].split("+")[0]
    print(f"database: {backend}, {args.learners} learners, {args.workers} workers, "
          f"{elapsed:.0f} s")
    print(f"answers posted (distinct forms): {result.posted_forms}")
    print(f"acknowledged: {result.acknowledged}")
    print(f"duplicates posted: {tally.duplicates} (posted at the same instant: "
          f"{tally.same_instant})")
    print(f"crashes (kill -9): {crashes}; requests cut off: {tally.lost_connections}")
    print(f"refused (4xx): {tally.refused}; server errors (5xx): {tally.server_errors}")
    print(f"lost: {result.lost}; counted twice: {result.counted_twice}; answers no form "
          f"posted: {result.unexplained}; one form acknowledged as two answers: "
          f"{result.split_acks}")
    print(f"integrity check: {result.integrity}")
    print("OK" if result.ok else "FAILED")
    if not result.ok:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Benchmarks: print how long linting, syncing and answering take. Not a test.

Run: .venv/bin/python bench/bench.py  (uses a throwaway SQLite database, or the
database in BENCH_DATABASE_URL).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.authoring.sync import sync_directory  # noqa: E402
from quiz.banks.loader import load_catalog  # noqa: E402
from quiz.core import grading  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import User  # noqa: E402
from quiz.study import service as study  # noqa: E402

QUESTIONS = ROOT / "questions"


def timed(fn, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    print("lint, per file (median of 5):")
    for path in sorted(QUESTIONS.glob("*.yaml")):
        if path.name in ("sources.yaml", "events.yaml"):
            continue
        print(f"  {path.name:<24} {timed(lambda p=path: load_catalog(QUESTIONS, only=[p])):.3f} s")
    print(f"lint, whole folder: {timed(lambda: load_catalog(QUESTIONS)):.3f} s")

    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "FSRS_FUZZING": False})
    with app.app_context():
        upgrade()
        now = datetime(2026, 3, 2, 12, tzinfo=UTC)
        start = time.perf_counter()
        sync_directory(QUESTIONS, now=now)
        print(f"first sync (all banks): {time.perf_counter() - start:.3f} s")
        resync = timed(lambda: sync_directory(QUESTIONS, now=now))
        print(f"re-sync, nothing changed: {resync:.3f} s")

        user = User(email="bench@example.org", new_per_day=1000)
        user.set_password("benchmark password")
        db.session.add(user)
        db.session.commit()
        session = study.start_session(user, "rapprochement", now)
        latencies = []
        for _ in range(100):
            prompt = study.next_prompt(user, session, now)
            if prompt is None:
                now += timedelta(minutes=30)
                continue
            model = prompt.model
            response = {"multiple_choice": getattr(model, "answer", None),
                        "true_false": str(getattr(model, "answer", "")).lower(),
                        "flashcard": 3}.get(model.type)
            begin = time.perf_counter()
            try:
                study.answer(user, session, prompt.question.id, prompt.seq, response, now=now,
                             duration_ms=1000, fuzzing=False)
            except grading.InvalidResponse:  # other types need richer responses: skip them
                db.session.rollback()
                session = study.start_practice(user, eras=[], tags=[], now=now)
                continue
            latencies.append(time.perf_counter() - begin)
            now += timedelta(seconds=20)
        if latencies:
            median_ms = statistics.median(latencies) * 1000
            print(f"answer (grade, reschedule, commit): median {median_ms:.1f} ms "
                  f"over {len(latencies)} answers")
        begin = time.perf_counter()
        study.bank_counts(user, now)
        print(f"home page counts: {(time.perf_counter() - begin) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

"""Benchmark: rescheduling 10,000 cards, and fitting FSRS to a generated history. Not a test.

Run: .venv/bin/python bench/reschedule.py  (a throwaway SQLite database, or the database in
BENCH_DATABASE_URL). Prints the time to read the history, compute memory states and due days,
and write them; and the optimiser's time and its log loss and RMSE before and after.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from quiz import create_app  # noqa: E402
from quiz.core import fitting  # noqa: E402
from quiz.core.clock import study_day  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import User  # noqa: E402
from quiz.study import policy, tuning  # noqa: E402
from tests.builders_fsrs import synthetic_bank, synthetic_history  # noqa: E402

CARDS = 10_000
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def main() -> None:
    folder = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "FSRS_FUZZING": False,
                      "JOBS_BACKEND": "memory"})
    with app.app_context():
        upgrade()
        user = User(email="bench@example.org", time_zone="Europe/London")
        user.set_password("bench password")
        db.session.add(user)
        db.session.commit()
        questions = synthetic_bank(CARDS)
        started = time.perf_counter()
        answers = synthetic_history(user, questions, answers_per_card=8,
                                    start=NOW - timedelta(days=400), until=NOW)
        print(f"generated {CARDS} cards, {answers} answers in "
              f"{time.perf_counter() - started:.1f}s ({db.engine.dialect.name})")

        tuning.utcnow = lambda: NOW  # the history ends at NOW: read it from there
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
              "cores; CPU time is the figure load does not inflate")
        for run in range(3):
            db.session.expire_all()
            started = time.perf_counter()
            answers_read = tuning._answers(user)
            read = time.perf_counter() - started
            cpu, started = time.process_time(), time.perf_counter()
            changed = tuning.reschedule(user, fuzzing=True)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(f"reschedule run {run + 1}: {changed} cards in {wall:.3f}s wall, "
                  f"{cpu:.3f}s CPU, reading the log included (that alone: {read:.3f}s)")

        answers_read = tuning._answers(user)
        started = time.perf_counter()
        items, card_ids, reviews = fitting.training_items(
            answers_read, today=study_day(NOW, user.time_zone))
        built = time.perf_counter() - started
        result = fitting.fit(items, card_ids, reviews=reviews,
                             current=policy.parameters_of(user))
        print(f"fit: {reviews} answers, {result.items} items (built in {built:.2f}s), "
              f"optimiser {result.seconds:.2f}s")
        print(f"  log loss {result.log_loss_before:.4f} -> {result.log_loss_after:.4f}, "
              f"RMSE {result.rmse_before:.4f} -> {result.rmse_after:.4f}")
        small = [a for a in answers_read if a.card_id % 10 == 0]
        items, card_ids, reviews = fitting.training_items(
            small, today=study_day(NOW, user.time_zone))
        result = fitting.fit(items, card_ids, reviews=reviews,
                             current=policy.parameters_of(user))
        print(f"fit on a tenth: {reviews} answers, {result.items} items, optimiser "
              f"{result.seconds:.2f}s; log loss {result.log_loss_before:.4f} -> "
              f"{result.log_loss_after:.4f}, RMSE {result.rmse_before:.4f} -> "
              f"{result.rmse_after:.4f}")


if __name__ == "__main__":
    main()

"""Benchmark: a teacher's pages for a class of 300 learners with a year of history. Not a test.

    .venv/bin/python bench/classes.py                 # 300 learners, 300,000 reviews, SQLite
    BENCH_DATABASE_URL=postgresql://... .venv/bin/python bench/classes.py --learners 300

Seeds the learners over the real banks (bench/seed.py), puts them all in one class with a bank
assignment (every bank, a target date) and a 20-question test each has taken once, then renders
the gradebook, its CSV and both assignments' question statistics through the app, with the
learner dashboard of a typical learner for comparison. Prints the median of 5 renders of each
and the SQL statements each sends.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

from bench.seed import PASSWORD, Sizes, seed  # noqa: E402
from quiz import create_app  # noqa: E402
from quiz.classes import service  # noqa: E402
from quiz.config import database_url  # noqa: E402
from quiz.core import clock  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import Card, Review, SessionKind, StudySession, User  # noqa: E402
from tests.conftest import IsolatedClient  # noqa: E402

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
RUNS = 5


def _take_tests(quiz, learners: list[User]) -> int:
    """Every learner takes the test once, answers written in bulk (right with a chance that
    follows the learner, so the statistics have something to separate)."""
    rng = random.Random(2026)  # noqa: S311 - a reproducible benchmark, not a secret
    cards = {(row.user_id, row.question_id): row.id for row in db.session.execute(
        db.select(Card.user_id, Card.question_id, Card.id)
        .where(Card.question_id.in_(quiz.question_ids)))}
    for user in learners:
        for question_id in quiz.question_ids:
            if (user.id, question_id) not in cards:
                card = Card(user_id=user.id, question_id=question_id, answers=0)
                db.session.add(card)
                db.session.flush()
                cards[(user.id, question_id)] = card.id
    rows = []
    for user in learners:
        session = StudySession(user_id=user.id, kind=SessionKind.TEST, scheduled=False,
                               question_ids=quiz.question_ids, assignment_id=quiz.id,
                               started_at=NOW - timedelta(hours=2),
                               ended_at=NOW - timedelta(hours=1))
        db.session.add(session)
        db.session.flush()
        ability = rng.random()
        for question_id in quiz.question_ids:
            right = rng.random() < ability
            rows.append(dict(card_id=cards[(user.id, question_id)], user_id=user.id,
                             session_id=session.id, seq=1_000_000, scheduled=False,
                             rating=3 if right else 1, score=1.0 if right else 0.0,
                             response="right" if right else rng.choice(["a", "b", "c"]),
                             phase_before=0, reviewed_at=NOW - timedelta(hours=1),
                             duration_ms=5000, due_after=NOW))
    db.session.execute(insert(Review), rows)
    db.session.commit()
    return len(rows)


def _measure(client, url: str) -> tuple[float, int]:
    statements = []

    def record(*_args):
        statements.append(1)

    times = []
    for _ in range(RUNS):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", record)
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        event.remove(db.engine, "before_cursor_execute", record)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(statements)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--reviews", type=int, default=300_000, help="reviews in all")
    args = parser.parse_args(argv)
    folder = tempfile.mkdtemp()
    url = database_url(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db",
                       "")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "FSRS_FUZZING": False,
                      "JOBS_BACKEND": "memory", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "bench"})
    clock.utcnow = lambda: NOW
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        seeded = seed(Sizes(learners=args.learners, reviews=args.reviews,
                            light=10, heavy=min(5000, args.reviews // 10)), now=NOW)
        print(f"seeded {args.learners} learners, {seeded.reviews:,} reviews in "
              f"{time.perf_counter() - started:.0f}s ({db.engine.dialect.name})")
        teacher = User(email="teacher@example.org", is_teacher=True)
        teacher.set_password(PASSWORD)
        db.session.add(teacher)
        db.session.commit()
        school_class = service.create_class(teacher, "Bench class", NOW)
        learners = list(db.session.scalars(db.select(User).where(User.id != teacher.id)))
        for user in learners:
            service.join(user, school_class, NOW)
        common = dict(bank_ids=[], eras=[], tags=[], time_limit_s=None, opens_at=None,
                      closes_at=None, attempts=2, now=NOW)
        # Set at the start of a term, three months ago: its statistics read a term's answers.
        banks = service.add_assignment(school_class, kind="banks", title="Everything",
                                       target_day=(NOW + timedelta(days=60)).date(),
                                       length=0, **{**common, "now": NOW - timedelta(days=90)})
        quiz = service.add_assignment(school_class, kind="test", title="Test", target_day=None,
                                      length=20, **common)
        answers = _take_tests(quiz, learners)
        print(f"one class of {len(learners)} learners; {answers} test answers")

        # Each request in its own context, as on a server: no signed-in user carries over.
        app.test_client_class = IsolatedClient
        teacher_client, learner_client = app.test_client(), app.test_client()
        teacher_client.post("/login", data={"email": teacher.email, "password": PASSWORD})
        typical = seeded.typical(1)[0]
        learner_client.post("/login", data={"email": typical.email, "password": PASSWORD})
        base = f"/classes/{school_class.id}"
        pages = [("gradebook", teacher_client, f"{base}/gradebook"),
                 ("gradebook.csv", teacher_client, f"{base}/gradebook.csv"),
                 ("statistics, banks", teacher_client,
                  f"{base}/assignments/{banks.id}/statistics"),
                 ("statistics, test", teacher_client, f"{base}/assignments/{quiz.id}/statistics"),
                 (f"dashboard ({typical.reviews} reviews)", learner_client, "/dashboard")]
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        for name, client, page in pages:
            seconds, statements = _measure(client, page)
            print(f"{name:32} {seconds * 1000:8.0f} ms  {statements:3d} SQL statements")


if __name__ == "__main__":
    main()

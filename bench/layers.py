"""What one statement of the study loop costs at each layer: ORM, Core, and the driver beneath.

    .venv/bin/python bench/layers.py [--db sqlite|postgresql] [--calls 2000] [--rounds 5]

SQLAlchemy's own Python is the largest share of the study loop's CPU (bench/run.py measures
the loop; a profile splits it). This measures what a different way of sending the same
statements would save, one statement at a time, in this process: it seeds a small database
(bench/seed.py: 50 learners, 20,000 reviews), then times three statements that every answer
sends, each sent three ways:

- the answer's lookup of a question with the learner's card for it
  (`quiz.study.selection.question_with_card`): as ORM entities, as a Core select of the same
  columns, and through the driver's own cursor;
- writing one review: the unit of work (add, then flush), a Core insert, and the driver;
- updating the learner's card (its memory and answer count): the unit of work (set, then
  flush), a Core update, and the driver.

The driver is given its SQL compiled and its values converted beforehand, so its figure is a
floor: code that sends statements itself would still convert values on every call. Each figure
is microseconds of process CPU per call, the median of `--rounds` rounds of `--calls` calls.
The writes are rolled back. One readable line per statement, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import and_, bindparam, insert, select  # noqa: E402
from sqlalchemy.sql.compiler import Compiled  # noqa: E402

from bench.run import DEFAULT_POSTGRESQL, prepare, seed_database  # noqa: E402
from quiz import create_app  # noqa: E402
from quiz.extensions import db  # noqa: E402
from quiz.models import Card, Question, Review, User  # noqa: E402
from quiz.study.selection import question_with_card  # noqa: E402

LAYERS = ("orm", "core", "driver")


def per_call_us(work: Callable[[], Any], *, calls: int, rounds: int) -> float:
    """Microseconds of process CPU per call of `work`: the median round, after a warm-up."""
    for _ in range(min(calls, 100)):
        work()
    times = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(calls):
            work()
        times.append((time.process_time() - started) / calls * 1e6)
    return statistics.median(times)


def driver_call(compiled: Compiled, values: dict[str, Any], *,
                varying: str | None = None) -> tuple[str, Callable[..., Any]]:
    """The SQL the driver receives for `compiled`, and a function giving its parameters for
    `values`, converted once here as SQLAlchemy converts them on every call. The function takes
    the value of `varying` (an integer, passed as it is) when one is named."""
    dialect = compiled.dialect
    converted = {}
    for name, value in values.items():
        process = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        converted[name] = process(value) if process else value
    if not compiled.positional:
        return str(compiled), lambda value=None: (
            converted if varying is None else {**converted, varying: value})
    fixed = [converted[name] for name in compiled.positiontup]
    at = compiled.positiontup.index(varying) if varying else None

    def parameters(value: Any = None) -> list[Any]:
        row = list(fixed)
        if at is not None:
            row[at] = value
        return row

    return str(compiled), parameters


def measure(user_id: int, question_id: str, *, calls: int, rounds: int) -> dict[str, dict]:
    """Both statements at every layer, for the learner `user_id` and their card for
    `question_id`, in the app context's database. Leaves nothing written."""
    connection = db.session.connection()
    cursor = connection.connection.driver_connection.cursor()
    dialect = connection.dialect
    user = db.session.get_one(User, user_id)
    found = question_with_card(user, question_id)
    if found is None or found[1] is None:
        raise ValueError(f"learner {user_id} has no card for {question_id}")
    card = found[1]

    # The lookup: the same columns as the answer reads, as entities, as rows, from the driver.
    values = {"user_id": user_id, "question_id": question_id}
    questions, cards = Question.__table__, Card.__table__
    core = (select(questions, cards)
            .select_from(questions.outerjoin(cards, and_(
                cards.c.question_id == questions.c.id, cards.c.user_id == bindparam("user_id"))))
            .where(questions.c.id == bindparam("question_id")))
    sql, parameters = driver_call(core.compile(dialect=dialect), values)

    def driver_read() -> Any:
        cursor.execute(sql, parameters())
        return cursor.fetchone()

    lookup = {
        "orm": per_call_us(lambda: question_with_card(user, question_id), calls=calls,
                           rounds=rounds),
        "core": per_call_us(lambda: connection.execute(core, values).first(), calls=calls,
                            rounds=rounds),
        "driver": per_call_us(driver_read, calls=calls, rounds=rounds),
    }

    # The write: one review of that card, a new sequence number each time (they are unique).
    now = datetime.now(UTC)
    review = dict(card_id=card.id, user_id=user_id, session_id=None, scheduled=True, rating=3,
                  score=1.0, response={"choice": "a"}, phase_before=2, reviewed_at=now,
                  duration_ms=5000, due_after=now, stability_after=3.0, difficulty_after=5.0,
                  card_before={"memory": {}}, accepted=False)
    seq = iter(range(10**9, 2 * 10**9))
    statement = insert(Review.__table__).returning(Review.__table__.c.id)
    write_sql, write_parameters = driver_call(
        statement.compile(dialect=dialect, column_keys=[*review, "seq"]), {**review, "seq": 0},
        varying="seq")

    def unit_of_work() -> None:
        db.session.add(Review(seq=next(seq), **review))
        db.session.flush()

    def core_write() -> None:
        connection.execute(statement, {**review, "seq": next(seq)}).scalar_one()

    def driver_write() -> None:
        cursor.execute(write_sql, write_parameters(next(seq)))
        cursor.fetchone()

    # The card's update: its memory and answer count, changed as an answer changes them.
    answers = iter(range(10**6, 2 * 10**6))
    cards_table = Card.__table__
    memory = dict(phase=2, step=None, stability=3.0, difficulty=5.0, due=now, last_review=now,
                  reps=4, lapses=1, revised=False)
    update_card = (cards_table.update().where(cards_table.c.id == bindparam("card_id"))
                   .values({name: bindparam(name) for name in [*memory, "answers"]}))
    update_sql, update_parameters = driver_call(
        update_card.compile(dialect=dialect), {**memory, "answers": 0, "card_id": card.id},
        varying="answers")

    def unit_of_work_update() -> None:
        for name, value in memory.items():
            setattr(card, name, value)
        card.answers = next(answers)
        db.session.flush()

    def core_update() -> None:
        connection.execute(update_card, {**memory, "answers": next(answers), "card_id": card.id})

    def driver_update() -> None:
        cursor.execute(update_sql, update_parameters(next(answers)))

    try:
        write = {
            "orm": per_call_us(unit_of_work, calls=calls, rounds=rounds),
            "core": per_call_us(core_write, calls=calls, rounds=rounds),
            "driver": per_call_us(driver_write, calls=calls, rounds=rounds),
        }
        update = {
            "orm": per_call_us(unit_of_work_update, calls=calls, rounds=rounds),
            "core": per_call_us(core_update, calls=calls, rounds=rounds),
            "driver": per_call_us(driver_update, calls=calls, rounds=rounds),
        }
    finally:
        db.session.rollback()
    return {"question_with_card": lookup, "review_insert": write, "card_update": update}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Seed a small database, measure, print a line per statement and one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL,
                        help="a database it may wipe (default pivot_bench on the local server)")
    parser.add_argument("--calls", type=int, default=2000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (the median is kept)")
    args = parser.parse_args(argv)
    seeding = argparse.Namespace(learners=50, reviews=20_000, heavy=2_000, jobs=None, clients=8,
                                 postgresql_url=args.postgresql_url)
    workdir = Path(tempfile.mkdtemp(prefix="pivot-layers-"))
    try:
        url = prepare(args.db, seeding, workdir)
        _seeded, described = seed_database(url, seeding)
        learner = described["load"][0].user_id
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark"})
        with app.app_context():
            question_id = db.session.scalars(
                db.select(Card.question_id).where(Card.user_id == learner)
                .order_by(Card.question_id).limit(1)).one()
            figures = measure(learner, question_id, calls=args.calls, rounds=args.rounds)
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for name, costs in figures.items():
        print(f"{args.db} {name}: " + ", ".join(f"{layer} {costs[layer]:.1f} µs"
                                               for layer in LAYERS))
    summary = {"database": args.db, "calls": args.calls, "rounds": args.rounds, **figures}
    print(json.dumps(summary, separators=(",", ":")))
    return summary


if __name__ == "__main__":
    main()

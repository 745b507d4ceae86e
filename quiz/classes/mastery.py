"""Mastery of many learners at once, added up by the database.

A class's gradebook needs, for every member, the mean FSRS retrievability of the questions each
assignment covers, now and on its target day. A class of 300 with a year of history has some
50,000 studied cards: read row by row and computed in Python that took half a second. Here one
query computes each card's retrievability in SQL, with the learner's own curve and study day,
and sums it per learner and per group of questions; Python only divides.

The formula is `scheduling.retrievability`'s, operation for operation:
- elapsed study days are whole days from the last review to the rollover that ends the study
  day in question (`scheduling.elapsed_days`); that instant is computed here per learner, in
  their time zone, and passed in, so the database needs no time zones;
- R = (elapsed / S * factor + 1) ** decay with the learner's (factor, decay) (`scheduling.curve`).
Only the order of the final sums differs from Python's, which can change a mean in its last bit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Float, Integer, String, case, cast, func, literal_column, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from quiz.core.clock import study_day
from quiz.core.scheduling import Phase, curve, day_start
from quiz.extensions import db
from quiz.models import Card, User
from quiz.study.policy import policy_for

DAY_SECONDS = 86_400


class _SecondsUp(FunctionElement):
    """An instant as whole seconds since 1970, a fraction rounded up.

    Day boundaries fall on whole seconds, so whole days from `t` to a boundary `end`,
    floor((end - t) / 86400), equal (end - ceil(t)) // 86400 in integer arithmetic: exact on
    both databases, with no floating-point day fractions."""

    type = BigInteger()
    inherit_cache = True


@compiles(_SecondsUp, "sqlite")
def _seconds_up_sqlite(element: _SecondsUp, compiler: Any, **kw: Any) -> str:
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's SQLite format): the microseconds
    # are characters 21 to 26, and any that are not zero round the second up. strftime is
    # given the whole seconds alone, since it would round .999999 to the next second itself.
    value = compiler.process(element.clauses, **kw)
    return (f"(CAST(strftime('%s', substr({value}, 1, 19)) AS INTEGER)"
            f" + (substr({value}, 21) > '000000'))")


@compiles(_SecondsUp, "postgresql")
def _seconds_up_postgresql(element: _SecondsUp, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"CAST(CEIL(EXTRACT(EPOCH FROM {value})) AS BIGINT)"


# Two small tables passed as one JSON parameter each, whatever their length (a list of bound
# values would meet SQLite's limit on parameters in a big class).
_TABLES = {
    "sqlite": "SELECT {columns} FROM json_each(:{name})",
    "postgresql": "SELECT * FROM json_to_recordset(CAST(:{name} AS json)) AS t({types})",
}
_SQL_TYPES = {Integer: "integer", BigInteger: "bigint", Float: "float8", String: "text"}


def _json_table(name: str, columns: dict[str, type], rows: list[dict[str, Any]]):
    dialect = db.engine.dialect.name
    listed = ", ".join(f"json_extract(value, '$.{c}') AS {c}" for c in columns)
    types = ", ".join(f"{c} {_SQL_TYPES[t]}" for c, t in columns.items())
    sql = _TABLES[dialect].format(columns=listed, types=types, name=name)
    table = text(sql).bindparams(**{name: json.dumps(rows)})
    table = table.columns(*(literal_column(c, type_=t()) for c, t in columns.items()))
    # Materialized, so the database reads the JSON once and can index it for the join.
    return table.cte(name).prefix_with("MATERIALIZED")


@dataclass(frozen=True)
class Group:
    """A learner's figures over one group of questions."""

    total: int
    seen: int = 0
    now: float | None = None        # mean retrievability now, unseen questions counting zero
    at_target: float | None = None  # the same at the start of the target day, if still ahead


@dataclass
class Learner:
    groups: dict[Hashable, Group] = field(default_factory=dict)
    last_review: datetime | None = None  # of any question in any group


def mastery(users: Iterable[User], groups: dict[Hashable, tuple[Collection[str], date | None]],
            now: datetime) -> dict[int, Learner]:
    """For each learner and each group (its question ids and optional target day): questions
    seen, mean retrievability now and on the target day; one query for all of them."""
    users = list(users)
    # Questions covered by the same groups are added up together: a few signatures, each a
    # set of groups, instead of a row per question and group.
    signatures: dict[frozenset, int] = {}
    question_signature: dict[str, int] = {}
    covering: dict[str, set] = {}
    for key, (ids, _day) in groups.items():
        for question_id in ids:
            covering.setdefault(question_id, set()).add(key)
    for question_id, keys in covering.items():
        question_signature[question_id] = signatures.setdefault(frozenset(keys), len(signatures))
    days = sorted({day for _ids, day in groups.values() if day is not None})
    slots = {day: slot for slot, day in enumerate(days, start=1)}  # slot 0 is now

    learner_rows, todays = [], {}
    for user in users:
        policy = policy_for(user, fuzzing=False)
        factor, decay = curve(policy.parameters)
        today = study_day(now, policy.time_zone, rollover_hour=policy.rollover_hour)
        todays[user.id] = today.day
        ends = [today.end] + [None] * len(days)
        for day in days:
            if day > today.day:  # a target day that has come has nothing left to predict
                start = day_start(day, policy)
                ends[slots[day]] = study_day(start, policy.time_zone,
                                             rollover_hour=policy.rollover_hour).end
        learner_rows.append({"u": user.id, "f": factor, "d": decay} | {
            f"e{slot}": None if end is None else math.ceil(end.timestamp())
            for slot, end in enumerate(ends)})

    found: dict[tuple[int, int], tuple] = {}
    if learner_rows and question_signature:
        learners = _json_table("learners", {"u": Integer, "f": Float, "d": Float} | {
            f"e{slot}": BigInteger for slot in range(len(days) + 1)}, learner_rows)
        covers = _json_table("covers", {"q": String, "s": Integer},
                             [{"q": q, "s": s} for q, s in question_signature.items()])
        # A card's group of questions (its signature), looked up in the covers table by
        # signature: SQLite indexes an IN (subquery) list, while a join with a table read
        # from JSON would scan it for every card.
        signature = case(*((Card.question_id.in_(db.select(covers.c.q).where(covers.c.s == n)),
                            n) for n in range(len(signatures))))
        ends = [f"e{slot}" for slot in range(len(days) + 1)]
        # Each studied card once, materialized with its last review in whole seconds and its
        # learner's curve: parsing the stored time is the costly part, so it happens once per
        # card, not once per day asked about.
        studied = (db.select(Card.user_id, signature.label("s"), Card.stability,
                             Card.last_review, _SecondsUp(Card.last_review).label("t"),
                             learners.c.f, learners.c.d, *(learners.c[e] for e in ends))
                   .select_from(learners).join(Card, Card.user_id == learners.c.u)
                   .where(Card.phase != int(Phase.NEW))
                   .cte("studied").prefix_with("MATERIALIZED"))

        def recall(end):
            seconds = end - studied.c.t
            elapsed = case((seconds > 0, seconds // DAY_SECONDS), else_=0)
            return func.sum(case(
                (studied.c.last_review.is_(None) | (func.coalesce(studied.c.stability, 0) == 0),
                 0.0),
                else_=func.power(cast(elapsed, Float) / studied.c.stability * studied.c.f
                                 + 1.0, studied.c.d)))

        statement = (db.select(studied.c.user_id, studied.c.s, func.count(),
                               func.max(studied.c.last_review),
                               *(recall(studied.c[e]) for e in ends))
                     .where(studied.c.s.is_not(None))
                     .group_by(studied.c.user_id, studied.c.s))
        for user_id, signature, *figures in db.session.connection().execute(statement):
            found[(user_id, signature)] = tuple(figures)

    members = {signature: keys for keys, signature in signatures.items()}
    nothing = (0, None) + (0.0,) * (len(days) + 1)
    result = {}
    for user in users:
        sums: dict[Hashable, list] = {key: [0, 0.0, 0.0] for key in groups}
        learner = Learner()
        for signature, keys in members.items():
            count, last, *totals = found.get((user.id, signature), nothing)
            if last is not None and (learner.last_review is None or last > learner.last_review):
                learner.last_review = last
            for key in keys:
                sums[key][0] += count
                sums[key][1] += totals[0] or 0.0
                day = groups[key][1]
                if day in slots:
                    sums[key][2] += totals[slots[day]] or 0.0
        for key, (ids, day) in groups.items():
            seen, now_sum, target_sum = sums[key]
            size = len(ids)
            ahead = day is not None and day > todays[user.id]
            learner.groups[key] = Group(
                size, seen, now_sum / size if size else None,
                target_sum / size if size and ahead else None)
        result[user.id] = learner
    return result

"""A learner's own data, exported: the review log as CSV and everything as JSON.

The export holds everything that belongs to the learner (settings, cards with their memory
state, every answer, every session) with ISO 8601 UTC times and a format version, so it
can be read by other tools and imported back into a fresh account (quiz.accounts.data).
Both are streamed in batches, so a long history costs constant memory.
"""

from __future__ import annotations

import csv
import io
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from quiz.extensions import db
from quiz.models import Card, ClassMember, Review, SchoolClass, StudySession, User

FORMAT = "pivot-export"
VERSION = 1
# The columns FSRS optimisers read (card_id, review_time, review_rating, review_state,
# review_duration), then ours.
CSV_COLUMNS = ("card_id", "review_time", "review_rating", "review_state", "review_duration",
               "question_id", "scheduled")
CSV_BATCH = 2000
EXPORT_BATCH = 1000
GZIP_WBITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer around the deflate stream


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC, or None."""
    return None if moment is None else moment.astimezone(UTC).isoformat()


def reviews_csv(user: User) -> Iterator[str]:
    """The learner's review log, oldest first, one row per answer, as CSV text in chunks: read
    from the database a batch at a time, so a long history costs no more memory than a short
    one."""
    rows = db.session.execute(
        db.select(Review.card_id, Review.reviewed_at, Review.rating, Review.phase_before,
                  Review.duration_ms, Card.question_id, Review.scheduled)
        .join(Card, Card.id == Review.card_id).where(Review.user_id == user.id)
        .order_by(Review.reviewed_at, Review.id)
        .execution_options(yield_per=CSV_BATCH))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for batch in rows.partitions():
        for row in batch:
            writer.writerow([row.card_id, iso(row.reviewed_at), row.rating, row.phase_before,
                             row.duration_ms, row.question_id, int(row.scheduled)])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _settings(user: User) -> dict[str, Any]:
    return {"time_zone": user.time_zone, "new_per_day": user.new_per_day,
            "desired_retention": user.desired_retention,
            "learning_steps": user.learning_steps,
            "relearning_steps": user.relearning_steps,
            "maximum_interval": user.maximum_interval,
            "fsrs_parameters": user.fsrs_parameters,
            "reviews_per_day": user.reviews_per_day,
            "study_order": user.study_order,
            "leech_threshold": user.leech_threshold,
            "leech_suspends": user.leech_suspends,
            "exam_day": user.exam_day.isoformat() if user.exam_day else None,
            "exam_banks": user.exam_banks, "exam_target": user.exam_target}


def _card(card: Card) -> dict[str, Any]:
    return {"question_id": card.question_id, "phase": card.phase, "step": card.step,
            "stability": card.stability, "difficulty": card.difficulty, "due": iso(card.due),
            "last_review": iso(card.last_review), "reps": card.reps, "lapses": card.lapses,
            "answers": card.answers, "revised": card.revised,
            "suspended_at": iso(card.suspended_at), "leech": card.leech}


def _session(session: StudySession, number: int) -> dict[str, Any]:
    return {"id": number, "kind": session.kind, "bank_id": session.bank_id,
            "bank_ids": session.bank_ids, "eras": session.eras, "tags": session.tags,
            "question_ids": session.question_ids, "scheduled": session.scheduled,
            "time_limit_s": session.time_limit_s, "started_at": iso(session.started_at),
            "ended_at": iso(session.ended_at)}


def _review(review: Review, question_id: str, session: int | None) -> dict[str, Any]:
    return {"question_id": question_id, "seq": review.seq, "session": session,
            "scheduled": review.scheduled, "rating": review.rating, "score": review.score,
            "response": review.response, "phase_before": review.phase_before,
            "reviewed_at": iso(review.reviewed_at), "duration_ms": review.duration_ms,
            "due_after": iso(review.due_after), "stability_after": review.stability_after,
            "difficulty_after": review.difficulty_after, "accepted": review.accepted}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _array(name: str, items: Iterator[dict[str, Any]], *, last: bool = False) -> Iterator[str]:
    # One item a line, a batch of lines a chunk.
    yield f' "{name}": ['
    batch: list[str] = []
    first = True
    for item in items:
        batch.append(("\n  " if first else ",\n  ") + _dump(item))
        first = False
        if len(batch) >= EXPORT_BATCH:
            yield "".join(batch)
            batch = []
    yield "".join(batch) + ("\n ]" if not first else "]") + ("\n}\n" if last else ",\n")


def _classes(user: User) -> dict[str, list[dict[str, Any]]]:
    """The classes the learner is in and those they teach, by name: informative (an import
    cannot join a class, which takes its code). Never the other members."""
    joined = db.session.execute(
        db.select(SchoolClass.name, ClassMember.joined_at)
        .join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == user.id).order_by(ClassMember.joined_at)).all()
    taught = db.session.scalars(db.select(SchoolClass).where(SchoolClass.teacher_id == user.id)
                                .order_by(SchoolClass.created_at)).all()
    return {"classes": [{"name": name, "joined_at": iso(at)} for name, at in joined],
            "teaching": [{"name": c.name, "created_at": iso(c.created_at),
                          "archived_at": iso(c.archived_at) if c.archived_at else None}
                         for c in taught]}


def export_chunks(user: User, now: datetime) -> Iterator[str]:
    """Everything that belongs to `user` (no password hash) as JSON text in chunks: rows are
    read a batch at a time, so a long history costs no more memory than a short one."""
    head = {"format": FORMAT, "version": VERSION, "exported_at": iso(now),
            "account": {"email": user.email, "created_at": iso(user.created_at),
                        **_classes(user)},
            "settings": _settings(user)}
    yield "{\n" + "".join(f" {_dump(key)}: {_dump(value)},\n" for key, value in head.items())
    cards = db.session.scalars(db.select(Card).where(Card.user_id == user.id)
                               .order_by(Card.question_id)
                               .execution_options(yield_per=EXPORT_BATCH))
    yield from _array("cards", (_card(card) for card in cards))
    # Sessions are numbered within the file, so an import (with new ids) exports the same;
    # the numbering (one entry a session) is all that is held for the whole file.
    ids = db.session.scalars(db.select(StudySession.id).where(StudySession.user_id == user.id)
                             .order_by(StudySession.started_at, StudySession.id)).all()
    number = {session_id: index for index, session_id in enumerate(ids, start=1)}
    sessions = db.session.scalars(
        db.select(StudySession).where(StudySession.user_id == user.id)
        .order_by(StudySession.started_at, StudySession.id)
        .execution_options(yield_per=EXPORT_BATCH))
    yield from _array("sessions", (_session(session, number[session.id])
                                   for session in sessions))
    reviews = db.session.execute(
        db.select(Review, Card.question_id).join(Card, Card.id == Review.card_id)
        .where(Review.user_id == user.id)
        .order_by(Review.reviewed_at, Card.question_id, Review.seq)
        .execution_options(yield_per=EXPORT_BATCH))
    yield from _array("reviews", (_review(review, question_id, number.get(review.session_id))
                                  for review, question_id in reviews), last=True)


def export_json(user: User, now: datetime) -> str:
    """The whole export as one JSON text (for small accounts and tests; pages stream it)."""
    return "".join(export_chunks(user, now))


def export_gzip(user: User, now: datetime) -> Iterator[bytes]:
    """The export gzip-compressed, in chunks (about a tenth of the JSON's size)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, GZIP_WBITS)
    for chunk in export_chunks(user, now):
        if packed := compressor.compress(chunk.encode()):
            yield packed
    yield compressor.flush()

"""Classes: the teacher role, classes and their members, assignments, and what a learner's
assignments still ask of them."""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from quiz.accounts import audit
from quiz.core.scheduling import Phase, recall_on_day
from quiz.extensions import db
from quiz.models import (
    Assignment,
    AssignmentKind,
    Card,
    ClassMember,
    Question,
    QuestionTag,
    Review,
    SchoolClass,
    SessionKind,
    StudySession,
    User,
)
from quiz.study import exams, selection, sessions
from quiz.study.policy import policy_for

# Join codes are read aloud and copied from a board: no 0/O, 1/I/L, or 2/Z lookalikes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXY3456789"
CODE_LENGTH = 8


class Refused(Exception):
    """The request cannot be carried out; the message says why, for the person asking."""


def new_code() -> str:
    """A random join code (29^8, about 5e11 codes: guessing one is hopeless)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalised(code: str) -> str:
    """A code as typed ("k7p2-xq9m ") in its stored form."""
    return "".join(code.split()).replace("-", "").upper()[:CODE_LENGTH * 2]


# Roles


def set_teacher(user: User, teacher: bool, *, by: str) -> None:
    """Grant or revoke the teacher role (their classes stay, hidden while it is revoked)."""
    if user.is_teacher != teacher:
        user.is_teacher = teacher
        db.session.commit()
        audit.record("role.changed", user=user, teacher=teacher, by=by)


def teachers() -> list[User]:
    """Every teacher, for the admin's roles page."""
    return list(db.session.scalars(db.select(User).where(User.is_teacher.is_(True))
                                   .order_by(User.email)))


def account(email: str) -> User | None:
    """The account with this e-mail address (addresses are stored in lower case)."""
    return db.session.scalars(db.select(User).where(User.email == email.strip().lower())).first()


# Classes and members


def create_class(teacher: User, name: str, now: datetime) -> SchoolClass:
    """A new class of `teacher`'s, with a fresh join code."""
    if not teacher.is_teacher:
        raise Refused("Only teachers can create classes. Ask an admin for the teacher role.")
    school_class = SchoolClass(teacher_id=teacher.id, name=name.strip(), join_code=new_code(),
                               created_at=now)
    db.session.add(school_class)
    db.session.commit()
    return school_class


def taught_by(teacher: User) -> list[SchoolClass]:
    """The teacher's classes, live ones first."""
    if not teacher.is_teacher:
        return []
    return list(db.session.scalars(
        db.select(SchoolClass).where(SchoolClass.teacher_id == teacher.id)
        .order_by(SchoolClass.archived_at.is_not(None), SchoolClass.name, SchoolClass.id)))


def own_class(teacher: User, class_id: int) -> SchoolClass | None:
    """The class if `teacher` teaches it; None for anyone else (a teacher of another class
    included), so its pages answer 404 as for a class that does not exist."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or not teacher.is_teacher or school_class.teacher_id != teacher.id:
        return None
    return school_class


def by_code(code: str) -> SchoolClass | None:
    """The live class a join code opens."""
    return db.session.scalars(db.select(SchoolClass).where(
        SchoolClass.join_code == normalised(code), SchoolClass.archived_at.is_(None))).first()


def is_member(user: User, class_id: int) -> bool:
    return db.session.get(ClassMember, (class_id, user.id)) is not None


def join(user: User, school_class: SchoolClass, now: datetime) -> None:
    """Add the learner to the class (joining twice is harmless)."""
    if school_class.teacher_id == user.id:
        raise Refused("You teach this class: you cannot join it as a learner.")
    if school_class.archived_at is not None:
        raise Refused("This class is archived: it takes no new learners.")
    if is_member(user, school_class.id):
        return
    db.session.add(ClassMember(class_id=school_class.id, user_id=user.id, joined_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # the same join posted twice at once
        db.session.rollback()


def leave(user: User, class_id: int) -> bool:
    """Take the learner out of a class; False if they were not in it."""
    return _remove(class_id, user.id)


def remove_member(school_class: SchoolClass, user_id: int) -> bool:
    """The teacher takes a learner out of their class."""
    return _remove(school_class.id, user_id)


def _remove(class_id: int, user_id: int) -> bool:
    member = db.session.get(ClassMember, (class_id, user_id))
    if member is None:
        return False
    db.session.delete(member)
    db.session.commit()
    return True


def rotate_code(school_class: SchoolClass) -> None:
    """A new join code: the old code and link stop working; members stay."""
    school_class.join_code = new_code()
    db.session.commit()


def archive(school_class: SchoolClass, now: datetime) -> None:
    """Close the class: no one can join, learners no longer see its assignments."""
    if school_class.archived_at is None:
        school_class.archived_at = now
        db.session.commit()


def members(school_class: SchoolClass) -> list[User]:
    """The class's learners, by e-mail address."""
    return list(db.session.scalars(
        db.select(User).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == school_class.id).order_by(User.email)))


def classes_of(user: User) -> list[SchoolClass]:
    """The live classes the learner is in."""
    return list(db.session.scalars(
        db.select(SchoolClass).join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == user.id, SchoolClass.archived_at.is_(None))
        .order_by(SchoolClass.name, SchoolClass.id)))


# Assignments


def add_assignment(school_class: SchoolClass, *, kind: str, title: str, bank_ids: list[str],
                   eras: list[str], tags: list[str], target_day: date | None, length: int,
                   time_limit_s: int | None, opens_at: datetime | None,
                   closes_at: datetime | None, attempts: int, now: datetime) -> Assignment:
    """Set the class banks to study or a test to take; a test's questions are drawn now, so
    every learner takes the same test."""
    if kind not in AssignmentKind.ALL:
        raise Refused("Choose banks to study or a test.")
    if opens_at and closes_at and closes_at <= opens_at:
        raise Refused("The test must close after it opens.")
    question_ids: list[str] = []
    if not sessions.matching_questions(bank_ids=bank_ids, eras=eras, tags=tags):
        raise Refused("No questions match that choice of banks, eras and themes.")
    if kind == AssignmentKind.TEST:
        question_ids = sessions.matching_questions(bank_ids=bank_ids, eras=eras, tags=tags)
        secrets.SystemRandom().shuffle(question_ids)
        question_ids = question_ids[:length]
    assignment = Assignment(
        class_id=school_class.id, kind=kind, title=title.strip(), bank_ids=sorted(bank_ids),
        eras=eras, tags=tags, question_ids=question_ids, created_at=now,
        target_day=target_day if kind == AssignmentKind.BANKS else None,
        time_limit_s=time_limit_s if kind == AssignmentKind.TEST else None,
        opens_at=opens_at if kind == AssignmentKind.TEST else None,
        closes_at=closes_at if kind == AssignmentKind.TEST else None,
        attempts=attempts if kind == AssignmentKind.TEST else 1)
    db.session.add(assignment)
    db.session.commit()
    return assignment


@dataclass(frozen=True)
class QuestionInfo:
    """What decides whether an assignment covers a question."""

    id: str
    bank_id: str
    era: str
    tags: frozenset[str]


def question_index() -> dict[str, QuestionInfo]:
    """Every active question with its bank, era and themes, in two queries."""
    tags: dict[str, set[str]] = {}
    for question_id, tag in db.session.execute(db.select(QuestionTag.question_id,
                                                         QuestionTag.tag)):
        tags.setdefault(question_id, set()).add(tag)
    return {row.id: QuestionInfo(row.id, row.bank_id, row.era, frozenset(tags.get(row.id, ())))
            for row in db.session.execute(db.select(Question.id, Question.bank_id, Question.era)
                                          .where(Question.retired_at.is_(None)))}


def covered(assignment: Assignment, index: dict[str, QuestionInfo]) -> list[str]:
    """The active questions an assignment covers: a test's own, or its banks' filtered by its
    eras and themes (an empty choice: all)."""
    if assignment.kind == AssignmentKind.TEST:
        return [q for q in assignment.question_ids if q in index]
    return sorted(info.id for info in index.values()
                  if (not assignment.bank_ids or info.bank_id in assignment.bank_ids)
                  and (not assignment.eras or info.era in assignment.eras)
                  and (not assignment.tags or info.tags & set(assignment.tags)))


def card_columns() -> tuple:
    """The card columns recall is computed from (`scheduling.recall_by_question`)."""
    return (Card.question_id, Card.phase, Card.stability, Card.last_review)


def test_window(assignment: Assignment, now: datetime) -> str | None:
    """Why the test cannot be taken now, or None if it is open."""
    if assignment.opens_at is not None and now < assignment.opens_at:
        return "This test has not opened yet."
    if assignment.closes_at is not None and now >= assignment.closes_at:
        return "This test has closed."
    return None


@dataclass(frozen=True)
class Todo:
    """An assignment on a learner's home page with what it still asks of them."""

    assignment: Assignment
    class_name: str
    total: int
    unseen: int = 0
    due: int = 0
    recall_at_target: float | None = None  # mean predicted recall on the target day
    attempts_left: int = 0
    best: float | None = None
    closed: str | None = None
    planned: bool = False  # the learner's exam plan is this assignment's target date
    ahead: bool = False  # its target date is still to come


def todos(user: User, now: datetime) -> list[Todo]:
    """The learner's assignments in their live classes, each with what is left: questions not
    seen yet, reviews due today, recall predicted at the target day, test attempts left."""
    assignments = list(db.session.scalars(
        db.select(Assignment).join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == user.id, SchoolClass.archived_at.is_(None))
        .order_by(Assignment.id)))
    if not assignments:
        return []
    index = question_index()
    coverage = {a.id: covered(a, index) for a in assignments}
    wanted = sorted({q for ids in coverage.values() for q in ids})
    cards = {row.question_id: row for row in db.session.execute(
        db.select(*card_columns(), Card.due, Card.suspended_at)
        .where(Card.user_id == user.id, Card.question_id.in_(wanted)))}
    attempts = attempt_scores(user.id, [a.id for a in assignments], now)
    names = {c.id: c.name for c in db.session.scalars(db.select(SchoolClass).where(
        SchoolClass.id.in_({a.class_id for a in assignments})))}
    policy, day = policy_for(user, fuzzing=False), selection.today(user, now)
    found = []
    for assignment in assignments:
        ids = coverage[assignment.id]
        if assignment.kind == AssignmentKind.TEST:
            scores = attempts.get(assignment.id, [])
            found.append(Todo(assignment, names[assignment.class_id], len(ids),
                              attempts_left=max(0, assignment.attempts - len(scores)),
                              best=max((s for s in scores if s is not None), default=None),
                              closed=test_window(assignment, now)))
            continue
        rows = [cards[q] for q in ids if q in cards and cards[q].phase != int(Phase.NEW)]
        due = sum(1 for row in rows if row.due is not None and row.due < day.end
                  and row.suspended_at is None)
        recall = None
        ahead = assignment.target_day is not None and assignment.target_day > day.day
        if ahead:
            recall = mean_over(recall_on_day(rows, assignment.target_day, policy), ids)
        found.append(Todo(assignment, names[assignment.class_id], len(ids),
                          unseen=len(ids) - len(rows), due=due, recall_at_target=recall,
                          planned=plans_for(user, assignment), ahead=ahead))
    return found


def attempt_scores(user_id: int | None, assignment_ids: list[int],
                   now: datetime) -> dict[int, list[float | None]]:
    """Scores of the attempts at these assignments (one learner's, or everyone's if
    `user_id` is None), oldest first; None while an attempt is open. Two queries."""
    return {assignment_id: [a.score for a in attempts] for assignment_id, attempts in
            test_attempts(user_id, assignment_ids, now).items()}


@dataclass(frozen=True)
class AttemptScore:
    """One attempt at an assigned test."""

    user_id: int
    session_id: int
    started_at: datetime
    score: float | None  # None while open


def test_attempts(user_id: int | None, assignment_ids: list[int],
                  now: datetime) -> dict[int, list[AttemptScore]]:
    """Every attempt at these assignments, by assignment, oldest first, scored as a practice
    test is (partial credit counts, unanswered questions count zero)."""
    query = (db.select(StudySession).where(StudySession.kind == SessionKind.TEST,
                                           StudySession.assignment_id.in_(assignment_ids))
             .order_by(StudySession.started_at, StudySession.id))
    if user_id is not None:
        query = query.where(StudySession.user_id == user_id)
    taken = list(db.session.scalars(query))
    points = dict(db.session.execute(
        db.select(Review.session_id, func.coalesce(func.sum(Review.score), 0.0))
        .where(Review.session_id.in_([s.id for s in taken]))
        .group_by(Review.session_id)).all()) if taken else {}
    found: dict[int, list[AttemptScore]] = {}
    for session in taken:
        finished = session.finished_at(now) is not None
        score = (float(points.get(session.id, 0.0)) / len(session.question_ids)
                 if finished and session.question_ids else None)
        found.setdefault(session.assignment_id, []).append(
            AttemptScore(session.user_id, session.id, session.started_at, score))
    return found


def _assigned_to(user: User, assignment_id: int, *, test: bool) -> Assignment:
    """An assignment of a live class the learner is in, a test or a bank one as asked; to
    anyone else it does not exist (LookupError)."""
    assignment = db.session.get(Assignment, assignment_id)
    if (assignment is None or (assignment.kind == AssignmentKind.TEST) != test
            or assignment.school_class.archived_at is not None
            or not is_member(user, assignment.class_id)):
        raise LookupError("no such assignment for this learner")
    return assignment


def plan_for(user: User, assignment_id: int, now: datetime) -> Assignment:
    """Make a bank assignment's target date the learner's exam plan (its banks, that day), so
    the exam planning brings their reviews forward for it. A learner has one plan: this one
    replaces any other, and only the learner can choose it."""
    assignment = _assigned_to(user, assignment_id, test=False)
    if assignment.target_day is None:
        raise Refused("This assignment has no target date to plan for.")
    try:
        exams.save_plan(user, day=assignment.target_day, bank_ids=assignment.bank_ids,
                        target=None, now=now)
    except exams.PlanRefused as refusal:
        raise Refused(f"The target date has passed: {refusal}") from refusal
    return assignment


def plans_for(user: User, assignment: Assignment) -> bool:
    """Whether the learner's exam plan is this assignment's target date and banks."""
    return (user.exam_day is not None and user.exam_day == assignment.target_day
            and sorted(user.exam_banks or []) == sorted(assignment.bank_ids or []))


def start_test(user: User, assignment_id: int, now: datetime) -> StudySession:
    """Open an attempt at an assigned test: the same test pages as a practice test."""
    assignment = _assigned_to(user, assignment_id, test=True)
    closed = test_window(assignment, now)
    if closed:
        raise Refused(closed)
    taken = db.session.scalar(db.select(func.count()).select_from(StudySession).where(
        StudySession.user_id == user.id, StudySession.assignment_id == assignment.id))
    if taken >= assignment.attempts:
        raise Refused("You have used every attempt this test allows.")
    ids = covered(assignment, question_index())
    if not ids:
        raise Refused("Every question of this test has been retired.")
    session = StudySession(user_id=user.id, kind=SessionKind.TEST, question_ids=ids,
                           bank_ids=assignment.bank_ids, eras=assignment.eras,
                           tags=assignment.tags, scheduled=False,
                           time_limit_s=assignment.time_limit_s, started_at=now,
                           assignment_id=assignment.id)
    db.session.add(session)
    db.session.commit()
    return session


def mean_over(recall: dict[str, float], question_ids: Collection[str]) -> float | None:
    """Mean recall over `question_ids`, unseen ones counting zero; None for no questions."""
    if not question_ids:
        return None
    # Over the learner's cards, usually far fewer than the questions (a set is then cheap).
    if not isinstance(question_ids, (set, frozenset)):
        question_ids = set(question_ids)
    return sum(value for q, value in recall.items() if q in question_ids) / len(question_ids)

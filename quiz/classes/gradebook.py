"""A class's gradebook: each learner against each assignment, and one learner's progress on
what the class covers, never on anything else. Fixed queries, whatever the class's size."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from quiz.banks import spec
from quiz.classes import service
from quiz.classes.mastery import Learner, mastery
from quiz.classes.service import AttemptScore, QuestionInfo
from quiz.core.clock import study_day
from quiz.extensions import db
from quiz.models import Assignment, AssignmentKind, ClassMember, SchoolClass, User


@dataclass(frozen=True)
class Cell:
    """One learner on one assignment: questions seen and mastery for banks, attempts for a
    test."""

    assignment: Assignment
    total: int
    seen: int = 0
    now: float | None = None        # mean retrievability now, unseen questions counting zero
    at_target: float | None = None  # the same, predicted for the target day
    attempts: tuple[AttemptScore, ...] = ()

    @property
    def scores(self) -> list[float]:
        return [a.score for a in self.attempts if a.score is not None]

    @property
    def best(self) -> float | None:
        return max(self.scores, default=None)

    @property
    def last(self) -> float | None:
        return self.scores[-1] if self.scores else None

    @property
    def sort_key(self) -> float:
        value = self.best if self.assignment.kind == AssignmentKind.TEST else self.now
        return -1.0 if value is None else value


@dataclass(frozen=True)
class Row:
    """A learner's row: a cell per assignment, questions seen and mastery over everything the
    class covers, and the last study day they answered something it covers."""

    user: User
    cells: list[Cell]
    seen: int
    mastery: float | None
    last_active: date | None


@dataclass(frozen=True)
class Gradebook:
    school_class: SchoolClass
    assignments: list[Assignment]
    rows: list[Row]
    total: int


SORTS = ("learner", "seen", "mastery", "last")
EVERYTHING = "everything"  # the group of every question the class covers


def _coverage(assignments: list[Assignment], index: dict[str, QuestionInfo]):
    coverage = {a.id: service.covered(a, index) for a in assignments}
    return coverage, sorted({q for ids in coverage.values() for q in ids})


def gradebook(school_class: SchoolClass, now: datetime, *, sort: str = "learner",
              descending: bool = False) -> Gradebook:
    """Every member against every assignment (sorted by `sort`: a name in SORTS or an
    assignment's id); a fixed number of queries whatever the class's size."""
    assignments = list(school_class.assignments)
    index = service.question_index()
    coverage, covered = _coverage(assignments, index)
    users = service.members(school_class)
    groups = {a.id: (coverage[a.id], a.target_day) for a in assignments
              if a.kind != AssignmentKind.TEST}
    groups[EVERYTHING] = (covered, None)
    figures = mastery(users, groups, now)
    attempts = service.test_attempts(None, [a.id for a in assignments], now)
    taken: dict[tuple[int, int], list[AttemptScore]] = {}
    for assignment_id, found in attempts.items():
        for attempt in found:
            taken.setdefault((assignment_id, attempt.user_id), []).append(attempt)
    rows = []
    for user in users:
        learner = figures[user.id]
        cells = [_cell(assignment, coverage[assignment.id], learner,
                       taken.get((assignment.id, user.id), []))
                 for assignment in assignments]
        everything = learner.groups[EVERYTHING]
        rows.append(Row(user, cells, everything.seen, everything.now,
                        _last_active(learner, cells, user)))
    rows = _sorted(rows, assignments, sort, descending)
    return Gradebook(school_class, assignments, rows, len(covered))


def _cell(assignment: Assignment, ids: list[str], learner: Learner,
          attempts: list[AttemptScore]) -> Cell:
    if assignment.kind == AssignmentKind.TEST:
        return Cell(assignment, len(ids), attempts=tuple(attempts))
    group = learner.groups[assignment.id]
    return Cell(assignment, group.total, group.seen, group.now, group.at_target,
                tuple(attempts))


def _last_active(learner: Learner, cells: list[Cell], user: User) -> date | None:
    # Only answers to what the class covers count: the last review of a covered card, or the
    # start of an attempt at one of its tests (a bank's day tallies would tell of the rest).
    moments = [a.started_at for cell in cells for a in cell.attempts]
    if learner.last_review is not None:
        moments.append(learner.last_review)
    return study_day(max(moments), user.time_zone).day if moments else None


def _sorted(rows: list[Row], assignments: list[Assignment], sort: str,
            descending: bool) -> list[Row]:
    columns = {str(a.id): i for i, a in enumerate(assignments)}
    keys = {"learner": lambda r: r.user.email, "seen": lambda r: r.seen,
            "mastery": lambda r: -1.0 if r.mastery is None else r.mastery,
            "last": lambda r: r.last_active or date.min}
    if sort in columns:
        key = lambda r: r.cells[columns[sort]].sort_key  # noqa: E731
    else:
        key = keys.get(sort, keys["learner"])
    return sorted(rows, key=lambda r: (key(r), r.user.email), reverse=descending)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}"


def csv_text(book: Gradebook) -> str:
    """The gradebook as CSV: one row per learner, percentages as whole numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["learner", "questions seen", "mastery now %", "last active"]
    for a in book.assignments:
        if a.kind == AssignmentKind.TEST:
            header += [f"{a.title}: best %", f"{a.title}: last %", f"{a.title}: attempts %"]
        else:
            header += [f"{a.title}: seen", f"{a.title}: mastery now %",
                       f"{a.title}: mastery at target %"]
    writer.writerow(header)
    for row in book.rows:
        line = [row.user.email, row.seen, _percent(row.mastery),
                row.last_active.isoformat() if row.last_active else ""]
        for cell in row.cells:
            if cell.assignment.kind == AssignmentKind.TEST:
                line += [_percent(cell.best), _percent(cell.last),
                         " ".join(_percent(s) for s in cell.scores)]
            else:
                line += [cell.seen, _percent(cell.now), _percent(cell.at_target)]
        writer.writerow([_safe(value) for value in line])
    return out.getvalue()


def _safe(value: object) -> object:
    # A cell starting with = + - @ is a formula to a spreadsheet: an e-mail address or a
    # title could smuggle one in (CSV injection), so such text is quoted with a leading '.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@dataclass(frozen=True)
class Group:
    """Mastery over one era or theme of what the class covers."""

    title: str
    total: int
    seen: int
    now: float | None
    at_target: float | None


@dataclass
class LearnerView:
    """One learner's progress on what the class covers."""

    user: User
    target_day: date | None
    eras: list[Group] = field(default_factory=list)
    themes: list[Group] = field(default_factory=list)
    row: Row | None = None


def learner_view(school_class: SchoolClass, user_id: int, now: datetime) -> LearnerView | None:
    """A member's mastery by era and theme over the questions the class covers (now and at
    the class's next target day), with their gradebook row; None if not a member."""
    member = db.session.get(ClassMember, (school_class.id, user_id))
    if member is None:
        return None
    user = member.user
    assignments = list(school_class.assignments)
    index = service.question_index()
    coverage, covered = _coverage(assignments, index)
    today = study_day(now, user.time_zone).day
    targets = sorted(a.target_day for a in assignments if a.target_day and a.target_day > today)
    target_day = targets[0] if targets else None
    titled: dict[tuple[str, str], str] = {}
    groups: dict = {EVERYTHING: (covered, None)}
    for assignment in assignments:
        groups[assignment.id] = (coverage[assignment.id], assignment.target_day)
    for era in spec.ERAS:
        ids = [q for q in covered if index[q].era == era]
        if ids:
            groups[("era", era)], titled[("era", era)] = (ids, target_day), spec.ERA_TITLES[era]
    for tag in spec.TAGS:
        ids = [q for q in covered if tag in index[q].tags]
        if ids:
            groups[("tag", tag)], titled[("tag", tag)] = (ids, target_day), spec.TAG_TITLES[tag]
    learner = mastery([user], groups, now)[user.id]
    view = LearnerView(user, target_day)
    for key, title in titled.items():
        group = learner.groups[key]
        shown = Group(title, group.total, group.seen, group.now, group.at_target)
        (view.eras if key[0] == "era" else view.themes).append(shown)
    attempts = service.test_attempts(user.id, [a.id for a in assignments], now)
    cells = []
    for assignment in assignments:
        group = learner.groups[assignment.id]
        cells.append(Cell(assignment, group.total, group.seen, group.now, group.at_target,
                          tuple(attempts.get(assignment.id, []))))
    everything = learner.groups[EVERYTHING]
    view.row = Row(user, cells, everything.seen, everything.now, None)
    return view

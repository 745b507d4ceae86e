"""Progress pages: the learner's dashboard and the history of one question."""

from __future__ import annotations

import re
from datetime import date, tzinfo

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from quiz.banks import spec
from quiz.core import clock
from quiz.extensions import db
from quiz.models import Question
from quiz.progress import charts, stats
from quiz.study import attempts, controls, exams

bp = Blueprint("progress", __name__)


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    """Every progress figure: activity, accuracy, streak, cards, mastery, forecast, tests."""
    now = clock.utcnow()
    figures = stats.dashboard(current_user, now)
    aside = controls.set_aside(current_user, now)
    return render_template("progress/dashboard.html", figures=figures,
                           leeches=aside.leeches, suspended=aside.suspended,
                           outlook=exams.outlook(current_user, now),
                           charts=_charts(figures, current_user.desired_retention,
                                          clock.zone(current_user.time_zone)))


@bp.get("/questions/<question_id>")
@login_required
def question(question_id: str) -> str:
    """One question with the learner's own answers to it and their memory of it now."""
    # Only ids in the bank format's shape can exist; anything else (a NUL byte, which
    # PostgreSQL refuses outright) never reaches the database.
    if not re.fullmatch(spec.ID_PATTERN, question_id):
        abort(404, description="There is no such question.")
    found = db.get_or_404(Question, question_id, description="There is no such question.")
    now = clock.utcnow()
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= 100_000:
        abort(404, description="There is no such page of answers.")
    history = stats.question_history(current_user, found, now, page=int(page))
    return render_template("progress/question.html", history=history,
                           prompt=stats.question_text(found.spec),
                           tz=clock.zone(current_user.time_zone),
                           open_test=attempts.pending_in_tests(current_user, now).get(found.id))


# --- Presenting the figures as charts: words and shapes only, every number from `stats`.

def _short(day: date) -> str:
    return f"{day.day} {charts.MONTHS[day.month - 1]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _charts(figures: stats.Dashboard, target: float, tz: tzinfo) -> dict[str, Markup]:
    return {
        "activity": _activity(figures.days),
        "accuracy": _accuracy(figures.weeks),
        "forecast": _forecast(figures.forecast),
        "eras": _mastery(figures.mastery.eras, target, "era"),
        "themes": _mastery(figures.mastery.themes, target, "theme"),
        "tests": _tests(figures.tests, tz),
    }


def _activity(days: list[stats.DayCount]) -> Markup:
    total = sum(d.count for d in days)
    active = sum(1 for d in days if d.count)
    return charts.heatmap(
        [(d.day, d.count, _plural(d.count, "answer")) for d in days],
        title=f"Answers per day over the last year: {_plural(total, 'answer')} on "
              f"{_plural(active, 'day')}.",
        caption="Answers per day, last 365 days (days without answers are left out of the "
                "table).",
        headers=("Day", "Answers"))


def _accuracy(weeks: list[stats.WeekAccuracy]) -> Markup:
    data = [charts.Datum(
        label=_short(w.week), name=f"Week of {charts.long_date(w.week)}",
        value=None if w.accuracy is None else w.accuracy * 100,
        text="no answers" if w.accuracy is None else
        f"{_percent(w.accuracy)} ({w.correct} of {w.answered} right)") for w in weeks]
    answered = [w for w in weeks if w.answered]
    summary = (f"latest: {data[-1].text}" if weeks and weeks[-1].answered else
               f"{len(answered)} of {len(weeks)} weeks with answers")
    return charts.bar_chart(data, title=f"Share of right answers per week, last {len(weeks)} "
                                        f"weeks ({summary}).",
                            caption=f"Accuracy per week, last {len(weeks)} weeks.",
                            headers=("Week", "Accuracy"), unit="%", max_value=100)


def _forecast(days: list[stats.DayCount]) -> Markup:
    data = [charts.Datum(label="Today" if index == 0 else _short(d.day),
                         name=charts.long_date(d.day)
                         + (" (today, with anything overdue)" if index == 0 else ""),
                         value=d.count, text=_plural(d.count, "card"))
            for index, d in enumerate(days)]
    total = sum(d.count for d in days)
    today = days[0].count if days else 0
    return charts.bar_chart(data, title=f"Cards due per day, next {len(days)} days: "
                                        f"{_plural(today, 'card')} today, {total} in all.",
                            caption=f"Cards due per day, next {len(days)} days (overdue cards "
                                    "count today).",
                            headers=("Day", "Cards due"))


def _mastery(rows: list[stats.MasteryRow], target: float, noun: str) -> Markup:
    data = []
    for row in rows:
        if row.retrievability is None:
            data.append(charts.Datum(label="–", name=row.title, value=None,
                                     text="not studied yet"))
            continue
        # At or above the learner's own desired retention is on target.
        tone = ("ok" if row.retrievability >= target else
                "mid" if row.retrievability >= 0.7 else "bad")
        data.append(charts.Datum(
            label=_percent(row.retrievability), name=row.title, value=row.retrievability,
            tone=tone, text=f"{_percent(row.retrievability)} average recall over "
                            f"{_plural(row.cards, 'studied card')}"))
    return charts.hbar_chart(data, title=f"Average chance of recalling your studied cards now, "
                                         f"by {noun}.",
                             caption=f"Mastery by {noun}: average recall now of the cards you "
                                     "have studied.",
                             headers=(noun.title(), "Mastery"), css="mastery")


def _tests(tests: list[stats.ScoredTest], tz: tzinfo) -> Markup:
    data = [charts.Datum(
        label=_short(t.day), name=f"Test finished {t.ended_at.astimezone(tz):%a %d %b %Y, %H:%M}",
        value=t.percent,
        text=f"{round(t.percent)}% ({round(t.score * t.questions, 2):g} of {t.questions})")
        for t in tests]
    latest = f"latest {data[-1].text}" if data else "none yet"
    return charts.line_chart(data, title=f"Practice test scores over time ({latest}).",
                             caption=f"Scores of finished practice tests among your last "
                                     f"{stats.TESTS_SHOWN}, oldest first.",
                             headers=("Test", "Score"), unit="%", max_value=100)

"""Pages and buttons for the learner's controls: undo, "I was right", suspend and the rest of
a card's actions, problem reports and search."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz.accounts.views import safe_next
from quiz.core import clock
from quiz.extensions import db
from quiz.forms import PostForm
from quiz.models import Question, Review, StudySession
from quiz.study import controls, exams
from quiz.study.attempts import pending_in_tests
from quiz.study.forms import ExamForm, ProblemForm
from quiz.study.sessions import live_banks, review_in_session

bp = Blueprint("controls", __name__)

# What each card action says once done; the actions themselves are in quiz.study.controls.
CARD_ACTIONS = {
    "suspend": "Suspended: this question will not be shown until you unsuspend it.",
    "unsuspend": "Unsuspended: this question is back in your studies.",
    "forget": "Forgotten: this question starts again as new (your answers stay in its history).",
    "reset": "Reset: this question starts again as new, with its counts cleared.",
    "due-today": "This question is due today.",
}


def _own_review(session_id: int, review_id: int) -> tuple[StudySession, Review]:
    found = review_in_session(current_user, session_id, review_id)
    if found is None:
        abort(404)
    return found


def _require_post_form() -> None:
    if not PostForm().validate_on_submit():
        abort(400, description="This form could not be read. Go back and try again.")


def _back(default: str) -> Response:
    return redirect(safe_next(request.form.get("next")) or default)


@bp.post("/sessions/<int(max=2147483647):session_id>/reviews/<int(max=2147483647):review_id>"
         "/undo")
@login_required
def undo(session_id: int, review_id: int) -> Response:
    """Take back the learner's last answer and show the question again."""
    session, review = _own_review(session_id, review_id)
    _require_post_form()
    try:
        controls.undo(current_user, review, session)
    except controls.NotAllowed as refusal:
        flash(str(refusal), "info")
    else:
        flash("Answer undone: here is the question again.", "success")
    return redirect(url_for("study.show", session_id=session.id))


@bp.post("/sessions/<int(max=2147483647):session_id>/reviews/<int(max=2147483647):review_id>"
         "/accept")
@login_required
def accept(session_id: int, review_id: int) -> Response:
    """"I was right": count the learner's typed answer as right and reschedule from it."""
    session, review = _own_review(session_id, review_id)
    _require_post_form()
    try:
        controls.accept(current_user, review, session,
                        fuzzing=current_app.config["FSRS_FUZZING"])
    except controls.NotAllowed as refusal:
        flash(str(refusal), "info")
    else:
        flash("Marked right: the question is rescheduled as if you had got it.", "success")
    return redirect(url_for("study.feedback", session_id=session.id, review_id=review.id))


@bp.post("/questions/<question_id>/<any(suspend, unsuspend, forget, reset, 'due-today'):action>")
@login_required
def card_action(question_id: str, action: str) -> Response:
    """Suspend, unsuspend, forget, reset or set due today one of the learner's questions."""
    _require_post_form()
    db.get_or_404(Question, question_id, description="There is no such question.")
    now = clock.utcnow()
    try:
        {"suspend": lambda: controls.suspend(current_user, question_id, now),
         "unsuspend": lambda: controls.unsuspend(current_user, question_id),
         "forget": lambda: controls.forget(current_user, question_id),
         "reset": lambda: controls.reset(current_user, question_id),
         "due-today": lambda: controls.set_due_today(current_user, question_id, now),
         }[action]()
    except controls.NotAllowed as refusal:
        flash(str(refusal), "info")
    else:
        flash(CARD_ACTIONS[action], "success")
    return _back(url_for("progress.question", question_id=question_id))


@bp.post("/questions/<question_id>/reports")
@login_required
def report(question_id: str) -> Response | tuple[str, int]:
    """Report a problem with a question to its authors."""
    question = db.get_or_404(Question, question_id, description="There is no such question.")
    form = ProblemForm()
    if not form.validate_on_submit():
        return render_template("study/report.html", form=form, question=question), 422
    controls.report_problem(current_user, question.id, kind=form.kind.data,
                            comment=form.comment.data or "", review_id=form.review_id.data,
                            now=clock.utcnow())
    flash("Thank you: the authors will see your report.", "success")
    return _back(url_for("progress.question", question_id=question.id))


@bp.get("/questions/<question_id>/reports/new")
@login_required
def new_report(question_id: str) -> str:
    """The problem report form, on a page of its own: the feedback page links here rather than
    building a form on every answer for the rare one that is reported."""
    question = db.get_or_404(Question, question_id, description="There is no such question.")
    # From an answer's feedback, the report names that answer (checked again when sent).
    review_id = request.args.get("review_id", type=int)
    form = ProblemForm(next=safe_next(request.args.get("next")) or "",
                       review_id=review_id if review_id and 0 < review_id < 2**31 else None)
    return render_template("study/report.html", form=form, question=question)


@bp.get("/search")
@login_required
def search() -> str:
    """The questions the learner has answered that match what they typed."""
    query, now = request.args.get("q", "")[:200], clock.utcnow()
    found = controls.search(current_user, query, now) if query.strip() else []
    return render_template("study/search.html", query=query, found=found,
                           hidden=pending_in_tests(current_user, now))


@bp.route("/exam", methods=["GET", "POST"])
@login_required
def exam() -> str | Response | tuple[str, int]:
    """Plan for an exam: its day and banks; shows the predicted recall on the day."""
    form = ExamForm(data={"day": current_user.exam_day, "bank_ids": current_user.exam_banks,
                          "target": current_user.exam_target})
    form.bank_ids.choices = [(bank.id, bank.title) for bank in live_banks()]
    if form.validate_on_submit():
        try:
            job = exams.save_plan(current_user, day=form.day.data,
                                  bank_ids=form.bank_ids.data or [], target=form.target.data,
                                  now=clock.utcnow())
        except exams.PlanRefused as refusal:
            form.day.errors.append(str(refusal))
        else:
            flash("Exam plan saved: reviews are being brought forward for it.", "success")
            return redirect(url_for("controls.exam", job=job.id))
    return render_template("study/exam.html", form=form, clear_form=PostForm(),
                           outlook=exams.outlook(current_user, clock.utcnow())), (
        422 if form.errors else 200)


@bp.post("/exam/clear")
@login_required
def clear_exam() -> Response:
    """Drop the exam plan."""
    _require_post_form()
    exams.clear_plan(current_user)
    flash("Exam plan removed.", "info")
    return redirect(url_for("controls.exam"))

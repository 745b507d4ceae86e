"""Study pages: choosing what to study, one question at a time, feedback, summaries, tests."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz.banks import spec
from quiz.core import clock, grading
from quiz.core.scheduling import describe_interval
from quiz.extensions import db
from quiz.forms import PostForm
from quiz.models import Bank, Question, Review, SessionKind, StudySession
from quiz.study import service as study
from quiz.study import timeline as study_timeline
from quiz.study.forms import AnswerForm, PracticeForm, TestForm, item_key, read_response

bp = Blueprint("study", __name__)
# Ids in URLs are capped at the database's integer range: a larger one is simply not found.


def _own_session(session_id: int) -> StudySession:
    session = db.session.get(StudySession, session_id)
    if session is None or session.user_id != current_user.id:
        abort(404)  # another learner's session is as good as missing
    return session


def _require_post_form() -> None:
    if not PostForm().validate_on_submit():
        abort(400, description="This form could not be read. Go back and try again.")


@bp.get("/")
def home() -> str:
    """List the banks with their size, and due and new counts for a learner."""
    user = current_user if current_user.is_authenticated else None
    return render_template("study/home.html", banks=study.bank_counts(user, clock.utcnow()),
                           form=PostForm())


@bp.get("/timeline")
def timeline() -> str:
    """Every dated event from 1947 to the present, by era, linked to its questions."""
    return render_template("study/timeline.html", groups=study_timeline.timeline())


@bp.post("/banks/<bank_id>/sessions")
@login_required
def start(bank_id: str) -> Response:
    """Open a study session on a bank and show its first question."""
    _require_post_form()
    db.get_or_404(Bank, bank_id, description="There is no such bank.")
    session = study.start_session(current_user, bank_id, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


@bp.post("/sessions/due")
@login_required
def start_due() -> Response:
    """Open a session over everything due in every bank."""
    _require_post_form()
    session = study.start_due_session(current_user, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


@bp.route("/practice", methods=["GET", "POST"])
@login_required
def practice() -> str | Response | tuple[str, int]:
    """Practise chosen eras and themes without touching the review schedule."""
    form = PracticeForm()
    if form.validate_on_submit():
        try:
            session = study.start_practice(current_user, eras=form.eras.data or [],
                                           tags=form.tags.data or [], now=clock.utcnow())
        except study.NothingToStudy as exc:
            form.tags.errors.append(str(exc))
        else:
            return redirect(url_for("study.show", session_id=session.id))
    return render_template("study/practice.html", form=form), 422 if form.errors else 200


@bp.route("/tests", methods=["GET", "POST"])
@login_required
def tests() -> str | Response | tuple[str, int]:
    """Set up a practice test, and list past attempts with their scores."""
    form = TestForm()
    form.bank_ids.choices = [(bank.id, bank.title) for bank in study.live_banks()]
    if form.validate_on_submit():
        try:
            session = study.start_test(
                current_user, bank_ids=form.bank_ids.data or [], eras=form.eras.data or [],
                tags=form.tags.data or [], length=form.length.data,
                time_limit_s=form.time_limit.data * 60 or None,
                scheduled=form.scheduled.data, now=clock.utcnow())
        except study.NothingToStudy as exc:
            form.tags.errors.append(str(exc))
        else:
            return redirect(url_for("study.show", session_id=session.id))
    attempts = study.test_attempts(current_user, clock.utcnow())
    return render_template("study/tests.html", form=form, attempts=attempts), (
        422 if form.errors else 200)


@bp.get("/sessions/<int(max=2147483647):session_id>")
@login_required
def show(session_id: int) -> str:
    """The next question of the session, or the summary when nothing is left now."""
    session = _own_session(session_id)
    now = clock.utcnow()
    prompt = study.next_prompt(current_user, session, now)
    if prompt is None:
        return _summary_page(session, now)
    return _question_page(session, prompt, now)


def question_view(model, *, question_id: str, seq: int, card, now: datetime,
                  flipped: bool) -> dict:
    """What the question template needs, for a study session or an author's preview."""
    order = dict(user_id=current_user.id, question_id=question_id, seq=seq)
    choices = []
    if isinstance(model, (spec.MultipleChoice, spec.MultipleSelect)):
        choices = study.shuffled([spec.choice_text(c) for c in model.choices], **order)
    items = study.shuffled(model.items or [], **order) if isinstance(model, spec.Ordering) else []
    rights = (study.shuffled(list(model.pairs.values()), **order)
              if isinstance(model, spec.Matching) else [])
    flipped = flipped and isinstance(model, spec.Flashcard)
    buttons = []
    if flipped:
        previews = study.intervals(current_user, card, now)
        buttons = [(rating, describe_interval(delta)) for rating, delta in previews.items()]
    form = AnswerForm(question_id=question_id, seq=seq, shown_at=int(now.timestamp() * 1000))
    return dict(model=model, form=form, choices=choices, items=items, rights=rights,
                item_key=item_key, flipped=flipped, buttons=buttons)


def _session_chrome(session: StudySession, now: datetime) -> dict:
    """The progress bar and End button shown above every question and feedback page."""
    seconds_left = (max(0.0, (session.deadline - now).total_seconds()) if session.deadline
                    else None)
    return dict(session=session, progress=study.progress(current_user, session, now),
                end_form=PostForm(), title=study.session_title(session),
                seconds_left=seconds_left)


def _question_page(session: StudySession, prompt: study.Prompt, now: datetime, *,
                   error: str | None = None, status: int = 200):
    view = question_view(prompt.model, question_id=prompt.question.id, seq=prompt.seq,
                         card=prompt.card, now=now, flipped=request.args.get("flip") == "1")
    return render_template(
        "study/question.html", prompt=prompt, error=error, citation=prompt.question.citation,
        answer_url=url_for("study.answer", session_id=session.id),
        flip_url=url_for("study.show", session_id=session.id, flip=1),
        **_session_chrome(session, now), **view), status


def _summary_page(session: StudySession, now: datetime) -> str:
    reviews = []
    if session.kind == SessionKind.TEST:
        pending = study.pending_in_tests(current_user, now)
        for review in study.session_reviews(session):
            model = study.load_question(review.card.question)
            reviews.append((review, model, study.regrade(review, model),
                            study.hidden_by(pending, review)))
    next_due = None
    if session.kind in (SessionKind.BANK, SessionKind.DUE):
        next_due = study.next_due(current_user, session.bank_id, now)
    return render_template("study/summary.html", session=session,
                           summary=study.summary(session), title=study.session_title(session),
                           next_due=next_due, reviews=reviews)


@bp.post("/sessions/<int(max=2147483647):session_id>/answers")
@login_required
def answer(session_id: int) -> Response | tuple[str, int]:
    """Record the learner's answer and show the feedback for it."""
    session = _own_session(session_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400, description="This answer could not be read. Go back and try again.")
    now = clock.utcnow()
    question = db.session.get(Question, form.question_id.data)
    if question is None or not study.in_session(session, question):
        abort(400, description="That question is not part of this session.")
    prompt = study.Prompt(question, study.load_question(question),
                          study.card_for(current_user, question.id), form.seq.data)
    try:
        outcome = study.answer(current_user, session, question.id, form.seq.data,
                               read_response(prompt.model, request.form), now=now,
                               duration_ms=int(now.timestamp() * 1000) - form.shown_at.data,
                               fuzzing=current_app.config["FSRS_FUZZING"])
    except grading.InvalidResponse as exc:
        return _question_page(session, prompt, now, error=str(exc), status=422)
    except study.StaleForm as exc:
        flash(str(exc), "info")
        return redirect(url_for("study.show", session_id=session.id))
    if outcome.duplicate:
        flash("You already answered this question; your first answer was kept.", "info")
        if outcome.review.session_id != session.id:  # answered in another tab's session
            return redirect(url_for("study.show", session_id=session.id))
    return redirect(url_for("study.feedback", session_id=session.id,
                            review_id=outcome.review.id))


@bp.get("/sessions/<int(max=2147483647):session_id>/reviews/<int(max=2147483647):review_id>")
@login_required
def feedback(session_id: int, review_id: int) -> str:
    """Right or wrong, the correct answer, the explanation and the citation."""
    session = _own_session(session_id)
    review = db.session.get(Review, review_id)
    if review is None or review.user_id != current_user.id or review.session_id != session.id:
        abort(404)
    question = review.card.question
    now = clock.utcnow()
    if study.hidden_by(study.pending_in_tests(current_user, now), review):
        abort(403, description="This answer is hidden while your open practice test has yet "
                               "to ask the question. Finish or end that test to see it again.")
    next_in = (describe_interval(review.due_after - review.reviewed_at) if review.scheduled
               else None)
    model = study.load_question(question)
    return render_template("study/feedback.html", review=review, citation=question.citation,
                           model=model, grade=study.regrade(review, model),
                           next_in=next_in, question_id=question.id,
                           continue_url=url_for("study.show", session_id=session.id),
                           **_session_chrome(session, now))


@bp.post("/sessions/<int(max=2147483647):session_id>/end")
@login_required
def end(session_id: int) -> Response:
    """End the session early and show its summary."""
    session = _own_session(session_id)
    _require_post_form()
    study.end_session(session, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


def local_time(moment: datetime, tz_name: str) -> str:
    """A moment as the learner's wall-clock time, for 'next question due' notes."""
    local = moment.astimezone(clock.zone(tz_name))
    return local.strftime("%a %d %b %Y, %H:%M") + f" ({tz_name})"


bp.add_app_template_filter(local_time, "local_time")
bp.add_app_template_global(study.cloze_pieces, "cloze_pieces")

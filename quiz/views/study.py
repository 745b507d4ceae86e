"""Study pages: one question at a time, feedback after each answer, a summary at the end."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz import clock, grading, study
from quiz.banks import spec
from quiz.extensions import db
from quiz.forms import AnswerForm, PostForm, item_key, read_response
from quiz.models import Bank, Question, Review, StudySession
from quiz.scheduling import describe_interval

bp = Blueprint("study", __name__)


def _own_session(session_id: int) -> StudySession:
    session = db.session.get(StudySession, session_id)
    if session is None or session.user_id != current_user.id:
        abort(404)  # another learner's session is as good as missing
    return session


@bp.post("/banks/<bank_id>/sessions")
@login_required
def start(bank_id: str) -> Response:
    """Open a study session on a bank and show its first question."""
    if not PostForm().validate_on_submit():
        abort(400)
    db.get_or_404(Bank, bank_id, description="There is no such bank.")
    session = study.start_session(current_user, bank_id, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


@bp.get("/sessions/<int:session_id>")
@login_required
def show(session_id: int) -> str:
    """The next question of the session, or the summary when nothing is left today."""
    session = _own_session(session_id)
    now = clock.utcnow()
    prompt = None if session.ended_at else study.next_prompt(current_user, session.bank_id, now)
    if prompt is None:
        return _summary_page(session, now)
    return _question_page(session, prompt, now)


def question_view(model, *, question_id: str, seq: int, card, now, flipped: bool) -> dict:
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


def _question_page(session: StudySession, prompt: study.Prompt, now, *, error: str | None = None,
                   status: int = 200):
    view = question_view(prompt.model, question_id=prompt.question.id, seq=prompt.seq,
                         card=prompt.card, now=now, flipped=request.args.get("flip") == "1")
    return render_template(
        "study/question.html", session=session, prompt=prompt, error=error,
        progress=study.summary(session), end_form=PostForm(),
        answer_url=url_for("study.answer", session_id=session.id),
        flip_url=url_for("study.show", session_id=session.id, flip=1), **view), status


def _summary_page(session: StudySession, now) -> str:
    return render_template("study/summary.html", session=session,
                           summary=study.summary(session),
                           next_due=study.next_due(current_user, session.bank_id, now),
                           now=now, form=PostForm())


@bp.post("/sessions/<int:session_id>/answers")
@login_required
def answer(session_id: int) -> Response | tuple[str, int]:
    """Record the learner's answer and show the feedback for it."""
    session = _own_session(session_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400, description="This answer could not be read. Go back and try again.")
    now = clock.utcnow()
    prompt = study.Prompt(*_prompt_parts(session, form.question_id.data, form.seq.data))
    response = read_response(prompt.model, request.form)
    shown = form.shown_at.data or 0
    try:
        outcome = study.answer(current_user, session, form.question_id.data, form.seq.data,
                               response, now=now,
                               duration_ms=int(now.timestamp() * 1000) - shown,
                               fuzzing=current_app.config["FSRS_FUZZING"])
    except grading.InvalidResponse as exc:
        return _question_page(session, prompt, now, error=str(exc), status=422)
    except study.StaleForm as exc:
        flash(f"{exc} Here is the next one.", "info")
        return redirect(url_for("study.show", session_id=session.id))
    if outcome.duplicate:
        flash("You already answered this question; your first answer was kept.", "info")
    return redirect(url_for("study.feedback", session_id=session.id,
                            review_id=outcome.review.id))


def _prompt_parts(session: StudySession, question_id: str, seq: int):
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != session.bank_id:
        abort(400, description="That question is not part of this session.")
    card = study.card_for(current_user, question_id)
    return question, study.load_question(question), card, seq


@bp.get("/sessions/<int:session_id>/reviews/<int:review_id>")
@login_required
def feedback(session_id: int, review_id: int) -> str:
    """Right or wrong, the correct answer, the explanation and the citation."""
    session = _own_session(session_id)
    review = db.session.get(Review, review_id)
    if review is None or review.user_id != current_user.id or review.session_id != session.id:
        abort(404)
    question = review.card.question
    model = study.load_question(question)
    return render_template("study/feedback.html", session=session, review=review,
                           citation=question.citation, model=model, grade=study.regrade(review),
                           next_in=describe_interval(review.due_after - review.reviewed_at),
                           progress=study.summary(session), end_form=PostForm(),
                           continue_url=url_for("study.show", session_id=session.id))


@bp.post("/sessions/<int:session_id>/end")
@login_required
def end(session_id: int) -> Response:
    """End the session early and show its summary."""
    session = _own_session(session_id)
    if not PostForm().validate_on_submit():
        abort(400)
    study.end_session(session, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


def local_time(moment, tz_name: str) -> str:
    """A moment as the learner's wall-clock time, for 'next question due' notes."""
    local = moment.astimezone(clock.zone(tz_name))
    return local.strftime("%a %d %b %Y, %H:%M") + f" ({tz_name})"


bp.add_app_template_filter(local_time, "local_time")
bp.add_app_template_global(study.cloze_pieces, "cloze_pieces")

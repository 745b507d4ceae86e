"""Study pages: choosing what to study, one question at a time, feedback, summaries, tests."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from quiz.banks import spec
from quiz.classes import service as classes
from quiz.core import clock, grading
from quiz.core.scheduling import describe_interval
from quiz.extensions import db, retry_when_busy
from quiz.forms import PostForm
from quiz.models import Bank, Question, Review, SessionKind, StudySession
from quiz.study import attempts, controls, selection, sessions
from quiz.study import service as study
from quiz.study import timeline as study_timeline
from quiz.study.forms import (
    AnswerFields,
    AnswerForm,
    PracticeForm,
    TestForm,
    check_offer,
    item_key,
    read_response,
    sign_offer,
)

bp = Blueprint("study", __name__)
# Ids in URLs are capped at the database's integer range: a larger one is simply not found.


def _own_session(session_id: int) -> StudySession:
    session = sessions.session_of(current_user, session_id)
    if session is None:
        abort(404)
    return session


def _require_post_form() -> None:
    if not PostForm().validate_on_submit():
        abort(400, description="This form could not be read. Go back and try again.")


@bp.get("/")
def home() -> str:
    """List the banks with their size, due and new counts and class assignments for a
    learner."""
    user = current_user if current_user.is_authenticated else None
    now = clock.utcnow()
    return render_template("study/home.html", banks=selection.bank_counts(user, now),
                           todos=classes.todos(user, now) if user else [], form=PostForm())


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
    session = sessions.start_session(current_user, bank_id, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


@bp.post("/sessions/due")
@login_required
def start_due() -> Response:
    """Open a session over everything due in every bank."""
    _require_post_form()
    session = sessions.start_due_session(current_user, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


@bp.route("/practice", methods=["GET", "POST"])
@login_required
def practice() -> str | Response | tuple[str, int]:
    """Practise chosen eras and themes without touching the review schedule."""
    form = PracticeForm()
    if form.validate_on_submit():
        try:
            session = sessions.start_practice(current_user, eras=form.eras.data or [],
                                              tags=form.tags.data or [], now=clock.utcnow())
        except sessions.NothingToStudy as exc:
            form.tags.errors.append(str(exc))
        else:
            return redirect(url_for("study.show", session_id=session.id))
    return render_template("study/practice.html", form=form), 422 if form.errors else 200


@bp.route("/tests", methods=["GET", "POST"])
@login_required
def tests() -> str | Response | tuple[str, int]:
    """Set up a practice test, and list past attempts with their scores."""
    form = TestForm()
    form.bank_ids.choices = [(bank.id, bank.title) for bank in sessions.live_banks()]
    if form.validate_on_submit():
        try:
            session = sessions.start_test(
                current_user, bank_ids=form.bank_ids.data or [], eras=form.eras.data or [],
                tags=form.tags.data or [], length=form.length.data,
                time_limit_s=form.time_limit.data * 60 or None,
                scheduled=form.scheduled.data, now=clock.utcnow())
        except sessions.NothingToStudy as exc:
            form.tags.errors.append(str(exc))
        else:
            return redirect(url_for("study.show", session_id=session.id))
    taken = attempts.test_attempts(current_user, clock.utcnow())
    return render_template("study/tests.html", form=form, attempts=taken), (
        422 if form.errors else 200)


@bp.get("/sessions/<int(max=2147483647):session_id>")
@login_required
def show(session_id: int) -> str | Response:
    """The next question of the session, or the summary when nothing is left now. With
    `flip`, the back of the flashcard that was shown (never another question)."""
    session = _own_session(session_id)
    now = clock.utcnow()
    if request.args.get("flip") == "1":
        prompt = _flipped_prompt(session)
        if prompt is None:  # answered meanwhile, in this tab or another
            return redirect(url_for("study.show", session_id=session.id))
        return _question_page(session, prompt, now, flipped=True)
    counts = selection.today_counts_for(current_user, session, now)
    prompt = selection.next_prompt(current_user, session, now, counts=counts)
    if prompt is None:
        return _summary_page(session, now)
    return _question_page(session, prompt, now, counts=counts)


def _flipped_prompt(session: StudySession) -> selection.Prompt | None:
    """The flashcard named by a flip link, if this session offered it and it is unanswered."""
    question_id, seq = request.args.get("question_id", ""), request.args.get("seq", "")
    if not seq.isdigit() or not check_offer(request.args.get("offer"), session.id, question_id,
                                            int(seq)):
        return None
    found = selection.question_with_card(current_user, question_id)
    if found is None:
        return None
    prompt = selection.prompt_for(*found)
    return prompt if prompt.seq == int(seq) and found[0].retired_at is None else None


def question_view(model, *, question_id: str, seq: int, card, now: datetime,
                  flipped: bool, session: StudySession | None = None,
                  bank_id: str | None = None) -> dict:
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
        previews = study.intervals(current_user, question_id, card, now,
                                   fuzzing=current_app.config["FSRS_FUZZING"], bank_id=bank_id)
        buttons = [(rating, describe_interval(delta)) for rating, delta in previews.items()]
    offer = sign_offer(session.id, question_id, seq) if session is not None else ""
    fields = AnswerFields(question_id=question_id, seq=seq,
                          shown_at=int(now.timestamp() * 1000), offer=offer)
    return dict(model=model, fields=fields, choices=choices, items=items, rights=rights,
                item_key=item_key, flipped=flipped, buttons=buttons, offer=offer)


def _session_chrome(session: StudySession, now: datetime, *,
                    counts: selection.Today | None = None) -> dict:
    """The progress bar and End button shown above every question and feedback page."""
    seconds_left = (max(0.0, (session.deadline - now).total_seconds()) if session.deadline
                    else None)
    return dict(session=session,
                progress=selection.progress(current_user, session, now, counts=counts),
                title=sessions.session_title(session), seconds_left=seconds_left)


def _prompt_view(session: StudySession, prompt: selection.Prompt, now: datetime, *,
                 flipped: bool = False) -> dict:
    """What `study/_question.html` needs to show `prompt` in `session`, bar the session bar."""
    view = question_view(prompt.model, question_id=prompt.question.id, seq=prompt.seq,
                         bank_id=prompt.question.bank_id,
                         card=prompt.card, now=now, flipped=flipped, session=session)
    flip_url = url_for("study.show", session_id=session.id, flip=1,
                       question_id=prompt.question.id, seq=prompt.seq, offer=view["offer"])
    return dict(view, prompt=prompt, citation=prompt.question.citation, flip_url=flip_url,
                answer_url=url_for("study.answer", session_id=session.id))


def _question_page(session: StudySession, prompt: selection.Prompt, now: datetime, *,
                   error: str | None = None, status: int = 200, flipped: bool = False,
                   counts: selection.Today | None = None):
    return render_template(
        "study/question.html", error=error, **_session_chrome(session, now, counts=counts),
        **_prompt_view(session, prompt, now, flipped=flipped)), status


def _summary_page(session: StudySession, now: datetime) -> str:
    results = []
    if session.kind == SessionKind.TEST:
        results = attempts.test_results(current_user, session, now)
    next_due = None
    if session.kind in (SessionKind.BANK, SessionKind.DUE):
        next_due = selection.next_due(current_user, session.bank_id, now)
    return render_template("study/summary.html", session=session,
                           summary=sessions.summary(session), title=sessions.session_title(session),
                           next_due=next_due, results=results)


def _not_offered() -> None:
    abort(400, description="This question was not offered in this session: go back to the "
                           "session and answer the question it shows.")


@bp.post("/sessions/<int(max=2147483647):session_id>/answers")
@login_required
def answer(session_id: int) -> Response | tuple[str, int]:
    """Record the learner's answer and answer with its feedback (the sequence number makes a
    resubmitted form harmless, so there is no redirect to follow)."""
    session = _own_session(session_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400, description="This answer could not be read. Go back and try again.")
    if not check_offer(form.offer.data, session.id, form.question_id.data, form.seq.data):
        _not_offered()
    now = clock.utcnow()
    found = selection.question_with_card(current_user, form.question_id.data)
    if found is None:
        _not_offered()
    prompt = selection.prompt_for(*found)
    first = [found]

    def record() -> study.Outcome:
        # A retry after SQLite was busy reads the card afresh (the rollback expired it).
        return study.answer(current_user, session, prompt.question.id, form.seq.data,
                            read_response(prompt.model, request.form), now=now,
                            duration_ms=int(now.timestamp() * 1000) - form.shown_at.data,
                            fuzzing=current_app.config["FSRS_FUZZING"],
                            found=first.pop() if first else None)

    try:
        outcome = retry_when_busy(record)
    except grading.InvalidResponse as exc:
        prompt = selection.Prompt(prompt.question, prompt.model, prompt.card, form.seq.data)
        return _question_page(session, prompt, now, error=str(exc), status=422,
                              flipped=isinstance(prompt.model, spec.Flashcard))
    except study.StaleForm as exc:
        flash(str(exc), "info")
        return redirect(url_for("study.show", session_id=session.id))
    if session.kind == SessionKind.TEST:
        # Deferred feedback, as in Moodle's quizzes: a test shows what was right at the end.
        flash("You already answered this question; your first answer was kept." if
              outcome.duplicate else "Answer saved.", "info")
        return redirect(url_for("study.show", session_id=session.id), 303)
    if outcome.duplicate:
        flash("You already answered this question; your first answer was kept.", "info")
        if outcome.review.session_id != session.id:  # answered in another tab's session
            return redirect(url_for("study.show", session_id=session.id))
    return _feedback_page(session, outcome.review, outcome.question, outcome.model,
                          outcome.grade, now, just_answered=not outcome.duplicate,
                          leech=outcome.leech)


def _feedback_page(session: StudySession, review: Review, question: Question, model,
                   grade: grading.Grade, now: datetime, *, just_answered: bool = False,
                   leech: bool = False) -> tuple[str, int]:
    next_in = (describe_interval(review.due_after - review.reviewed_at) if review.scheduled
               else None)
    continue_url = url_for("study.show", session_id=session.id)
    upcoming = None
    if just_answered:  # the learner's latest answer: undoable unless in a test
        can_undo = session.kind != SessionKind.TEST and review.id > current_user.undo_floor
        # The next question comes with the feedback, chosen now from the counts the session
        # bar shows, and rendered as the question page renders it: Continue costs no request.
        counts = selection.today_counts_for(current_user, session, now)
        chrome = _session_chrome(session, now, counts=counts)
        following = selection.next_prompt(current_user, session, now, counts=counts)
        if following is not None:
            upcoming = Markup(render_template(  # noqa: S704 - our own template, autoescaped
                "study/_question.html", **chrome, **_prompt_view(session, following, now)))
    else:
        can_undo = controls.undo_refusal(current_user, review, session) is None
        chrome = _session_chrome(session, now)
    return render_template(
        "study/feedback.html", review=review, question=question, citation=question.citation,
        model=model, grade=grade, next_in=next_in, question_id=question.id, leech=leech,
        continue_url=continue_url, can_undo=can_undo, upcoming=upcoming,
        review_url=url_for("study.feedback", session_id=session.id, review_id=review.id),
        can_accept=controls.accept_refusal(current_user, review, session, model) is None,
        **chrome), 200


@bp.get("/sessions/<int(max=2147483647):session_id>/reviews/<int(max=2147483647):review_id>")
@login_required
def feedback(session_id: int, review_id: int) -> tuple[str, int]:
    """Right or wrong, the correct answer, the explanation and the citation, again."""
    found = sessions.review_in_session(current_user, session_id, review_id)
    if found is None:
        abort(404)
    session, review = found
    question = review.card.question
    now = clock.utcnow()
    if attempts.hidden_by(attempts.pending_in_tests(current_user, now), review):
        abort(403, description="This answer is hidden while your open practice test has yet "
                               "to ask the question. Finish or end that test to see it again.")
    if session.kind == SessionKind.TEST and session.finished_at(now) is None:
        abort(403, description="A practice test shows what was right once it is finished.")
    model = selection.load_question(question)
    return _feedback_page(session, review, question, model, study.regrade(review, model), now)


@bp.get("/sessions/<int(max=2147483647):session_id>/finish")
@login_required
def confirm_finish(session_id: int) -> str | Response:
    """Ask before finishing a test early: how many questions would go unanswered."""
    session = _own_session(session_id)
    now = clock.utcnow()
    if session.kind != SessionKind.TEST or session.finished_at(now) is not None:
        return redirect(url_for("study.show", session_id=session.id))
    return render_template("study/finish.html", session=session, summary=sessions.summary(session),
                           title=sessions.session_title(session))


@bp.post("/sessions/<int(max=2147483647):session_id>/end")
@login_required
def end(session_id: int) -> Response:
    """End the session early and show its summary."""
    session = _own_session(session_id)
    _require_post_form()
    sessions.end_session(session, clock.utcnow())
    return redirect(url_for("study.show", session_id=session.id))


def local_time(moment: datetime, tz_name: str) -> str:
    """A moment as the learner's wall-clock time, for 'next question due' notes."""
    local = moment.astimezone(clock.zone(tz_name))
    return local.strftime("%a %d %b %Y, %H:%M") + f" ({tz_name})"


bp.add_app_template_filter(local_time, "local_time")
bp.add_app_template_global(study.cloze_pieces, "cloze_pieces")

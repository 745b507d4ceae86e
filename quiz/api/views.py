"""The JSON API, v1: what a learner does in the browser, for scripts and other apps.

Calls authenticate with a personal access token (`Authorization: Bearer pvt_...`) and nothing
else: a session cookie is ignored here, so there is no CSRF to guard against and the API is
exempt from it. Each view reads its request (validated by spectree against the models in
`quiz.api.schemas`, which also make the OpenAPI 3.1 document) and calls the same services the
pages call, with the same rules: another learner's session or answer is not found.
"""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, g, jsonify, render_template, request
from flask_limiter.util import get_remote_address
from spectree import Response, SecurityScheme, SecuritySchemeData, SpecTree
from werkzeug.datastructures import MultiDict, WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from quiz.accounts.limits import LIMITS
from quiz.api import problems, schemas, tokens
from quiz.api.problems import Problem
from quiz.authoring.live import current_catalog
from quiz.banks import spec as bank_spec
from quiz.banks.loader import SHARED_FILES
from quiz.core import clock, grading
from quiz.core.scheduling import describe_interval
from quiz.extensions import csrf, db, limiter
from quiz.models import Bank, Card, Review, SessionKind, StudySession
from quiz.progress import stats
from quiz.study import attempts, controls, selection, sessions
from quiz.study import service as study
from quiz.study.forms import check_offer, item_key, read_response, sign_offer

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
PER_PAGE = 100
# Served without a token: the document and the page that shows it.
PUBLIC = {"api.openapi", "api.docs"}

api = SpecTree(
    "flask", mode="strict", title="Pivot API", version="1",
    description="A learner's banks, study sessions, answers, dashboard and review log. "
                "Errors are RFC 9457 problem details.",
    security_schemes=[SecurityScheme(name="token", data=SecuritySchemeData(**{
        "type": "http", "scheme": "bearer",
        "description": "A personal access token from Settings → API tokens."}))],
    security={"token": []}, annotations=False, page_templates={},
    before=lambda req, resp, error, instance, adapter: _refuse_invalid(error))


def _refuse_invalid(error: Exception | None) -> None:
    # spectree found the request body or query wrong: say where, as a problem, not its list.
    if error is None:
        return
    details = "; ".join(f"{'.'.join(str(part) for part in e['loc']) or 'body'}: {e['msg']}"
                        for e in error.errors()[:10])
    abort(422, description=f"The request does not fit: {details}")


def answers(ok: dict[int, type], *refusals: int) -> Response:
    """The documented responses of an endpoint: its successes, its refusals, and the 400 (a
    request that cannot be read, a NUL byte), 401, 422 and 429 every call can get."""
    codes = {f"HTTP_{status}": model for status, model in ok.items()}
    codes.update({f"HTTP_{status}": Problem for status in (400, 401, 422, 429, *refusals)})
    return Response(**codes)


def _token_key() -> str:
    # Counted per token (by its hash, as stored); calls without one count per address.
    token = tokens.bearer(request.headers.get("Authorization"))
    return f"token:{tokens.digest(token)[:32]}" if token else f"address:{get_remote_address()}"


limiter.limit(lambda: LIMITS["api_per_token"], key_func=_token_key,
              error_message="Too many API calls with this token.")(bp)


@bp.before_request
def _authenticate() -> None:
    if request.endpoint in PUBLIC:
        return
    token = tokens.bearer(request.headers.get("Authorization"))
    user = tokens.authenticate(token, clock.utcnow()) if token else None
    if user is None:
        raise Unauthorized("Send a live personal access token: Authorization: Bearer pvt_...",
                           www_authenticate=WWWAuthenticate("bearer", {"realm": "pivot"}))
    g.api_user = user


def _document() -> dict:
    document = copy.deepcopy(api.spec)
    # Refusals are problem details (RFC 9457), under their own media type.
    for item in document["paths"].values():
        for operation in item.values():
            for status, answer in operation.get("responses", {}).items():
                content = answer.get("content", {})
                if status >= "400" and "application/json" in content:
                    content[problems.MEDIA_TYPE] = content.pop("application/json")
    return document


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, made from the code."""
    return jsonify(_document())


@bp.get("/docs")
def docs():
    """A page that lists the API from its document (static/api-docs.js renders it)."""
    return render_template("api/docs.html")


# --- Banks and sessions


@bp.get("/banks")
@api.validate(resp=answers({200: schemas.BankList}), tags=["study"])
def banks():
    """Every bank with its size, and what is due and new for you today."""
    counts = selection.bank_counts(g.api_user, clock.utcnow())
    return schemas.BankList(banks=[schemas.BankOut(
        id=c.bank.id, title=c.bank.title, description=c.bank.description, era=c.bank.era,
        questions=c.total, due=c.due, new=c.new) for c in counts])


def _session_out(session: StudySession, now: datetime) -> schemas.SessionOut:
    progress = selection.progress(g.api_user, session, now)
    return schemas.SessionOut(
        id=session.id, kind=session.kind, title=sessions.session_title(session),
        bank_id=session.bank_id, started_at=session.started_at, ended_at=session.ended_at,
        answered=session.answered, progress=schemas.ProgressOut(done=progress.done,
                                                                left=progress.left))


@bp.post("/sessions")
@api.validate(json=schemas.StartIn, resp=answers({201: schemas.SessionOut}, 404, 409),
              tags=["study"])
def start():
    """Open a session: one bank, everything due, or practice of chosen eras and themes."""
    body: schemas.StartIn = request.context.json
    now = clock.utcnow()
    user = g.api_user
    if body.kind == "bank":
        if body.bank_id is None or db.session.get(Bank, body.bank_id) is None:
            abort(404, description="There is no such bank.")
        session = sessions.start_session(user, body.bank_id, now)
    elif body.kind == "due":
        session = sessions.start_due_session(user, now)
    else:
        try:
            session = sessions.start_practice(user, eras=list(body.eras), tags=list(body.tags),
                                              now=now)
        except sessions.NothingToStudy as exc:
            abort(409, description=str(exc))
    return _session_out(session, now), 201


def _own_session(session_id: int) -> StudySession:
    session = sessions.session_of(g.api_user, session_id)
    if session is None:
        abort(404, description="There is no such session.")
    if session.kind == SessionKind.TEST:
        abort(409, description="Practice tests are taken in the browser.")
    return session


SESSION = "/sessions/<int(min=1, max=2147483647):session_id>"


@bp.get(SESSION)
@api.validate(resp=answers({200: schemas.SessionOut}, 404, 409), tags=["study"])
def session(session_id: int):
    """A session: its kind, title and how far through it you are."""
    return _session_out(_own_session(session_id), clock.utcnow())


def _question_out(session: StudySession, prompt: selection.Prompt,
                  now: datetime) -> schemas.QuestionOut:
    model, question_id, seq = prompt.model, prompt.question.id, prompt.seq
    order = dict(user_id=g.api_user.id, question_id=question_id, seq=seq)
    choices: list[str] = []
    if isinstance(model, (bank_spec.MultipleChoice, bank_spec.MultipleSelect)):
        choices = study.shuffled([bank_spec.choice_text(c) for c in model.choices], **order)
    elif isinstance(model, bank_spec.TrueFalse):
        choices = ["true", "false"]
    matching = isinstance(model, bank_spec.Matching)
    return schemas.QuestionOut(
        question_id=question_id, seq=seq, offer=sign_offer(session.id, question_id, seq),
        shown_at=int(now.timestamp() * 1000), type=model.type,
        prompt=model.front if isinstance(model, bank_spec.Flashcard) else model.prompt,
        hint=model.hint, citation=prompt.question.citation, choices=choices,
        items=(study.shuffled(model.items or [], **order)
               if isinstance(model, bank_spec.Ordering) else []),
        lefts=list(model.pairs) if matching else [],
        rights=study.shuffled(list(model.pairs.values()), **order) if matching else [],
        pieces=([schemas.ClozePiece(text=p.text, gap=p.gap, hint=p.hint)
                 for p in study.cloze_pieces(model)]
                if isinstance(model, bank_spec.Cloze) else []),
        unit=model.unit if isinstance(model, bank_spec.Numeric) else None)


@bp.get(SESSION + "/question")
@api.validate(resp=answers({200: schemas.NextOut}, 404, 409), tags=["study"])
def next_question(session_id: int):
    """The next question (never its answer), or none and the summary when nothing is left."""
    session = _own_session(session_id)
    now = clock.utcnow()
    prompt = selection.next_prompt(g.api_user, session, now,
                                   counts=selection.today_counts_for(g.api_user, session, now))
    summary = sessions.summary(session)
    return schemas.NextOut(
        question=_question_out(session, prompt, now) if prompt else None,
        summary=schemas.Summary(answered=summary.answered, correct=summary.correct))


def _offered(session: StudySession, question_id: str, seq: int, offer: str):
    """The question and card this session offered at `seq`, or a 409."""
    found = (selection.question_with_card(g.api_user, question_id)
             if check_offer(offer, session.id, question_id, seq) else None)
    if found is None:
        abort(409, description="This question was not offered in this session at that seq: "
                               "get the session's next question and answer that.")
    return found


@bp.get(SESSION + "/back")
@api.validate(query=schemas.Offered, resp=answers({200: schemas.BackOut}, 404, 409), tags=["study"])
def back(session_id: int):
    """The back of the flashcard on offer, and when each rating would bring it back."""
    session = _own_session(session_id)
    query: schemas.Offered = request.context.query
    question, card = _offered(session, query.question_id, query.seq, query.offer)
    model = selection.load_question(question)
    prompt = selection.prompt_for(question, card)
    if (not isinstance(model, bank_spec.Flashcard) or prompt.seq != query.seq
            or question.retired_at is not None):
        abort(409, description="That is not a flashcard on offer.")
    previews = study.intervals(g.api_user, question.id, card, clock.utcnow(),
                               fuzzing=current_app.config["FSRS_FUZZING"],
                               bank_id=question.bank_id)
    return schemas.BackOut(back=model.back, intervals={
        str(int(rating)): describe_interval(delta) for rating, delta in previews.items()})


def _fields(model, body: schemas.AnswerIn) -> MultiDict:
    """The answer as the page's form would post it, so both are read by one function."""
    fields = MultiDict()
    if body.rating is not None:
        fields["rating"] = str(body.rating)
    if body.choice is not None:
        fields["choice"] = body.choice
    for choice in body.choices or []:
        fields.add("choice", choice)
    if body.answer is not None:
        fields["answer"] = body.answer
    for index, gap in enumerate(body.gaps or []):
        fields[f"gap-{index}"] = gap
    for position, item in enumerate(body.order or [], start=1):
        fields[item_key(item)] = str(position)
    if isinstance(model, bank_spec.Matching):
        for index, left in enumerate(model.pairs):
            fields[f"match-{index}"] = (body.matches or {}).get(left, "")
    return fields


def _feedback_out(session: StudySession, review: Review, question, model,
                  grade: grading.Grade, *, can_undo: bool) -> schemas.FeedbackOut:
    return schemas.FeedbackOut(
        review_id=review.id, session_id=session.id, question_id=question.id,
        correct=grade.correct, score=grade.score, rating=int(grade.rating), given=grade.given,
        expected=grade.expected, note=grade.note, explanation=model.explanation,
        citation=question.citation, due=review.due_after if review.scheduled else None,
        can_undo=can_undo)


@bp.post(SESSION + "/answers")
@api.validate(json=schemas.AnswerIn, resp=answers({201: schemas.FeedbackOut}, 404, 409),
              tags=["study"])
def answer(session_id: int):
    """Answer the question on offer, exactly once: the same seq and offer sent again is a 409
    that names the answer already kept."""
    session = _own_session(session_id)
    body: schemas.AnswerIn = request.context.json
    found = _offered(session, body.question_id, body.seq, body.offer)
    model = selection.load_question(found[0])
    now = clock.utcnow()
    shown_at = body.shown_at if body.shown_at is not None else int(now.timestamp() * 1000)
    try:
        outcome = study.answer(g.api_user, session, found[0].id, body.seq,
                               read_response(model, _fields(model, body)), now=now,
                               duration_ms=max(0, int(now.timestamp() * 1000) - shown_at),
                               fuzzing=current_app.config["FSRS_FUZZING"], found=found)
    except grading.InvalidResponse as exc:
        abort(422, description=str(exc))
    except study.StaleForm as exc:
        abort(409, description=str(exc))
    if outcome.duplicate:
        abort(409, description=f"You already answered this question; your first answer was "
                               f"kept: review {outcome.review.id} of session "
                               f"{outcome.review.session_id}.")
    return _feedback_out(session, outcome.review, outcome.question, outcome.model,
                         outcome.grade, can_undo=outcome.review.id > g.api_user.undo_floor), 201


def _own_review(session: StudySession, review_id: int) -> Review:
    review = sessions.review_in(session, review_id)
    if review is None:
        abort(404, description="There is no such answer in this session.")
    return review


REVIEW = SESSION + "/reviews/<int(min=1, max=2147483647):review_id>"


@bp.get(REVIEW)
@api.validate(resp=answers({200: schemas.FeedbackOut}, 403, 404, 409), tags=["study"])
def feedback(session_id: int, review_id: int):
    """Right or wrong, the correct answer, the explanation and the citation, again."""
    session = _own_session(session_id)
    review = _own_review(session, review_id)
    if attempts.hidden_by(attempts.pending_in_tests(g.api_user, clock.utcnow()), review):
        abort(403, description="This answer is hidden while your open practice test has yet "
                               "to ask the question.")
    question = review.card.question
    model = selection.load_question(question)
    return _feedback_out(session, review, question, model, study.regrade(review, model),
                         can_undo=controls.undo_refusal(g.api_user, review, session) is None)


@bp.post(REVIEW + "/undo")
@api.validate(resp=answers({200: schemas.UndoOut}, 404, 409), tags=["study"])
def undo(session_id: int, review_id: int):
    """Take back your last answer (once, not in a test): the question is on offer again."""
    session = _own_session(session_id)
    review = _own_review(session, review_id)
    try:
        question_id = controls.undo(g.api_user, review, session)
    except controls.NotAllowed as refusal:
        abort(409, description=str(refusal))
    return schemas.UndoOut(question_id=question_id)


# --- Progress


@bp.get("/dashboard")
@api.validate(resp=answers({200: schemas.DashboardOut}), tags=["progress"])
def dashboard():
    """Every figure of the dashboard: activity, accuracy, streak, cards, mastery, forecast."""
    figures = stats.dashboard(g.api_user, clock.utcnow())
    return schemas.DashboardOut.model_validate(
        {**vars(figures), "reviews_today": figures.reviews_today}, from_attributes=True)


@bp.get("/reviews")
@api.validate(query=schemas.PageQuery, resp=answers({200: schemas.ReviewPage}), tags=["progress"])
def reviews():
    """Your review log, newest first, a page of 100 answers at a time."""
    page = request.context.query.page
    user = g.api_user
    total = db.session.scalar(db.select(db.func.count()).select_from(Review)
                              .where(Review.user_id == user.id))
    rows = db.session.execute(
        db.select(Review, Card.question_id).join(Card, Card.id == Review.card_id)
        .where(Review.user_id == user.id).order_by(Review.reviewed_at.desc(), Review.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return schemas.ReviewPage(page=page, per_page=PER_PAGE, total=total, reviews=[
        schemas.ReviewOut(id=r.id, question_id=question_id, session_id=r.session_id, seq=r.seq,
                          reviewed_at=r.reviewed_at, rating=r.rating, score=r.score,
                          scheduled=r.scheduled, duration_ms=r.duration_ms,
                          due_after=r.due_after) for r, question_id in rows])


# --- Authoring


@bp.get("/authoring/lint")
@api.validate(resp=answers({200: schemas.LintReport}, 403), tags=["authoring"])
def lint():
    """The lint report of every bank file (admins only)."""
    if not g.api_user.is_admin:
        abort(403, description="The lint report is for admins.")
    catalog = current_catalog(Path(current_app.config["QUESTIONS_DIR"]))
    banks = {bank.file: bank.id for bank in catalog.banks.values()}
    files = []
    for file in sorted(catalog.files, key=lambda f: (Path(f).name not in SHARED_FILES, f)):
        found = catalog.problems_in(file)
        files.append(schemas.LintFile(
            name=Path(file).name, bank_id=banks.get(file),
            errors=sum(p.severity == "error" for p in found),
            problems=[schemas.LintProblem.model_validate(p, from_attributes=True)
                      for p in found]))
    return schemas.LintReport(files=files)

"""Author pages (admins only): lint status of every bank and a preview of any question."""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz.authoring import reports
from quiz.authoring.live import current_catalog
from quiz.authoring.sync import citation, question_spec
from quiz.banks import spec
from quiz.banks.loader import SHARED_FILES
from quiz.core import clock, grading
from quiz.forms import PostForm
from quiz.study.forms import AnswerForm, read_response
from quiz.study.views import question_view

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


def admin_required(view):
    """Only admins may author: others get a 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description="Authoring pages are for admins.")
        return view(*args, **kwargs)

    return wrapped


def _catalog():
    return current_catalog(Path(current_app.config["QUESTIONS_DIR"]))


@bp.get("/")
@admin_required
def index() -> str:
    """Every file with its lint status and problems: the shared files, then the banks in era
    order, then the files too broken to tell."""
    catalog = _catalog()
    banks = {bank.file: bank for bank in catalog.banks.values()}

    def place(file: str) -> tuple:
        if Path(file).name in SHARED_FILES:
            return 0, 0, file
        return (1, spec.era_rank(banks[file].era), file) if file in banks else (2, 0, file)

    files = []
    for file in sorted(catalog.files, key=place):
        problems = catalog.problems_in(file)
        files.append(dict(name=Path(file).name, bank=banks.get(file), problems=problems,
                          errors=sum(p.severity == "error" for p in problems)))
    return render_template("authoring/index.html", files=files, catalog=catalog,
                           reports=reports.open_reports(), resolve_form=PostForm())


@bp.post("/reports/<int(max=2147483647):report_id>/resolve")
@admin_required
def resolve_report(report_id: int) -> Response:
    """Mark a learner's report dealt with."""
    if not PostForm().validate_on_submit():
        abort(400, description="This form could not be read. Go back and try again.")
    reports.resolve(report_id, clock.utcnow())
    return redirect(url_for("authoring.index"))


def _find(catalog, question_id: str):
    for bank in catalog.banks.values():
        for loaded in bank.questions:
            if loaded.model.id == question_id:
                return bank, loaded
    abort(404, description="No valid question has that id. Fix the bank's lint errors first.")


def _model(catalog, loaded):
    # Resolve ordering events exactly as sync will, so the preview is what learners get.
    return spec.QUESTION.validate_python(question_spec(catalog, loaded.model))


@bp.get("/questions/<question_id>")
@admin_required
def preview(question_id: str) -> str:
    """A question exactly as a learner sees it (answers here are graded, never recorded)."""
    catalog = _catalog()
    bank, loaded = _find(catalog, question_id)
    model = _model(catalog, loaded)
    view = question_view(model, question_id=question_id, seq=0, card=None, now=clock.utcnow(),
                         flipped=request.args.get("flip") == "1")
    return render_template("authoring/preview.html", session=None, prompt=None, preview=True,
                           bank=bank, citation=citation(catalog, loaded.model.source),
                           answer_url=url_for("authoring.check", question_id=question_id),
                           flip_url=url_for("authoring.preview", question_id=question_id, flip=1),
                           reports=reports.reports_for(question_id),
                           overrides=reports.overrides_for(question_id), resolve_form=PostForm(),
                           **view)


@bp.post("/questions/<question_id>")
@admin_required
def check(question_id: str) -> str | tuple[str, int]:
    """The feedback a learner would get for the posted answer."""
    catalog = _catalog()
    bank, loaded = _find(catalog, question_id)
    model = _model(catalog, loaded)
    if not AnswerForm().validate_on_submit():
        abort(400, description="This answer could not be read. Go back and try again.")
    response = read_response(model, request.form)
    try:
        if isinstance(model, spec.Flashcard):
            grade = grading.grade_flashcard(model, grading.Rating(int(response or 0)))
        else:
            grade = grading.grade(model, response)
    except (grading.InvalidResponse, ValueError) as exc:
        message = str(exc) if isinstance(exc, grading.InvalidResponse) else "Rate the card."
        view = question_view(model, question_id=question_id, seq=0, card=None,
                             now=clock.utcnow(), flipped=isinstance(model, spec.Flashcard))
        return render_template(
            "study/question.html", session=None, prompt=None, preview=True, bank=bank,
            citation=citation(catalog, loaded.model.source), error=message,
            answer_url=url_for("authoring.check", question_id=question_id),
            flip_url=url_for("authoring.preview", question_id=question_id, flip=1), **view), 422
    return render_template("study/feedback.html", session=None, model=model, grade=grade,
                           citation=citation(catalog, loaded.model.source), next_in=None,
                           preview=True, continue_url=url_for("authoring.index"))

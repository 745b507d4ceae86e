"""Class pages: a teacher's classes, gradebook and question statistics; joining and leaving
for learners; the admin's page of roles."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from quiz.authoring.views import admin_required
from quiz.classes import gradebook as grades
from quiz.classes import service, statistics
from quiz.classes.forms import AssignmentForm, ClassForm, JoinForm, TeacherForm
from quiz.core import clock
from quiz.extensions import db
from quiz.forms import PostForm
from quiz.models import Assignment, SchoolClass
from quiz.study import sessions

bp = Blueprint("classes", __name__)
MAX_ID = "int(max=2147483647)"


def _taught(class_id: int) -> SchoolClass:
    school_class = service.own_class(current_user, class_id)
    if school_class is None:
        abort(404)  # another teacher's class is as good as missing
    return school_class


def _require_post_form() -> None:
    if not PostForm().validate_on_submit():
        abort(400, description="This form could not be read. Go back and try again.")


def _local(moment: datetime | None) -> datetime | None:
    """A wall-clock time the teacher typed, as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=clock.zone(current_user.time_zone)).astimezone(UTC)


@bp.route("/classes", methods=["GET", "POST"])
@login_required
def index() -> str | WerkzeugResponse | tuple[str, int]:
    """The classes you teach (and a form to create one) and the classes you are in."""
    form = ClassForm()
    if request.method == "POST":
        if not current_user.is_teacher:
            abort(403, description="Only teachers can create classes.")
        if form.validate_on_submit():
            school_class = service.create_class(current_user, form.name.data, clock.utcnow())
            return redirect(url_for("classes.show", class_id=school_class.id))
    return render_template("classes/index.html", form=form, join_form=JoinForm(),
                           teaching=service.taught_by(current_user),
                           joined=service.classes_of(current_user)), 422 if form.errors else 200


@bp.route("/join", methods=["GET", "POST"])
@bp.route("/join/<code>", methods=["GET", "POST"])
@login_required
def join(code: str | None = None) -> str | WerkzeugResponse | tuple[str, int]:
    """The join page: which class, who teaches it and exactly what the teacher will see; the
    learner confirms with a POST."""
    code = code or request.args.get("code") or request.form.get("code") or ""
    school_class = service.by_code(code) if code else None
    if school_class is None:
        status = 404 if code else 200
        return render_template("classes/join.html", school_class=None, code=code,
                               join_form=JoinForm(code=code), form=PostForm()), status
    if request.method == "POST":
        _require_post_form()
        try:
            service.join(current_user, school_class, clock.utcnow())
        except service.Refused as exc:
            flash(str(exc), "error")
            return redirect(url_for("classes.index"))
        flash(f"You joined {school_class.name}.", "info")
        return redirect(url_for("study.home"))
    return render_template("classes/join.html", school_class=school_class,
                           code=school_class.join_code, form=PostForm(),
                           member=service.is_member(current_user, school_class.id))


@bp.post(f"/classes/<{MAX_ID}:class_id>/leave")
@login_required
def leave(class_id: int) -> WerkzeugResponse:
    """Leave a class: its teacher no longer sees anything of yours."""
    _require_post_form()
    if not service.leave(current_user, class_id):
        abort(404)
    flash("You left the class.", "info")
    return redirect(url_for("classes.index"))


@bp.get(f"/classes/<{MAX_ID}:class_id>")
@login_required
def show(class_id: int) -> str:
    """A class as its teacher sees it: code and link, learners, assignments and a form to add
    one."""
    school_class = _taught(class_id)
    return render_template("classes/show.html", school_class=school_class,
                           learners=service.members(school_class),
                           form=_assignment_form(), post=PostForm())


def _assignment_form() -> AssignmentForm:
    form = AssignmentForm()
    form.bank_ids.choices = [(bank.id, bank.title) for bank in sessions.live_banks()]
    return form


@bp.post(f"/classes/<{MAX_ID}:class_id>/assignments")
@login_required
def assign(class_id: int) -> str | WerkzeugResponse | tuple[str, int]:
    """Add an assignment to the class."""
    school_class = _taught(class_id)
    form = _assignment_form()
    if form.validate_on_submit():
        try:
            service.add_assignment(
                school_class, kind=form.kind.data, title=form.title.data,
                bank_ids=form.bank_ids.data or [], eras=form.eras.data or [],
                tags=form.tags.data or [], target_day=form.target_day.data,
                length=form.length.data, time_limit_s=form.time_limit.data * 60 or None,
                opens_at=_local(form.opens_at.data), closes_at=_local(form.closes_at.data),
                attempts=form.attempts.data, now=clock.utcnow())
        except service.Refused as exc:
            form.title.errors.append(str(exc))
        else:
            flash("Assignment added.", "info")
            return redirect(url_for("classes.show", class_id=class_id))
    return render_template("classes/show.html", school_class=school_class,
                           learners=service.members(school_class), form=form,
                           post=PostForm()), 422


@bp.post(f"/classes/<{MAX_ID}:class_id>/code")
@login_required
def rotate(class_id: int) -> WerkzeugResponse:
    """Replace the join code: the old code and link stop working."""
    school_class = _taught(class_id)
    _require_post_form()
    service.rotate_code(school_class)
    flash("New join code made; the old one no longer works.", "info")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.post(f"/classes/<{MAX_ID}:class_id>/archive")
@login_required
def archive(class_id: int) -> WerkzeugResponse:
    """Archive the class: nobody can join; learners no longer see its assignments."""
    school_class = _taught(class_id)
    _require_post_form()
    service.archive(school_class, clock.utcnow())
    return redirect(url_for("classes.show", class_id=class_id))


@bp.post(f"/classes/<{MAX_ID}:class_id>/learners/<{MAX_ID}:user_id>/remove")
@login_required
def remove(class_id: int, user_id: int) -> WerkzeugResponse:
    """Take a learner out of the class."""
    school_class = _taught(class_id)
    _require_post_form()
    if not service.remove_member(school_class, user_id):
        abort(404)
    flash("Learner removed from the class.", "info")
    return redirect(url_for("classes.show", class_id=class_id))


@bp.get(f"/classes/<{MAX_ID}:class_id>/gradebook")
@login_required
def gradebook(class_id: int) -> str:
    """Learners against assignments, sortable by any column."""
    school_class = _taught(class_id)
    sort, descending = request.args.get("sort", "learner"), request.args.get("desc") == "1"
    book = grades.gradebook(school_class, clock.utcnow(), sort=sort, descending=descending)
    return render_template("classes/gradebook.html", book=book, sort=sort,
                           descending=descending)


@bp.get(f"/classes/<{MAX_ID}:class_id>/gradebook.csv")
@login_required
def gradebook_csv(class_id: int) -> Response:
    """The gradebook as a CSV file."""
    school_class = _taught(class_id)
    text = grades.csv_text(grades.gradebook(school_class, clock.utcnow()))
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="class-{class_id}-gradebook.csv"'})


@bp.get(f"/classes/<{MAX_ID}:class_id>/learners/<{MAX_ID}:user_id>")
@login_required
def learner(class_id: int, user_id: int) -> str:
    """One learner's progress on what this class covers, and nothing else of theirs."""
    school_class = _taught(class_id)
    view = grades.learner_view(school_class, user_id, clock.utcnow())
    if view is None:
        abort(404)
    return render_template("classes/learner.html", school_class=school_class, view=view)


@bp.get(f"/classes/<{MAX_ID}:class_id>/assignments/<{MAX_ID}:assignment_id>/statistics")
@login_required
def assignment_statistics(class_id: int, assignment_id: int) -> str:
    """Facility, discrimination, common wrong answers and lapse rate of each question."""
    school_class = _taught(class_id)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != school_class.id:
        abort(404)
    return render_template("classes/statistics.html", school_class=school_class,
                           report=statistics.report(assignment))


@bp.post(f"/assignments/<{MAX_ID}:assignment_id>/attempts")
@login_required
def start_test(assignment_id: int) -> WerkzeugResponse:
    """Start an attempt at an assigned test (the practice test pages take it from there)."""
    _require_post_form()
    try:
        session = service.start_test(current_user, assignment_id, clock.utcnow())
    except LookupError:
        abort(404)
    except service.Refused as exc:
        flash(str(exc), "error")
        return redirect(url_for("study.home"))
    return redirect(url_for("study.show", session_id=session.id))


@bp.post(f"/assignments/<{MAX_ID}:assignment_id>/plan")
@login_required
def plan(assignment_id: int) -> WerkzeugResponse:
    """Plan the learner's reviews for an assignment's target date (their exam plan)."""
    _require_post_form()
    try:
        assignment = service.plan_for(current_user, assignment_id, clock.utcnow())
    except LookupError:
        abort(404)
    except service.Refused as exc:
        flash(str(exc), "error")
        return redirect(url_for("study.home"))
    flash(f"Your exam plan now aims at {assignment.title} on "
          f"{assignment.target_day.isoformat()}: reviews its banks need are being brought "
          "forward.", "success")
    return redirect(url_for("study.home"))


@bp.route("/admin/teachers", methods=["GET", "POST"])
@admin_required
def teachers() -> str | WerkzeugResponse | tuple[str, int]:
    """The teachers, and a form to grant or revoke the role by e-mail address (no list of
    every account: an admin has no need to browse learners)."""
    form = TeacherForm()
    if form.validate_on_submit():
        user = service.account(form.email.data)
        if user is None:
            form.email.errors.append("No account has that e-mail address.")
        else:
            service.set_teacher(user, form.teacher.data == "grant", by=current_user.email)
            flash(f"{user.email} is {'now' if user.is_teacher else 'no longer'} a teacher.",
                  "info")
            return redirect(url_for("classes.teachers"))
    return render_template("classes/teachers.html", teachers=service.teachers(),
                           form=form), 422 if form.errors else 200

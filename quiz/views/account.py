"""Your data: export the review log and everything else, import an export, delete the account."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response as BaseResponse

from quiz import account, clock
from quiz.extensions import csrf
from quiz.forms import DeleteAccountForm, ImportForm

bp = Blueprint("account", __name__, url_prefix="/account")


def _page(*, import_form: ImportForm | None = None, delete_form: DeleteAccountForm | None = None,
          import_error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("account/index.html", holdings=account.holdings(current_user),
                           import_form=import_form or ImportForm(),
                           delete_form=delete_form or DeleteAccountForm(),
                           import_error=import_error,
                           max_megabytes=account.MAX_IMPORT_BYTES // (1024 * 1024)), status


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """The learner's data: what the account holds, export links, import and delete forms."""
    return _page()


@bp.get("/reviews.csv")
@login_required
def reviews_csv() -> Response:
    """The review log as CSV, in the columns FSRS optimisers read."""
    return Response(account.reviews_csv(current_user), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="pivot-reviews.csv"'})


@bp.get("/export.json")
@login_required
def export_json() -> Response:
    """Everything of the learner's as one JSON file, importable into a fresh account."""
    now = clock.utcnow()
    name = f"pivot-export-{now:%Y-%m-%d}.json"
    return Response(account.export_json(current_user, now), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/import")
@csrf.exempt  # checked in the view, once the upload limit has been raised
@login_required
def import_data() -> BaseResponse | tuple[str, int]:
    """Load an uploaded export into this account (which must not have studied yet)."""
    # An export outgrows the app-wide request limit, and the global CSRF check would read
    # (and refuse) the body before this view could raise it: so the same check runs here.
    request.max_content_length = account.MAX_IMPORT_BYTES + 64 * 1024
    csrf.protect()
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(import_form=form, status=400)
    try:
        report = account.import_data(current_user,
                                     form.file.data.read(account.MAX_IMPORT_BYTES + 1))
    except account.ImportRefused as refusal:
        return _page(import_form=form, import_error=str(refusal), status=refusal.status)
    message = (f"Imported {report.cards} cards, {report.reviews} answers and {report.sessions} "
               "sessions.")
    if report.skipped_questions:
        message += (f" Skipped {report.skipped_questions} questions that no longer exist (with "
                    f"{report.skipped_reviews} answers).")
    flash(message, "success")
    return redirect(url_for("account.index"))


@bp.post("/delete")
@login_required
def delete() -> BaseResponse | tuple[str, int]:
    """Delete the account and all its data, given the current password; then sign out."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if account.delete_account(current_user._get_current_object(), form.password.data):
            logout_user()
            flash("Your account and all its data have been deleted.", "success")
            return redirect(url_for("home.index"))
        form.password.errors.append("That is not your password. Nothing was deleted.")
    return _page(delete_form=form, status=422)

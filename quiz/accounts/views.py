"""Account pages: sign up, in and out, passwords and their reset, settings, the learner's data."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from quiz import jobs
from quiz.accounts import data, export, imports, limits, reset, service, signin
from quiz.accounts.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ImportForm,
    LoginForm,
    ResetPasswordForm,
    ResetRequestForm,
    SettingsForm,
    SignupForm,
)
from quiz.core import clock
from quiz.extensions import csrf
from quiz.forms import PostForm
from quiz.study import tuning

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _status(form: FlaskForm) -> int:
    return 422 if form.errors else 200


def _external_url(endpoint: str, **values: str) -> str:
    # Links that leave the site (in mail) use the configured address when there is one: the
    # Host header is the sender's to choose.
    base = current_app.config["BASE_URL"]
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


@bp.route("/signup", methods=["GET", "POST"])
@limits.signup
def signup() -> str | BaseResponse | tuple[str, int]:
    """Create an account and sign in."""
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = service.create_account(form.email.data, form.password.data,
                                          time_zone=form.chosen_time_zone)
        except service.EmailTaken:
            # Said only under the sign-up rate limit, which counts this answer.
            form.email.errors.append("An account with this email already exists. Sign in "
                                     "instead.")
            return render_template("accounts/signup.html", form=form), 409
        signin.sign_in(user, remember=False)
        flash("Welcome to Pivot. Pick a bank to start studying.", "success")
        return redirect(url_for("study.home"))
    return render_template("accounts/signup.html", form=form), _status(form)


@bp.route("/login", methods=["GET", "POST"])
@limits.signin
def login() -> str | BaseResponse | tuple[str, int]:
    """Sign in, then go back to where the learner was heading."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is not None:
            signin.sign_in(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data) or url_for("study.home"))
        form.password.errors.append("Wrong email or password.")
    return render_template("accounts/login.html", form=form), _status(form)


@bp.route("/password-reset", methods=["GET", "POST"])
@limits.reset
def reset_request() -> BaseResponse | tuple[str, int]:
    """Ask for a password reset link by mail: the answer is the same whether or not the
    address has an account."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        reset.send_link(form.email.data,
                        link=lambda token: _external_url("accounts.reset_password", token=token))
        flash(f"If an account uses {form.email.data}, a link to choose a new password is on its "
              "way to it. The link works once, for an hour.", "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form), _status(form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> BaseResponse | tuple[str, int]:
    """Choose a new password through the link of a reset mail, then go in."""
    user = reset.holder(token, clock.utcnow())
    if user is None:
        return render_template("accounts/reset_password.html", form=None), 404
    form = ResetPasswordForm(user.email)
    if form.validate_on_submit():
        if not signin.reset_password(token, form.password.data):
            return render_template("accounts/reset_password.html", form=None), 404
        flash("Your password is changed, and every other browser is signed out.", "success")
        return redirect(url_for("study.home"))
    return render_template("accounts/reset_password.html", form=form), _status(form)


@bp.post("/logout")
@login_required
def logout() -> BaseResponse:
    """Sign out: this browser's session ends on the server too, wherever its cookie went."""
    if PostForm().validate_on_submit():
        signin.sign_out()
        flash("You are signed out.", "info")
    return redirect(url_for("study.home"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | BaseResponse | tuple[str, int]:
    """Show and save the learner's settings, with their FSRS parameters and workload."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        job = service.save_settings(current_user, form.data)
        flash("Settings saved." + (" Your cards are being rescheduled." if job else ""),
              "success")
        return redirect(url_for("accounts.settings"))
    return render_template("accounts/settings.html", form=form, end_form=PostForm(),
                           tuning=tuning.tuning(current_user), fit_every=tuning.FIT_EVERY,
                           **signin.devices()), _status(form)


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@limits.reauthenticate
def change_password() -> BaseResponse | tuple[str, int]:
    """Change the password, given the current one; every other browser is signed out."""
    form = ChangePasswordForm(current_user.email)
    if form.validate_on_submit():
        if signin.change_password(form.current.data, form.password.data):
            flash("Your password is changed, and every other browser is signed out.", "success")
            return redirect(url_for("accounts.settings"))
        form.current.errors.append("That is not your current password.")
    return render_template("accounts/password.html", form=form), _status(form)


@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
@limits.reauthenticate
def change_email() -> BaseResponse | tuple[str, int]:
    """Change the address the learner signs in with, given their password."""
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            changed = service.change_email(current_user._get_current_object(),
                                           form.password.data, form.email.data)
        except service.EmailTaken:
            form.email.errors.append("Another account uses this address.")
        else:
            if changed:
                flash(f"From now on, sign in with {current_user.email}.", "success")
                return redirect(url_for("accounts.settings"))
            form.password.errors.append("That is not your password.")
    return render_template("accounts/email.html", form=form), _status(form)


@bp.post("/settings/optimize")
@login_required
def optimize() -> BaseResponse:
    """Queue a fit of the learner's FSRS parameters to their answers, and show its progress."""
    if not PostForm().validate_on_submit():
        return redirect(url_for("accounts.settings"))
    job = jobs.pending(current_user, tuning.FIT) or jobs.enqueue(tuning.FIT, current_user)
    return redirect(url_for("accounts.job", job_id=job.id))


@bp.get("/jobs/<int(max=2147483647):job_id>")
@login_required
def job(job_id: int) -> str:
    """How one of the learner's background jobs is doing (refreshes itself until done)."""
    found = jobs.job_for(current_user, job_id)
    if found is None:
        abort(404)
    return render_template("jobs/status.html", job=found)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> BaseResponse:
    """End every session of this account, in this browser and all others."""
    if PostForm().validate_on_submit():
        signin.sign_out_everywhere()
        flash("You are signed out everywhere: every browser must sign in again.", "info")
    return redirect(url_for("study.home"))


def _page(*, import_form: ImportForm | None = None, delete_form: DeleteAccountForm | None = None,
          import_error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("accounts/data.html", holdings=data.holdings(current_user),
                           import_form=import_form or ImportForm(),
                           delete_form=delete_form or DeleteAccountForm(),
                           import_error=import_error,
                           max_megabytes=current_app.config["IMPORT_MAX_UPLOAD"] // 2**20), status


@bp.get("/account")
@login_required
def your_data() -> tuple[str, int]:
    """The learner's data: what the account holds, export links, import and delete forms."""
    return _page()


@bp.get("/account/reviews.csv")
@login_required
def reviews_csv() -> Response:
    """The review log as CSV, in the columns FSRS optimisers read."""
    return Response(stream_with_context(export.reviews_csv(current_user)), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="pivot-reviews.csv"'})


@bp.get("/account/export.json.gz")
@login_required
def export_json() -> Response:
    """Everything of the learner's as one gzip-compressed JSON file, importable into a fresh
    account: streamed as it is read, so a long history costs the server no more memory."""
    now = clock.utcnow()
    name = f"pivot-export-{now:%Y-%m-%d}.json.gz"
    return Response(stream_with_context(export.export_gzip(current_user, now)),
                    mimetype="application/gzip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/account/import")
@csrf.exempt  # checked in the view, once the upload limit has been raised
@login_required
def import_data() -> BaseResponse | tuple[str, int]:
    """Queue an uploaded export for import into this account (which must not have studied
    yet), and show the import's progress."""
    # An export outgrows the app-wide request limit, and the global CSRF check would read
    # (and refuse) the body before this view could raise it: so the same check runs here.
    limit = current_app.config["IMPORT_MAX_UPLOAD"]
    request.max_content_length = limit + 64 * 1024
    csrf.protect()
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(import_form=form, status=400)
    try:
        job = imports.queue_import(current_user, form.file.data.read(limit + 1))
    except data.ImportRefused as refusal:
        return _page(import_form=form, import_error=str(refusal), status=refusal.status)
    return redirect(url_for("accounts.job", job_id=job.id))


@bp.post("/account/delete")
@login_required
@limits.reauthenticate
def delete() -> BaseResponse | tuple[str, int]:
    """Delete the account and all its data, given the current password; then sign out."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if data.delete_account(current_user._get_current_object(), form.password.data):
            signin.sign_out()
            flash("Your account and all its data have been deleted.", "success")
            return redirect(url_for("study.home"))
        form.password.errors.append("That is not your password. Nothing was deleted.")
    return _page(delete_form=form, status=422)

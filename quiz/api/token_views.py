"""Settings → API tokens: list, make (the token is shown once) and revoke personal access
tokens. Pages with CSRF-protected forms, like the rest of Settings."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from quiz.api import tokens
from quiz.core import clock
from quiz.forms import PostForm

bp = Blueprint("tokens", __name__, url_prefix="/settings/tokens")


class TokenForm(FlaskForm):
    """Name a new token after what will use it."""

    name = StringField("Name", description="What will use it, e.g. “my flashcard script”.",
                       validators=[DataRequired(message="Give the token a name."),
                                   Length(max=tokens.NAME_LENGTH)])


def _page(form: TokenForm, *, token: str | None = None, status: int = 200):
    return render_template("api/tokens.html", form=form, token=token,
                           tokens=tokens.live(current_user), revoke_form=PostForm()), status


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    """The learner's live tokens and a form to make one."""
    return _page(TokenForm())


@bp.post("")
@login_required
def create() -> tuple[str, int]:
    """Make a token and show it, this once (only its hash is kept)."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        issued = tokens.create(current_user, form.name.data, clock.utcnow())
    except tokens.TooManyTokens as exc:
        form.name.errors.append(str(exc))
        return _page(form, status=409)
    return _page(TokenForm(formdata=None), token=issued.token, status=201)


@bp.post("/<int(max=2147483647):token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of the learner's tokens: calls with it fail from now on."""
    if not PostForm().validate_on_submit():
        abort(400, description="This form could not be read. Go back and try again.")
    if not tokens.revoke(current_user, token_id, clock.utcnow()):
        abort(404, description="You have no such token.")
    flash("Token revoked: calls with it are refused from now on.", "success")
    return redirect(url_for("tokens.index"))

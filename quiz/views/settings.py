"""A learner's settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from quiz.extensions import db
from quiz.forms import SettingsForm

bp = Blueprint("settings", __name__)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def edit() -> str | Response | tuple[str, int]:
    """Show and save the learner's time zone, daily new limit and desired retention."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        current_user.time_zone = form.time_zone.data
        current_user.new_per_day = form.new_per_day.data
        current_user.desired_retention = form.desired_retention.data
        db.session.commit()
        flash("Settings saved.", "success")
        return redirect(url_for("settings.edit"))
    return render_template("settings.html", form=form), 200 if not form.errors else 422

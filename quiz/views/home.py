"""The home page: every bank, and what today holds for the signed-in learner."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from quiz import clock, study
from quiz.forms import PostForm

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    """List the banks with their size, and due and new counts for a learner."""
    user = current_user if current_user.is_authenticated else None
    return render_template("home.html", banks=study.bank_counts(user, clock.utcnow()),
                           form=PostForm())

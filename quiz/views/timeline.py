"""The timeline page."""

from __future__ import annotations

from flask import Blueprint, render_template

from quiz.timeline import timeline

bp = Blueprint("timeline", __name__)


@bp.get("/timeline")
def index() -> str:
    """Every dated event from 1947 to the present, by era, linked to its questions."""
    return render_template("timeline.html", groups=timeline())

"""The upload form of an Anki review log."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class RevlogForm(FlaskForm):
    """Upload an Anki review log (CSV) into the signed-in account."""

    file = FileField("Review log (.csv)", validators=[
        FileRequired(message="Choose the review log to import.")])

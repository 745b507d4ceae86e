"""Forms shared by every part of the app (Flask-WTF, so every POST carries a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token: buttons that change state (start, end, sign out)."""


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes (one per choice) posting a list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

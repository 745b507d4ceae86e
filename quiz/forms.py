"""Forms (Flask-WTF, so every POST carries a CSRF token) and reading answers from them."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
)
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange
from wtforms.widgets import HiddenInput

from quiz.banks import spec
from quiz.clock import time_zone_names

MIN_PASSWORD = 10


class SignupForm(FlaskForm):
    """Create an account."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Password", validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200,
                               message=f"Use at least {MIN_PASSWORD} characters.")])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])


class LoginForm(FlaskForm):
    """Sign in."""

    email = EmailField("Email", validators=[DataRequired(), Email()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in")
    next = HiddenField()


class SettingsForm(FlaskForm):
    """A learner's preferences."""

    time_zone = SelectField("Time zone", validators=[DataRequired()])
    new_per_day = IntegerField("New questions per day, per bank", validators=[
        InputRequired(), NumberRange(min=0, max=500)])

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(name, name) for name in time_zone_names()]


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token: buttons that change state (start, end, sign out)."""


class AnswerForm(FlaskForm):
    """The fixed part of an answer: which question, the sequence number, when it was shown."""

    question_id = HiddenField(validators=[DataRequired()])
    seq = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])
    shown_at = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def read_response(model: Any, form: MultiDict) -> Any:
    """The learner's response to `model` from the posted fields, in the grader's terms."""
    if isinstance(model, spec.Flashcard):
        return form.get("rating")
    if isinstance(model, spec.MultipleSelect):
        return form.getlist("choice")
    if isinstance(model, (spec.MultipleChoice, spec.TrueFalse)):
        return form.get("choice")
    if isinstance(model, (spec.ShortAnswer, spec.Numeric)):
        return form.get("answer", "")[:500]
    if isinstance(model, spec.Cloze):
        return [form.get(f"gap-{i}", "")[:500] for i in range(len(model.gaps()))]
    if isinstance(model, spec.Ordering):
        return _read_order(model.items or [], form)
    if isinstance(model, spec.Matching):
        return {left: form.get(f"match-{i}", "") for i, left in enumerate(model.pairs)}
    return None


def item_key(item: str) -> str:
    """A field name for an ordering item that does not give away its correct position."""
    return "position-" + hashlib.sha256(item.encode()).hexdigest()[:10]


def _read_order(items: list[str], form: MultiDict) -> list[str]:
    # Without JavaScript each item gets a position number; with it, the page posts `order`
    # (the items in the order the learner arranged them).
    if form.getlist("order"):
        return form.getlist("order")
    ranked = []
    for item in items:
        try:
            ranked.append((int(form.get(item_key(item), "")), item))
        except ValueError:
            return []
    ranked.sort()
    if [rank for rank, _ in ranked] != list(range(1, len(items) + 1)):
        return []  # positions missing or repeated: the grader asks again
    return [item for _, item in ranked]

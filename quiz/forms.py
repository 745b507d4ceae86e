"""Forms (Flask-WTF, so every POST carries a CSRF token) and reading answers from them."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, NumberInput

from quiz.banks import spec
from quiz.clock import is_time_zone, time_zone_names
from quiz.models import MAX_NEW_PER_DAY
from quiz.scheduling import DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION

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

    # validate_time_zone says more than the list's own "Not a valid choice".
    time_zone = SelectField("Time zone", validate_choice=False, validators=[
        DataRequired(message="Pick your time zone from the list.")])
    new_per_day = IntegerField(
        "New questions per day, per bank", widget=NumberInput(min=0, max=MAX_NEW_PER_DAY),
        validators=[InputRequired(message="Enter how many new questions you want per day."),
                    NumberRange(min=0, max=MAX_NEW_PER_DAY,
                                message=f"Enter a whole number from 0 to {MAX_NEW_PER_DAY}.")])
    desired_retention = FloatField(
        "Desired retention", default=DEFAULT_RETENTION,
        widget=NumberInput(min=MIN_RETENTION, max=MAX_RETENTION, step=0.01),
        validators=[InputRequired(message="Enter the share of answers you aim to recall."),
                    NumberRange(min=MIN_RETENTION, max=MAX_RETENTION,
                                message=f"Enter a desired retention from {MIN_RETENTION:.2f} to "
                                        f"{MAX_RETENTION:.2f} (0.90 means 90%%).")])

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(name, name) for name in time_zone_names()]
        # Text where a number belongs: the range message says what to type, so drop the
        # fields' own "Not a valid integer value." rather than show two errors.
        self.new_per_day.process_errors = []
        self.desired_retention.process_errors = []

    def validate_time_zone(self, field: SelectField) -> None:
        """Accept only zone names this server knows (the list can be bypassed by hand)."""
        if not is_time_zone(field.data or ""):
            raise ValidationError("Pick your time zone from the list.")


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
    # Each item's position comes from its numbered select; with JavaScript, dragging or the
    # arrow keys fill those selects in, so one path reads both.
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


class MultiCheckboxField(SelectMultipleField):
    """A set of checkboxes (one per choice) posting a list."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _era_choices() -> list[tuple[str, str]]:
    return [(era, spec.ERA_TITLES[era]) for era in spec.ERAS]


def _tag_choices() -> list[tuple[str, str]]:
    return [(tag, spec.TAG_TITLES[tag]) for tag in spec.TAGS]


class PracticeForm(FlaskForm):
    """Choose eras and themes to practise, off the schedule."""

    eras = MultiCheckboxField("Eras", choices=_era_choices(), validate_choice=True)
    tags = MultiCheckboxField("Themes", choices=_tag_choices(), validate_choice=True)


TEST_LENGTHS = (10, 20, 50)
TIME_LIMITS = ((0, "No time limit"), (5, "5 minutes"), (10, "10 minutes"), (20, "20 minutes"),
               (30, "30 minutes"), (60, "1 hour"))


class TestForm(FlaskForm):
    """Set up a practice test."""

    bank_ids = MultiCheckboxField("Banks", validate_choice=True)
    eras = MultiCheckboxField("Eras", choices=_era_choices(), validate_choice=True)
    tags = MultiCheckboxField("Themes", choices=_tag_choices(), validate_choice=True)
    length = RadioField("Length", choices=[(n, f"{n} questions") for n in TEST_LENGTHS],
                        coerce=int, default=TEST_LENGTHS[0], validators=[InputRequired()])
    time_limit = SelectField("Time limit", choices=TIME_LIMITS, coerce=int, default=0)
    scheduled = BooleanField("Count my answers towards my review schedule")


class ImportForm(FlaskForm):
    """Upload a Pivot export into the signed-in account."""

    file = FileField("Export file (.json)", validators=[
        FileRequired(message="Choose the export file to import.")])


class DeleteAccountForm(FlaskForm):
    """Delete the account: the password proves it is the owner asking."""

    password = PasswordField("Your password", validators=[
        DataRequired(message="Enter your password to delete your account.")])

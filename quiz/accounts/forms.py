"""Account forms: sign up and in, passwords and their reset, settings, the learner's data."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
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
from wtforms.widgets import NumberInput

from quiz.core import passwords
from quiz.core.clock import is_time_zone, time_zone_names
from quiz.core.scheduling import (
    DEFAULT_MAXIMUM_INTERVAL,
    DEFAULT_RETENTION,
    MAX_RETENTION,
    MIN_RETENTION,
    format_steps,
    parse_steps,
)
from quiz.models import MAX_NEW_PER_DAY, MAX_REVIEWS_PER_DAY, StudyOrder


class AcceptablePassword:
    """Refuses a new password that is too short, too long, common, or built from the account's
    address (`quiz.core.passwords`); the address is the form's `email` field, or `email` for
    a form that has none."""

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        email = form.email.data if "email" in form else getattr(form, "account_email", "")
        problem = passwords.weakness(field.data or "", email=email or "")
        if problem:
            raise ValidationError(problem)


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), AcceptablePassword()], description=(
        f"At least {passwords.MIN_LENGTH} characters. A few unrelated words make a strong "
        "password; common ones are refused."))


def _repeat() -> PasswordField:
    return PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])


class SignupForm(FlaskForm):
    """Create an account."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    password = _new_password("Password")
    confirm = _repeat()
    # Filled in by the page's script from the browser's own zone; UTC without JavaScript.
    time_zone = HiddenField(default="UTC", validators=[Length(max=64)])

    @property
    def chosen_time_zone(self) -> str:
        """The browser's zone if this server knows it, else UTC (settings can change it)."""
        zone = self.time_zone.data or ""
        return zone if is_time_zone(zone) else "UTC"


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

    learning_steps = StringField(
        "Learning steps", validators=[Length(max=200, message="Use at most 10 steps.")])
    relearning_steps = StringField(
        "Relearning steps", validators=[Length(max=200, message="Use at most 10 steps.")])
    maximum_interval = IntegerField(
        "Maximum interval (days)", widget=NumberInput(min=1, max=DEFAULT_MAXIMUM_INTERVAL),
        validators=[InputRequired(message="Enter the longest wait between reviews, in days."),
                    NumberRange(min=1, max=DEFAULT_MAXIMUM_INTERVAL,
                                message="Enter a whole number of days from 1 to "
                                        f"{DEFAULT_MAXIMUM_INTERVAL}.")])
    reviews_per_day = IntegerField(
        "Reviews per day, in all", widget=NumberInput(min=0, max=MAX_REVIEWS_PER_DAY),
        validators=[InputRequired(message="Enter how many reviews you want at most a day."),
                    NumberRange(min=0, max=MAX_REVIEWS_PER_DAY,
                                message=f"Enter a whole number from 0 to "
                                        f"{MAX_REVIEWS_PER_DAY}.")])
    study_order = SelectField("New questions come", choices=[
        (StudyOrder.MIXED, "mixed among the day's reviews"),
        (StudyOrder.NEW_FIRST, "before the reviews"),
        (StudyOrder.REVIEWS_FIRST, "after the reviews")])
    leech_threshold = IntegerField(
        "A question becomes a leech when forgotten this many times",
        widget=NumberInput(min=1, max=100),
        validators=[InputRequired(message="Enter after how many lapses a question is a leech."),
                    NumberRange(min=1, max=100, message="Enter a whole number from 1 to 100.")])
    leech_suspends = BooleanField("Suspend leeches automatically (they are always listed)")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(name, name) for name in time_zone_names()]
        self.reviews_per_day.process_errors = []
        self.leech_threshold.process_errors = []
        # Text where a number belongs: the range message says what to type, so drop the
        # fields' own "Not a valid integer value." rather than show two errors.
        self.new_per_day.process_errors = []
        self.desired_retention.process_errors = []
        self.maximum_interval.process_errors = []

    def validate_learning_steps(self, field: StringField) -> None:
        """Steps as Anki writes them: "1m 10m"; stored in that form."""
        field.data = self._steps(field.data)

    def validate_relearning_steps(self, field: StringField) -> None:
        """Relearning steps, which may be none (a lapse then waits FSRS's interval)."""
        field.data = self._steps(field.data)

    @staticmethod
    def _steps(text: str | None) -> str:
        try:
            return format_steps(parse_steps(text or ""))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def validate_time_zone(self, field: SelectField) -> None:
        """Accept only zone names this server knows (the list can be bypassed by hand)."""
        if not is_time_zone(field.data or ""):
            raise ValidationError("Pick your time zone from the list.")


class ImportForm(FlaskForm):
    """Upload a Pivot export into the signed-in account."""

    file = FileField("Export file (.json.gz or .json)", validators=[
        FileRequired(message="Choose the export file to import.")])


class DeleteAccountForm(FlaskForm):
    """Delete the account: the password proves it is the owner asking."""

    password = PasswordField("Your password", validators=[
        DataRequired(message="Enter your password to delete your account.")])


class ChangePasswordForm(FlaskForm):
    """Choose a new password, proving it is the owner by typing the current one."""

    current = PasswordField("Current password", validators=[
        DataRequired(message="Enter your current password.")])
    password = _new_password("New password")
    confirm = _repeat()

    def __init__(self, account_email: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ChangeEmailForm(FlaskForm):
    """Sign in with another address from now on; the password proves it is the owner."""

    email = EmailField("New email", validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField("Your password", validators=[
        DataRequired(message="Enter your password to change your email.")])


class ResetRequestForm(FlaskForm):
    """Ask for a password reset link."""

    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    """Choose a new password through a reset link."""

    password = _new_password("New password")
    confirm = _repeat()

    def __init__(self, account_email: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.account_email = account_email

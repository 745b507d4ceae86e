"""Class forms: a class's name, a join code, an assignment, a learner's role."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quiz.banks import spec
from quiz.forms import MultiCheckboxField
from quiz.models import AssignmentKind


class ClassForm(FlaskForm):
    """Create a class."""

    name = StringField("Class name", validators=[
        DataRequired(message="Name the class."), Length(max=100)])


class JoinForm(FlaskForm):
    """Join a class with its code."""

    code = StringField("Join code", validators=[
        DataRequired(message="Enter the code your teacher gave you."), Length(max=32)])


class AssignmentForm(FlaskForm):
    """Set a class banks to study or a practice test."""

    kind = RadioField("What to assign", choices=[
        (AssignmentKind.BANKS, "Banks to study"), (AssignmentKind.TEST, "A practice test")],
        default=AssignmentKind.BANKS, validators=[InputRequired()])
    title = StringField("Title", validators=[DataRequired(message="Give it a title."),
                                             Length(max=200)])
    bank_ids = MultiCheckboxField("Banks", validate_choice=True)
    eras = MultiCheckboxField("Eras", choices=[(e, spec.ERA_TITLES[e]) for e in spec.ERAS],
                              validate_choice=True)
    tags = MultiCheckboxField("Themes", choices=[(t, spec.TAG_TITLES[t]) for t in spec.TAGS],
                              validate_choice=True)
    target_day = DateField("Target date (banks, optional)", validators=[Optional()])
    length = IntegerField("Questions (test)", default=10,
                          validators=[InputRequired(), NumberRange(min=1, max=100)])
    time_limit = IntegerField("Time limit in minutes (test, 0: none)", default=0,
                              validators=[InputRequired(), NumberRange(min=0, max=600)])
    opens_at = DateTimeLocalField("Opens (test, optional, your time)", format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField("Closes (test, optional, your time)",
                                   format="%Y-%m-%dT%H:%M", validators=[Optional()])
    attempts = IntegerField("Attempts allowed (test)", default=1,
                            validators=[InputRequired(), NumberRange(min=1, max=20)])


class TeacherForm(FlaskForm):
    """Grant or revoke the teacher role."""

    email = StringField("E-mail address", validators=[
        DataRequired(message="Enter the account's e-mail address."), Length(max=254)])
    teacher = RadioField("Teacher role", choices=[("grant", "Grant"), ("revoke", "Revoke")],
                         default="grant", validators=[InputRequired()])

"""Study forms: an answer with its sequence number, practice and test set-up, and reading a
response from the posted fields."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from itsdangerous import Signer
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput, NumberInput

from quiz.banks import spec
from quiz.core.scheduling import MAX_RETENTION, MIN_RETENTION
from quiz.forms import MultiCheckboxField
from quiz.models import ProblemKind


class AnswerForm(FlaskForm):
    """The fixed part of an answer: which question, the sequence number, when it was shown, and
    the signature that proves the session offered that question at that number."""

    question_id = HiddenField(validators=[DataRequired(), Length(max=100)])
    seq = IntegerField(widget=HiddenInput(), validators=[
        InputRequired(), NumberRange(min=0, max=2**31 - 1)])
    shown_at = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    offer = HiddenField(validators=[Length(max=100)])


@dataclass(frozen=True)
class AnswerFields:
    """The hidden values a question page's answer form carries, for `AnswerForm` to read back.
    The page writes them itself (templates/study/_answer_fields.html): building a WTForms form
    for four hidden values cost more than the rest of the form."""

    question_id: str
    seq: int
    shown_at: int
    offer: str


def _offer_signer() -> Signer:
    return Signer(current_app.secret_key, salt="pivot-offer", digest_method=hashlib.sha256)


def sign_offer(session_id: int, question_id: str, seq: int) -> str:
    """The signature a question page carries: this session offered `question_id` at `seq`.

    An answer (or a flip of a flashcard) must carry it back, so a session records only what it
    actually asked: a hand-made post for a question it never offered, or for one it already
    asked, is refused. It binds the answer count, so it is worth nothing once used."""
    return _offer_signer().get_signature(f"{session_id}:{question_id}:{seq}").decode()


def check_offer(signature: str | None, session_id: int, question_id: str, seq: int) -> bool:
    """Whether `signature` is `sign_offer` of exactly these values."""
    return bool(signature) and _offer_signer().verify_signature(
        f"{session_id}:{question_id}:{seq}".encode(), (signature or "").encode())


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


class ProblemForm(FlaskForm):
    """Report a problem with a question to its authors."""

    kind = RadioField("What is wrong?", choices=list(ProblemKind.TITLES.items()),
                      validators=[InputRequired(message="Choose what kind of problem it is.")])
    comment = TextAreaField("Tell us more (optional)", validators=[
        Length(max=2000, message="Keep it under 2,000 characters.")])
    # The answer the report is about, when it comes from an answer's feedback.
    review_id = IntegerField(widget=HiddenInput(), validators=[
        Optional(), NumberRange(min=1, max=2**31 - 1)])
    next = HiddenField(validators=[Length(max=500)])


class ExamForm(FlaskForm):
    """An exam to study towards: its day, its banks and the recall wanted on the day."""

    day = DateField("Exam day", validators=[InputRequired(message="Enter the day of the exam.")])
    bank_ids = MultiCheckboxField("Banks it covers", validate_choice=True)
    target = FloatField("Recall to aim for on the day", widget=NumberInput(
        min=MIN_RETENTION, max=MAX_RETENTION, step=0.01), validators=[
        Optional(), NumberRange(min=MIN_RETENTION, max=MAX_RETENTION,
                                message=f"Enter a share from {MIN_RETENTION:.2f} to "
                                        f"{MAX_RETENTION:.2f}, or leave it empty.")])

"""A learner's scheduling policy: their FSRS parameters and settings, as `quiz.core.scheduling`
takes them, and the fuzz seed that makes a preview equal the answer it previews."""

from __future__ import annotations

from quiz.core import scheduling
from quiz.core.scheduling import DEFAULT_PARAMETERS, Policy
from quiz.models import User


def parameters_of(user: User) -> tuple[float, ...]:
    """The FSRS parameters in use for `user`: fitted ones, or the defaults."""
    return tuple(user.fsrs_parameters) if user.fsrs_parameters else DEFAULT_PARAMETERS


def policy_for(user: User, *, fuzzing: bool, seed: str = "") -> Policy:
    """The scheduling settings of `user`; `seed` fixes the fuzz of one card's answer."""
    return Policy(desired_retention=user.desired_retention, parameters=parameters_of(user),
                  learning_steps=scheduling.parse_steps(user.learning_steps),
                  relearning_steps=scheduling.parse_steps(user.relearning_steps),
                  maximum_interval=user.maximum_interval, time_zone=user.time_zone,
                  fuzzing=fuzzing, fuzz_seed=seed)


def fuzz_seed(user: User, question_id: str, answers: int) -> str:
    """The fuzz seed of the learner's answer number `answers` to a question (Anki seeds by
    card and answer count), the same for the preview and the answer."""
    return f"{user.id}:{question_id}:{answers}"

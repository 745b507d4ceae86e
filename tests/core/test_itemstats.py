"""Moodle-style question statistics, on score matrices small enough to check by hand."""

import pytest

from quiz.core import itemstats


def test_facility_is_the_mean_score_over_units_that_answered():
    stats = itemstats.item_statistics({"a": {"q1": 1.0, "q2": 0.0}, "b": {"q1": 0.5},
                                       "c": {"q1": 0.0, "q2": 1.0}})
    assert stats["q1"].facility == pytest.approx(0.5)
    assert stats["q1"].answered == 3
    assert stats["q2"].facility == pytest.approx(0.5)


def test_a_question_the_strong_get_right_discriminates_and_one_they_get_wrong_does_not():
    # q1 is right for those who do well on the rest; q2 only for those who do badly.
    matrix = {
        "strong": {"q1": 1.0, "q2": 0.0, "q3": 1.0, "q4": 1.0, "q5": 1.0},
        "good": {"q1": 1.0, "q2": 0.0, "q3": 1.0, "q4": 1.0, "q5": 0.0},
        "weak": {"q1": 0.0, "q2": 1.0, "q3": 0.0, "q4": 1.0, "q5": 0.0},
        "weakest": {"q1": 0.0, "q2": 1.0, "q3": 0.0, "q4": 0.0, "q5": 0.0},
    }
    stats = itemstats.item_statistics(matrix)
    assert stats["q1"].discrimination > 0.7
    assert stats["q2"].discrimination < -0.7
    assert stats["q1"].facility == 0.5


def test_discrimination_is_blank_with_too_few_units_or_no_spread():
    assert itemstats.item_statistics({"a": {"q1": 1, "q2": 0},
                                      "b": {"q1": 0, "q2": 1}})["q1"].discrimination is None
    everyone_right = {unit: {"q1": 1.0, "q2": float(unit)} for unit in range(5)}
    assert itemstats.item_statistics(everyone_right)["q1"].discrimination is None


def test_correlation_matches_a_hand_computation():
    assert itemstats.correlation([1, 2, 3], [2, 4, 7]) == pytest.approx(0.9933992677987828)


def test_lapse_rate_and_mean_have_no_value_without_data():
    assert itemstats.lapse_rate(3, 12) == 0.25
    assert itemstats.lapse_rate(0, 0) is None
    assert itemstats.mean([]) is None


def test_common_wrong_answers_merge_case_and_spaces_and_rank_by_count():
    answers = [("Moscow", 2), ("moscow ", 1), ("Kabul", 3), ("Delhi", 1), ("", 5), ("Agra", 1)]
    assert itemstats.common_wrong(answers) == [("Kabul", 3), ("Moscow", 3), ("Agra", 1)]

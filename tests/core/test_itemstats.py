"""Moodle-style question statistics, on score matrices small enough to check by hand."""

import pytest

from quiz.core import itemstats


def item_statistics(matrix):
    """Each question's statistics from a score matrix (unit -> question -> score), its
    moments added up here as the database adds them up for the class pages."""
    totals = {unit: (sum(scores.values()), len(scores)) for unit, scores in matrix.items()}
    sums = {}
    for unit, scores in matrix.items():
        total, count = totals[unit]
        for question, x in scores.items():
            m = sums.setdefault(question, [0, 0.0, 0, 0.0, 0.0, 0.0, 0.0, 0.0])
            m[0] += 1
            m[1] += x
            if count > 1:
                y = (total - x) / (count - 1)
                for i, value in enumerate((1, x, y, x * x, y * y, x * y), start=2):
                    m[i] += value
    return {q: itemstats.item_stats(itemstats.Moments(*m)) for q, m in sums.items()}


def test_facility_is_the_mean_score_over_units_that_answered():
    stats = item_statistics({"a": {"q1": 1.0, "q2": 0.0}, "b": {"q1": 0.5},
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
    stats = item_statistics(matrix)
    assert stats["q1"].discrimination > 0.7
    assert stats["q2"].discrimination < -0.7
    assert stats["q1"].facility == 0.5


def test_discrimination_is_blank_with_too_few_units_or_no_spread():
    assert item_statistics({"a": {"q1": 1, "q2": 0},
                                      "b": {"q1": 0, "q2": 1}})["q1"].discrimination is None
    everyone_right = {unit: {"q1": 1.0, "q2": float(unit)} for unit in range(5)}
    assert item_statistics(everyone_right)["q1"].discrimination is None


def test_discrimination_is_pearsons_r_of_score_and_rest_of_test():
    # Three units: scores on q1 of 0, 0.5 and 1 against rests of 0.25, 0.5 and 1 (q2 alone).
    stats = item_statistics({"a": {"q1": 0.0, "q2": 0.25}, "b": {"q1": 0.5, "q2": 0.5},
                             "c": {"q1": 1.0, "q2": 1.0}})
    assert stats["q1"].discrimination == pytest.approx(0.9819805060619657)


def test_lapse_rate_and_mean_have_no_value_without_data():
    assert itemstats.lapse_rate(3, 12) == 0.25
    assert itemstats.lapse_rate(0, 0) is None
    assert itemstats.item_stats(itemstats.Moments(0, 0.0)).facility is None


def test_common_wrong_answers_merge_case_and_spaces_and_rank_by_count():
    answers = [("Moscow", 2), ("moscow ", 1), ("Kabul", 3), ("Delhi", 1), ("", 5), ("Agra", 1)]
    assert itemstats.common_wrong(answers) == [("Kabul", 3), ("Moscow", 3), ("Agra", 1)]

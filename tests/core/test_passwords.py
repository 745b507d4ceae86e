"""The password policy: length, common passwords, and nothing built from the address or app."""

import pytest

from quiz.core.passwords import (
    COMMON,
    MAX_LENGTH,
    MIN_LENGTH,
    PERSONAL,
    TOO_LONG,
    TOO_SHORT,
    common_passwords,
    weakness,
)

EMAIL = "Ayesha.Khan@example.org"


@pytest.mark.parametrize("password", ["password12", "1234567890", "Password123!", "qwertyuiop",
                                      "iloveyou12", "  PAKISTAN1947  ", "!!monkey2024"])
def test_common_passwords_and_their_usual_decorations_are_refused(password):
    assert weakness(password, email=EMAIL) == COMMON


@pytest.mark.parametrize("password", ["ayesha.khan@example.org", "Ayesha.Khan2026!",
                                      "my ayesha.khan@example.org key", "PIVOT-2026-!!",
                                      "ayesha.khan1234"])
def test_the_address_its_local_part_and_the_apps_name_are_refused(password):
    assert weakness(password, email=EMAIL) == PERSONAL


def test_length_is_at_least_ten_and_at_most_a_thousand_characters_with_its_own_message():
    assert weakness("x" * (MIN_LENGTH - 1)) == TOO_SHORT == "Use at least 10 characters."
    assert weakness("Tashkent 1966 " * 71) is None  # 994 characters
    assert weakness("y" * (MAX_LENGTH + 1)) == TOO_LONG == "Use at most 1,000 characters."


@pytest.mark.parametrize("password", ["correct horse battery", "Tashkent-1966-accord",
                                      "8402739165", "ayesha loves the archive", "Ayesha!12"
                                      "trains at dawn"])
def test_long_uncommon_passwords_and_passphrases_are_accepted(password):
    assert weakness(password, email=EMAIL) is None


def test_the_shipped_list_is_the_lowercased_common_password_list():
    passwords = common_passwords()
    assert len(passwords) == 19640
    assert {"password", "123456", "qwerty"} <= passwords
    assert all(word == word.lower() for word in passwords)

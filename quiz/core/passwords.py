"""What makes a password acceptable: long enough, not absurdly long, and not one guessers try first.

Length is what makes a password hard to guess, so any characters go and long passphrases are
welcome. What is refused is what a guesser tries first (NIST SP 800-63B, OWASP ASVS 5.0 6.2):
the 19,640 most common passwords (the list Django ships, see `common-passwords.LICENSE`), the
same with digits or symbols stuck on either end ("Password123!"), and passwords built from the
learner's own e-mail address or the app's name. No network call is made.
"""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

MIN_LENGTH = 10
# Long enough for any passphrase; short enough that hashing it costs nothing extra.
MAX_LENGTH = 1000
APP_NAME = "pivot"
COMMON_LIST = Path(__file__).with_name("common-passwords.txt.gz")

TOO_SHORT = f"Use at least {MIN_LENGTH} characters."
TOO_LONG = f"Use at most {MAX_LENGTH:,} characters."
COMMON = ("This is one of the passwords guessers try first. Choose another: a few unrelated "
          "words make a strong one.")
PERSONAL = "Don't build your password from your email address or the name of this app."


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercased."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def _core(password: str) -> str:
    # "Password123!" and "!!monkey2024" are a common word with the usual decorations.
    return password.lower().strip(" 0123456789!@#$%^&*()-_=+.,;:?/\\|'\"`~[]{}<>")


def weakness(password: str, *, email: str = "") -> str | None:
    """Why `password` will not do for the account of `email` (a message for the learner), or
    None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    lowered, core = password.lower().strip(), _core(password)
    email = email.strip().lower()
    personal = {APP_NAME, email, email.partition("@")[0]} - {""}
    if lowered in personal or core in personal or (email and email in lowered):
        return PERSONAL
    if lowered in common_passwords() or core in common_passwords():
        return COMMON
    return None

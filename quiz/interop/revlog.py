"""An Anki review log read from CSV, strictly, for Pivot to take in. Pure.

The columns are those FSRS tools read (the FSRS optimiser's review log schema): `card_id`,
`review_time` (milliseconds since the epoch, or ISO 8601 with its offset), `review_rating`
(1 Again to 4 Easy; 0, Anki's manual rescheduling, is no answer and is passed over),
`review_state` (0 new, 1 learning, 2 review, 3 relearning) and `review_duration` (ms).
Anki's own revlog column names are read too: `id`, `cid`, `ease`, `type` (Anki's kinds: 0
learning, 1 review, 2 relearning, 3 filtered; 4 manual and 5 rescheduled are no answers) and
`time`. A row names its question by `question_id` (Pivot's own review log has it), by
`note_guid`, or by `card_id` alone: Pivot's packages give each card an id made from its
question id, which Anki keeps.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from quiz.core.scheduling import Phase
from quiz.interop.csv_in import RowError

MAX_BYTES = 5 * 1024 * 1024
MAX_ERRORS_SHOWN = 10
MAX_DURATION_MS = 10 * 60 * 1000  # as the answer path caps it
EARLIEST = datetime(2006, 1, 1, tzinfo=UTC)  # before Anki: no review log is older
OPTIMISER = {"card_id": "card_id", "review_time": "review_time", "review_rating": "rating",
             "review_state": "state", "review_duration": "duration"}
ANKI = {"cid": "card_id", "id": "review_time", "ease": "rating", "type": "kind",
        "time": "duration"}
EXTRA = {"question_id": "question_id", "note_guid": "guid", "guid": "guid",
         "scheduled": "scheduled"}
STATES = {0: Phase.NEW, 1: Phase.LEARNING, 2: Phase.REVIEW, 3: Phase.RELEARNING}
# Anki's revlog kinds; None marks entries that record no answer.
KINDS = {0: Phase.LEARNING, 1: Phase.REVIEW, 2: Phase.RELEARNING, 3: Phase.REVIEW, 4: None,
         5: None}


class RevlogRefused(ValueError):
    """The file cannot be taken in; the message says why, row by row."""

    def __init__(self, message: str, errors: list[RowError] | None = None):
        super().__init__(message)
        self.errors = errors or []


@dataclass(frozen=True)
class Entry:
    """One answer from the log: where it came from in the file, which card, when, how."""

    row: int
    card_id: str
    question_id: str | None
    guid: str | None
    at: datetime
    rating: int
    phase_before: Phase
    duration_ms: int


@dataclass(frozen=True)
class Parsed:
    """The answers a log holds, and how many of its rows record no answer."""

    entries: list[Entry]
    passed_over: int


def _columns(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    scheme = OPTIMISER if "review_time" in names else ANKI
    found = {scheme[name]: index for index, name in enumerate(names) if name in scheme}
    found |= {EXTRA[name]: index for index, name in enumerate(names) if name in EXTRA}
    needed = [name for name, field in scheme.items()
              if field in ("card_id", "review_time", "rating") and field not in found]
    if needed:
        raise RevlogRefused(
            f"row 1: missing column(s) {', '.join(needed)}: the header must name card_id, "
            "review_time and review_rating (review_state and review_duration optional), or "
            "Anki's revlog columns cid, id and ease")
    return found


def _moment(text: str, now: datetime) -> datetime:
    if re.fullmatch(r"\d{10,13}", text):
        moment = datetime.fromtimestamp(int(text) / 1000, UTC)
    else:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"review_time {text!r} is neither milliseconds since 1970 nor an "
                             "ISO 8601 time") from None
        if moment.tzinfo is None:
            raise ValueError(f"review_time {text!r} has no UTC offset")
        moment = moment.astimezone(UTC)
    if not EARLIEST <= moment <= now + timedelta(days=1):
        raise ValueError(f"review_time {text!r} is not between 2006 and now")
    return moment


def _integer(text: str, name: str, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"{name} {text!r} is not a whole number")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{name} {value} is not between {low} and {high}")
    return value


def _entry(row_number: int, cells: list[str], columns: dict[str, int],
           now: datetime) -> Entry | None:
    def cell(field: str) -> str:
        return cells[columns[field]].strip() if field in columns else ""

    card_id = cell("card_id")
    if not card_id:
        raise ValueError("card_id is empty")
    at = _moment(cell("review_time"), now)
    rating = _integer(cell("rating"), "review_rating", 0, 4)
    if "kind" in columns:
        phase = KINDS.get(_integer(cell("kind"), "type", 0, 5))
        if phase is None:
            return None
    elif cell("state"):
        phase = STATES[_integer(cell("state"), "review_state", 0, 3)]
    else:
        phase = Phase.REVIEW
    if rating == 0 or cell("scheduled") == "0":  # manual rescheduling, a practice answer
        return None
    duration = _integer(cell("duration") or "0", "review_duration", 0, 2**31 - 1)
    return Entry(row=row_number, card_id=card_id, question_id=cell("question_id") or None,
                 guid=cell("guid") or None, at=at, rating=rating, phase_before=phase,
                 duration_ms=min(duration, MAX_DURATION_MS))


def parse(raw: bytes, *, now: datetime) -> Parsed:
    """Every answer in a review log, or RevlogRefused naming each bad row (the header is row
    1). Nothing is taken from a file with a bad row."""
    if len(raw) > MAX_BYTES:
        raise RevlogRefused(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RevlogRefused("The file is not UTF-8 text: export the review log as CSV.") \
            from None
    if "\x00" in text:
        raise RevlogRefused("The file is not text: export the review log as CSV.")
    rows = csv.reader(io.StringIO(text))
    try:
        header = next(rows, None)
        if not header:
            raise RevlogRefused("The file is empty.")
        columns = _columns(header)
        entries, errors, passed_over = [], [], 0
        for row_number, cells in enumerate(rows, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(RowError(row_number, f"{len(cells)} cells where the header has "
                                                   f"{len(header)}"))
                continue
            try:
                entry = _entry(row_number, cells, columns, now)
            except ValueError as exc:
                errors.append(RowError(row_number, str(exc)))
                continue
            if entry is None:
                passed_over += 1
            else:
                entries.append(entry)
    except csv.Error as exc:
        raise RevlogRefused(f"The file is not valid CSV: {exc}") from None
    if errors:
        shown = "; ".join(map(str, errors[:MAX_ERRORS_SHOWN]))
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > \
            MAX_ERRORS_SHOWN else ""
        raise RevlogRefused(f"Nothing was imported: {len(errors)} bad row(s): {shown}{more}.",
                            errors)
    return Parsed(entries, passed_over)

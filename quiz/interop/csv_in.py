"""A spreadsheet of simple questions (CSV) turned into a YAML bank file. Pure.

Columns (a header row names them, in any order; case and spaces are ignored): kind, prompt,
answer, choices (`|` between them), explanation, source (`article/section`), and optionally
id, era and tags (`|` between them). Rows are numbered as a spreadsheet shows them: the header
is row 1. `convert` checks what it can on each row itself; the bank linter checks the rest,
and `row_at` maps the line of each problem it reports back to the row it came from.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import ValidationError

from quiz.banks import spec
from quiz.interop.items import KIND_TITLES

REQUIRED = ("kind", "prompt", "answer", "explanation", "source")
OPTIONAL = ("choices", "id", "era", "tags")
KINDS = ("multiple_choice", "multiple_select", "true_false", "short_answer", "numeric",
         "flashcard")
# "multiple choice", "Multiple-Choice" and "multiple_choice" are one kind.
_KIND_NAMES = {re.sub(r"[\s_-]+", " ", name): name for name in KINDS} | {
    KIND_TITLES[name]: name for name in KINDS} | {"true false": "true_false",
                                                  "true/false": "true_false"}
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:(?:±|\+/?-)\s*(\d+(?:\.\d+)?))?\s*$")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class RowError:
    """A problem with one row of the spreadsheet."""

    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass
class Conversion:
    """The bank file written from a spreadsheet, where each question starts in it and which
    row it came from, and the rows that could not be read."""

    text: str = ""
    errors: list[RowError] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    def row_at(self, line: int) -> int | None:
        """The spreadsheet row of the question at `line` of the bank file (None: the header)."""
        index = bisect_right(self.starts, line) - 1
        return self.rows[index] if index >= 0 else None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def _kind(value: str) -> str | None:
    return _KIND_NAMES.get(re.sub(r"[\s_-]+", " ", value.strip().lower()))


def _question(cells: dict[str, str], number: int, bank_id: str, era: str | None) -> dict:
    kind = _kind(cells["kind"])
    if kind is None:
        raise ValueError(f"unknown kind {cells['kind']!r}: use one of {', '.join(KINDS)}")
    article, slash, section = cells["source"].partition("/")
    if not slash:
        raise ValueError("source must be article/section, as in sources.yaml")
    question: dict[str, Any] = {"id": cells.get("id") or f"{bank_id}-{number}", "type": kind}
    prompt, answer, choices = cells["prompt"], cells["answer"], _split(cells.get("choices", ""))
    if kind == "flashcard":
        question.update(front=prompt, back=answer)
    else:
        question["prompt"] = prompt
    if kind == "multiple_choice":
        question.update(choices=choices, answer=answer)
    elif kind == "multiple_select":
        question.update(choices=choices, answers=_split(answer))
    elif kind == "true_false":
        if answer.strip().lower() not in ("true", "false"):
            raise ValueError(f"a true/false answer is true or false, not {answer!r}")
        question["answer"] = answer.strip().lower() == "true"
    elif kind == "short_answer":
        forms = _split(answer)
        question.update(answer=forms[0] if forms else "", accept=forms[1:])
    elif kind == "numeric":
        match = _NUMBER.match(answer)
        if not match:
            raise ValueError(f"a numeric answer is a number, optionally ± a tolerance, not "
                             f"{answer!r}")
        question["answer"] = float(match[1]) if "." in match[1] else int(match[1])
        if match[2]:
            question["tolerance"] = float(match[2]) if "." in match[2] else int(match[2])
    if kind not in ("multiple_choice", "multiple_select") and choices:
        raise ValueError(f"a {KIND_TITLES[kind]} question has no choices")
    question["explanation"] = cells["explanation"]
    question["source"] = {"article": article.strip(), "section": section.strip()}
    row_era = cells.get("era") or era
    if not row_era:
        raise ValueError("no era: fill the era column or give the bank one (--era)")
    question["era"] = row_era
    if _split(cells.get("tags", "")):
        question["tags"] = _split(cells["tags"])
    if not question.get("accept"):
        question.pop("accept", None)
    try:
        spec.QUESTION.validate_python(question)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"][1:]) or "row"
        raise ValueError(f"{where}: {error['msg']}") from None
    if not cells.get("era"):
        del question["era"]  # the bank's era, written once in its header
    return question


def convert(text: str, *, bank_id: str, title: str, description: str,
            era: str | None = None, tags: tuple[str, ...] = ()) -> Conversion:
    """The bank file for a CSV spreadsheet, or the rows that stop it."""
    result = Conversion()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [re.sub(r"\s+", "_", name.strip().lower()) for name in next(reader, [])]
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown:
        result.errors.append(RowError(1, "; ".join(filter(None, [
            missing and f"missing column(s): {', '.join(missing)}",
            unknown and f"unknown column(s): {', '.join(unknown)}"]))))
        return result
    questions, ids = [], {}
    for row_number, row in enumerate(reader, start=2):
        if row_number - 1 > MAX_ROWS:
            result.errors.append(RowError(row_number, f"more than {MAX_ROWS} rows"))
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            result.errors.append(RowError(row_number, f"{len(row)} cells where the header has "
                                                      f"{len(header)}"))
            continue
        cells = {name: value.strip() for name, value in zip(header, row, strict=True)}
        try:
            question = _question(cells, row_number - 1, bank_id, era)
        except ValueError as exc:
            result.errors.append(RowError(row_number, str(exc)))
            continue
        if question["id"] in ids:
            result.errors.append(RowError(row_number, f"id {question['id']!r} is already the "
                                                      f"id of row {ids[question['id']]}"))
            continue
        ids[question["id"]] = row_number
        questions.append(question)
        result.rows.append(row_number)
    if not questions and not result.errors:
        result.errors.append(RowError(2, "no questions: the file has a header and nothing else"))
    if result.errors:
        return result
    head = {"title": title, "description": description, **({"era": era} if era else {}),
            **({"tags": list(tags)} if tags else {})}
    lines = ["# yaml-language-server: $schema=schema.json",
             yaml.safe_dump(head, sort_keys=False, allow_unicode=True, width=100).rstrip(),
             "questions:"]
    line = len("\n".join(lines).splitlines()) + 1
    for question in questions:
        block = yaml.safe_dump([question], sort_keys=False, allow_unicode=True, width=100)
        indented = "".join("  " + part for part in block.splitlines(keepends=True))
        result.starts.append(line)
        line += len(indented.splitlines())
        lines.append(indented.rstrip("\n"))
    result.text = "\n".join(lines) + "\n"
    return result

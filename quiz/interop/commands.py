"""`flask --app app questions export-anki|export-moodle|export-gift|import-csv` and
`users import-anki-revlog`: the exchange formats from the command line."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import click
from flask import current_app

from quiz.banks import spec
from quiz.banks.loader import load_catalog
from quiz.core import clock
from quiz.extensions import db
from quiz.interop import csv_in, revlog, service
from quiz.models import User


def _questions_dir() -> Path:
    return Path(current_app.config["QUESTIONS_DIR"])


def _export(bank_id: str) -> service.BankExport:
    export = service.bank_export(bank_id)
    if export is None:
        raise click.ClickException(f"no bank {bank_id!r} in the database: run `flask --app app "
                                   "questions sync` first")
    return export


def _user(email: str) -> User:
    user = db.session.scalars(db.select(User).where(User.email == email.lower())).first()
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    return user


@click.command("export-anki")
@click.argument("bank_id")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--schedule-of", "email", help="Carry this learner's schedule and answers.")
def export_anki_command(bank_id: str, out: Path, email: str | None) -> None:
    """Write a bank as an Anki package (.apkg) to OUT."""
    export, now = _export(bank_id), clock.utcnow()
    data = service.anki_package_with_scheduling(export, _user(email), now=now) if email \
        else service.anki_package(export, now=now)
    out.write_bytes(data)
    click.echo(f"wrote {out}: {len(export.items)} notes" + (f" with {email}'s schedule"
                                                           if email else ""))


@click.command("export-moodle")
@click.argument("bank_id")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_moodle_command(bank_id: str, out: Path) -> None:
    """Write a bank as Moodle XML to OUT."""
    export = _export(bank_id)
    out.write_bytes(service.moodle_xml(export))
    click.echo(f"wrote {out}: {len(export.items)} questions")


@click.command("export-gift")
@click.argument("bank_id")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_gift_command(bank_id: str, out: Path) -> None:
    """Write a bank in GIFT to OUT (the kinds GIFT can express; the rest are listed)."""
    export = _export(bank_id)
    text, skipped = service.gift_text(export)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {out}: {len(export.items) - len(skipped)} questions")
    for left_out in skipped:
        click.echo(f"left out {left_out.id} ({left_out.kind}): {left_out.reason}", err=True)


@click.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--bank", "bank_id", help="The new bank's id (default: from the file name).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the bank (default: questions/BANK.yaml).")
@click.option("--title", help="The bank's title (default: from its id).")
@click.option("--era", type=click.Choice(spec.ERAS), help="The era of rows that give none.")
@click.option("--tag", "tags", multiple=True, type=click.Choice(spec.TAGS),
              help="A theme of every question (repeat for more).")
def import_csv_command(file: Path, bank_id: str | None, out: Path | None, title: str | None,
                       era: str | None, tags: tuple[str, ...]) -> None:
    """Turn a spreadsheet of simple questions (CSV) into a bank file that lints clean.

    Columns: kind, prompt, answer, choices (| between them), explanation, source
    (article/section); optional: id, era, tags. Bad rows are reported by row number (the
    header is row 1) and nothing is written.
    """
    bank_id = bank_id or re.sub(r"[^a-z0-9]+", "-", file.stem.lower()).strip("-")
    if not re.match(spec.ID_PATTERN, bank_id) or bank_id in ("sources", "events"):
        raise click.BadParameter("use lowercase words joined by hyphens", param_hint="--bank")
    out = out or _questions_dir() / f"{bank_id}.yaml"
    if out.exists():
        raise click.ClickException(f"{out} already exists")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text") from None
    conversion = csv_in.convert(text, bank_id=bank_id,
                                title=title or bank_id.replace("-", " ").capitalize(),
                                description=f"Imported from {file.name}.", era=era,
                                tags=tags)
    if not conversion.errors:
        conversion.errors = _lint(conversion, bank_id, out)
    if conversion.errors:
        for error in conversion.errors:
            click.echo(f"{file}:{error}", err=True)
        click.echo(f"{len(conversion.errors)} bad row(s): nothing written", err=True)
        sys.exit(1)
    click.echo(f"wrote {out}: {len(conversion.rows)} questions; run `flask --app app questions "
               "sync` to load them")


def _lint(conversion: csv_in.Conversion, bank_id: str, out: Path) -> list[csv_in.RowError]:
    """Lint the bank as it would be written; write it only if the linter finds no error. The
    linter's warnings are shown by row, errors returned by row."""
    with tempfile.TemporaryDirectory() as folder:
        draft = Path(folder) / f"{bank_id}.yaml"
        draft.write_text(conversion.text, encoding="utf-8")
        catalog = load_catalog(_questions_dir(), only=[draft])
        errors = []
        for problem in catalog.problems_in(str(draft)):
            row = conversion.row_at(problem.line) or 1
            # The draft is gone once this returns: name the file being written instead.
            message = problem.message.replace(str(draft), str(out))
            found = csv_in.RowError(row, f"{message} [{problem.code}]")
            if problem.severity == "error":
                errors.append(found)
            else:
                click.echo(f"warning: {found}", err=True)
        if not errors:
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(draft, out)
        return errors


@click.command("import-anki-revlog")
@click.argument("email")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_revlog_command(email: str, file: Path) -> None:
    """Add an Anki review log (CSV) to a learner's history and reschedule their cards."""
    try:
        report = service.import_revlog(_user(email), file.read_bytes(), now=clock.utcnow(),
                                       fuzzing=current_app.config["FSRS_FUZZING"])
    except revlog.RevlogRefused as refusal:
        for error in refusal.errors:
            click.echo(f"{file}:{error}", err=True)
        raise click.ClickException(str(refusal)) from None
    click.echo(f"{report.added} answers added to {report.cards} cards; {report.duplicates} "
               f"already held, {report.unmatched} for cards not from Pivot, "
               f"{report.passed_over} rows that record no answer")


QUESTION_COMMANDS = (export_anki_command, export_moodle_command, export_gift_command,
                     import_csv_command)
USER_COMMANDS = (import_revlog_command,)

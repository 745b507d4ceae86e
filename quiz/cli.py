"""Command-line tools: `flask --app app questions ...` and `flask --app app users ...`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from quiz.authoring.sync import sync_directory
from quiz.banks import spec
from quiz.banks.loader import SHARED_FILES, load_catalog
from quiz.banks.starter import starter_bank
from quiz.core import clock
from quiz.extensions import db
from quiz.models import User

questions = AppGroup("questions", help="Lint and load the YAML question banks.")
users = AppGroup("users", help="Manage accounts.")


def _questions_dir() -> Path:
    return Path(current_app.config["QUESTIONS_DIR"])


@questions.command("sync")
@click.option("--keep-going", is_flag=True,
              help="Exit 0 even if a broken file had to be skipped (it is still reported).")
def sync_command(keep_going: bool) -> None:
    """Load every valid bank into the database (safe to run again).

    A file with errors is skipped, keeping its last good version, and the other banks still
    load; the command then exits 1 naming each skipped file, so scripts and CI notice, unless
    --keep-going (the README's serve command: a broken bank must not stop the app starting).
    """
    report = sync_directory(_questions_dir(), now=clock.utcnow())
    for bank in report.banks:
        click.echo(f"{bank.bank_id}: {bank.added} added, {bank.updated} updated, "
                   f"{bank.revised} revised, {bank.retired} retired, {bank.replaced} cards "
                   "carried over")
    for file, problems in report.skipped.items():
        click.echo(f"skipped {_shown(file)}: {len(problems)} error(s), its last good version "
                   "stays; run `flask --app app questions lint` for details", err=True)
    if not report.ok and not keep_going:
        sys.exit(1)


def _shown(file: str) -> str:
    """A path as the author typed it: relative to the working directory when inside it."""
    try:
        return str(Path(file).resolve().relative_to(Path.cwd()))
    except ValueError:
        return file


@questions.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def lint_command(paths: tuple[Path, ...]) -> None:
    """Check bank files (default: all of questions/) and print every problem as path:line:col."""
    directory, only = _questions_dir(), None
    if paths:
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise click.UsageError(f"no such file or directory: {', '.join(missing)}")
        files = [f for p in paths for f in (sorted(p.glob("*.yaml")) if p.is_dir() else [p])]
        # Sources and events come from the folder of the first file named.
        directory = files[0].parent if files else directory
        only = [f for f in files if f.name not in SHARED_FILES]
    catalog = load_catalog(directory, only=only)
    for problem in catalog.problems:
        click.echo(f"{_shown(problem.file)}:{problem.line}:{problem.col}: {problem.severity}: "
                   f"{problem.message} [{problem.code}]")
    errors = len(catalog.errors)
    warnings = len(catalog.problems) - errors
    click.echo(f"{len(catalog.files)} file(s) checked: {errors} error(s), {warnings} warning(s)")
    if errors:
        sys.exit(1)


@questions.command("schema")
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas are stale.")
def schema_command(check: bool) -> None:
    """Write the JSON Schemas editors use (questions/schema*.json) from the format's models."""
    stale = []
    for name, model in spec.SCHEMAS.items():
        path = _questions_dir() / name
        text = spec.json_schema(model)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not check:
            path.write_text(text, encoding="utf-8")
    verb = "stale" if check else "written"
    click.echo(f"{verb}: {', '.join(stale)}" if stale else "schemas are up to date")
    if check and stale:
        sys.exit(1)


@questions.command("new")
@click.argument("bank_id")
def new_command(bank_id: str) -> None:
    """Write a commented starter file for a new bank, questions/BANK_ID.yaml."""
    if not re.match(spec.ID_PATTERN, bank_id) or bank_id in ("sources", "events"):
        raise click.BadParameter("use lowercase words joined by hyphens, like 'arms-deals'",
                                 param_hint="BANK_ID")
    path = _questions_dir() / f"{bank_id}.yaml"
    if path.exists():
        raise click.ClickException(f"{_shown(str(path))} already exists")
    path.write_text(starter_bank(bank_id), encoding="utf-8")
    click.echo(f"wrote {_shown(str(path))}: edit it, then run `flask --app app questions lint`")


@users.command("promote")
@click.argument("email")
def promote_command(email: str) -> None:
    """Make an existing account an admin (authoring pages)."""
    user = db.session.scalars(db.select(User).where(User.email == email.lower())).first()
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    user.is_admin = True
    db.session.commit()
    click.echo(f"{email} is now an admin")


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(questions)
    app.cli.add_command(users)

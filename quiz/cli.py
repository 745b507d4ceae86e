"""Command-line tools: `flask --app app questions ...` and `flask --app app users ...`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from quiz import clock
from quiz.banks.loader import load_catalog
from quiz.extensions import db
from quiz.models import User
from quiz.sync import sync_directory

questions = AppGroup("questions", help="Lint and load the YAML question banks.")
users = AppGroup("users", help="Manage accounts.")


def _questions_dir() -> Path:
    return Path(current_app.config["QUESTIONS_DIR"])


@questions.command("sync")
def sync_command() -> None:
    """Load every valid bank into the database (safe to run again)."""
    report = sync_directory(_questions_dir(), now=clock.utcnow())
    for bank in report.banks:
        click.echo(f"{bank.bank_id}: {bank.added} added, {bank.updated} updated, "
                   f"{bank.revised} revised, {bank.retired} retired, {bank.replaced} cards "
                   "carried over")
    for file, problems in report.skipped.items():
        click.echo(f"skipped {file}: {len(problems)} error(s)", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    if not report.ok:
        sys.exit(1)


@questions.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def lint_command(paths: tuple[Path, ...]) -> None:
    """Check bank files and print every problem as path:line:col."""
    directory = _questions_dir()
    only = None
    if paths:
        files = [p for path in paths for p in (sorted(path.glob("*.yaml")) if path.is_dir()
                                                 else [path])]
        directory = files[0].parent if files else directory
        only = [f for f in files if f.name not in ("sources.yaml", "events.yaml")]
    catalog = load_catalog(directory, only=only)
    for problem in catalog.problems:
        click.echo(str(problem))
    errors = len(catalog.errors)
    warnings = len(catalog.problems) - errors
    click.echo(f"{len(catalog.files)} file(s) checked: {errors} error(s), {warnings} warning(s)")
    if errors:
        sys.exit(1)


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

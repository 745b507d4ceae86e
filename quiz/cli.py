"""Command-line tools: `flask --app app questions|users|fsrs|jobs ...` and `serve`."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from quiz import backup, jobs
from quiz.accounts import audit
from quiz.authoring.sync import sync_directory
from quiz.banks import spec
from quiz.banks.loader import SHARED_FILES, load_catalog
from quiz.banks.starter import starter_bank
from quiz.classes import service as classes
from quiz.core import clock
from quiz.extensions import db
from quiz.interop.commands import QUESTION_COMMANDS, USER_COMMANDS
from quiz.models import User
from quiz.study import tuning

questions = AppGroup("questions", help="Lint and load the YAML question banks.")
users = AppGroup("users", help="Manage accounts.")
fsrs = AppGroup("fsrs", help="Fit learners' FSRS parameters.")
jobs_group = AppGroup("jobs", help="Run background jobs.")


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
@click.option("--role", type=click.Choice(["admin", "teacher"]), default="admin",
              show_default=True, help="admin: authoring pages and roles; teacher: classes.")
def promote_command(email: str, role: str) -> None:
    """Make an existing account an admin (authoring pages) or a teacher (classes)."""
    user = db.session.scalars(db.select(User).where(User.email == email.lower())).first()
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    if role == "teacher":
        classes.set_teacher(user, True, by="cli")
    else:
        user.is_admin = True
        db.session.commit()
        audit.record("role.changed", user=user, admin=True, by="cli")
    click.echo(f"{email} is now a{'n' if role == 'admin' else ''} {role}")


@fsrs.command("optimize")
@click.argument("email", required=False)
def optimize_command(email: str | None) -> None:
    """Fit the FSRS parameters of one learner (EMAIL) or of every learner, now."""
    query = db.select(User).order_by(User.id)
    if email:
        query = query.where(User.email == email.lower())
    learners = db.session.scalars(query).all()
    if email and not learners:
        raise click.ClickException(f"no account with email {email}")
    for user in learners:
        record = tuning.fit_parameters(user)
        if record is None:
            click.echo(f"{user.email}: not enough answers to fit")
            continue
        if record.adopted:
            tuning.reschedule(user, fuzzing=current_app.config["FSRS_FUZZING"])
        tuning.estimate_workload(user)
        verdict = "adopted" if record.adopted else "kept the old ones"
        click.echo(f"{user.email}: {record.reviews} answers, {record.items} items, "
                   f"{record.seconds:.2f}s; log loss {record.log_loss_before:.4f} -> "
                   f"{record.log_loss_after:.4f}, RMSE {record.rmse_before:.4f} -> "
                   f"{record.rmse_after:.4f}: {verdict}")


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Threads running jobs.")
def worker_command(workers: int) -> None:
    """Run queued jobs until stopped (production: one or more of these beside the app)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    jobs.queue.create_consumer(workers=workers, worker_type="thread").run()


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def serve_command(host: str, port: int) -> None:
    """Run the development server with a thread that runs background jobs beside it."""
    jobs.start_worker_thread()
    # Flask refuses app.run() inside its CLI; werkzeug's server is what `flask run` uses.
    # No reloader: it would start a second process, and a second job thread.
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Copy the database to PATH, a new file, while the servers keep running."""
    try:
        made = backup.backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except backup.BackupFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backed up to {made.path} ({made.size:,} bytes)")
    click.echo(f"to restore: {made.restore}")


def register_commands(app: Flask) -> None:
    """Attach the command groups to the app (`db backup` joins Flask-Migrate's `db`)."""
    for command in QUESTION_COMMANDS:
        questions.add_command(command)
    for command in USER_COMMANDS:
        users.add_command(command)
    app.cli.add_command(questions)
    app.cli.add_command(users)
    app.cli.add_command(fsrs)
    app.cli.add_command(jobs_group)
    app.cli.add_command(serve_command)
    app.cli.commands["db"].add_command(backup_command)

"""The project's promises about itself: the README's commands, CI, migrations."""

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from quiz.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_starts_with_a_serve_command_and_a_test_command():
    serve, test = readme_commands()
    assert "pip install -r requirements.txt" in serve
    # `serve` is the development server with a thread that runs background jobs.
    assert "db upgrade" in serve and "questions sync" in serve and serve.endswith("serve")
    assert "requirements-dev.txt" in test and "pytest" in test and "ruff check" in test


def test_ci_runs_the_readmes_test_command_verbatim():
    _serve, test = readme_commands()
    assert test in (ROOT / ".ci" / "run").read_text().splitlines()


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []

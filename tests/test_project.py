"""The project's promises about itself: the README's commands, CI, migrations, pure modules."""

import ast
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


PURE_PACKAGES = ("core", "banks")
# Outside the app's own pure packages, what a pure module must not reach for: the web
# framework and the database. Within `quiz`, only the pure packages themselves may be imported.
IMPURE = ("flask", "werkzeug", "sqlalchemy")


def _imported(path: Path) -> list[str]:
    """Every module `path` imports, relative imports spelt out in full."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from ..x import y` in quiz/banks is quiz.x.y
                base = ".".join([*package[:len(package) - node.level + 1], base]).rstrip(".")
            # `from quiz import models` imports quiz.models
            names += [f"{base}.{alias.name}" for alias in node.names]
    return names


def test_core_and_banks_import_neither_flask_nor_the_database():
    found = []
    for package in PURE_PACKAGES:
        for path in sorted((ROOT / "quiz" / package).rglob("*.py")):
            for name in _imported(path):
                inside = name.startswith("quiz.") and not name.startswith(
                    tuple(f"quiz.{pure}." for pure in PURE_PACKAGES))
                if inside or name.split(".")[0].startswith(IMPURE):
                    found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []

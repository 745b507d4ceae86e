"""The `flask questions` commands as authors and CI use them."""

import shutil

from tests.conftest import TEST_BANKS


def bank_dir(tmp_path, **files):
    for name in ("sources.yaml", "events.yaml", "demo.yaml"):
        shutil.copy(TEST_BANKS / name, tmp_path / name)
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


BROKEN = """\
title: Broken
description: Two mistakes.
era: cold-war
tags: [india]
questions:
  - id: broken-one
    type: true_false
    prompt: A statement.
    anwser: true
    explanation: Why.
    source: {article: new-best-friends, section: lets-do-busines}
"""


def test_lint_prints_every_problem_with_its_line_and_a_summary_and_exits_1(app, tmp_path):
    app.config["QUESTIONS_DIR"] = str(bank_dir(tmp_path, broken=BROKEN))
    result = app.test_cli_runner().invoke(args=["questions", "lint"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.endswith("broken.yaml:9:5: error: unknown key 'anwser' (did you mean "
                             "'answer'?) [unknown-key]") for line in lines), lines
    assert any("broken.yaml:6:5: error: missing required field 'answer'" in line
               for line in lines), lines
    assert any("broken.yaml:11:50: error: unknown section 'lets-do-busines'" in line
               for line in lines), lines
    assert lines[-1] == "4 file(s) checked: 3 error(s), 0 warning(s)"


def test_lint_of_named_files_checks_only_those(app, tmp_path):
    directory = bank_dir(tmp_path, broken=BROKEN)
    result = app.test_cli_runner().invoke(args=["questions", "lint", str(directory / "demo.yaml")])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output and "broken" not in result.output


def test_lint_of_a_missing_path_is_a_usage_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["questions", "lint", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_sync_loads_the_other_banks_then_exits_1_naming_the_broken_one(app, tmp_path):
    app.config["QUESTIONS_DIR"] = str(bank_dir(tmp_path, broken=BROKEN))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["questions", "sync"])
    assert result.exit_code == 1
    assert "demo: 9 added" in result.output
    assert f"skipped {tmp_path / 'broken.yaml'}: 3 error(s)" in result.output
    again = runner.invoke(args=["questions", "sync", "--keep-going"])
    assert again.exit_code == 0 and "broken.yaml: 3 error(s)" in again.output


def test_schema_check_fails_when_the_committed_schema_is_stale(app, tmp_path):
    app.config["QUESTIONS_DIR"] = str(tmp_path)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["questions", "schema", "--check"]).exit_code == 1
    assert runner.invoke(args=["questions", "schema"]).exit_code == 0
    assert (tmp_path / "schema.json").exists()
    assert runner.invoke(args=["questions", "schema", "--check"]).exit_code == 0

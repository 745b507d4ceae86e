"""A corpus of broken bank files, each naming the exact problem the linter must report.

Each file in tests/fixtures/broken_banks/ starts with one or more lines of the form
    # expect: LINE:COL: SEVERITY: MESSAGE
and is linted alone, beside the test sources.yaml and events.yaml. Every expected problem must
be reported exactly (line, column, severity and message); no unexpected errors may appear.
"""

import re
import shutil
from pathlib import Path

import pytest

from quiz.banks.loader import load_catalog
from tests.conftest import FIXTURES

CORPUS = sorted((FIXTURES / "broken_banks").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+):(\d+): (error|warning): (.+)$")


def expectations(path: Path) -> list[tuple[int, int, str, str]]:
    found = []
    for line in path.read_bytes().decode("utf-8", "replace").splitlines():
        match = EXPECT.match(line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3], match[4]))
    return found


def test_the_corpus_has_at_least_thirty_broken_files():
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_broken_file_is_reported_at_its_line_with_its_message(path, tmp_path):
    expected = expectations(path)
    assert expected, f"{path.name} has no '# expect:' line"
    for shared in ("sources.yaml", "events.yaml"):
        shutil.copy(FIXTURES / "banks" / shared, tmp_path / shared)
    target = tmp_path / path.name
    shutil.copy(path, target)
    catalog = load_catalog(tmp_path)
    reported = [(p.line, p.col, p.severity, p.message) for p in catalog.problems
                if p.file == str(target)]
    for item in expected:
        assert item in reported, f"expected {item}, got {reported}"
    unexpected = [p for p in reported if p[2] == "error" and p not in expected]
    assert not unexpected, f"unexpected errors: {unexpected}"
    assert path.stem not in catalog.banks

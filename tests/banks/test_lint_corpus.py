"""A corpus of broken bank files, each naming the exact problem the linter must report.

Each file in tests/fixtures/broken_banks/ starts with one or more lines of the form
    # expect: LINE:COL: SEVERITY: MESSAGE
and is linted alone, beside the test sources.yaml and events.yaml; a file NAME.yaml may come
with NAME.events, used as its events.yaml, whose own `# expect:` lines are about that file.
Every expected problem must be reported exactly (line, column, severity and message); no
unexpected errors may appear. A bank whose only expected problems are warnings, or lie in its
events file, still loads; any other is skipped.
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
    companion = path.with_suffix(".events")
    shutil.copy(FIXTURES / "banks" / "sources.yaml", tmp_path / "sources.yaml")
    shutil.copy(companion if companion.exists() else FIXTURES / "banks" / "events.yaml",
                tmp_path / "events.yaml")
    target = tmp_path / path.name
    shutil.copy(path, target)
    catalog = load_catalog(tmp_path)
    checked = [(target, expectations(path))]
    if companion.exists():
        checked.append((tmp_path / "events.yaml", expectations(companion)))
    assert any(expected for _, expected in checked), f"{path.name} has no '# expect:' line"
    for file, expected in checked:
        reported = [(p.line, p.col, p.severity, p.message) for p in catalog.problems_in(str(file))]
        for item in expected:
            assert item in reported, f"expected {item} in {file.name}, got {reported}"
        unexpected = [p for p in reported if p[2] == "error" and p not in expected]
        assert not unexpected, f"unexpected errors in {file.name}: {unexpected}"
    broken = any(severity == "error" for _, _, severity, _ in checked[0][1])
    assert (path.stem in catalog.banks) is not broken

"""Audits of the code and of what it installs: bandit on every line we ship, pip-audit on every
installed package where its vulnerability data can be reached.

bandit is pinned and reads only this repository, so its test is as repeatable as any other.
pip-audit asks PyPI about each installed package: where PyPI's vulnerability data cannot be
reached (offline, or a mirror without its JSON API) the test is skipped with a message that
says how many packages went unaudited, rather than passing as if they had been; a known
vulnerability it does find fails the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
# What ships and runs on a server: the package (migrations included), its entry point and the
# scripts beside it. Tests are not deployed.
SCANNED = ["quiz", "app.py", "bench"]
ALLOWED = Path(__file__).with_name("bandit_allowed.yaml")
# Vulnerability ids pip-audit may report without failing, each with the review that allows it.
IGNORED_VULNERABILITIES: dict[str, str] = {}


def _bandit_findings() -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "bandit", "--quiet", "--recursive", *SCANNED,
         "--severity-level", "medium", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    report = json.loads(done.stdout)
    assert not report["errors"], report["errors"]
    return report["results"]


def _line(finding: dict) -> str:
    lines = (ROOT / finding["filename"]).read_text(encoding="utf-8").splitlines()
    return lines[finding["line_number"] - 1]


def test_bandit_finds_nothing_of_medium_severity_or_higher_beyond_the_reviewed_list():
    allowed = yaml.safe_load(ALLOWED.read_text(encoding="utf-8")) or []
    used, unexplained = set(), []
    for finding in _bandit_findings():
        match = next((index for index, entry in enumerate(allowed)
                      if entry["file"] == finding["filename"]
                      and entry["test"] == finding["test_id"]
                      and entry["code"] in _line(finding)), None)
        if match is None:
            unexplained.append(f"{finding['filename']}:{finding['line_number']}: "
                               f"{finding['test_id']} {finding['issue_severity']} "
                               f"{finding['issue_text']}")
        else:
            used.add(match)
    assert not unexplained, ("fix these, or review each and add it to "
                             f"{ALLOWED.name} with why it is safe:\n" + "\n".join(unexplained))
    stale = [entry for index, entry in enumerate(allowed) if index not in used]
    assert not stale, f"remove these entries from {ALLOWED.name}: nothing matches them: {stale}"
    assert all(entry.get("why", "").strip() for entry in allowed), "every entry says why"


def test_installed_packages_have_no_known_vulnerabilities(tmp_path):
    # The exact versions installed (pip itself, which the app never runs, left out by freeze).
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    pins = tmp_path / "installed.txt"
    pins.write_text(frozen)
    command = [sys.executable, "-m", "pip_audit", "--requirement", str(pins), "--no-deps",
               "--disable-pip", "--format", "json", "--progress-spinner", "off",
               "--timeout", "15"]
    for vulnerability in IGNORED_VULNERABILITIES:
        command += ["--ignore-vuln", vulnerability]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              timeout=600)
    except subprocess.TimeoutExpired:
        pytest.skip("pip-audit timed out reaching PyPI's vulnerability data: NO package was "
                    "audited")
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        errors = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        pytest.skip(f"pip-audit could not reach PyPI's vulnerability data: NO package was "
                    f"audited ({errors[-1]})")
    found = [f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in "
             f"{', '.join(vuln['fix_versions']) or 'no release yet'})"
             for dep in report["dependencies"] for vuln in dep.get("vulns", [])]
    assert not found, "known vulnerabilities in installed packages:\n" + "\n".join(found)
    unaudited = [dep["name"] for dep in report["dependencies"] if "skip_reason" in dep]
    if unaudited:
        reason = next(dep["skip_reason"] for dep in report["dependencies"]
                      if "skip_reason" in dep)
        pytest.skip(f"pip-audit could not audit {len(unaudited)} of "
                    f"{len(report['dependencies'])} installed packages (such as: {reason}); "
                    "run it where PyPI's JSON API answers")


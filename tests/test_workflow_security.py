"""The workflows pass zizmor, the GitHub Actions security linter, offline: no finding above
informational, even with its most thorough persona (auditor: pedantic checks, false positives
allowed). A deliberately bad workflow is flagged, so these tests can fail.

zizmor comes from PyPI into .venv (requirements.lock); it runs offline, so the audits that ask
GitHub (impostor commits, known-vulnerable action versions) are not run here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
ZIZMOR = Path(sys.executable).parent / "zizmor"
ABOVE_INFORMATIONAL = {"Low", "Medium", "High"}


def _zizmor(*args: str) -> subprocess.CompletedProcess:
    assert ZIZMOR.is_file(), f"{ZIZMOR} not found: zizmor is installed into .venv from requirements.lock"
    # --no-config: no zizmor.yml can quietly switch an audit off.
    return subprocess.run(
        [str(ZIZMOR), "--offline", "--no-config", "--color", "never", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)},
    )


def _findings(path: Path, persona: str = "regular") -> list[dict]:
    result = _zizmor("--persona", persona, "--format", "json", str(path))
    assert result.returncode in (0, 10, 11, 12, 13, 14), result.stderr  # 1x: findings, by highest severity
    return json.loads(result.stdout)


def _describe(findings: list[dict]) -> str:
    lines = []
    for f in findings:
        loc = f["locations"][0]
        where = loc["symbolic"]["key"]["Local"].get("given_path") or loc["symbolic"]["key"]["Local"].get("verbatim_path")
        row = loc["concrete"]["location"]["start_point"]["row"] + 1
        lines.append(f"{where}:{row}: {f['ident']} ({f['determinations']['severity']}): {f['desc']}")
    return "\n".join(lines)


def test_zizmor_finds_nothing_above_informational_in_the_workflows():
    """zizmor's plain report, as a developer runs it: nothing at all to report."""
    result = _zizmor("--format", "plain", ".github/workflows")  # as run by hand from the repository
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout, result.stdout
    assert "completed .github/workflows/publish.yml" in result.stderr  # both files were read, not skipped
    assert "completed .github/workflows/preview.yml" in result.stderr


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_severities(persona):
    findings = _findings(WORKFLOWS, persona)
    serious = [f for f in findings if f["determinations"]["severity"] in ABOVE_INFORMATIONAL]
    assert not serious, _describe(serious)


BAD_WORKFLOW = """\
name: Bad
on:
  pull_request_target:
jobs:
  greet:
    name: Greet
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - run: echo "Thanks for ${{ github.event.pull_request.title }}"
"""


def test_zizmor_flags_a_bad_workflow(tmp_path):
    """A token kept on disk by checkout, a pull request's title pasted into a shell command, and
    a pull_request_target trigger: each is flagged above informational."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    findings = _findings(bad)
    by_audit = {f["ident"]: f["determinations"]["severity"] for f in findings}
    assert by_audit.get("template-injection") == "High", _describe(findings)
    assert by_audit.get("artipacked") in ABOVE_INFORMATIONAL, _describe(findings)
    assert by_audit.get("dangerous-triggers") in ABOVE_INFORMATIONAL, _describe(findings)
    assert _zizmor("--format", "plain", str(bad)).returncode != 0

"""The cover's dates come from git, in a real `git clone` of this repository (never the clock).

The tiny orchard explainer is built from the clone (its content/ has history there), with this
working tree's generator. A shallow clone, CI's default, cannot know when a section was first
written: its cover claims no such date rather than the boundary commit's."""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, run_build

ORCHARD = Path("tests") / "fixtures" / "orchard"


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def _clone(tmp_path: Path, *options: str) -> Path:
    dest = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", *options, f"file://{REPO}", str(dest))
    return dest


def _byline(root: Path) -> str:
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    found = re.search(r'<p class="explainer-byline">(.*?)</p>', html, re.S)
    assert found, "the cover has no byline and dates line"
    return re.sub(r"<[^>]+>", "", found.group(1))


def _english(day: str) -> str:
    d = datetime.date.fromisoformat(day)
    return f"{d.day} {d:%B %Y}"


def test_a_fresh_clone_gives_the_cover_its_published_and_updated_dates(tmp_path):
    if _git(REPO, "rev-parse", "--is-shallow-repository") == "true":
        pytest.skip("this checkout is shallow: its clone has no history (CI's test job fetches it all)")
    root = _clone(tmp_path) / ORCHARD
    # What git itself says: the first commit that touched the sections, the last that touched them or the data.
    first = _git(root, "log", "--reverse", "--format=%cs", "--", "content").splitlines()[0]
    last = _git(root, "log", "-1", "--format=%cs", "--", "content", "charts")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    line = _byline(root)
    assert f"Published {_english(first)}" in line, line
    assert (f"updated {_english(last)}" in line) == (last != first), line
    assert "data to" in line.lower(), line


def test_a_shallow_clone_claims_no_first_published_date(tmp_path):
    """`fetch-depth: 1`: the one commit there shows every file as added; its date is not the cover's."""
    root = _clone(tmp_path, "--depth", "1") / ORCHARD
    assert _git(root, "rev-parse", "--is-shallow-repository") == "true"
    assert _git(root, "log", "--format=%cs", "--", "content"), "git lists the boundary commit as touching content/"
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    line = _byline(root)
    assert "Published" not in line and "updated" not in line.lower(), line
    assert line.startswith("Data to"), line

"""ruff and mypy, configured in pyproject.toml, find nothing: ruff's lint in the generator, the chart
files, the tests and the benchmarks, and its formatter leaves them as they are (editors' chart files
and test fixtures excepted); mypy in the generator, build.py, the chart files and the tests. A file
with an undefined name, one formatted otherwise, and one with a type error are flagged (so these
tests can fail)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

RUFF = Path(sys.executable).with_name("ruff")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), "check", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _ruff("explainer", "build.py", "charts", "bench", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_flags_an_undefined_name(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    return undefined_name\n", encoding="utf-8")
    result = _ruff("--config", str(REPO / "pyproject.toml"), str(bad))
    assert result.returncode == 1 and "F821" in result.stdout, result.stdout


def test_ruff_format_changes_nothing():
    result = subprocess.run([str(RUFF), "format", "--check", "--diff", "."], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr


def test_ruff_format_flags_a_file_formatted_otherwise(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("x = {  'a':1 }\n", encoding="utf-8")
    result = subprocess.run([str(RUFF), "format", "--check", "--config", str(REPO / "pyproject.toml"), str(bad)], capture_output=True, text=True)
    assert result.returncode == 1 and "bad.py" in result.stdout, result.stdout


def _mypy(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    # Incremental: the cache in .cache/mypy makes a second run take a second (a first one, ~30 s of CPU).
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"), *args], cwd=cwd, capture_output=True, text=True)


def test_mypy_finds_nothing():
    result = _mypy()  # the files listed in [tool.mypy]
    assert result.returncode == 0 and "Success: no issues found" in result.stdout, result.stdout + result.stderr


def test_mypy_flags_a_type_error(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(n: int) -> str:\n    return n\n", encoding="utf-8")
    result = _mypy(str(bad), cwd=tmp_path)
    assert result.returncode == 1 and "[return-value]" in result.stdout, result.stdout + result.stderr


def test_only_conftest_starts_a_browser():
    """Playwright's sync API allows one instance per thread: a test module that launches its own
    Chromium fails whenever xdist gives it a worker where the session's `browser` already runs
    (CI failed that way once while local runs passed)."""
    starters = ("sync_playwright(", "chromium_browser(", "def browser(")
    offenders = [
        f"{path.name}: {starter}"
        for path in sorted((REPO / "tests").glob("test_*.py"))
        if path.name != "test_lint.py"  # this test names them
        for starter in starters
        if starter in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], "use the session's `browser` fixture from conftest.py instead"

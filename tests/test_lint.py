"""ruff, configured in pyproject.toml, finds nothing in the generator, the tests and the benchmarks;
and a file with an undefined name is flagged (so this test can fail)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO

RUFF = Path(sys.executable).with_name("ruff")


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(RUFF), "check", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_finds_nothing():
    result = _ruff("explainer", "build.py", "bench", "tests")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_flags_an_undefined_name(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    return undefined_name\n", encoding="utf-8")
    result = _ruff("--config", str(REPO / "pyproject.toml"), str(bad))
    assert result.returncode == 1 and "F821" in result.stdout, result.stdout

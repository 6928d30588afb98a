"""Golden build of a second, tiny explainer (tests/fixtures/orchard): the generator holds
nothing Channel-specific, and its output changes only when we mean it to.

Refresh the golden files after an intended change, then review the diff:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import FIXTURES, copy_explainer, run_build, tree_hashes

GOLDEN = FIXTURES / "orchard.golden"
# The generated Markdown and chart outputs; the Vega runtime is a third-party bundle, left out.
COMPARED = ("*.md", "assets/charts/*")


def _outputs(docs: Path) -> dict[str, bytes]:
    return {str(p.relative_to(docs)): p.read_bytes() for pattern in COMPARED for p in sorted(docs.glob(pattern))}


def test_orchard_matches_golden(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    actual = _outputs(root / "docs")
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, content in actual.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(content)
    expected = {str(p.relative_to(GOLDEN)): p.read_bytes() for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name] == expected[name], f"{name} differs from the golden file; if intended, refresh with UPDATE_GOLDEN=1"


def test_same_inputs_give_byte_identical_site(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    assert run_build(root).returncode == 0
    first = tree_hashes(root / "site")
    docs_before = {p: p.stat().st_mtime_ns for p in (root / "docs").rglob("*") if p.is_file()}
    result = run_build(root, full=True)
    assert result.returncode == 0, result.stderr
    assert tree_hashes(root / "site") == first
    # A second build with the same inputs rewrites nothing in docs/ (so `serve` never loops).
    assert {p: p.stat().st_mtime_ns for p in (root / "docs").rglob("*") if p.is_file()} == docs_before
    assert "0 files changed in docs/" in result.stdout


def test_nothing_changed_means_nothing_to_do(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    assert run_build(root).returncode == 0
    again = run_build(root)
    assert again.returncode == 0 and again.stdout.startswith("Nothing changed since the last build")
    # Any input change, or a hand-edited site/, means a real build.
    page = root / "content" / "index.md"
    page.write_text(page.read_text() + "\nOne more sentence.\n")
    assert "Built 4 pages" in run_build(root).stdout
    (root / "site" / "index.html").write_text("edited by hand")
    assert "Built 4 pages" in run_build(root).stdout
    assert "One more sentence." in (root / "site" / "index.html").read_text()

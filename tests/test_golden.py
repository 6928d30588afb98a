"""Golden builds: the generated output changes only when we mean it to.

- tests/fixtures/orchard.golden: a second, tiny explainer (tests/fixtures/orchard), so the
  generator holds nothing Channel-specific;
- tests/fixtures/channel.golden: the bilingual Channel explainer this repository ships (content/,
  charts/): every number, table cell, caption and citation of both languages.

Refresh the golden files after an intended change (to the generator, or to the Channel's content
or data), then review the diff (`git diff --word-diff tests/fixtures` reads best: SVGs are long lines):
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from conftest import FIXTURES, copy_explainer, run_build, tree_hashes

GOLDEN = FIXTURES / "orchard.golden"
# The generated Markdown and chart outputs; the Vega runtime is a third-party bundle, left out.
COMPARED = ("*.md", "assets/charts/*")


def _outputs(docs: Path) -> dict[str, bytes]:
    return {str(p.relative_to(docs)): p.read_bytes() for pattern in COMPARED for p in sorted(docs.glob(pattern))}


def _first_difference(name: str, actual: bytes, expected: bytes) -> str:
    """Where a file first differs from its golden copy: line number and a few words either side."""
    at = next((i for i, (a, b) in enumerate(zip(actual, expected)) if a != b), min(len(actual), len(expected)))
    line = expected[:at].count(b"\n") + 1
    golden, built = (text[max(0, at - 60) : at + 60].decode("utf-8", "replace") for text in (expected, actual))
    return f"{name}:{line}: golden {golden!r}\n{' ' * len(name)}   built  {built!r}"


def _compare_with_golden(actual: dict[str, bytes], golden: Path) -> None:
    """Every output equals its golden file; with UPDATE_GOLDEN=1 the golden files are rewritten first."""
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        for name, content in actual.items():
            (golden / name).parent.mkdir(parents=True, exist_ok=True)
            (golden / name).write_bytes(content)
    expected = {str(p.relative_to(golden)): p.read_bytes() for p in sorted(golden.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected), "files added or gone; if intended, refresh with UPDATE_GOLDEN=1"
    differences = [_first_difference(name, actual[name], expected[name]) for name in expected if actual[name] != expected[name]]
    assert not differences, "differs from the golden files; if intended, refresh with UPDATE_GOLDEN=1:\n" + "\n".join(differences)


def test_orchard_matches_golden(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    _compare_with_golden(_outputs(root / "docs"), GOLDEN)


CHANNEL_GOLDEN = FIXTURES / "channel.golden"
# Each language's generated Markdown (the English in docs/, the others where the build writes them).
CHANNEL_DOCS = {"en": Path("docs"), "fr": Path(".cache/explainer/docs-fr")}
# Kept whole: pages, chart specs and plotted CSVs. Kept as a hash: preview images (binary) and the
# data downloads (copies of charts/data/, which the repository holds already).
CHANNEL_WHOLE = ("*.md", "assets/charts/*.csv", "assets/charts/*.vg.json")
CHANNEL_HASHED = ("assets/charts/*.png", "assets/data/*")


def test_channel_explainer_matches_golden(channel_site):
    """The bilingual Channel explainer's generated Markdown (prose with its figures, chart SVGs,
    captions, data tables, citations), chart specs and plotted CSVs, in both languages, byte for
    byte. A change to content/ or charts/ needs the golden refreshed, so that every changed number
    or citation shows in the pull request as a diff to review."""
    actual: dict[str, bytes] = {}
    hashes = []
    for language, folder in CHANNEL_DOCS.items():
        docs = channel_site / folder
        assert (docs / "index.md").is_file(), f"no {language} pages in {docs}"
        for pattern in CHANNEL_WHOLE:
            actual.update({f"{language}/{p.relative_to(docs)}": p.read_bytes() for p in sorted(docs.glob(pattern))})
        for pattern in CHANNEL_HASHED:
            hashes += [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {language}/{p.relative_to(docs)}\n" for p in sorted(docs.glob(pattern))]
    actual["sha256sums.txt"] = "".join(hashes).encode()
    _compare_with_golden(actual, CHANNEL_GOLDEN)


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

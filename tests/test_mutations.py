"""tests/mutate.py cannot rot silently: every mutation's `old` text is still in its file exactly
once (a refactor that moves the code makes this fail, not the mutation run), and every test it
names still exists."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO
from mutate import MUTATIONS


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mutation_applies_once(mutation):
    text = (REPO / mutation.path).read_text(encoding="utf-8")
    assert text.count(mutation.old) == 1, f"{mutation.path}: update `old` of {mutation.name} in tests/mutate.py"
    assert mutation.new != mutation.old and mutation.tests


def test_mutation_names_are_unique():
    names = [m.name for m in MUTATIONS]
    assert len(names) == len(set(names))


def test_every_named_test_exists():
    wanted = sorted({t for m in MUTATIONS for t in m.tests})
    files = sorted({t.split("::")[0] for t in wanted})
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    collected = set(out.stdout.split())
    assert [t for t in wanted if t not in collected] == []

"""Shared test helpers: the repository root, running build.py, hashing a tree."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_build(root: Path, *args: str, timeout: int = 600, full: bool = False) -> subprocess.CompletedProcess:
    """Run build.py on an explainer. full=True forgets the last build's stamp, so a build with
    unchanged inputs really rebuilds instead of reporting that nothing changed."""
    if full:
        (root / ".cache" / "explainer" / "build-stamp.json").unlink(missing_ok=True)
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args, "--root", str(root)],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_explainer(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("site", "docs", ".cache"))
    return dest


@pytest.fixture(scope="session")
def channel_site(tmp_path_factory) -> Path:
    """The default explainer, built once from a copy of the repository's content."""
    root = tmp_path_factory.mktemp("channel")
    for name in ("content", "charts", "mkdocs.yml"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / name, **({"ignore": shutil.ignore_patterns("__pycache__")} if src.is_dir() else {}))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root

"""Helpers for tests/test_bad_input.py: run the generator as a command, fingerprint site/,
and small, composable mutations of a copied explainer folder.

A mutation is a function taking the explainer folder (Path) and changing it in place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable

import warm_build

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "orchard"

Mutation = Callable[[Path], None]


def run_build(root: Path, *extra: str, args: list[str] | None = None) -> subprocess.CompletedProcess:
    """python build.py --root ROOT [extra...], from the repository root, as an editor would run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return warm_build.run(["build.py", *(args if args is not None else ["--root", str(root), *extra])], cwd=REPO, env=env, timeout=300)


def copy_fixture(dest: Path) -> Path:
    """The orchard fixture without anything a build generates."""
    shutil.copytree(FIXTURE, dest, symlinks=True, ignore=shutil.ignore_patterns("site", "docs", ".cache", "__pycache__"))
    return dest


def site_hashes(root: Path) -> dict[str, str]:
    """Every file under site/ (path relative to site/ -> sha256 of its bytes)."""
    site = root / "site"
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(site.rglob("*")) if p.is_file()}


def split_stderr(stderr: str) -> tuple[list[str], str]:
    """(problem lines, last line) of a stopped build's stderr."""
    lines = stderr.splitlines()
    if not lines:
        return [], ""
    return lines[:-1], lines[-1]


def build_stopped(n: int) -> str:
    return f"Build stopped: {n} problem{'s' if n != 1 else ''}; site/ was left as it was."


# --- mutations -------------------------------------------------------------------------------


def replace(rel: str, old: str, new: str, count: int = 1) -> Mutation:
    """Replace text in a file; fails loudly if the fixture no longer holds `old`."""

    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {rel}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return mutate


def replace_bytes(rel: str, old: bytes, new: bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        raw = path.read_bytes()
        assert old in raw, f"fixture changed: {old!r} not in {rel}"
        path.write_bytes(raw.replace(old, new, 1))

    return mutate


def transform(rel: str, fn: Callable[[str], str]) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")

    return mutate


def prepend_bytes(rel: str, prefix: bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.write_bytes(prefix + path.read_bytes())

    return mutate


def write(rel: str, content: str | bytes) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return mutate


def append(rel: str, text: str) -> Mutation:
    def mutate(root: Path) -> None:
        path = root / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return mutate


def copy(rel: str, new_rel: str) -> Mutation:
    def mutate(root: Path) -> None:
        shutil.copyfile(root / rel, root / new_rel)

    return mutate


def remove(rel: str) -> Mutation:
    def mutate(root: Path) -> None:
        (root / rel).unlink()

    return mutate


def move_and_link(rel: str, outside: bool) -> Mutation:
    """Move a file away and leave a symbolic link in its place: to a file outside the
    explainer folder (outside=True), or to another file next to it (outside=False)."""

    def mutate(root: Path) -> None:
        path = root / rel
        target = root.parent / f"outside-{path.name}" if outside else path.with_name(f"real-{path.name}")
        os.replace(path, target)
        path.symlink_to(target if outside else target.name)

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    def mutate(root: Path) -> None:
        for m in mutations:
            m(root)

    return mutate

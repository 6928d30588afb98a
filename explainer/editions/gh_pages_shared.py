"""The shared folder on gh-pages, with git: committing the files an edition's build left in the
stage (shared_assets.py), never overwriting one, and what a publish cost in bytes.

Writes git objects and moves the local gh-pages ref (one commit, built in an index of its own, so
the working tree and its index are never touched).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..common import git
from ..common.problems import Problem, Problems
from .gh_pages import BRANCH, rev
from .shared_assets import FOLDER

WARN_BYTES = 800_000_000  # GitHub Pages refuses a published site over 1 GB


def add_shared(root: Path, stage: Path, message: str) -> list[str]:
    """Commit onto gh-pages every staged file not there yet; returns the paths added. A shared
    path holds the hash of its bytes, so one that exists with other bytes is refused: old
    editions load it."""
    staged = sorted(p for p in (stage / FOLDER).rglob("*") if p.is_file()) if (stage / FOLDER).is_dir() else []
    tip = rev(root, f"refs/heads/{BRANCH}")
    if not staged or tip is None:
        return []
    paths = [p.relative_to(stage).as_posix() for p in staged]
    blobs = git.run(root, "hash-object", "-w", "--stdin-paths", input="".join(f"{p}\n" for p in staged), check=True).stdout.split()
    listed = git.run(root, "ls-tree", "-r", "--full-tree", tip, "--", FOLDER + "/", check=True).stdout.splitlines()
    there = {line.split("\t", 1)[1]: line.split()[2] for line in listed}
    differ = [p for p, blob in zip(paths, blobs) if p in there and there[p] != blob]
    if differ:
        raise Problems(
            [
                Problem(
                    BRANCH,
                    None,
                    None,
                    f"a shared file on {BRANCH} has other bytes than this edition's: {', '.join(differ[:3])}",
                    "shared files are never overwritten (earlier editions load them); this is a bug in the generator, please report it",
                )
            ]
        )
    new = [(p, blob) for p, blob in zip(paths, blobs) if p not in there]
    if not new:
        return []
    with tempfile.TemporaryDirectory(prefix="explainer-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        git.run(root, "read-tree", tip, env=env, check=True)
        git.run(root, "update-index", "--add", "--index-info", input="".join(f"100644 {blob}\t{p}\n" for p, blob in new), env=env, check=True)
        tree = git.run(root, "write-tree", env=env, check=True).stdout.strip()
    commit = git.run(root, "commit-tree", tree, "-p", tip, "-m", message, check=True).stdout.strip()
    git.run(root, "update-ref", f"refs/heads/{BRANCH}", commit, tip, check=True)
    return [p for p, _ in new]


def changes(root: Path, before: str | None, after: str) -> list[tuple[str, str]]:
    """(status letter, path) of every file a range of gh-pages commits added (A), changed (M)
    or deleted (D)."""
    if before is None:
        return [("A", p) for p in git.run(root, "ls-tree", "-r", "--name-only", after, check=True).stdout.splitlines()]
    out = git.run(root, "diff", "--name-status", "--no-renames", before, after, check=True).stdout
    return [(line[0], line.split("\t", 1)[1]) for line in out.splitlines() if line]


def _sizes(root: Path, ref: str) -> dict[str, tuple[str, int]]:
    sizes = {}
    for line in git.run(root, "ls-tree", "-r", "-l", "--full-tree", ref, check=True).stdout.splitlines():
        meta, path = line.split("\t", 1)
        _, _, blob, size = meta.split()
        sizes[path] = (blob, int(size) if size.isdigit() else 0)
    return sizes


def cost(root: Path, before: str | None, after: str) -> tuple[int, int]:
    """Bytes of the files new or changed on gh-pages from `before` to `after`, and the bytes of
    the whole published site at `after` (what GitHub Pages counts against its 1 GB)."""
    now = _sizes(root, after)
    then = _sizes(root, before) if before else {}
    added = sum(size for path, (blob, size) in now.items() if then.get(path, ("",))[0] != blob)
    return added, sum(size for _, size in now.values())


def megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} KB"


def cost_note(added: int, total: int, warn: int = WARN_BYTES) -> tuple[str, str | None]:
    """What the result line says about the cost, and a warning when the site nears the limit."""
    said = f"{megabytes(added)} added, published site {megabytes(total)}"
    if total <= warn:
        return said, None
    return said, (
        f"the published site is {megabytes(total)}, over {megabytes(warn)}: GitHub Pages refuses a site over 1 GB. "
        "Delete old `next` previews and old editions from gh-pages (`mike delete EDITION`, after archiving them elsewhere, "
        "for example as a release asset or on another host), or serve the editions from a CDN (README, GitHub Pages limits)"
    )

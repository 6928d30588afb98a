"""When the explainer was first published and last updated, from git (never the clock).

First published: the date of the first commit that touched its sections (content/); last
updated: the date of the last commit that touched its sections or its data (content/, charts/).
Outside a git repository (a copy of an explainer, a test's temporary folder) there are none, and
the cover says only what the data gives.

A shallow clone (CI's default `fetch-depth: 1`) holds only the newest commits, and git shows the
oldest of them, the boundary, as adding every file: its date says nothing about when a section was
written. So in a shallow clone there is no first-published date, and the boundary commit never
counts as an update."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import git


@dataclass(frozen=True)
class History:
    first_published: str | None = None  # YYYY-MM-DD
    last_updated: str | None = None  # YYYY-MM-DD


def _commits(root: Path, *paths: str) -> list[tuple[str, str]]:
    """(hash, YYYY-MM-DD) of the commits that touched `paths`, newest first."""
    out = git.output(root, "log", "--format=%H %cs", "--", *paths, timeout=20) or ""
    return [(parts[0], parts[1]) for parts in (line.split() for line in out.splitlines()) if len(parts) == 2]


def _boundary(root: Path) -> set[str] | None:
    """The shallow clone's boundary commits; None when the history is complete."""
    if (git.output(root, "rev-parse", "--is-shallow-repository", timeout=20) or "").strip() != "true":
        return None
    shallow = (git.output(root, "rev-parse", "--git-path", "shallow", timeout=20) or "").strip()
    try:
        return set((root / shallow).read_text().split()) if shallow else set()
    except OSError:
        return set()


def history(root: Path) -> History:
    sections = _commits(root, "content")
    if not sections:
        return History()
    boundary = _boundary(root)
    changes = [(h, day) for h, day in _commits(root, "content", "charts") if h not in (boundary or ())]
    if boundary is not None:
        return History(None, changes[0][1] if changes else None)
    return History(sections[-1][1], changes[0][1] if changes else sections[0][1])

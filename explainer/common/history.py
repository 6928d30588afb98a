"""When the explainer was first published and last updated, from git (never the clock).

First published: the date of the first commit that touched its sections (content/); last
updated: the date of the last commit that touched its sections or its data (content/, charts/).
Outside a git repository (a copy of an explainer, a test's temporary folder) there are none, and
the cover says only what the data gives."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class History:
    first_published: str | None = None   # YYYY-MM-DD
    last_updated: str | None = None      # YYYY-MM-DD


def _git_dates(root: Path, *paths: str) -> list[str]:
    try:
        out = subprocess.run(["git", "log", "--format=%cs", "--", *paths], cwd=root, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    return out.stdout.split() if out.returncode == 0 else []


def history(root: Path) -> History:
    sections = _git_dates(root, "content")
    if not sections:
        return History()
    changes = _git_dates(root, "content", "charts")
    return History(sections[-1], changes[0] if changes else sections[0])

"""git, run as a command in an explainer's folder: the one wrapper the stages that read or move
git (publish, diff, the cover's dates, an edition's record) share.

Reads the repository; writes only what the git command it runs writes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run(
    root: Path, *args: str, check: bool = False, input: str | bytes | None = None, text: bool = True, timeout: float | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    """`git ARGS` in `root`, its output captured (text, or bytes with text=False); `env` adds to
    the environment (GIT_INDEX_FILE: a commit built beside the working tree's index)."""
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=text, input=input, check=check, timeout=timeout, env={**os.environ, **env} if env else None
    )


def output(root: Path, *args: str, timeout: float | None = None) -> str | None:
    """git's output, or None when git fails, is missing or runs out of time (no repository, no such commit)."""
    try:
        out = run(root, *args, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None

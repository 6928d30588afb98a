"""The gh-pages branch, with git: what is published there (versions.json), bringing it up to the
remote's, putting it back after a refused or interrupted publish, and what a publish changed.

Reads and moves the local gh-pages ref (and fetches the remote's); reads the working tree's status.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..common import git
from ..common.problems import Problem, Problems
from ..site import mkdocs as site

BRANCH = "gh-pages"


def last_line(text: str) -> str:
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else "no output"


def short(commit) -> str:
    return str(commit)[:7] if commit else "(unknown)"


def rev(root: Path, ref: str) -> str | None:
    out = git.run(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return out.stdout.strip() if out.returncode == 0 else None


def set_branch(root: Path, commit: str | None) -> None:
    """Point the local gh-pages at `commit` (or delete it): how a refused publish is undone."""
    if commit:
        git.run(root, "update-ref", f"refs/heads/{BRANCH}", commit, check=True)
    else:
        git.run(root, "update-ref", "-d", f"refs/heads/{BRANCH}")


def dirty_paths(root: Path, top: Path) -> list[str]:
    """Uncommitted changes anywhere in the repository, less what the build itself writes
    (untracked files under the explainer's site/, docs/ and .cache/, and __pycache__)."""
    out = git.run(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", check=True).stdout
    rel = root.resolve().relative_to(top).as_posix()
    prefix = "" if rel == "." else rel + "/"
    generated = tuple(prefix + d for d in ("site/", "docs/", ".cache/", site.MAIN_CONFIG))
    paths, entries = [], out.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        if status[0] in "RC":
            i += 1  # a rename carries its old path as the next entry
        if status == "??" and (path.startswith(generated) or "__pycache__/" in path):
            continue
        paths.append(path)
    return paths


def published_versions(root: Path, ref: str) -> list[dict]:
    out = git.run(root, "show", f"{ref}:versions.json")
    if out.returncode != 0:
        return []
    try:
        data = json.loads(out.stdout)
    except ValueError:
        raise Problems(
            [
                Problem(
                    BRANCH,
                    None,
                    None,
                    f"versions.json on {BRANCH} is not valid JSON",
                    "repair or delete it on the branch; mike rewrites it on the next publish",
                )
            ]
        )
    return data if isinstance(data, list) else []


def sync_with_remote(root: Path, remote: str, push: bool, notes: list[str]) -> list[Problem]:
    """Fetch the remote's gh-pages and fast-forward the local one to it: a publish builds on
    what is already online. A local branch that has diverged is refused.

    Without --push, a fetch that fails (offline, or no credentials: the publish workflow's build
    job holds no token) is not fatal: the local branch is brought up to the remote's gh-pages as
    last fetched (there, by actions/checkout with fetch-depth 0), and the result says so."""
    fetched = git.run(root, "fetch", "--quiet", remote, f"+refs/heads/{BRANCH}:refs/remotes/{remote}/{BRANCH}")
    if fetched.returncode != 0:
        if "couldn't find remote ref" in fetched.stderr:
            return []  # nothing published yet
        problem = Problem(
            ".", None, None, f"could not fetch {BRANCH} from remote {remote!r}: {last_line(fetched.stderr)}", "check the network and your access to the remote"
        )
        if push:
            return [problem]
        last = rev(root, f"refs/remotes/{remote}/{BRANCH}")
        notes.append(
            f"{BRANCH} not fetched from {remote}; built on {remote}/{BRANCH} as last fetched ({short(last)})"
            if last
            else f"{BRANCH} not fetched from {remote}; built on the local {BRANCH} only"
        )
    theirs, ours = rev(root, f"refs/remotes/{remote}/{BRANCH}"), rev(root, f"refs/heads/{BRANCH}")
    if not theirs or theirs == ours:
        return []
    if ours is None or git.run(root, "merge-base", "--is-ancestor", ours, theirs).returncode == 0:
        set_branch(root, theirs)
        return []
    if git.run(root, "merge-base", "--is-ancestor", theirs, ours).returncode == 0:
        return []  # local publishes not pushed yet: they go out with this one
    return [
        Problem(
            ".", None, None, f"the local {BRANCH} branch has diverged from {remote}/{BRANCH}", f"keep the remote's: git branch -f {BRANCH} {remote}/{BRANCH}"
        )
    ]


def restore_branch(root: Path, commit: str | None) -> None:
    """Put the local gh-pages back where it was (Ctrl-C and SIGTERM only set the stop flag,
    common/stop.py: nothing interrupts this)."""
    if rev(root, f"refs/heads/{BRANCH}") != commit:
        set_branch(root, commit)

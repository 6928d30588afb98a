"""What an edition costs on gh-pages: publish the Channel explainer twice, from two commits whose
sources differ by one sentence, and count the published tree's bytes.

    .venv/bin/python bench/edition_cost.py [--commit REV]

Clones this repository's commit (HEAD by default) into a temporary repository of its own (no
remote, so nothing is fetched or pushed, and this repository's branches are not touched), publishes edition 2021-10 as latest, appends one sentence to
content/index.md, commits, publishes 2021-11 as latest, and prints a Markdown table: one edition's
bytes and files (its own folder, its fr/, its source maps and lunr language files), the site-wide
shared folder, what the second edition added (blobs new or changed on gh-pages, by bytes) and the
total published size. Real git, mike and MkDocs, as `build.py publish` runs them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
A, B = "2021-10", "2021-11"
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, env=ENV, check=True, capture_output=True, text=True).stdout


def tree(root: Path, ref: str) -> dict[str, tuple[str, int]]:
    """path -> (blob, bytes) of every file on a commit (links count as their few bytes)."""
    rows = {}
    for line in git(root, "ls-tree", "-r", "-l", "--full-tree", ref).splitlines():
        meta, path = line.split("\t", 1)
        _, _, blob, size = meta.split()
        rows[path] = (blob, int(size) if size.isdigit() else 0)
    return rows


def total(rows: dict, keep=lambda p: True) -> tuple[int, int]:
    picked = [size for path, (_, size) in rows.items() if keep(path)]
    return sum(picked), len(picked)


def publish(root: Path, edition: str) -> None:
    out = subprocess.run([sys.executable, str(root / "build.py"), "publish", edition, "--alias", "latest"], cwd=root, env=ENV, capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    print(out.stdout.strip(), file=sys.stderr)


def mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commit", default="HEAD")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="edition-cost-") as tmp:
        root = Path(tmp) / "explainer"
        commit = git(REPO, "rev-parse", args.commit).strip()
        git(Path(tmp), "clone", "--quiet", "--no-checkout", str(REPO), str(root))
        git(root, "checkout", "--quiet", "-b", "bench", commit)
        git(root, "remote", "remove", "origin")
        publish(root, A)
        first = tree(root, "gh-pages")
        page = root / "content" / "index.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence for the next edition.\n", encoding="utf-8")
        git(root, "commit", "--quiet", "-am", "One more sentence")
        publish(root, B)
        second = tree(root, "gh-pages")
    added = {p: v for p, v in second.items() if first.get(p, (None,))[0] != v[0]}
    edition = total(first, lambda p: p.startswith(A + "/"))
    rows = [
        ("one edition, its own folder", edition),
        ("  of which fr/", total(first, lambda p: p.startswith(f"{A}/fr/"))),
        ("  of which source maps", total(first, lambda p: p.startswith(A + "/") and p.endswith(".map"))),
        ("  of which lunr language files", total(first, lambda p: p.startswith(A + "/") and "/lunr/" in p)),
        ("shared folder (_shared/) after the first edition", total(first, lambda p: p.startswith("_shared/"))),
        ("second edition (one sentence more): added to gh-pages", total(added)),
        ("total published site after two editions", total(second)),
    ]
    print(f"Commit {git(REPO, 'rev-parse', '--short', args.commit).strip()}, measured with `.venv/bin/python bench/edition_cost.py`\n")
    print("| | bytes | files |\n|---|---|---|")
    for name, (size, count) in rows:
        print(f"| {name} | {mb(size)} | {count} |")


if __name__ == "__main__":
    main()

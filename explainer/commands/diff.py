"""`python build.py diff REF`: what a change does to the numbers, for the editor and the
reviewer of a pull request. Lists every figure whose value changed since the git ref REF
(old -> new) with the sentences that quote it, the charts whose plotted data changed, and the
pages whose text changed. Prints Markdown, ready for a GitHub job summary."""
from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

from ..pipeline import Gathered, gather
from ..common.problems import Problem, Problems

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý\"“«(])")


def _git(root: Path, *args: str, binary: bool = False):
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=not binary)
    if proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode("utf-8", "replace")
        raise Problems([Problem(".", message=f"git {' '.join(args[:2])} failed: {err.strip().splitlines()[-1] if err.strip() else 'no output'}",
                                hint="is REF a commit, branch or tag of this repository?")])
    return proc.stdout


def checkout(root: Path, ref: str, dest: Path) -> Path:
    """The explainer folder as it was at REF, extracted (not checked out: the work tree is untouched)."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    sub = root.resolve().relative_to(top.resolve()).as_posix()
    _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    archive = dest / "ref.tar"
    archive.write_bytes(_git(top, "archive", "--format=tar", ref, *([sub] if sub != "." else []), binary=True))
    with tarfile.open(archive) as tar:
        tar.extractall(dest / "tree", filter="data")
    return dest / "tree" / (sub if sub != "." else "")


def sentences_quoting(gathered: Gathered, name: str, root: Path) -> list[str]:
    """The sentences that quote a figure, in every language, as path:line: sentence."""
    found = []
    for page in (page for loc in gathered.languages for page in loc.pages):
        for lineno, line in enumerate(page.body.splitlines(), 1):
            if re.search(rf"\bfig\.{re.escape(name)}\b", line):
                for sentence in SENTENCE_END.split(line.strip()):
                    if re.search(rf"\bfig\.{re.escape(name)}\b", sentence):
                        found.append(f"{page.source.relative_to(root).as_posix()}:{lineno}: {sentence.strip()}")
    return found


def report(root: Path, ref: str) -> str:
    root = root.resolve()
    new = gather(root)
    with tempfile.TemporaryDirectory() as tmp:
        old_root = checkout(root, ref, Path(tmp))
        try:
            old = gather(old_root, cache_dir=root / ".cache" / "explainer" / "charts")  # cache keys are content hashes: safe to share
        except Problems as e:
            return f"## Changes since `{ref}`\n\nThe explainer at `{ref}` does not build ({len(e.problems)} problems), so there is nothing to compare against.\n"
    lines = [f"## Changes since `{ref}`", ""]
    changed = [(n, old.figures[n].text, f.text) for n, f in sorted(new.figures.items()) if n in old.figures and old.figures[n].text != f.text]
    added = sorted(set(new.figures) - set(old.figures))
    removed = sorted(set(old.figures) - set(new.figures))
    lines += [f"### Figures whose value changed ({len(changed)})", ""]
    if not changed:
        lines.append("None.")
    for name, before, after in changed:
        lines.append(f"- `{name}`: {before} → {after}")
        lines += [f"    - {s}" for s in sentences_quoting(new, name, root)]
    if added or removed:
        lines += ["", f"New figures: {', '.join(f'`{n}`' for n in added) or 'none'}. Removed figures: {', '.join(f'`{n}`' for n in removed) or 'none'}."]
    chart_changes = [s for s in sorted(set(new.charts) | set(old.charts))
                     if s not in old.charts or s not in new.charts or old.charts[s].csv != new.charts[s].csv]
    lines += ["", f"### Charts whose plotted data changed ({len(chart_changes)})", ""]
    for slug in chart_changes:
        state = "new chart" if slug not in old.charts else "removed" if slug not in new.charts else "data changed"
        title = (new.charts.get(slug) or old.charts[slug]).title
        lines.append(f"- `{slug}` ({title}): {state}")
    if not chart_changes:
        lines.append("None.")
    def pages_of(gathered):  # every language's pages, by their path in the site: the-patrol.md, fr/the-patrol.md
        return {loc.language.prefix + p.name: p.markdown for loc in gathered.languages for p in loc.pages}

    old_pages, new_pages = pages_of(old), pages_of(new)
    page_changes = [n for n, text in new_pages.items() if old_pages.get(n) != text] + sorted(set(old_pages) - set(new_pages))
    lines += ["", f"### Pages whose text changed ({len(page_changes)})", ""]
    lines += [f"- `{name}`" for name in page_changes] or ["None."]
    return "\n".join(lines) + "\n"

"""`python build.py diff REF`: what a change does to what readers read, for the editor and the
reviewer of a pull request. Since the git ref REF: every sentence readers will read differently
(rendered, figures substituted, old -> new, in every language), every figure whose value changed,
the changed rows of each dataset (key, old -> new, source), a flag where a value changed but
neither its source nor the caveats did, the charts whose plotted data changed, and the pages
whose text changed. Prints Markdown, ready for a GitHub job summary. A REF git does not know is a
usage error (exit 2)."""

from __future__ import annotations

import re
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

from .. import figures as figures_stage
from ..common import git, safe_yaml
from ..common.files import CACHE_DIR
from ..data.load import SOURCE_FIELD, SOURCES_RESOURCE
from ..pipeline import Gathered, gather
from ..common.problems import Problem, Problems


class UsageError(Exception):
    """REF is not something git can compare against (exit 2)."""


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý\"“«(])")


def _git(root: Path, *args: str, binary: bool = False):
    proc = git.run(root, *args, text=not binary)
    if proc.returncode != 0:
        err = proc.stderr if isinstance(proc.stderr, str) else proc.stderr.decode("utf-8", "replace")
        raise Problems(
            [
                Problem(
                    ".",
                    message=f"git {' '.join(args[:2])} failed: {err.strip().splitlines()[-1] if err.strip() else 'no output'}",
                    hint="is REF a commit, branch or tag of this repository?",
                )
            ]
        )
    return proc.stdout


def checkout(root: Path, ref: str, dest: Path) -> Path:
    """The explainer folder as it was at REF, extracted (not checked out: the work tree is untouched)."""
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    sub = root.resolve().relative_to(top.resolve()).as_posix()
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except Problems:
        raise UsageError(f"{ref} is not a commit, branch or tag of this repository (try origin/main, HEAD~1 or a tag)") from None
    archive = dest / "ref.tar"
    archive.write_bytes(_git(top, "archive", "--format=tar", ref, *([sub] if sub != "." else []), binary=True))
    with tarfile.open(archive) as tar:
        tar.extractall(dest / "tree", filter="data")
    return dest / "tree" / (sub if sub != "." else "")


def sentences_quoting(gathered: Gathered, name: str, root: Path) -> list[str]:
    """The sentences that quote a figure, in every language, as path:line: sentence (as written)."""
    found = []
    for page in (page for loc in gathered.languages for page in loc.pages):
        for lineno, line in enumerate(page.body.splitlines(), 1):
            if re.search(rf"\bfig\.{re.escape(name)}\b", line):
                for sentence in SENTENCE_END.split(line.strip()):
                    if re.search(rf"\bfig\.{re.escape(name)}\b", sentence):
                        found.append(f"{page.source.relative_to(root).as_posix()}:{lineno}: {sentence.strip()}")
    return found


def reader_sentences(markdown: str) -> list[str]:
    """The sentences of a rendered page as readers read them: figures substituted, links as their
    text, charts and front matter left out (their changes are listed apart)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"<figure\b.*?</figure>", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\\([\\`*_{}\[\]#<>])", r"\1", text).replace("&lt;", "<").replace("&amp;", "&")
    out = []
    for block in re.split(r"\n\s*\n", text):
        if re.search(r"\{: \.explainer-[a-z-]+ \}\s*$", block):
            continue  # a generated block (the cover's byline and dates, the edition line): not the editor's prose
        for line in block.splitlines() if re.match(r"\s*([-*+]|\d+\.)\s", block) else [block]:
            line = " ".join(re.sub(r"^\s*(#+|[-*+>]|\d+\.)\s+", "", line).split())
            out += [s.strip() for s in SENTENCE_END.split(line) if s.strip()]
    return out


def _sentence_changes(old_pages: dict, new_pages: dict) -> list[tuple[str, str | None, str | None]]:
    """(page, old sentence or None, new sentence or None) for every sentence that differs."""
    import difflib

    changes = []
    for name in list(new_pages) + [n for n in old_pages if n not in new_pages]:
        before, after = reader_sentences(old_pages.get(name, "")), reader_sentences(new_pages.get(name, ""))
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
            if op == "equal":
                continue
            olds, news = before[i1:i2], after[j1:j2]
            for k in range(max(len(olds), len(news))):
                changes.append((name, olds[k] if k < len(olds) else None, news[k] if k < len(news) else None))
    return changes


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


ROWS_SHOWN = 30  # changed rows listed per dataset; the rest are counted


def _row_changes(old, new) -> list[str]:
    """Markdown lines: the rows of each dataset that changed (key, old -> new, source), flagged
    where a value changed but neither the row's source nor the resource's caveats did."""
    lines = []
    old_res = {r.get("name"): r for r in old.package.descriptor.get("resources", [])}
    for res in new.package.descriptor.get("resources", []):
        name = res.get("name")
        if name not in new.package.tables:
            continue
        if name not in old.package.tables:
            lines.append(f"- `{name}`: new dataset, {len(new.package.tables[name]):,} rows")
            continue
        before, after = old.package.tables[name], new.package.tables[name]
        key = [k for k in ((res.get("schema") or {}).get("primaryKey") or []) if k in before and k in after]
        if isinstance(key, str):
            key = [key]
        caveats_same = (old_res.get(name) or {}).get("caveats") == res.get("caveats")
        columns = [c for c in after.columns if c in before.columns]

        def rows_by_key(table):
            if key:
                return {tuple(_cell(v) for v in row[key]): row for _, row in table.iterrows()}
            return {tuple(_cell(v) for v in row[columns]): row for _, row in table.iterrows()}

        if before[columns].astype(str).equals(after[columns].astype(str)) and list(before.columns) == list(after.columns):
            continue
        b, a = rows_by_key(before), rows_by_key(after)
        items = []
        for k, row in a.items():
            label = ", ".join(f"{c}={v}" for c, v in zip(key, k)) if key else "row"
            if k not in b:
                items.append(f"added: {label if key else ', '.join(f'{c}={_cell(row[c])}' for c in columns)}")
                continue
            old_row = b[k]
            changed = [c for c in columns if c != SOURCE_FIELD and c not in key and _cell(old_row[c]) != _cell(row[c])]
            source_old, source_new = (_cell(old_row.get(SOURCE_FIELD)), _cell(row.get(SOURCE_FIELD))) if SOURCE_FIELD in columns else ("", "")
            if not changed and source_old == source_new:
                continue
            what = "; ".join(f"{c} {_cell(old_row[c])} → {_cell(row[c])}" for c in changed)
            source = f"source {source_old} → {source_new}" if source_old != source_new else f"source {source_new or 'none'}"
            line = f"{label}: {what + '; ' if what else ''}{source}"
            if changed and source_old == source_new and caveats_same and name != SOURCES_RESOURCE:
                line += " ⚠ the value changed, but not its source nor the caveats: cite the source of the new value, or add a caveat"
            items.append(line)
        for k, row in b.items():
            if k not in a:
                label = ", ".join(f"{c}={v}" for c, v in zip(key, k)) if key else ", ".join(f"{c}={_cell(row[c])}" for c in columns)
                items.append(f"removed: {label}")
        if not items:
            continue
        lines.append(f"- `{name}` ({len(items)} row{'s' if len(items) != 1 else ''})" + ("" if caveats_same else ", caveats changed"))
        lines += [f"    - {item}" for item in items[:ROWS_SHOWN]]
        if len(items) > ROWS_SHOWN:
            lines.append(f"    - … and {len(items) - ROWS_SHOWN:,} more")
    return lines


def _figure_resources(root: Path) -> dict[str, str | None]:
    try:
        spec = safe_yaml.load((root / figures_stage.FIGURES_FILE).read_text(encoding="utf-8")) or {}
    except Exception:
        return {}
    return {str(k): v.get("resource") for k, v in spec.items() if isinstance(v, dict)} if isinstance(spec, dict) else {}


def report(root: Path, ref: str) -> str:
    root = root.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        old_root = checkout(root, ref, Path(tmp))  # a usage error first, before anything is built
        new = gather(root)
        try:
            old = gather(old_root, cache_dir=root / CACHE_DIR / "charts")  # cache keys are content hashes: safe to share
        except Problems as e:
            return (
                f"## Changes since `{ref}`\n\nThe explainer at `{ref}` does not build ({len(e.problems)} problems), so there is nothing to compare against.\n"
            )
        old_figure_resources = _figure_resources(old_root)
    lines = [f"## Changes since `{ref}`", ""]

    def pages_of(gathered):  # every language's pages, by their path in the site: the-patrol.md, fr/the-patrol.md
        return {loc.language.prefix + p.name: p.markdown for loc in gathered.languages for p in loc.pages}

    old_pages, new_pages = pages_of(old), pages_of(new)
    sentences = _sentence_changes(old_pages, new_pages)
    lines += [f"### Sentences readers will read differently ({len(sentences)})", ""]
    for page, before, after in sentences:
        if before is not None and after is not None:
            lines.append(f"- `{page}`: {before} → {after}")
        else:
            lines.append(f"- `{page}`: {'(new) ' + after if after is not None else '(removed) ' + str(before)}")
    if not sentences:
        lines.append("None.")

    changed = [(n, old.figures[n], f) for n, f in sorted(new.figures.items()) if n in old.figures and old.figures[n].text != f.text]
    added = sorted(set(new.figures) - set(old.figures))
    removed = sorted(set(old.figures) - set(new.figures))
    new_figure_resources = _figure_resources(root)
    old_res = {r.get("name"): r for r in old.package.descriptor.get("resources", [])}
    new_res = {r.get("name"): r for r in new.package.descriptor.get("resources", [])}
    lines += ["", f"### Figures whose value changed ({len(changed)})", ""]
    if not changed:
        lines.append("None.")
    for name, before, after in changed:
        quoted = [loc.language.prefix + p.name for loc in new.languages for p in loc.pages if name in p.figures_used]
        line = f"- `{name}`: {before.text} → {after.text}; source {', '.join(before.source_ids) or 'none'}"
        if before.source_ids != after.source_ids:
            line += f" → {', '.join(after.source_ids) or 'none'}"
        resource = new_figure_resources.get(name)
        caveats_same = resource is None or (old_res.get(old_figure_resources.get(name)) or {}).get("caveats") == (new_res.get(resource) or {}).get("caveats")
        if before.source_ids == after.source_ids and caveats_same:
            line += " ⚠ the value changed, but not its source nor the caveats"
        if quoted:
            line += f"; quoted in {', '.join(f'`{q}`' for q in quoted)}"
        lines.append(line)
    if added or removed:
        lines += ["", f"New figures: {', '.join(f'`{n}`' for n in added) or 'none'}. Removed figures: {', '.join(f'`{n}`' for n in removed) or 'none'}."]

    rows = _row_changes(old, new)
    lines += ["", f"### Data rows that changed ({sum(1 for l in rows if l.startswith('    - ') and not l.startswith('    - …'))})", ""]
    lines += rows or ["None."]

    chart_changes = [
        s for s in sorted(set(new.charts) | set(old.charts)) if s not in old.charts or s not in new.charts or old.charts[s].csv != new.charts[s].csv
    ]
    lines += ["", f"### Charts whose plotted data changed ({len(chart_changes)})", ""]
    for slug in chart_changes:
        if slug not in old.charts:
            state = "new chart"
        elif slug not in new.charts:
            state = "removed"
        else:
            before_rows, after_rows = old.charts[slug].csv.splitlines()[1:], new.charts[slug].csv.splitlines()[1:]
            differ = sum(1 for x, y in zip(before_rows, after_rows) if x != y) + abs(len(before_rows) - len(after_rows))
            state = f"data changed ({differ} of {len(after_rows)} plotted rows)"
        title = (new.charts.get(slug) or old.charts[slug]).title
        lines.append(f"- `{slug}` ({title}): {state}")
    if not chart_changes:
        lines.append("None.")
    page_changes = [n for n, text in new_pages.items() if old_pages.get(n) != text] + sorted(set(old_pages) - set(new_pages))
    lines += ["", f"### Pages whose text changed ({len(page_changes)})", ""]
    lines += [f"- `{name}`" for name in page_changes] or ["None."]
    return "\n".join(lines) + "\n"

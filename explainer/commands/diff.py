"""`python build.py diff REF`: what a change does to what readers read, for the editor and the
reviewer of a pull request. Since the git ref REF: every sentence readers will read differently
(rendered, figures substituted, old -> new, in every language), every figure whose value changed,
the changed rows of each dataset (key, old -> new, source), a flag where a value changed but
neither its source, nor the row's note, nor the caveats did, the charts whose plotted data changed, and the pages
whose text changed. Prints Markdown, ready for a GitHub job summary (`--format text`: plain text
for a terminal); how values are written and made safe is in diff_text.py. A REF git does not know
is a usage error (exit 2)."""

from __future__ import annotations

import html
import re
import tarfile
import tempfile
from pathlib import Path

import pandas as pd

from .. import figures as figures_stage
from ..common import git, safe_yaml
from ..common.files import CACHE_DIR
from ..data.load import SOURCE_FIELD, SOURCES_RESOURCE
from ..pipeline import gather
from ..common.problems import Problem, Problems
from .diff_text import Formats, Writer, missing, raw


class UsageError(Exception):
    """REF is not something git can compare against (exit 2)."""


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý\"“«(])")
EMPHASIS = re.compile(r"(?<!\\)(\*\*|__|(?<![\w*\\])[*_](?=\S)|(?<=\S)[*_](?![\w*]))")


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
    try:
        top = Path(_git(root, "rev-parse", "--show-toplevel").strip())
    except Problems:
        raise UsageError(f"{root} is not in a git repository: diff compares it with a commit (git init, then commit)") from None
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


def reader_sentences(markdown: str) -> list[str]:
    """The sentences of a rendered page as readers read them: figures substituted, links as their
    text, charts and front matter left out (their changes are listed apart)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)
    text = re.sub(r"<figure\b.*?</figure>", "", text, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(?<!\\)!?\[((?:\\.|[^\]\\])*)\]\([^)]*\)", r"\1", text)  # a link as its words (not an escaped [)
    text = re.sub(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", r"\2", text)  # code as its words
    text = EMPHASIS.sub("", text)  # readers see bold and italics, not their asterisks
    text = html.unescape(re.sub(r"\\([\\`*_{}\[\]#<>])", r"\1", text))
    out = []
    for block in re.split(r"\n\s*\n", text):
        if re.search(r"\{: \.explainer-[a-z-]+ \}\s*$", block):
            continue  # a generated block (the cover's byline and dates, the edition line): not the editor's prose
        for line in block.splitlines() if re.match(r"\s*([-*+]|\d+\.)\s", block) else [block]:
            line = re.sub(r"\{:[^}\n]*\}", " ", line)  # attribute lists style a line; readers don't see them
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


ROWS_SHOWN = 30  # changed rows listed per dataset; the rest are counted
NOTE_FIELDS = ("note", "notes", "caveat", "caveats", "comment")  # a row's own explanation of a change
FLAG = "⚠ the value changed, but not its source nor the caveats"


def _source_name(package, sid: str, w: Writer) -> str:
    """A source as a reviewer knows it: its title in sources.csv, and its id to find it there."""
    title = package.source_text(sid, "title") if sid in package.sources else ""
    return f"{w.text(title)} ({w.code(sid)})" if title and title != sid else w.code(sid) if sid else "none"


def _row_key(res: dict, before, after) -> list[str]:
    """The columns that identify a row: the primary key; without source_id when the rest is unique
    on both sides, so a row whose value and source both changed is one changed row."""
    key = (res.get("schema") or {}).get("primaryKey") or []
    key = [key] if isinstance(key, str) else [k for k in key if k in before and k in after]
    rest = [k for k in key if k != SOURCE_FIELD]
    if rest != key and rest and not before.duplicated(rest).any() and not after.duplicated(rest).any():
        return rest
    return key


def _row_changes(old, new, figure_formats: tuple[dict, dict], w: Writer) -> list[str]:
    """Lines of the report: the rows of each dataset that changed (its key named, old -> new as a
    reviewer reads them, the source by its title), flagged where a value (a number or a date)
    changed but neither the row's source, nor its note, nor the resource's caveats did."""
    lines = []
    old_res = {r.get("name"): r for r in old.package.descriptor.get("resources", [])}
    locale = new.languages[0].language.locale
    for res in new.package.descriptor.get("resources", []):
        name = res.get("name")
        if name not in new.package.tables:
            continue
        after = new.package.tables[name]
        if name not in old.package.tables:
            lines.append(f"- {w.code(name)}: new dataset, {len(after):,} rows")
            continue
        before = old.package.tables[name]
        columns = [c for c in after.columns if c in before.columns]
        if list(before.columns) == list(after.columns) and before[columns].astype(str).equals(after[columns].astype(str)):
            continue
        key = _row_key(res, before, after)
        fmt_old, fmt_new = Formats(old_res.get(name) or res, figure_formats[0], locale), Formats(res, figure_formats[1], locale)
        caveats_same = (old_res.get(name) or {}).get("caveats") == res.get("caveats")
        by = key or columns
        # Rows equal in both (most of a large file) give no line: only the others are read row by row.
        before_hash, after_hash = (pd.util.hash_pandas_object(t[columns], index=False) for t in (before, after))
        b = {tuple(raw(v) for v in row[by]): row for _, row in before[~before_hash.isin(after_hash).to_numpy()].iterrows()}
        a = {tuple(raw(v) for v in row[by]): row for _, row in after[~after_hash.isin(before_hash).to_numpy()].iterrows()}
        shown_cols = [c for c in columns if c not in by and c != SOURCE_FIELD]

        named = [c for c in key if c != SOURCE_FIELD] or key or columns  # the source is named after the values

        def label(row, fmt):
            return ", ".join(f"{w.text(c)} {w.text(fmt.show(c, row[c], row))}" for c in named)

        def source(row, package):
            return _source_name(package, raw(row.get(SOURCE_FIELD)), w) if SOURCE_FIELD in row.index else ""

        def values(row, fmt, package):  # an added or removed row: its numbers and dates, and its source
            cells = [f"{w.text(c)} {w.text(fmt.show(c, row[c], row))}" for c in shown_cols if fmt.is_value(c) and not missing(row[c])]
            return (": " + ", ".join(cells) if cells else "") + (f"; source {source(row, package)}" if SOURCE_FIELD in row.index else "")

        items = []
        for k, row in a.items():
            if k not in b:
                items.append(f"added: {label(row, fmt_new)}{values(row, fmt_new, new.package) if key else ''}")
                continue
            old_row = b[k]
            changed = [c for c in shown_cols if raw(old_row[c]) != raw(row[c])]
            source_old, source_new = raw(old_row.get(SOURCE_FIELD)), raw(row.get(SOURCE_FIELD))
            if not changed and source_old == source_new:
                continue
            parts = [f"{w.text(c)} {' → '.join(map(w.text, fmt_new.change(c, old_row[c], row[c], old_row, row)))}" for c in changed]
            if SOURCE_FIELD in row.index and source_old != source_new:
                parts.append(f"source {source(old_row, old.package)} → {source(row, new.package)}")
            elif SOURCE_FIELD in row.index:
                parts.append(f"source {source(row, new.package)}")
            line = f"{label(row, fmt_new)}: {'; '.join(parts)}"
            value_changed = any(fmt_new.is_value(c) and c not in NOTE_FIELDS for c in changed)
            explained = source_old != source_new or not caveats_same or any(c in NOTE_FIELDS for c in changed)
            if value_changed and not explained and name != SOURCES_RESOURCE:
                line += f" {FLAG}: cite the source of the new value, or add a caveat or a note"
            items.append(line)
        for k, row in b.items():
            if k not in a:
                items.append(f"removed: {label(row, fmt_old)}{values(row, fmt_old, old.package) if key else ''}")
        if not items:
            continue
        lines.append(f"- {w.code(name)} ({len(items)} row{'s' if len(items) != 1 else ''})" + ("" if caveats_same else ", caveats changed"))
        lines += [f"    - {item}" for item in items[:ROWS_SHOWN]]
        if len(items) > ROWS_SHOWN:
            lines.append(f"    - … and {len(items) - ROWS_SHOWN:,} more")
    return lines


def _figure_specs(root: Path) -> dict[str, dict]:
    """charts/figures.yml as written (already checked by the build): each figure's settings."""
    try:
        spec = safe_yaml.load((root / figures_stage.FIGURES_FILE).read_text(encoding="utf-8")) or {}
    except Exception:
        return {}
    return {str(k): v for k, v in spec.items() if isinstance(v, dict)} if isinstance(spec, dict) else {}


def _figure_formats(specs: dict[str, dict]) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(resource, column) -> (format, currency) of the figures that quote that column."""
    return {
        (str(v["resource"]), str(v["field"])): (str(v.get("format") or "number"), v.get("currency"))
        for v in specs.values()
        if isinstance(v.get("resource"), str) and isinstance(v.get("field"), str)
    }


def report(root: Path, ref: str, fmt: str = "markdown") -> str:
    """The report, as Markdown for a pull request's summary or as plain text for a terminal."""
    w = Writer(fmt)
    root = root.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        old_root = checkout(root, ref, Path(tmp))  # a usage error first, before anything is built
        new = gather(root)
        heading = f"## Changes since {w.code(ref)}"
        try:
            old = gather(old_root, cache_dir=root / CACHE_DIR / "charts")  # cache keys are content hashes: safe to share
        except Problems as e:
            return f"{heading}\n\nThe explainer at {w.code(ref)} does not build ({len(e.problems)} problems), so there is nothing to compare against.\n"
        old_specs = _figure_specs(old_root)
    new_specs = _figure_specs(root)
    lines = [heading, ""]

    def pages_of(gathered):  # every language's pages, by their path in the site: the-patrol.md, fr/the-patrol.md
        return {loc.language.prefix + p.name: p.markdown for loc in gathered.languages for p in loc.pages}

    old_pages, new_pages = pages_of(old), pages_of(new)
    sentences = _sentence_changes(old_pages, new_pages)
    lines += [f"### Sentences readers will read differently ({len(sentences)})", ""]
    for page, before, after in sentences:
        if before is not None and after is not None:
            lines.append(f"- {w.code(page)}: {w.text(before)} → {w.text(after)}")
        else:
            lines.append(f"- {w.code(page)}: {'(new) ' + w.text(after) if after is not None else '(removed) ' + w.text(before)}")
    if not sentences:
        lines.append("None.")

    changed = [(n, old.figures[n], f) for n, f in sorted(new.figures.items()) if n in old.figures and old.figures[n].text != f.text]
    added = sorted(set(new.figures) - set(old.figures))
    removed = sorted(set(old.figures) - set(new.figures))
    old_res = {r.get("name"): r for r in old.package.descriptor.get("resources", [])}
    new_res = {r.get("name"): r for r in new.package.descriptor.get("resources", [])}
    lines += ["", f"### Figures whose value changed ({len(changed)})", ""]
    if not changed:
        lines.append("None.")
    for name, before, after in changed:
        quoted = [loc.language.prefix + p.name for loc in new.languages for p in loc.pages if name in p.figures_used]
        olds = ", ".join(_source_name(old.package, s, w) for s in before.source_ids) or "none"
        news = ", ".join(_source_name(new.package, s, w) for s in after.source_ids) or "none"
        line = f"- {w.code(name)}: {w.text(before.text)} → {w.text(after.text)}; source {olds}"
        if before.source_ids != after.source_ids:
            line += f" → {news}"
        resource, old_resource = new_specs.get(name, {}).get("resource"), old_specs.get(name, {}).get("resource")
        caveats_same = resource is None or (old_res.get(old_resource) or {}).get("caveats") == (new_res.get(resource) or {}).get("caveats")
        if before.source_ids == after.source_ids and caveats_same:
            line += f" {FLAG}"
        if quoted:
            line += f"; quoted in {', '.join(w.code(q) for q in quoted)}"
        lines.append(line)
    if added or removed:
        lines += ["", f"New figures: {', '.join(w.code(n) for n in added) or 'none'}. Removed figures: {', '.join(w.code(n) for n in removed) or 'none'}."]

    rows = _row_changes(old, new, (_figure_formats(old_specs), _figure_formats(new_specs)), w)
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
        lines.append(f"- {w.code(slug)} ({w.text(title)}): {state}")
    if not chart_changes:
        lines.append("None.")
    page_changes = [n for n, text in new_pages.items() if old_pages.get(n) != text] + sorted(set(old_pages) - set(new_pages))
    lines += ["", f"### Pages whose text changed ({len(page_changes)})", ""]
    lines += [f"- {w.code(name)}" for name in page_changes] or ["None."]
    return "\n".join(lines) + "\n"

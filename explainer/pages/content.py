"""The sections as written: content/*.md (or a language's folder) read into Page objects.

Reads: the Markdown files and their YAML front matter (checked against settings.FrontMatter).
Gives: Page objects in file-name order, the lede first; problems placed at their lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..common import safe_yaml, settings
from ..common.problems import Collector

CONTENT_DIR = Path("content")
NUMBER_PREFIX = re.compile(r"^\d+[-_]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)


@dataclass
class Page:
    source: Path  # content/01-the-patrol.md
    name: str  # the-patrol.md (path in docs/)
    title: str
    description: str
    body: str  # Jinja template text, front matter blanked so lines match the file
    markdown: str = ""
    figures_used: list[str] = field(default_factory=list)
    charts_used: list[str] = field(default_factory=list)
    preview: dict = field(default_factory=dict)  # link-preview image and its alt text
    alternates: list = field(default_factory=list)  # the same section in every language: lang, name, href
    trusted: list[str] = field(default_factory=list)  # SHA-256 of each figure block the generator wrote (sanitize.py keeps them)
    images_used: list[str] = field(default_factory=list)
    assets: dict = field(default_factory=dict)  # docs/ path -> bytes: the resized images the page shows
    authors: list[str] = field(default_factory=list)  # front matter: the byline
    lead_chart: str = ""  # front matter: the chart that leads the page (the cover's, the link preview's)
    front: str = ""  # the front matter's YAML text, to place a problem at its key


def docs_name(path: Path) -> str:
    return NUMBER_PREFIX.sub("", path.name)


def discover(root: Path, problems: Collector, folder: Path | None = None) -> list[Page]:
    """Every Markdown file in content/ (or a language's folder), in file-name order, the lede (index.md) first."""
    pages: list[Page] = []
    seen: dict[str, Path] = {}
    folder = folder or root / CONTENT_DIR
    files = sorted(folder.glob("*.md"), key=lambda p: (docs_name(p) != "index.md", p.name))
    if not files:
        problems.add(folder, "no Markdown files found", hint=f"add {folder.relative_to(root)}/index.md")
    for path in files:
        name = docs_name(path)
        if name in seen:
            problems.add(path, f'section slug "{name[:-3]}" is used by {seen[name].name} too', 1, 1, hint="rename one of the files")
            continue
        seen[name] = path
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raw = path.read_bytes()
            problems.add(path, "not valid UTF-8", raw[: e.start].count(b"\n") + 1, hint="save the file as UTF-8")
            continue
        meta, body = _front_matter(path, text, problems)
        if meta is None:
            continue
        match = FRONT_MATTER.match(text)
        pages.append(
            Page(
                path,
                name,
                meta.title,
                meta.description or "",
                body,
                authors=list(meta.authors or []),
                lead_chart=meta.lead_chart or "",
                front=match.group(1) if match else "",
            )
        )
    return pages


def _front_matter(path: Path, text: str, problems: Collector):
    match = FRONT_MATTER.match(text)
    if not match:
        problems.add(path, "missing front matter", 1, 1, hint="start the file with ---, a title: line, and ---")
        return None, ""
    try:
        meta = safe_yaml.load(match.group(1))
    except yaml.YAMLError as e:
        message, line, col, hint = safe_yaml.error_parts(e, line_offset=1)  # the YAML starts on the file's line 2
        problems.add(path, f"invalid front matter: {message}", line, col, hint=hint)
        return None, ""
    meta, issues = settings.check(settings.FrontMatter, meta)
    for issue in issues:  # a missing title or an unknown key is placed at the front matter's first line
        line = (safe_yaml.key_line(match.group(1), issue.key, first_line=2) or 2) if issue.kind in ("text", "list", "other") else 2
        problems.add(path, issue.message, line, 1 if line else None, hint=issue.hint)
    if meta is None:
        return None, ""
    blank = "\n" * match.group(0).count("\n")
    return meta, blank + text[match.end() :]

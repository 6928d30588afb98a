"""Checks of prose that need no rendering: raw HTML and links the sanitiser would change, and links
to pages or anchors that do not exist.

Reads: a Page's template text (and every page's anchors). Gives (line, column, message) items or
adds problems to a Collector; writes nothing.
"""

from __future__ import annotations

import difflib
import re

from ..common.problems import Collector
from ..site.hooks import sanitize
from .content import Page
from .prose_problems import did_you_mean

MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CHART_CALL = re.compile(r"chart\(\s*[\"']([a-z0-9_]+)")


RAW_HTML_HINT = "write Markdown instead; scripts, event handlers, styles, iframes, forms and javascript: links are removed"
_RAW_TAG = re.compile(r"<(?!https?:|mailto:|[^>\s]+@)(/?[A-Za-z][^>]*)>")
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


# Links and images inline ([x](url), ![x]( url "t")) or as reference definitions ([r]: url).
_ANY_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?(?P<inline>[^()\s>]+(?:\([^)\s]*\))?)|^\s{0,3}\[[^\]]+\]:\s*<?(?P<ref>\S+?)>?(?:\s|$)")
_ATTR_LIST_HANDLER = re.compile(r"\{:?[^}]*?\b(on[a-z]+)\s*=", re.I)


def raw_html(body: str) -> list[tuple[int, int, str]]:
    """(line, column, message) for every raw HTML tag or link the sanitiser would change."""
    masked = _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    found = []
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in _RAW_TAG.finditer(line):
            change = sanitize.changes(m.group(0))
            if change:
                found.append((lineno, m.start() + 1, f"raw HTML {_short(m.group(0))} in prose: {change}"))
        for m in _ANY_LINK.finditer(line):
            target = m.group("inline") or m.group("ref") or ""
            if target and sanitize.unsafe_url(target):
                start = m.start("inline") if m.group("inline") else m.start("ref")
                found.append((lineno, start + 1, f"link to {_short(target)} is removed: only http(s), mailto and relative links are kept"))
        for m in _ATTR_LIST_HANDLER.finditer(line):
            found.append((lineno, m.start(1) + 1, f"attribute {m.group(1)} in {{: ... }} is removed: event handlers never reach the page"))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def page_anchors(page: Page) -> set[str] | None:
    """The anchors a page will have (its headings' ids as MkDocs's toc makes them, {#id}
    attributes, ids in raw HTML, its charts); None if a heading is made by a template."""
    from markdown.extensions.toc import slugify

    text = re.sub(r"```.*?```|~~~.*?~~~", "", page.body, flags=re.S)
    found: set[str] = set()
    for heading in [page.title] + re.findall(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", text, re.M):
        if "{{" in heading or "{%" in heading:
            return None
        attr = re.search(r"\{[^}]*#([\w-]+)[^}]*\}\s*$", heading)
        if attr:
            found.add(attr.group(1))
            continue
        slug = slugify(heading, "-")
        n = 0
        while (slug if n == 0 else f"{slug}_{n}") in found:
            n += 1
        found.add(slug if n == 0 else f"{slug}_{n}")
    found |= set(re.findall(r"""\bid=["']([^"']+)["']""", text))
    for slug in CHART_CALL.findall(text):
        found |= {f"chart-{slug}", f"chart-{slug}-title", f"chart-{slug}-desc"}
    return found


def check_links(page: Page, names: set[str], problems: Collector, anchors: dict | None = None) -> None:
    """A link to another page of the explainer must name a page that exists, and an anchor
    (#...) one of its headings. Checked in the file as written (template expressions blanked
    out), so line and column match the file."""
    masked = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: " " * len(m.group(0)), page.body)
    anchors = anchors or {}
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in MD_LINK.finditer(line):
            target, _, fragment = m.group(1).partition("#")
            if "://" in target or target.startswith(("mailto:", "/")) or (target and not target.endswith(".md")):
                continue
            if target and target not in names:
                problems.add(
                    page.source,
                    f'link to unknown page "{target}"',
                    lineno,
                    m.start(1) + 1,
                    hint=did_you_mean(target, names) + "; pages are named after content files without their number",
                )
                continue
            known = anchors.get(target or page.name)
            if fragment and known is not None and fragment not in known:
                where = f" in {target}" if target else " on this page"
                close = difflib.get_close_matches(fragment, sorted(known), n=1)
                problems.add(
                    page.source,
                    f'link to unknown anchor "#{fragment}"{where}',
                    lineno,
                    m.start(1) + 1,
                    warning=True,
                    hint=(f"did you mean #{close[0]}?; " if close else "")
                    + "anchors are headings in lower case, spaces as -, e.g. ## Late pears -> #late-pears",
                )

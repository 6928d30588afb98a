"""MkDocs hook: the HTML of every page's content passes through nh3 (the ammonia sanitiser) before
the theme wraps it. Prose and front matter come from pull requests; Markdown lets them carry raw
HTML, attribute lists and links, so what they produce keeps safe formatting (paragraphs, lists,
tables, links, emphasis, images) and loses scripts, styles, event handlers, iframes, forms,
`javascript:` and `data:` links, and ids that would shadow the theme's own (`__config`, ...).

The generator's own chart drawings are the exception: each static SVG it wrote is listed by its
SHA-256 in `extra.explainer_trusted` of the generated configuration, and an `<svg>` whose bytes
match is kept whole. The rest of a chart's figure (caption, source line, data table, CSV link) is
sanitised like prose, with the few harmless attributes it needs allowed (`data-spec`, `download`,
the table's `role`, `tabindex` and `aria-label`): its links are Markdown, resolved by the engine,
so the figure's bytes after Markdown are not known in advance. An SVG typed into prose is removed.

Runs first among the hooks; a standalone module (MkDocs loads it by path), using only MkDocs'
documented event API. `build.py check` uses `changes` and `unsafe_url` to name each change in
advance, with its line and column.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import secrets
from html.parser import HTMLParser
from typing import Any

import nh3

TAGS = set(nh3.ALLOWED_TAGS) - {"map", "area"}  # image maps carry links nothing checks
REMOVED_WITH_CONTENT = {"script", "style", "template", "noscript"}
ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
ATTRIBUTES["*"] = {"id", "class", "title", "lang", "dir"}
ATTRIBUTES["a"] = ATTRIBUTES.get("a", set()) | {"title"}
ATTRIBUTES["img"] = ATTRIBUTES.get("img", set()) | {"loading", "srcset", "sizes", "decoding"}
for _cell in ("th", "td"):
    ATTRIBUTES[_cell] = ATTRIBUTES.get(_cell, set()) | {"style"}  # Markdown tables' text-align
# What a chart's figure needs (pages/templates/figure.html); none of these runs or loads anything
# from another host (the chart script fetches data-spec from the site itself, under the CSP).
ATTRIBUTES["figure"] = ATTRIBUTES.get("figure", set()) | {"data-spec", "data-spec-narrow"}
ATTRIBUTES["a"] |= {"download"}
ATTRIBUTES["div"] = ATTRIBUTES.get("div", set()) | {"tabindex", "role", "aria-label", "data-search-exclude"}
ATTRIBUTES["details"] = ATTRIBUTES.get("details", set()) | {"data-search-exclude"}
URL_SCHEMES = {"http", "https", "mailto"}
OPTIONS: dict[str, Any] = dict(  # keyword arguments of nh3.clean, shared by its three calls
    tags=TAGS,
    clean_content_tags=REMOVED_WITH_CONTENT,
    attributes=ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel=None,  # keep links as Markdown wrote them
    filter_style_properties={"text-align"},
    strip_comments=True,
)
TRUSTED_KEY = "explainer_trusted"
SVG = re.compile(r"<svg\b.*?</svg>", re.S)  # vl-convert's drawings hold no nested <svg>


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr in ("id", "for") and value.startswith("__"):
        return None  # the theme finds its parts by ids such as __config and __search
    return value


def digest(block: str) -> str:
    return hashlib.sha256(block.encode("utf-8")).hexdigest()


def trusted_digests(block: str) -> list[str]:
    """The digests of the drawings in a figure block the generator wrote, for `clean` to keep."""
    return [digest(svg) for svg in SVG.findall(block)]


def clean(content: str, trusted: set[str] | frozenset = frozenset()) -> str:
    """Sanitise page content, keeping the generator's drawings whose digests are in `trusted`."""
    kept: dict[str, str] = {}
    nonce = secrets.token_hex(8)  # not in the output: a placeholder prose cannot guess

    def keep(m: re.Match) -> str:
        block = m.group(0)
        if digest(block) not in trusted:
            return block
        key = f"explainer-trusted-{nonce}-{len(kept)}"
        kept[key] = block
        return key

    content = nh3.clean(SVG.sub(keep, content), attribute_filter=_attribute_filter, **OPTIONS)
    for key, block in kept.items():
        content = content.replace(key, block, 1)
    return content


def on_page_content(html: str, page, config, files) -> str:
    trusted = set((config.get("extra") or {}).get(TRUSTED_KEY) or [])
    return clean(html, trusted)


class _FirstTag(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tag: tuple[str, dict] | None = None
        self.closing: str | None = None

    def handle_starttag(self, tag, attrs):
        if self.tag is None:
            self.tag = (tag, {k: v or "" for k, v in attrs})

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if self.tag is None and self.closing is None:
            self.closing = tag


def _first_tag(text: str) -> _FirstTag:
    parser = _FirstTag()
    parser.feed(text)
    parser.close()
    return parser


def changes(tag_text: str) -> str:
    """What the sanitiser does to one raw HTML tag typed in prose ("" if it keeps it as typed)."""
    typed = _first_tag(tag_text)
    if typed.tag is None:
        return ""  # a closing tag: its opening tag is the one reported
    name, attrs = typed.tag
    if name not in TAGS:
        return f"<{name}> is removed" + (" with its content" if name in REMOVED_WITH_CONTENT else "")
    kept = _first_tag(nh3.clean(tag_text, attribute_filter=_attribute_filter, **OPTIONS)).tag
    kept_attrs = kept[1] if kept else {}
    gone = [a for a, v in attrs.items() if a not in kept_attrs or (a != "style" and kept_attrs[a] != v)]
    return f"attribute{'s' if len(gone) > 1 else ''} {', '.join(gone)} removed" if gone else ""


def unsafe_url(url: str) -> bool:
    """True if the sanitiser drops this link target (javascript:, data:, vbscript:, ...)."""
    cleaned = nh3.clean(f'<a href="{html_lib.escape(url, quote=True)}">x</a>', **OPTIONS)
    return "href=" not in cleaned

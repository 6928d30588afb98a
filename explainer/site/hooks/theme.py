"""MkDocs hook: what the generator fixes in Material's own templates, without copying them.

The theme overrides only blocks (theme/main.html) and two small partials of its own; Material's
templates are used as shipped, so moving to a new Material (or to its successor, Zensical, which
reads the same block overrides) stays small. Two kinds of fixes live here instead of in copies:

1. **Escaping.** MkDocs renders themes without autoescaping, and Material prints page titles,
   navigation titles, the site name and descriptions raw (`{{ page.title }}`), so a title holding
   `<script>` became markup and a quote in a description broke out of its attribute. Every such
   value is replaced here by its escaped form, as a `markupsafe.Markup`: printed raw it is already
   escaped, and Material's own `| e` leaves it alone (no double escaping). This is what an
   autoescaping engine does by itself.
2. **Valid HTML.** Material writes `autocomplete="off"` on its two toggle checkboxes and
   `autocorrect="off"` on the search input (W3C Nu checker errors), and its search dialog has no
   accessible name (axe: aria-dialog-name): each is fixed on the built page, by exact pattern;
   a pattern that no longer matches is logged, so a Material upgrade that changes them is noticed.

The Content-Security-Policy is not a hook: it is set on the finished pages (site/postbuild.py).

A standalone module (MkDocs loads it by path), using only MkDocs' documented event API.
"""

from __future__ import annotations

import logging
import re

from markupsafe import Markup, escape

log = logging.getLogger("mkdocs.hooks.explainer_theme")

ESCAPED_CONFIG = ("site_name", "site_description", "site_author")
ESCAPED_META = ("title", "description", "author", "image_alt")

# (pattern, replacement, why): applied to every built page.
FIXES = [
    (
        re.compile(r'(<input class="md-toggle" data-md-toggle="(?:drawer|search)" type="checkbox" id="__(?:drawer|search)") autocomplete="off"'),
        r"\1",
        "autocomplete is not allowed on a checkbox",
    ),
    (re.compile(r'(<input type="text" class="md-search__input"[^>]*?) autocorrect="off"'), r"\1", "autocorrect is not an HTML attribute"),
]
SEARCH_DIALOG = re.compile(r'<div class="md-search" data-md-component="search" role="dialog">')
SEARCH_NAME = re.compile(r'<input type="text" class="md-search__input" name="query" aria-label="([^"]*)"')


def _escaped(value):
    if value is None or isinstance(value, Markup) or not isinstance(value, str):
        return value
    return escape(value)


def on_config(config):
    for key in ESCAPED_CONFIG:
        if config.get(key):
            config[key] = _escaped(config[key])
    return config


def on_nav(nav, config, files):
    def walk(items):
        for item in items:
            if "title" in vars(item):  # a title the navigation gave (a page's own is escaped below)
                item.title = _escaped(item.title)
            walk(getattr(item, "children", None) or [])

    walk(nav.items)
    return nav


def on_page_markdown(markdown, page, config, files):
    for key in ESCAPED_META:
        if key in page.meta:
            page.meta[key] = _escaped(page.meta[key])
    return markdown


def fix_html(html: str, where: str = "") -> str:
    for pattern, replacement, why in FIXES:
        html, n = pattern.subn(replacement, html)
        if not n and 'data-md-component="search"' in html:
            log.info("%s: Material's markup changed, fix not applied (%s)", where or "page", why)
    name = SEARCH_NAME.search(html)
    if name:
        html = SEARCH_DIALOG.sub(lambda m: m.group(0)[:-1] + f' aria-label="{name.group(1)}">', html, count=1)
    return html


def on_post_page(output: str, page, config) -> str:
    return fix_html(output, page.file.src_uri)


def on_post_template(output_content: str, template_name: str, config) -> str:
    return fix_html(output_content, template_name) if template_name.endswith(".html") else output_content

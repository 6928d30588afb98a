"""Embed pages: one per chart, edition and language at `<edition>/[<lang>/]embed/<slug>/`, with
its oEmbed document beside it (`oembed.json`, type rich).

An embed page is the chart alone: its title, the static SVG (what readers without JavaScript and
every first paint see), the live chart once the reader interacts (the site's own charts.js), the
source line and a link back to the section. No navigation, the site's stylesheet and scripts
only, and the same Content-Security-Policy as every page (explainer/site/postbuild.py). Written as
a static file into docs/, so MkDocs (and mike's own build) copies it as it is.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass

import jinja2

from ..common.i18n import strings
from ..pages.figure_block import figure_html
from ..pages.render import PACKAGE_TEMPLATES
from ..site.postbuild import add_policy
from .embed_hook import embed_height, iframe_code

DATA_TABLE = re.compile(r'<details class="explainer-chart__data".*?</details>\s*', re.S)
TITLE_SPAN = re.compile(r'<span class="explainer-chart__title">(.*?)</span>', re.S)
OEMBED = "oembed.json"

WORDS = {
    "en": {
        "embed": "Embed this chart",
        "this_edition": "This edition (never changes):",
        "latest": "The latest edition (follows every update):",
        "in_context": "Read it in context: {title}",
        "edition": "{site}, edition {edition}",
    },
    "fr": {
        "embed": "Intégrer ce graphique",
        "this_edition": "Cette édition (ne change jamais) :",
        "latest": "La dernière édition (suit chaque mise à jour) :",
        "in_context": "Le lire dans son contexte : {title}",
        "edition": "{site}, édition {edition}",
    },
}


def words(code: str) -> dict:
    return WORDS.get(code, WORDS["en"])


@dataclass(frozen=True)
class Edition:
    """The edition being published, as the embed pages, the changes page and the feed name it."""

    name: str
    commit: str
    date: str  # the commit's date, ISO 8601 in UTC (never the clock)
    data_to: str | None
    root: str | None  # the absolute address of the site root (above the editions), if known
    site_name: str


PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {site}</title>
<base target="_blank">
{oembed}<link rel="icon" href="{up}assets/images/favicon.png">
<link rel="stylesheet" href="{up}assets/explainer/explainer.css">
<link rel="stylesheet" href="{up}assets/explainer/embed.css">
<script src="{up}assets/explainer/charts.js" defer></script>
</head>
<body>
<main class="md-typeset explainer-embed-page">
{figure}
<p class="explainer-embed-page__context"><a href="{back}" rel="noopener">{in_context}</a> · {edition}</p>
</main>
</body>
</html>
"""


def _template():
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_TEMPLATES), autoescape=True).get_template("figure.html")


def _page_url(name: str) -> str:
    return "" if name == "index.md" else name[:-3] + "/"


def embed_files(loc, package, edition: Edition) -> dict[str, str]:
    """docs/ path -> text: every chart's embed page and (with an absolute address) its oEmbed JSON."""
    lang = loc.language
    w, site = words(lang.code), str(lang.settings.get("site_name") or edition.site_name)
    template, files = _template(), {}
    for slug, chart in loc.charts.items():
        up = "../../"
        figure = DATA_TABLE.sub("", figure_html(template, chart, package, up, strings(lang.code), lang, raw_html=True).strip())
        figure = TITLE_SPAN.sub(r'<h1 class="explainer-chart__title">\1</h1>', figure, count=1)  # the page's heading
        page = next((p for p in loc.pages if slug in p.charts_used), loc.pages[0] if loc.pages else None)
        back = up + (_page_url(page.name) if page else "") + f"#chart-{slug}"
        here = f"{edition.root}{edition.name}/{lang.prefix}embed/{slug}/" if edition.root else None
        oembed = (
            (f'<link rel="alternate" type="application/json+oembed" href="{html.escape(here + OEMBED)}" title="{html.escape(chart.title)}">\n') if here else ""
        )
        text = PAGE.format(
            lang=lang.code,
            title=html.escape(chart.title),
            site=html.escape(site),
            oembed=oembed,
            up=up,
            figure=figure,
            back=html.escape(back),
            in_context=html.escape(w["in_context"].format(title=page.title if page else site)),
            edition=html.escape(w["edition"].format(site=site, edition=edition.name)),
        )
        files[f"embed/{slug}/index.html"] = add_policy(text)
        if here:
            height = embed_height(figure)
            doc = {
                "version": "1.0",
                "type": "rich",
                "title": chart.title,
                "provider_name": site,
                "provider_url": f"{edition.root}{edition.name}/{lang.prefix}",
                "html": iframe_code(here, chart.title, height),
                "width": 680,
                "height": height,
            }
            files[f"embed/{slug}/{OEMBED}"] = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
    return files

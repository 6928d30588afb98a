"""MkDocs hook added by `build.py publish`: under each chart, an "Embed" control (a <details>, no
script) with the <iframe> code for this edition's embed page and for `latest`'s.

Standard library only: MkDocs (and mike) load this file by its path, outside the package. What it
needs comes from `extra.explainer_embed` in the generated configuration (set by publish):
`edition`, `root` (the absolute address of the site root, above the editions), `words` by language.
It runs after the sanitising hook, so what it adds is the generator's own markup, escaped here.
"""

from __future__ import annotations

import html
import re

FIGURE = re.compile(r'<figure class="explainer-chart"[^>]*? id="chart-([a-z0-9_]+)".*?</figure>', re.S)
SVG_SIZE = re.compile(r'<svg\b[^>]*?\bheight="([\d.]+)"')
TITLE = re.compile(r'<(?:span|h1) class="explainer-chart__title">(.*?)</(?:span|h1)>', re.S)
SOURCE = re.compile(r'<p class="explainer-chart__source">(.*?)</p>', re.S)
# The embed page's text around the chart, in px, as it wraps in the narrowest frame (328 px of text,
# a 360 px phone): the title (18 px type, about 28 characters a line), the source line and the link
# back (12 px type, about 42 characters a line; the link back takes two), and the page's margins.
# Checked in Chromium at 360 and 1280 px by tests/test_editions.py: the page never scrolls in its frame.
TITLE_LINE, TITLE_CHARS, SMALL_LINE, SMALL_CHARS, MARGINS = 24, 28, 18, 42, 48


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment or ""))


def _lines(text: str, per_line: int) -> int:
    return max(1, -(-len(text) // per_line))


def embed_height(figure_html: str) -> int:
    """The iframe height for a chart, whatever the frame's width: the taller of its two drawings
    (680 px wide, and 328 px for phones) plus its title, source line and link back as they wrap."""
    heights = [float(h) for h in SVG_SIZE.findall(figure_html)]
    title, source = TITLE.search(figure_html), SOURCE.search(figure_html)
    text = (
        TITLE_LINE * _lines(_text(title.group(1) if title else ""), TITLE_CHARS)
        + SMALL_LINE * (_lines(_text(source.group(1) if source else ""), SMALL_CHARS) + 2)
        + MARGINS
    )
    return int(max(heights or [400]) + text + 0.999)


def iframe_code(src: str, title: str, height: int) -> str:
    """The code a host page pastes: a frame as wide as its column and as high as the chart needs."""
    return f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="100%" height="{height}" style="border:0" loading="lazy"></iframe>'


def _control(figure: str, slug: str, n: int, settings: dict, words: dict, prefix: str) -> str:
    found = TITLE.search(figure)
    title = _text(found.group(1)) if found else slug
    height = embed_height(figure)
    root, edition = settings["root"], settings["edition"]
    parts = [f'<details class="explainer-embed"><summary>{html.escape(words["embed"])}</summary>']
    choices = [(edition, words["this_edition"]), ("latest", words["latest"])]
    if edition == "next":  # the preview of main changes with every push: only latest is worth embedding
        choices = choices[1:]
    for i, (folder, label) in enumerate(choices):
        src = f"{root}{folder}/{prefix}embed/{slug}/"
        box = f"explainer-embed-{slug}-{n}-{i}"
        parts.append(
            f'<label for="{box}">{html.escape(label)}</label>'
            f'<textarea id="{box}" readonly rows="3" spellcheck="false">{html.escape(iframe_code(src, title, height))}</textarea>'
        )
    parts.append("</details>")
    return "".join(parts)


def on_page_content(html_text, page, config, files):
    settings = (config.get("extra") or {}).get("explainer_embed")
    if not settings or not settings.get("root"):
        return html_text  # no absolute address: code pasted elsewhere could not find the chart
    language = str((config.get("theme") or {}).get("language") or "en")
    words = settings["words"].get(language) or settings["words"]["en"]
    prefix = str(config["extra"].get("explainer_prefix", ""))
    count = iter(range(1_000_000))
    return FIGURE.sub(lambda m: m.group(0) + _control(m.group(0), m.group(1), next(count), settings, words, prefix), html_text)

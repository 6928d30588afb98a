"""Stage 3, charts: the static, accessible SVG and the link-preview card.

Reads vl-convert's SVG of a chart; gives it an accessible name and description in the page's
language (accessible_svg: readers with JavaScript off and screen readers get it), and draws the
1200 x 630 link-preview card (card_svg, preview_png). Writes nothing.
"""

from __future__ import annotations

import html
import re
import typing

from .style import FONT, WIDE

if typing.TYPE_CHECKING:  # render imports this module; only the type is needed here
    from .render import RenderedChart


# Vega's own ARIA attributes inside the SVG ("group mark container", "Title text '…'"): English,
# and never read out anyway, the children of a role="img" being presentational.
VEGA_ARIA = re.compile(r'\s(?:role="graphics-[a-z-]+"|aria-roledescription="[^"]*"|aria-label="[^"]*"|aria-hidden="true")')


def accessible_svg(svg: str, slug: str, title: str, description: str) -> str:
    """Give vl-convert's SVG an accessible name and description, and let CSS size it."""
    tid, did = f"chart-{slug}-title", f"chart-{slug}-desc"
    svg = VEGA_ARIA.sub("", svg)  # what config aria=false leaves: the root frame's and titles' English roles
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-labelledby="{tid} {did}" ', svg, count=1)
    head = f'<title id="{tid}">{html.escape(title)}</title><desc id="{did}">{html.escape(description)}</desc>'
    return re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + head, svg, count=1)


CARD = (1200, 630)  # link-preview card (Open Graph, Twitter's summary_large_image): 1.91:1
CARD_TITLE = 44  # px; the title's lines are wrapped at about CARD_CHARS characters
CARD_CHARS = 46


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def card_svg(chart: RenderedChart) -> str:
    """The link-preview card, 1200 x 630: the chart's title as a headline above its static chart,
    scaled to fit the rest, on white."""
    width, height = CARD
    pad = 48
    lines = _wrap(chart.title, CARD_CHARS)
    if len(lines) > 2:
        lines = lines[:2]
        lines[1] = lines[1][: CARD_CHARS - 1].rstrip() + "…"
    text = "".join(
        f'<text x="{pad}" y="{pad + CARD_TITLE + i * round(CARD_TITLE * 1.2)}" font-family="{html.escape(FONT)}" '
        f'font-size="{CARD_TITLE}" font-weight="700" fill="#1a1a1a">{html.escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    top = pad + CARD_TITLE + (len(lines) - 1) * round(CARD_TITLE * 1.2) + 28
    m = re.match(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"', chart.svg)
    w, h = (float(m.group(1)), float(m.group(2))) if m else (WIDE, WIDE / 2)
    scale = min((width - 2 * pad) / w, (height - top - pad / 2) / h)
    x = (width - w * scale) / 2
    inner = re.sub(r"^<svg[^>]*>", "", chart.svg.strip(), count=1)
    inner = re.sub(r"</svg>\s*$", "", inner)
    inner = re.sub(r"<title[^>]*>.*?</title><desc[^>]*>.*?</desc>", "", inner, count=1, flags=re.S)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="white"/>{text}'
        f'<g transform="translate({x:.1f},{top}) scale({scale:.4f})">{inner}</g></svg>'
    )


def preview_png(chart: RenderedChart) -> bytes:
    """The page's link-preview card as a PNG, 1200 x 630 (card_svg)."""
    import vl_convert as vlc

    return vlc.svg_to_png(card_svg(chart), scale=1)

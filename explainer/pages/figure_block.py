"""A chart's figure block in a page: the SVG, its caption, the source line (publishers linked), the
data table in the reader's words and the CSV link, written by the package's figure.html template.

Reads: a RenderedChart and the DataPackage (sources). Gives the block as HTML with Markdown links
inside md_in_html (or plain links, for pages no engine renders).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from ..charts.render import RenderedChart
from ..common.i18n import ENGLISH, Language, plural, strings
from ..common.markdown import md_inline, md_url
from ..data.load import SOURCE_FIELD, DataPackage

SOURCES_SHOWN = 3  # a chart's source line names this many; "and N more" leads to the sources page


def figure_html(
    template, chart: RenderedChart, package: DataPackage, base: str, words: dict | None = None, language: Language = ENGLISH, raw_html: bool = False
) -> str:
    # Cite the rows the chart was given; if it dropped their source ids, every source of what it read.
    source_ids = chart.source_ids or list(dict.fromkeys(s for r in chart.resources for s in package.source_ids(r)))
    sources = [package.sources[s] for s in source_ids]
    publishers = [package.source_text(s, "publisher", language.code) for s in source_ids]
    # Name the publisher; add the title where one publisher has several documents.
    labels = [p if publishers.count(p) == 1 else f"{p}, {package.source_text(sid, 'title', language.code)}" for p, sid in zip(publishers, source_ids)]
    words = words or strings(ENGLISH.code)
    columns, rows = reader_columns(chart, package, words, language)
    # The source line and the CSV link are Markdown links (to sources.md, to the CSV beside the page's
    # .md file) inside md_in_html blocks: MkDocs and Zensical resolve them alike, also under /fr/.
    cited = [f"[{md_inline(label)}](<{md_url(s['url'])}>)" if s.get("url") else md_inline(label) for s, label in zip(sources[:SOURCES_SHOWN], labels)]
    if len(sources) > SOURCES_SHOWN:
        more = plural(words, "and_more", len(sources) - SOURCES_SHOWN, language.locale).format(n=len(sources) - SOURCES_SHOWN)
        cited.append(f"[{md_inline(more)}](sources.md)")
    line = f"{md_inline(words['source'])} {md_inline(words['separator']).join(cited)}. [{md_inline(words['sources_title'])}](sources.md)."
    if raw_html:  # a page no engine renders (an embed page): plain HTML links, relative to `base`
        cited = [Markup('<a href="{}">{}</a>').format(s["url"], label) if s.get("url") else escape(label) for s, label in zip(sources[:SOURCES_SHOWN], labels)]
        if len(sources) > SOURCES_SHOWN:
            more = plural(words, "and_more", len(sources) - SOURCES_SHOWN, language.locale).format(n=len(sources) - SOURCES_SHOWN)
            cited.append(Markup('<a href="{}sources/">{}</a>').format(base, more))
        line = Markup('{} {}. <a href="{}sources/">{}</a>.').format(words["source"], escape(words["separator"]).join(cited), base, words["sources_title"])
    html = template.render(
        chart=chart,
        base=base,
        svg=Markup(chart.svg),
        narrow_svg=Markup(chart.narrow_svg),
        t=words,
        source_line=Markup(line),
        md=lambda text: Markup(md_inline(text)),
        columns=columns,
        rows=rows,
    )
    if raw_html:
        html = html.replace(' markdown="1"', "").replace(' markdown="span"', "")
    return re.sub(r"\n\s*\n", "\n", html)  # a blank line would end Markdown's raw HTML block


def reader_columns(chart: RenderedChart, package: DataPackage, words: dict, language: Language = ENGLISH) -> tuple[list[str], list[list[str]]]:
    """The data table's headers and rows in the reader's words: the chart's own titles, the
    source as its publisher's name ("Source"), a text mark's untitled field as "Label on the chart".
    A Source column that repeats another column (a "Reported in" the chart already shows) is left out."""
    headers = []
    for c in chart.columns:
        title = chart.titles.get(c)
        headers.append(words["source_column"] if c == SOURCE_FIELD else words["chart_label"] if title == "label" else title or c)
    rows = [list(r) for r in chart.rows]
    if SOURCE_FIELD in chart.columns:
        at = chart.columns.index(SOURCE_FIELD)
        for row in rows:
            row[at] = package.source_text(row[at], "publisher", language.code) if row[at] in package.sources else row[at]
        shown = [r[at] for r in rows]
        if any(i != at and [r[i] for r in rows] == shown for i in range(len(headers))):
            headers.pop(at)
            rows = [r[:at] + r[at + 1 :] for r in rows]
    return headers, rows

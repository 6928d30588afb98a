"""A section's finished Markdown: front matter, headline, the lede's cover (standfirst, byline and
dates, lead chart, chapters), the rendered body and the sources its figures cite.

Reads: a rendered Page, figures, charts and the DataPackage. Gives the Markdown text written to docs/.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from ..common import settings
from ..common.i18n import ENGLISH, Language, iso_date, strings
from ..common.markdown import md_heading, md_link_text, md_text
from ..site.hooks import sanitize
from .content import Page
from .figure_block import figure_html
from .generated import read_via


@dataclass(frozen=True)
class CoverFacts:
    """What the lede page's cover says besides its front matter: the fallback byline (mkdocs.yml's
    site_author) and the dates (git: first published, last updated; the data: what it runs to)."""

    site_author: str = ""
    first_published: str | None = None
    last_updated: str | None = None


def assemble(
    page: Page, body: str, figures, charts, package, cite, lead: str | None = None, words: dict | None = None, head: str = "", language: Language = ENGLISH
) -> str:
    meta: dict[str, object] = {"title": page.title}
    if page.description:
        meta["description"] = page.description
    if page.alternates:  # the language switcher and hreflang links (theme/partials/alternate.html, main.html)
        meta["alternates"] = page.alternates
    if lead:  # the page's first chart (or the explainer's) is its image in link previews
        page.preview = {"image": f"assets/charts/{lead}.png", "image_alt": charts[lead].title}
        meta.update(page.preview)
    parts = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {md_heading(page.title)}", ""]
    if head:
        parts += [head.strip(), ""]
    parts += [body.strip(), ""]
    cited = [s for name in page.figures_used for s in figures[name].source_ids]
    if cited:
        parts += ["", f"## {(words or strings(ENGLISH.code))['page_sources']}", ""]
        for sid in dict.fromkeys(cited):
            via = read_via(package, sid, language)
            title = md_link_text(package.source_text(sid, "title", language.code))
            parts.append(f"- {cite(sid)}{(words or strings(ENGLISH.code))['colon']}{title}" + (f" ({via})" if via else ""))
        parts.append("")
    return "\n".join(parts)


def _date(value: str | None, language: Language) -> str:
    """An ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as the page's language writes it."""
    return iso_date(value, language.locale) if value and settings.valid_iso_date(value) else ""


def byline_markdown(authors: list[str], words: dict, language: Language) -> str:
    from babel.lists import format_list

    names = format_list([f"**{md_text(a)}**" for a in authors], locale=language.locale)
    return words["byline"].format(names=names)


def cover_markdown(
    page: Page, pages: list[Page], lead: str | None, charts: dict, package, figure_template, words: dict, language: Language, facts: CoverFacts
) -> str:
    """The lede page's cover, in Markdown, under the headline: the standfirst (its description), the
    byline and dates, the lead chart (unless the page places it itself) and the chapters, one line each."""
    out: list[str] = []
    if page.description:
        out += [md_text(page.description), "{: .explainer-standfirst }", ""]
    authors = page.authors or ([facts.site_author] if facts.site_author else [])
    dates = []
    if facts.first_published:
        dates.append(words["published"].format(date=_date(facts.first_published, language)))
    if facts.last_updated and facts.last_updated != facts.first_published:
        dates.append(words["updated"].format(date=_date(facts.last_updated, language)))
    runs_to = package.runs_to() if package is not None else None
    if runs_to:
        key = "data_runs_to_day" if runs_to.count("-") == 2 else "data_runs_to"
        dates.append(words[key].format(date=_date(runs_to, language)))
    line = " · ".join(dates)
    line = line[:1].upper() + line[1:]  # "Data to 2022" when it is the only date
    if authors or line:
        byline = byline_markdown(authors, words, language) if authors else ""
        out += [byline + ("  \n" if byline and line else "") + line, "{: .explainer-byline }", ""]
    if lead and lead not in page.charts_used and package is not None:
        block = figure_html(figure_template, charts[lead], package, "", words, language).strip()
        page.trusted += sanitize.trusted_digests(block)
        out += [block, ""]
    chapters = [p for p in pages if p.name != "index.md"]
    if chapters:
        out += ['<div class="explainer-chapters" markdown>', "", f"{md_text(words['chapters'])}", "{: .explainer-chapters__label }", ""]
        for n, chapter in enumerate(chapters, 1):
            item = f"{n}. [{md_link_text(chapter.title)}]({chapter.name}){{: .explainer-chapters__title }}"
            if chapter.description:
                item += " " + md_text(chapter.description)
            out.append(item)
        out += ["", "</div>", ""]
    return "\n".join(out)

"""The Sources and methods page, generated from the data package: every source, what each
series measures, its known revisions and conflicts, and every figure quoted in the prose."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..data.load import READ_VIA_FIELD, SOURCES_RESOURCE, DataPackage
from ..figures import Figure
from ..common.i18n import ENGLISH, Language, iso_date, plural, strings
from ..common.markdown import html_heading, md_data

NAME = "sources.md"
FIGURES_NAME = "figures.md"


def localised(item: dict, key: str, language: Language):
    """A data package text (title, description, caveats) in the page's language: from the item's
    `translations: {fr: {...}}` beside the English, or the English where there is none."""
    own = (item.get("translations") or {}).get(language.code) or {}  # checked: settings.DataPackageSettings
    return own.get(key) or item.get(key)


def via_host(url: str) -> str:
    """The host name of a copy's address, as the text of its "read via" link: 999.example.org."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    return host[4:] if host.startswith("www.") else host


def read_via(package: DataPackage, sid: str, language: Language = ENGLISH) -> str:
    """ "read via <host>", linking the copy a source was read through; "" when there is none."""
    url = str(package.sources[sid].get(READ_VIA_FIELD) or "")
    return f"{strings(language.code)['read_via']} [{md_data(via_host(url))}]({url})" if url else ""


def source_date(package: DataPackage, sid: str, language: Language = ENGLISH) -> str:
    """A source's date as the page's language writes it: 2014-09-26 -> 26 September 2014,
    26 septembre 2014; 2021-07 -> July 2021, juillet 2021. Any other text ("data to …") is shown as
    written, or as the sources resource's `translations` give it."""
    text = package.source_text(sid, "date", language.code)
    if text != str(package.sources[sid].get("date") or ""):  # translated beside the data
        return text
    return iso_date(text, language.locale) or text


def _front(title: str, description: str, image: dict | None, alternates: list | None) -> list[str]:
    meta: dict[str, object] = {"title": title, "description": description}
    meta.update(image or {})  # the link-preview image, as on the other pages
    if alternates:
        meta["alternates"] = alternates
    return ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {title}", ""]


def markdown(
    package: DataPackage,
    figures: dict[str, Figure],
    figure_pages: dict[str, list[tuple[str, str]]],
    image: dict | None = None,
    language: Language = ENGLISH,
    alternates: list | None = None,
) -> str:
    from babel.numbers import format_decimal

    d, t = package.descriptor, strings(language.code)
    title = localised(d, "title", language) or t["this_explainer"]
    out = _front(t["sources_title"], t["sources_description"].format(title=title), image, alternates)
    if localised(d, "description", language):
        out += [md_data(localised(d, "description", language)), ""]
    licenses = d.get("licenses") or []
    if licenses:
        out += [
            t["data_licence"]
            + t["colon"]
            + ", ".join(
                f"[{md_data(l.get('title') or l.get('name'))}]({l['path']})" if l.get("path") else md_data(l.get("title") or l.get("name")) for l in licenses
            )
            + ".",
            "",
        ]
    if d.get("sources"):
        out += [f"## {t['main_sources']}", ""]
        out += [f"- [{md_data(s['title'])}]({s['path']})" if s.get("path") else f"- {md_data(s['title'])}" for s in d["sources"]]
        out.append("")
    out += [f"## {t['series']}", ""]
    for res in d.get("resources", []):
        if res.get("name") == SOURCES_RESOURCE:
            continue
        table = package.tables[res["name"]]
        out += [f"### {md_data(localised(res, 'title', language) or res['name'])}", ""]
        if localised(res, "description", language):
            out += [md_data(localised(res, "description", language)), ""]
        rows = format_decimal(len(table), "#,##0", locale=language.locale)
        out += [plural(t, "rows", len(table), language.locale).format(rows=rows, file=res["path"], href=f"assets/data/{res['path']}"), ""]
        caveats = localised(res, "caveats", language) or []
        if caveats:
            out += [t["caveats"], ""] + [f"- {md_data(c)}" for c in caveats] + [""]
    if figures:
        out += [t["figures_pointer"].format(title=t["figures_title"], href=FIGURES_NAME), ""]
    out += [f"## {t['every_source']}", ""]
    for sid, s in sorted(package.sources.items()):
        title = md_data(package.source_text(sid, "title", language.code) or s.get("url") or sid)
        line = f'- <span id="source-{sid}"></span>**{md_data(package.source_text(sid, "publisher", language.code))}**{t["colon"]}'
        line += f"[{title}]({s['url']})" if s.get("url") else title  # no address of its own: plain text
        if s.get("date"):
            line += f" ({md_data(source_date(package, sid, language))})"
        if s.get(READ_VIA_FIELD):
            line += f"; {read_via(package, sid, language)}"
        if s.get("excerpt"):
            line += f". {t['excerpt']}{t['colon']}“{md_data(s['excerpt'])}”"
        out.append(line)
    out.append("")
    return "\n".join(out)


def figures_markdown(
    package: DataPackage,
    figures: dict[str, Figure],
    figure_pages: dict[str, list[tuple[str, str]]],
    image: dict | None = None,
    language: Language = ENGLISH,
    alternates: list | None = None,
    sentences: dict[str, str] | None = None,
) -> str:
    """Every named figure: what it is, its value, the pages that quote it and its sources: an
    appendix for checkers, reached from the sources page (not from the navigation), so the sources
    page stays light for readers on slow phones. Each figure is named in words: its description in
    figures.yml (main language), else the sentence of the text that quotes it, the figure in bold;
    never its variable name (kept as the row's anchor, #fig-NAME)."""
    t = strings(language.code)
    sentences = sentences or {}
    out = _front(t["figures_title"], t["figures_description"], image, alternates)
    out += [t["figures_intro"].format(title=t["sources_title"], href=NAME), ""]
    order = list(sentences)  # figures in the order the text quotes them, then the others
    # One table per chapter, under the chapter that quotes the figure first (then those not
    # quoted): a checker finds a chapter's figures at once, and each table sits in a block the
    # browser may leave unlaid while off screen (explainer.css): one table of 100 rows was laid
    # out whole at every change Material's scripts made (Lighthouse: 1 s of blocking time).
    groups: dict[tuple[str, str] | None, list[str]] = {}
    for name in sorted(figures, key=lambda n: (order.index(n) if n in order else len(order), n)):
        pages = figure_pages.get(name, [])
        groups.setdefault(pages[0] if pages else None, []).append(name)
    for chapter in sorted(groups, key=lambda c: c is None):  # the unquoted group last
        heading = chapter[1] if chapter else t["figures_unquoted_heading"]
        anchor = "in-" + (Path(chapter[0]).stem if chapter else "no-chapter")  # the page is outside the menu: no contents sidebar
        out += [html_heading(2, heading, anchor), "", '<div class="explainer-figures" markdown>', ""]
        out += ["| " + " | ".join(t["figures_columns"]) + " |", "|---|---|---|---|"]
        for name in groups[chapter]:
            fig = figures[name]
            where = ", ".join(f"[{md_data(title)}]({page})" for page, title in figure_pages.get(name, []))
            src = "; ".join(
                f"[{md_data(package.source_text(s, 'publisher', language.code))}]({package.sources[s]['url']})"
                if package.sources[s].get("url")
                else md_data(package.source_text(s, "publisher", language.code))
                for s in fig.source_ids
            )
            # figures.yml's description is written in the main language: shown on its pages only.
            if fig.description and language.default:
                what = md_data(fig.description)
            elif name in sentences:
                what = sentences[name]
            else:
                what = t["figure_unquoted"].replace("|", "\\|")  # the interface's words, in a table cell
            out.append(f'| <span id="fig-{name}"></span>{what} | {md_data(fig.text)} | {where or t["not_quoted"]} | {src} |')
        out += ["", "</div>", ""]
    out.append("")
    return "\n".join(out)


_FIG = re.compile(r"\{\{\s*fig\.([A-Za-z0-9_]+)\s*\}\}")
_CALL = r"\{\{\s*(?:fig\.[A-Za-z0-9_]+\.source|source\([^)]*\))\s*\}\}"
# "(source; source)" as a whole, then any other source call: the table has a Source column.
_SOURCE_CALL = re.compile(rf"\s*\((?:\s*{_CALL}\s*[;,]?)+\s*\)|\s*{_CALL}")
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\([^)]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9«“\"(])")
SENTENCE_LIMIT = 240


def quoting_sentences(bodies: list[str], figures: dict[str, Figure]) -> dict[str, str]:
    """For each figure the text quotes, the first sentence that quotes it, as table-safe Markdown:
    its figures written out (this one in bold), source calls and links reduced to their words."""
    found: dict[str, str] = {}
    for body in bodies:
        for paragraph in re.split(r"\n\s*\n", body):
            if "fig." not in paragraph or paragraph.lstrip().startswith(("|", "<", "{%")):
                continue
            text = " ".join(re.sub(r"^\s*(?:[-*+]|\d+\.|>|#+)\s+", "", line) for line in paragraph.splitlines())
            text = _SOURCE_CALL.sub("", text)
            for sentence in _SENTENCE_END.split(text):
                for name in _FIG.findall(sentence):
                    if name in found or name not in figures:
                        continue
                    found[name] = _sentence_markdown(sentence, name, figures)
    return found


def _sentence_markdown(sentence: str, name: str, figures: dict[str, Figure]) -> str:
    marker = "\x00"
    plain = _FIG.sub(lambda m: marker if m.group(1) == name else (figures[m.group(1)].text if m.group(1) in figures else "?"), sentence)
    plain = _LINK.sub(r"\1", re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", plain))
    plain = re.sub(r"(\*\*|__|(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*]))", "", plain)
    plain = " ".join(plain.replace("\\", "").split())
    if len(plain) > SENTENCE_LIMIT:  # a long sentence: the words around the figure
        at = plain.index(marker) if marker in plain else 0
        start = max(0, min(at - SENTENCE_LIMIT // 2, len(plain) - SENTENCE_LIMIT))
        plain = ("…" if start else "") + plain[start : start + SENTENCE_LIMIT].strip() + ("…" if start + SENTENCE_LIMIT < len(plain) else "")
    return md_data(plain).replace(marker, f"**{md_data(figures[name].text)}**")

"""The Sources and methods page, generated from the data package: every source, what each
series measures, its known revisions and conflicts, and every figure quoted in the prose."""
from __future__ import annotations

import yaml

from ..data.load import SOURCES_RESOURCE, DataPackage
from ..figures import Figure
from ..common.i18n import ENGLISH, Language, strings

NAME = "sources.md"
FIGURES_NAME = "figures.md"


def localised(item: dict, key: str, language: Language):
    """A data package text (title, description, caveats) in the page's language: from the item's
    `translations: {fr: {...}}` beside the English, or the English where there is none."""
    own = (item.get("translations") or {}).get(language.code) or {}  # checked: settings.DataPackageSettings
    return own.get(key) or item.get(key)


def _md(text) -> str:
    """Plain text from the data, made safe to place in Markdown (& too: "&amp;" in the data is shown as typed)."""
    return str(text).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]").replace("*", "\\*").replace("_", "\\_")


def _front(title: str, description: str, image: dict | None, alternates: list | None) -> list[str]:
    meta = {"title": title, "description": description}
    meta.update(image or {})  # the link-preview image, as on the other pages
    if alternates:
        meta["alternates"] = alternates
    return ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {title}", ""]


def markdown(package: DataPackage, figures: dict[str, Figure], figure_pages: dict[str, list[tuple[str, str]]],
             image: dict | None = None, language: Language = ENGLISH, alternates: list | None = None) -> str:
    from babel.numbers import format_decimal

    d, t = package.descriptor, strings(language.code)
    title = localised(d, "title", language) or t["this_explainer"]
    out = _front(t["sources_title"], t["sources_description"].format(title=title), image, alternates)
    if localised(d, "description", language):
        out += [_md(localised(d, "description", language)), ""]
    licenses = d.get("licenses") or []
    if licenses:
        out += [f"{t['data_licence']}: " + ", ".join(f"[{_md(l.get('title') or l.get('name'))}]({l['path']})" if l.get("path") else _md(l.get("title") or l.get("name")) for l in licenses) + ".", ""]
    if d.get("sources"):
        out += [f"## {t['main_sources']}", ""]
        out += [f"- [{_md(s['title'])}]({s['path']})" if s.get("path") else f"- {_md(s['title'])}" for s in d["sources"]]
        out.append("")
    out += [f"## {t['series']}", ""]
    for res in d.get("resources", []):
        if res.get("name") == SOURCES_RESOURCE:
            continue
        table = package.tables[res["name"]]
        out += [f"### {_md(localised(res, 'title', language) or res['name'])}", ""]
        if localised(res, "description", language):
            out += [_md(localised(res, "description", language)), ""]
        rows = format_decimal(len(table), "#,##0", locale=language.locale)
        out += [t["rows"].format(rows=rows, file=res["path"], href=f"assets/data/{res['path']}"), ""]
        caveats = localised(res, "caveats", language) or []
        if caveats:
            out += [t["caveats"], ""] + [f"- {_md(c)}" for c in caveats] + [""]
    if figures:
        out += [t["figures_pointer"].format(title=t["figures_title"], href=FIGURES_NAME), ""]
    out += [f"## {t['every_source']}", ""]
    for sid, s in sorted(package.sources.items()):
        line = f"- <span id=\"source-{sid}\"></span>**{_md(s.get('publisher') or '')}**: [{_md(s.get('title') or s.get('url'))}]({s['url']})"
        if s.get("date"):
            line += f" ({_md(s['date'])})"
        if s.get("excerpt"):
            line += f". {t['excerpt']}: “{_md(s['excerpt'])}”"
        out.append(line)
    out.append("")
    return "\n".join(out)


def figures_markdown(package: DataPackage, figures: dict[str, Figure], figure_pages: dict[str, list[tuple[str, str]]],
                     image: dict | None = None, language: Language = ENGLISH, alternates: list | None = None) -> str:
    """Every named figure: its value, the pages that quote it and its sources (a page of its own,
    so the sources page stays light for readers on slow phones)."""
    t = strings(language.code)
    out = _front(t["figures_title"], t["figures_description"], image, alternates)
    out += [t["figures_intro"].format(title=t["sources_title"], href=NAME), "",
            "| " + " | ".join(t["figures_columns"]) + " |", "|---|---|---|---|"]
    for name, fig in sorted(figures.items()):
        where = ", ".join(f"[{_md(title)}]({page})" for page, title in figure_pages.get(name, []))
        src = "; ".join(f"[{_md(package.sources[s]['publisher'])}]({package.sources[s]['url']})" for s in fig.source_ids)
        # figures.yml's description is written in the main language: shown on its pages only.
        what = ": " + _md(fig.description).replace("|", "\\|") if fig.description and language.default else ""
        out.append(f"| `{name}`{what} | {_md(fig.text)} | {where or t['not_quoted']} | {src} |")
    out.append("")
    return "\n".join(out)

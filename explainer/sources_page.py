"""The Sources and methods page, generated from the data package: every source, what each
series measures, its known revisions and conflicts, and every figure quoted in the prose."""
from __future__ import annotations

import yaml

from .data import SOURCES_RESOURCE, DataPackage
from .figures import Figure

NAME = "sources.md"
TITLE = "Sources and methods"
FIGURES_NAME = "figures.md"
FIGURES_TITLE = "Figures in the text"


def _md(text) -> str:
    """Plain text from the data, made safe to place in Markdown (& too: "&amp;" in the data is shown as typed)."""
    return str(text).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]").replace("*", "\\*").replace("_", "\\_")


def markdown(package: DataPackage, figures: dict[str, Figure], figure_pages: dict[str, list[tuple[str, str]]],
             image: dict | None = None) -> str:
    d = package.descriptor
    meta = {"title": TITLE, "description": f"Where every number in {d.get('title', 'this explainer')} comes from, what each series measures and where sources disagree."}
    meta.update(image or {})  # the link-preview image, as on the other pages
    out = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {TITLE}", ""]
    if d.get("description"):
        out += [_md(d["description"]), ""]
    licenses = d.get("licenses") or []
    if licenses:
        out += ["Data licence: " + ", ".join(f"[{_md(l.get('title') or l.get('name'))}]({l['path']})" if l.get("path") else _md(l.get("title") or l.get("name")) for l in licenses) + ".", ""]
    if d.get("sources"):
        out += ["## Main sources", ""]
        out += [f"- [{_md(s['title'])}]({s['path']})" if s.get("path") else f"- {_md(s['title'])}" for s in d["sources"]]
        out.append("")
    out += ["## What each series measures", ""]
    for res in d.get("resources", []):
        if res.get("name") == SOURCES_RESOURCE:
            continue
        table = package.tables[res["name"]]
        out += [f"### {_md(res.get('title') or res['name'])}", ""]
        if res.get("description"):
            out += [_md(res["description"]), ""]
        out += [f"{len(table):,} rows; download [{res['path']}](assets/data/{res['path']}).", ""]
        caveats = res.get("caveats") or []
        if caveats:
            out += ["Known revisions and conflicts:", ""] + [f"- {_md(c)}" for c in caveats] + [""]
    if figures:
        out += [f"Every number quoted in the text, with its value and source, is listed in [{FIGURES_TITLE}]({FIGURES_NAME}).", ""]
    out += ["## Every source", ""]
    for sid, s in sorted(package.sources.items()):
        line = f"- <span id=\"source-{sid}\"></span>**{_md(s.get('publisher') or '')}**: [{_md(s.get('title') or s.get('url'))}]({s['url']})"
        if s.get("date"):
            line += f" ({_md(s['date'])})"
        if s.get("excerpt"):
            line += f". Excerpt: “{_md(s['excerpt'])}”"
        out.append(line)
    out.append("")
    return "\n".join(out)


def figures_markdown(package: DataPackage, figures: dict[str, Figure], figure_pages: dict[str, list[tuple[str, str]]],
                     image: dict | None = None) -> str:
    """Every named figure: its value, the pages that quote it and its sources (a page of its own,
    so the sources page stays light for readers on slow phones)."""
    meta = {"title": FIGURES_TITLE, "description": "Every number quoted in the text, with its value, where it is quoted and its source."}
    meta.update(image or {})
    out = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {FIGURES_TITLE}", "",
           f"Each number is computed from the data at build time; see [{TITLE}]({NAME}) for what each series measures.", "",
           "| Figure | Value | Where | Source |", "|---|---|---|---|"]
    for name, fig in sorted(figures.items()):
        where = ", ".join(f"[{_md(title)}]({page})" for page, title in figure_pages.get(name, []))
        src = "; ".join(f"[{_md(package.sources[s]['publisher'])}]({package.sources[s]['url']})" for s in fig.source_ids)
        out.append(f"| `{name}` | {_md(fig.text)} | {where or 'not quoted'} | {src} |")
    out.append("")
    return "\n".join(out)

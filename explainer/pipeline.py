"""The build, stage by stage: gather and check every input, then write.

Nothing is written (docs/ or site/) unless every input is sound; all problems are
reported together.
"""
from __future__ import annotations

import base64
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import charts, data, figures, i18n, pages, site, sources_page, spelling
from .chart_cache import ChartCache
from .i18n import Language
from .problems import Collector, Problems
from .vega_bundle import vega_javascript


@dataclass
class BuildResult:
    pages: int
    charts: int
    charts_cached: int
    docs_written: int
    warnings: list
    seconds: float


@dataclass
class Localised:
    """One language of the explainer: its figures (formatted its way), charts (in its words) and pages."""
    language: Language
    figures: dict
    charts: dict
    pages: list


@dataclass
class Gathered:
    config: dict
    package: data.DataPackage
    languages: list[Localised]   # the main language first
    warnings: list

    # The main language: what check, diff and the benchmarks look at.
    @property
    def figures(self) -> dict:
        return self.languages[0].figures

    @property
    def charts(self) -> dict:
        return self.languages[0].charts

    @property
    def pages(self) -> list:
        return self.languages[0].pages


def _progress(n: int, total: int, slug: str) -> None:
    """Chart rendering progress on a terminal; silent in CI and pipes."""
    if sys.stderr.isatty():
        print(f"\rRendering chart {n}/{total}: {slug:<40}", end="\r" if n < total else "\n", file=sys.stderr, flush=True)


def gather(root: Path, strict: bool = False, cache_dir: Path | None = None) -> Gathered:
    """Read and check everything, in every language; raise Problems listing every problem found."""
    problems = Collector(root)
    user = site.read_user_config(root, problems)
    langs = i18n.languages(root, user, problems)
    package = data.load(root, problems)
    chart_sources = charts.discover(root, problems)
    page_lists = {lang.code: pages.discover(root, problems, lang.content) for lang in langs}
    i18n.check_sections(langs, {code: [p.name for p in found] for code, found in page_lists.items()}, root, problems)
    _link_languages(langs, page_lists, user or {})
    # codespell knows English only; it runs while the rest is checked
    speller = spelling.start(root, [p.source for lang in langs if lang.code == "en" for p in page_lists[lang.code]])
    declared = figures.declared_names(root)
    chart_files = {p.stem for p in (root / charts.CHARTS_DIR).glob("*.py") if not p.name.startswith("_")}
    cache = ChartCache(cache_dir or root / site.GENERATED / "charts")
    localised = []
    for lang in langs:
        figs, rendered = {}, {}
        if package is not None:
            # figure problems are the same in every language: reported once, for the main one
            figs = figures.load(root, package, problems if lang is langs[0] else Collector(root), lang.locale)
            rendered = charts.render(root, chart_sources, package, problems, cache, _progress, lang)
        # Pages are checked even when the data failed: unknown names and bad links are found in the same run.
        pages.render(root, page_lists[lang.code], figs, rendered, chart_files, package, problems, declared, lang)
        localised.append(Localised(lang, figs, rendered, page_lists[lang.code]))
    spelling.finish(speller, problems)
    problems.raise_if_any(strict)
    return Gathered(user, package, localised, [p for p in problems.items if p.warning])


def _page_url(name: str, directory_urls: bool) -> str:
    """A docs/ page's address in its site, as MkDocs gives it: the-patrol.md -> the-patrol/."""
    stem = name[:-3]
    if stem == "index":
        return ""
    return f"{stem}/" if directory_urls else f"{stem}.html"


def _link_languages(langs: list[Language], page_lists: dict[str, list], user: dict) -> None:
    """Give every page the address of the same section in each language (its home page where
    the section is missing), relative to the page, for the language switcher and hreflang."""
    if len(langs) < 2:
        return
    directory_urls = user.get("use_directory_urls", True) is not False
    site_url = str(user.get("site_url") or "")
    names = {code: {p.name for p in found} | GENERATED_PAGES for code, found in page_lists.items()}
    for lang in langs:
        for page in page_lists[lang.code]:
            page.alternates = _alternates(lang, page.name, langs, names, directory_urls, site_url)


GENERATED_PAGES = {sources_page.NAME, sources_page.FIGURES_NAME}


def _alternates(lang: Language, name: str, langs: list[Language], names: dict, directory_urls: bool, site_url: str) -> list[dict]:
    here = _page_url(name, directory_urls)
    up = "../" * (here.count("/") + lang.prefix.count("/"))  # from this page to the root of the whole site
    out = []
    for other in langs:
        target = other.prefix + _page_url(name if name in names[other.code] else "index.md", directory_urls)
        link = {"lang": other.code, "name": other.name, "href": (up + target) or "./"}
        if site_url:
            link["url"] = site_url.rstrip("/") + "/" + target
        if other is lang:
            link["current"] = True
        out.append(link)
    return out


@dataclass
class Prepared:
    gathered: Gathered
    files: dict          # docs/ path -> content (the main language; other languages' built sites under fr/ etc.)
    config: dict         # the generated MkDocs configuration
    others: list = field(default_factory=list)  # (Language, docs files, MkDocs config, page sources) per other language


def prepare(root: Path, strict: bool = False, mkdocs_extra: dict | None = None, page_note=""):
    """Gather and check every input, then compose each language's docs/ and MkDocs configuration
    in memory. `page_note` is Markdown for the foot of every page, or a function of the language."""
    g = gather(root, strict)
    sites = []
    for loc in g.languages:
        note = page_note(loc.language) if callable(page_note) else page_note
        files, config = _compose(root, g, loc, mkdocs_extra, note, [other.language for other in g.languages])
        sites.append((loc.language, files, config, {page.name: page.source for page in loc.pages}))
    _preview_images(root, g)
    for (lang, files, _, _), loc in zip(sites, g.languages):
        files.update(site.chart_files(loc.charts))
    _, files, config, _ = sites[0]
    return Prepared(g, files, config, sites[1:])


def _compose(root: Path, g: Gathered, loc: Localised, mkdocs_extra: dict | None, page_note: str, langs: list[Language]):
    lang, words = loc.language, i18n.strings(loc.language.code)
    figure_pages: dict[str, list] = {}
    for page in loc.pages:
        for name in page.figures_used:
            figure_pages.setdefault(name, []).append((page.name, page.title))
    note = f"\n---\n\n{page_note.strip()}\n" if page_note.strip() else ""
    files: dict[str, bytes | str] = {page.name: page.markdown + note for page in loc.pages}
    image = loc.pages[0].preview if loc.pages else {}  # the lede's preview image
    user = g.config or {}
    links = {n: _alternates(lang, n, langs, {l.code: GENERATED_PAGES for l in langs}, user.get("use_directory_urls", True) is not False,
                            str(user.get("site_url") or "")) for n in GENERATED_PAGES} if len(langs) > 1 else {}
    files[sources_page.NAME] = sources_page.markdown(g.package, loc.figures, figure_pages, image, lang, links.get(sources_page.NAME)) + note
    nav = [{page.title: page.name} for page in loc.pages] + [{words["sources_title"]: sources_page.NAME}]
    if loc.figures:
        files[sources_page.FIGURES_NAME] = sources_page.figures_markdown(g.package, loc.figures, figure_pages, image, lang,
                                                                         links.get(sources_page.FIGURES_NAME)) + note
        nav.append({words["figures_title"]: sources_page.FIGURES_NAME})
    files.update(site.asset_files(vega_javascript()))
    for name, path in g.package.paths.items():
        files[f"assets/data/{path.name}"] = path.read_bytes()
    config = site.mkdocs_config(site.for_language(user, lang, langs), root, nav, _extra_for(lang, mkdocs_extra),
                                docs_dir=root / "docs" if lang.default else root / site.GENERATED / f"docs-{lang.code}")
    return files, config


def _extra_for(lang: Language, mkdocs_extra: dict | None) -> dict | None:
    """Publishing's MkDocs settings for one language. Material's version selector looks for
    versions.json one folder above the site's root, so only the main language (at the edition's
    root) gets it; every page still carries the edition line with a link to all editions."""
    if lang.default or not mkdocs_extra:
        return mkdocs_extra
    extra = {**mkdocs_extra, "extra": {k: v for k, v in (mkdocs_extra.get("extra") or {}).items() if k != "version"}}
    extra["extra"]["explainer_prefix"] = lang.prefix  # the edition hook counts this folder too
    return extra


def build_languages(root: Path, prepared: Prepared, problems: Collector) -> bool:
    """Build every language but the main one into its own site (its own search, lang attribute and
    MkDocs theme language), and add it to the main docs/ under its folder as static files, so
    the main build (and mike's, when publishing) carries every language together."""
    for lang, files, config, page_sources in prepared.others:
        site.sync_docs(Path(config["docs_dir"]), files)
        built = root / site.GENERATED / f"site-{lang.code}"
        if not site.build_site(root, config, page_sources, problems, built, config_name=f"mkdocs-{lang.code}.yml"):
            return False
        for path in sorted(built.rglob("*")):
            if path.is_file():
                prepared.files[lang.prefix + path.relative_to(built).as_posix()] = path.read_bytes()
    return True


def _preview_images(root: Path, g: Gathered) -> None:
    """PNG previews only for the charts that pages use as their link-preview image (rasterising
    costs as much as rendering), kept in the chart cache with the chart."""
    cache = ChartCache(root / site.GENERATED / "charts")
    sources = {s.slug: s for s in charts.discover(root, Collector(root)).values()}
    for loc in g.languages:
        for slug in dict.fromkeys(p.preview["image"].split("/")[-1][:-4] for p in loc.pages if p.preview):
            chart = loc.charts.get(slug)
            if chart is not None and not chart.png:
                chart.png = base64.b64encode(charts.preview_png(chart)).decode("ascii")
                if slug in sources:
                    cache.put(sources[slug], g.package, chart, loc.language)


def build(root: Path, site_dir: Path | None = None, strict: bool = False,
          mkdocs_extra: dict | None = None, page_note="") -> BuildResult:
    """Build the site. `mkdocs_extra` is merged into the MkDocs configuration (publishing uses it
    for the version selector); `page_note` is Markdown appended to every page (the edition line),
    or a function giving it for a language."""
    started = time.perf_counter()
    root = root.resolve()
    p = prepare(root, strict, mkdocs_extra, page_note)
    problems = Collector(root)
    if not build_languages(root, p, problems):
        raise Problems(problems.items)
    written = site.sync_docs(root / "docs", p.files)
    page_sources = {page.name: page.source for page in p.gathered.pages}
    if not site.build_site(root, p.config, page_sources, problems, site_dir):
        raise Problems(problems.items)
    g = p.gathered
    charts_all = [c for loc in g.languages for c in loc.charts.values()]
    cached = sum(1 for c in charts_all if c.cached)
    pages_built = sum(1 for name in p.files if name.endswith(".md")) + sum(1 for _, files, _, _ in p.others for n in files if n.endswith(".md"))
    return BuildResult(pages_built, len(charts_all), cached, written, g.warnings, time.perf_counter() - started)

"""The build, stage by stage: gather and check every input, then write.

Nothing is written (docs/ or site/) unless every input is sound; all problems are
reported together.
"""
from __future__ import annotations

import base64
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import figures
from .charts import fonts
from .charts import render as charts
from .common import history, i18n, settings
from .data import load as data
from .pages import generated as sources_page
from .pages import render as pages
from .pages import spelling
from .editions import changes as corrections
from .site import mkdocs as site
from .charts.cache import ChartCache
from .common.forked import Forked, can_fork
from .common.i18n import Language
from .site.hooks import sanitize
from .common.problems import Collector, Problems
from .charts.vega_bundle import vega_javascript


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
    building: list = field(default_factory=list)  # other languages' sites, being built in their processes

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


@dataclass
class Shared:
    """What every language of the explainer shares: its settings, data, chart files and sections."""
    root: Path
    config: dict | None
    languages: list[Language]
    package: data.DataPackage | None
    chart_sources: dict
    page_lists: dict          # language code -> its pages
    declared: set | None      # figure names in figures.yml
    chart_files: set
    cache_dir: Path
    cover: pages.CoverFacts = field(default_factory=pages.CoverFacts)  # the cover's byline fallback and dates


def gather(root: Path, strict: bool = False, cache_dir: Path | None = None, site_options: dict | None = None,
           spell: bool = True) -> Gathered:
    """Read and check everything, in every language; raise Problems listing every problem found.

    The main language is gathered here, its charts drawn by forked processes (one, or two when it
    is the only language); every other language is gathered in a forked process of its own. The
    chart engine draws one chart at a time per process and holds the GIL while it does, so
    processes are what put the second core to work. With `site_options` (mkdocs_extra,
    page_note), each other language's site is also built in its process, straight after its
    pages, while the main language builds its own; the main build then carries it under its
    folder (fr/)."""
    problems = Collector(root)
    settings.check_environment(problems)
    user = site.read_user_config(root, problems)
    langs = i18n.languages(root, user, problems)
    page_lists = {lang.code: pages.discover(root, problems, lang.content) for lang in langs}
    i18n.check_sections(langs, {code: [p.name for p in found] for code, found in page_lists.items()}, root, problems)
    _link_languages(langs, page_lists, user or {})
    chart_files = {p.stem for p in (root / charts.CHARTS_DIR).glob("*.py") if not p.name.startswith("_")}
    shared = Shared(root, user, langs, None, charts.discover(root, problems), page_lists, figures.declared_names(root),
                    chart_files, cache_dir or root / site.GENERATED / "charts")
    when = history.history(root)  # from git, never the clock
    shared.cover = pages.CoverFacts(str((user or {}).get("site_author") or ""), when.first_published, when.last_updated)
    if shared.chart_sources:  # charts are measured with this font: a warning if it is missing (before forking: looked up once)
        fonts.report(problems, root / charts.CHARTS_DIR)
    if can_fork() and shared.chart_sources:
        import altair  # noqa: F401 - imported once, here, rather than in each chart process (0.2 s each)

    def fork() -> tuple[list, list]:
        """Other languages, and the main language's chart drawers (two when it is the only language,
        so both cores draw): the engine holds the GIL while it works, so in this process it would
        hold up everything else. Forked before any thread starts (the engine's included)."""
        count = 2 if len(langs) == 1 and (os.cpu_count() or 1) > 1 else 1
        return ([Forked(_other_language, shared, lang, strict, site_options) for lang in langs[1:]],
                [Forked(_chart_share, shared, langs[0], (i, count)) for i in range(count)] if can_fork() else [])

    # Small data: fork now, so that each process starts its engine while this one checks the data,
    # then send them the tables. Large data: fork once it is read, so the processes share it
    # rather than each receiving a copy.
    early = _data_bytes(root) <= SMALL_DATA
    others, drawers = fork() if early else ([], [])
    # codespell knows English only; it runs while the rest is checked
    speller = spelling.start(root, spelled_files(langs, page_lists)) if spell else None
    package = shared.package = data.load(root, problems)
    for problem in corrections.problems(root):  # content/corrections.yml: read when publishing, checked always
        problems.add_problem(problem)
    if not early:
        others, drawers = fork()
    for job in others + drawers:
        if early or package is None:
            job.send(package)  # None when the data failed: the other languages still check their pages
    localised = [_localise(shared, langs[0], problems, drawers)]
    for job in others:
        try:
            loc, found = job.next()
        except Problems as stopped:  # a chart file ran too long or killed its process
            loc, found = None, stopped.problems
        for problem in found:
            problems.add_problem(problem)
        if loc is not None:
            localised.append(loc)
    spelling.finish(speller, problems)
    problems.raise_if_any(strict)
    assert user is not None and package is not None  # or a problem was raised above
    return Gathered(user, package, localised, [p for p in problems.items if p.warning], others if site_options is not None else [])


def spelled_files(langs: list[Language], page_lists: dict) -> list[Path]:
    """The sections codespell reads (it knows English only)."""
    return [p.source for lang in langs if lang.code == "en" for p in page_lists[lang.code]]


SMALL_DATA = 5_000_000  # bytes of data files: below this, sending the tables to each process costs little


def _data_bytes(root: Path) -> int:
    folder = root / data.DATA_DIR
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _localise(shared: Shared, lang: Language, problems: Collector, drawers: list | None = None) -> Localised:
    """One language's figures (formatted its way), charts (in its words) and pages. The charts
    come from the drawers (_chart_share in other processes), or are rendered here."""
    figs, rendered = {}, {}
    if shared.package is not None:
        # figure problems are the same in every language: reported once, for the main one
        figs = figures.load(shared.root, shared.package, problems if lang.default else Collector(shared.root), lang.locale)
        if drawers:
            shares = {}
            for drawer in drawers:
                try:
                    drawn, found = drawer.next()
                except Problems as stopped:  # a chart file ran too long or killed its process
                    drawn, found = {}, stopped.problems
                shares.update(drawn)
                for problem in found:
                    problems.add_problem(problem)
            rendered = {slug: shares[slug] for slug in shared.chart_sources if slug in shares}  # in file order
        else:
            rendered = charts.render(shared.root, shared.chart_sources, shared.package, problems, ChartCache(shared.cache_dir),
                                     _progress, lang, pages.preview_charts(shared.page_lists[lang.code]))
    # Pages are checked even when the data failed: unknown names and bad links are found in the same run.
    found = shared.page_lists[lang.code]
    pages.render(shared.root, found, figs, rendered, shared.chart_files, shared.package, problems, shared.declared, lang, cover=shared.cover)
    return Localised(lang, figs, rendered, found)


def _warm_up_if_needed(shared: Shared, lang: Language, share: tuple[int, int]) -> None:
    """Start the chart engine now, while the data is checked, if a chart of this share has no
    cache entry yet (a cold build, a new chart); an edit that leaves every chart cached needs none."""
    cache = ChartCache(shared.cache_dir)
    if any(not cache.has_entry(slug, lang) for slug in list(shared.chart_sources)[share[0]::share[1]]):
        charts.warm_up_in_background()


def _chart_share(shared: Shared, lang: Language, share: tuple[int, int], receive, emit):
    """In a forked process: render one share of the charts still to render (every count-th from
    index), with this process's own chart engine, started while the data is checked. Gives
    (charts, problems); charts from the cache come back from every share."""
    problems = Collector(shared.root)
    _warm_up_if_needed(shared, lang, share)
    if shared.package is None:  # forked before the data was read: it comes through the pipe
        shared.package = receive()
    if shared.package is None:
        return {}, []
    rendered = charts.render(shared.root, shared.chart_sources, shared.package, problems, ChartCache(shared.cache_dir),
                             _progress if share[0] == 0 else None, lang, pages.preview_charts(shared.page_lists[lang.code]), share)
    return rendered, problems.items


def _other_language(shared: Shared, lang: Language, strict: bool, site_options: dict | None, receive, emit):
    """In a forked process: gather one other language and emit (Localised, problems); then, for a
    build whose inputs in this language are sound, build its site while the main language builds
    its own. Gives (built site files or None, problems)."""
    problems = Collector(shared.root)
    _warm_up_if_needed(shared, lang, (0, 1))
    if shared.package is None:  # read and checked once, by the main process, meanwhile
        shared.package = receive()
    loc = _localise(shared, lang, problems)
    emit((loc, problems.items))
    failing = problems.items if strict else problems.errors
    if site_options is None or failing or shared.package is None:
        return None, []
    problems = Collector(shared.root)
    langs = shared.languages
    files, config = _compose(shared.root, shared.config or {}, shared.package, loc, site_options.get("mkdocs_extra"),
                             _note(site_options.get("page_note", ""), lang), langs)
    _preview_images(shared.root, shared.package, [loc])
    files.update(site.chart_files(loc.charts))
    if site_options.get("extra_docs"):  # publishing: embed pages, the changes page (explainer/editions/)
        files.update(site_options["extra_docs"](loc, shared.package, None))
    site.sync_docs(Path(config["docs_dir"]), files)
    folder = shared.root / site.GENERATED / f"site-{lang.code}"
    # Editing the main language leaves this one's site as it was: reuse it when nothing it is built from changed.
    stamp, digest = folder.with_name(f"{folder.name}.digest"), site.build_digest(shared.root, config, files)
    if not (folder.is_dir() and stamp.is_file() and stamp.read_text(encoding="utf-8") == digest):
        stamp.unlink(missing_ok=True)
        if not site.build_site(shared.root, config, {page.name: page.source for page in loc.pages}, problems, folder,
                               config_name=f"mkdocs-{lang.code}.yml"):
            return None, problems.items
        site.write_if_changed(stamp, digest)
    built = {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}
    return built, problems.items


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
    names = {code: {p.name for p in found} | GENERATED_PAGES for code, found in page_lists.items()}
    for lang in langs:
        for page in page_lists[lang.code]:
            page.alternates = _alternates(lang, page.name, langs, names, user)


GENERATED_PAGES = {sources_page.NAME, sources_page.FIGURES_NAME}


def _alternates(lang: Language, name: str, langs: list[Language], names: dict, user: dict) -> list[dict]:
    """The same page in every language (its home page where `names` lacks it), for the switcher."""
    directory_urls, site_url = user.get("use_directory_urls", True) is not False, str(user.get("site_url") or "")
    here = _page_url(name, directory_urls)
    up = "../" * (here.count("/") + lang.prefix.count("/"))  # from this page to the root of the whole site
    out = []
    for other in langs:
        target = other.prefix + _page_url(name if name in names[other.code] else "index.md", directory_urls)
        link: dict[str, object] = {"lang": other.code, "name": other.name, "href": (up + target) or "./"}
        if site_url:
            link["url"] = site_url.rstrip("/") + "/" + target
        if other is lang:
            link["current"] = True
        out.append(link)
    return out


@dataclass
class Prepared:
    gathered: Gathered
    files: dict          # docs/ path -> content, for the main language
    config: dict         # the generated MkDocs configuration

    def other_languages(self, problems: Collector) -> dict | None:
        """Every other language's built site, as docs/ path (fr/...) -> bytes, once its process has
        built it (meanwhile the main language builds); None if one failed (problems say why)."""
        files: dict = {}
        for loc, job in zip(self.gathered.languages[1:], self.gathered.building):
            built, found = job.next()
            for problem in found:
                problems.add_problem(problem)
            if built is None:
                return None
            files.update({loc.language.prefix + name: content for name, content in built.items()})
        return files


def _note(page_note, lang: Language) -> str:
    return page_note(lang) if callable(page_note) else page_note


def prepare(root: Path, strict: bool = False, mkdocs_extra: dict | None = None, page_note="", spell: bool = True,
            extra_docs=None) -> Prepared:
    """Gather and check every input (building every other language's site on the way), then
    compose the main language's docs/ and MkDocs configuration in memory. `page_note` is Markdown
    for the foot of every page, or a function of the language. `extra_docs(localised, package,
    every)` gives more docs/ files per language (`every`: all languages, for the main one; else None)."""
    g = gather(root, strict, site_options={"mkdocs_extra": mkdocs_extra, "page_note": page_note, "extra_docs": extra_docs},
               spell=spell)
    main = g.languages[0]
    files, config = _compose(root, g.config or {}, g.package, main, mkdocs_extra, _note(page_note, main.language),
                             [loc.language for loc in g.languages])
    _preview_images(root, g.package, [main])
    files.update(site.chart_files(main.charts))
    if extra_docs is not None:
        files.update(extra_docs(main, g.package, g.languages))
    return Prepared(g, files, config)


def _compose(root: Path, user: dict, package: data.DataPackage, loc: Localised, mkdocs_extra: dict | None, page_note: str,
             langs: list[Language]):
    """One language's docs/ files (pages, generated pages, assets, data) and MkDocs configuration."""
    lang, words = loc.language, i18n.strings(loc.language.code)
    figure_pages: dict[str, list] = {}
    for page in loc.pages:
        for name in page.figures_used:
            figure_pages.setdefault(name, []).append((page.name, page.title))
    note = f"\n---\n\n{page_note.strip()}\n" if page_note.strip() else ""
    files: dict[str, bytes | str] = {page.name: page.markdown + note for page in loc.pages}
    for page in loc.pages:
        files.update(page.assets)  # resized images (pages/images.py)
    image = loc.pages[0].preview if loc.pages else {}  # the lede's preview image
    links = {n: _alternates(lang, n, langs, {l.code: GENERATED_PAGES for l in langs}, user)
             for n in GENERATED_PAGES} if len(langs) > 1 else {}
    files[sources_page.NAME] = sources_page.markdown(package, loc.figures, figure_pages, image, lang, links.get(sources_page.NAME)) + note
    nav = [{page.title: page.name} for page in loc.pages] + [{words["sources_title"]: sources_page.NAME}]
    if loc.figures:  # an appendix for checkers, linked from the sources page, not in the navigation
        sentences = sources_page.quoting_sentences([page.body for page in loc.pages], loc.figures)
        files[sources_page.FIGURES_NAME] = sources_page.figures_markdown(package, loc.figures, figure_pages, image, lang,
                                                                         links.get(sources_page.FIGURES_NAME), sentences) + note
    files.update(site.asset_files(vega_javascript()))
    for name, path in package.paths.items():
        files[f"assets/data/{path.name}"] = path.read_bytes()
    # The figure blocks the generator wrote, by digest: the sanitising hook keeps exactly these whole.
    trusted = sorted({d for page in loc.pages for d in page.trusted})
    extra = site._merge(_extra_for(lang, mkdocs_extra) or {}, {"extra": {sanitize.TRUSTED_KEY: trusted}})
    config = site.mkdocs_config(site.for_language(user, lang, langs), root, nav, extra,
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
    if extra.get("site_url"):  # the edition's address (mike adds it only to the main language's): this language is in its folder
        edition = (mkdocs_extra.get("extra") or {}).get("explainer_edition")
        extra["site_url"] = str(extra["site_url"]).rstrip("/") + "/" + (f"{edition}/" if edition else "") + lang.prefix
    return extra


def _preview_images(root: Path, package: data.DataPackage, localised: list[Localised]) -> None:
    """PNG previews only for the charts that pages use as their link-preview image (rasterising
    costs as much as rendering), kept in the chart cache with the chart."""
    cache = ChartCache(root / site.GENERATED / "charts")
    sources = {s.slug: s for s in charts.discover(root, Collector(root)).values()}
    for loc in localised:
        for slug in dict.fromkeys(p.preview["image"].split("/")[-1][:-4] for p in loc.pages if p.preview):
            chart = loc.charts.get(slug)
            if chart is not None and not chart.png:
                chart.png = base64.b64encode(charts.preview_png(chart)).decode("ascii")
                if slug in sources:
                    cache.put(sources[slug], package, chart, loc.language)


def build(root: Path, site_dir: Path | None = None, strict: bool = False,
          mkdocs_extra: dict | None = None, page_note="", extra_docs=None) -> BuildResult:
    """Build the site. `mkdocs_extra` is merged into the MkDocs configuration (publishing uses it
    for the version selector); `page_note` is Markdown appended to every page (the edition line),
    or a function giving it for a language."""
    started = time.perf_counter()
    root = root.resolve()
    p = prepare(root, strict, mkdocs_extra, page_note, extra_docs=extra_docs)
    prefixes = [loc.language.prefix for loc in p.gathered.languages[1:]]
    written = site.sync_docs(root / "docs", p.files, keep=prefixes)
    problems = Collector(root)

    def add_other_languages(built: Path) -> bool:
        """Before the swap: every other language's site into its folder of the new site, and into
        docs/ (where mike's build and `serve` find it)."""
        nonlocal written
        files = p.other_languages(problems)
        if files is None:
            return False
        for prefix in prefixes:
            shutil.rmtree(built / prefix, ignore_errors=True)  # what MkDocs copied from the last build's docs/
            written += site.sync_docs(root / "docs" / prefix, {n[len(prefix):]: c for n, c in files.items() if n.startswith(prefix)})
        for name, content in files.items():
            site.write_if_changed(built / name, content)
        return True

    page_sources = {page.name: page.source for page in p.gathered.pages}
    if not site.build_site(root, p.config, page_sources, problems, site_dir, before_swap=add_other_languages):
        raise Problems(problems.items)
    g = p.gathered
    charts_all = [c for loc in g.languages for c in loc.charts.values()]
    cached = sum(1 for c in charts_all if c.cached)
    pages_built = sum(len(loc.pages) + (2 if loc.figures else 1) for loc in g.languages)  # sections + generated pages
    return BuildResult(pages_built, len(charts_all), cached, written, g.warnings, time.perf_counter() - started)

"""The build, stage by stage: gather and check every input, then write.

Nothing is written (docs/ or site/) unless every input is sound; all problems are
reported together.

Longer than the ~400 lines kept elsewhere, on purpose: this is the one place that shows the order
of the stages and what each hands the next (and what serve may keep between edits); the stages'
own work lives in their folders.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import figures
from .charts import fonts
from .charts import chartfile
from .charts.svg import preview_png
from .common import history, i18n, settings
from .data import load as data
from .pages import generated as sources_page
from .pages.images import IMAGES_DIR
from .pages import render as pages
from .pages import spelling
from .editions import changes as corrections
from .site import mkdocs as site
from .charts.cache import ChartCache
from .charts import pool as chart_pool
from .common import stop
from .common.i18n import Language
from .site.hooks import sanitize
from .common.problems import Collector, Problems
from .common.memo import Memo, NoMemo
from .charts.vega_bundle import vega_javascript


steps = logging.getLogger("explainer.steps")  # each stage's time: `serve -v` shows them


@contextlib.contextmanager
def _timed(what: str):
    clock = time.perf_counter()
    yield
    steps.debug("%s in %.3f s", what, time.perf_counter() - clock)


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
    languages: list[Localised]  # the main language first
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


def gather(root: Path, strict: bool = False, cache_dir: Path | None = None, spell: bool = True, memo: Memo | None = None) -> Gathered:
    """Read and check everything, in every language; raise Problems listing every problem found.

    Charts not in the cache are drawn by the chart workers (charts/pool.py), one task per chart
    and language; the command line starts the workers before the data is checked when some chart
    is likely to need them, so that their engines start meanwhile. Figures and pages are made here.
    `memo` (serve) keeps the chart files' docstrings, the data package, the figures and each
    language's rendered pages between rebuilds while the bytes they come from are the same."""
    memo = memo or NoMemo()
    started = time.perf_counter()
    stop.check()
    problems = Collector(root)
    settings.check_environment(problems)
    user = site.read_user_config(root, problems)
    langs = i18n.languages(root, user, problems)
    page_lists = {lang.code: pages.discover(root, problems, lang.content) for lang in langs}
    i18n.check_sections(langs, {code: [p.name for p in found] for code, found in page_lists.items()}, root, problems)
    _link_languages(langs, page_lists, user or {})
    chart_files = {p.stem for p in (root / chartfile.CHARTS_DIR).glob("*.py") if not p.name.startswith("_")}
    sources = _chart_sources(root, problems, memo)
    cache = ChartCache(cache_dir or root / site.GENERATED / "charts")
    when = history.history(root)  # from git, never the clock
    cover = pages.CoverFacts(str((user or {}).get("site_author") or ""), when.first_published, when.last_updated)
    if sources:
        fonts.report(problems, root / chartfile.CHARTS_DIR)  # charts are measured with this font: a warning if it is missing
    # The chart workers start when a chart is to be drawn (_draw_charts), or earlier, from the
    # command line (cli._start_chart_workers), which also stops them.
    # codespell runs while the rest is checked
    speller = spelling.start(root, spelled_files(langs, page_lists)) if spell else None
    try:
        stop.check()
        data_key = memo.digest((root / data.PACKAGE_FILE).parent.rglob("*"))
        with _timed("data package read and checked"):
            package = memo.keep("data", data_key, problems, lambda: data.load(root, problems))
        for problem in corrections.problems(root):  # content/corrections.yml: read when publishing, checked always
            problems.add_problem(problem)
        stop.check()
        figures_key = memo.digest([root / figures.FIGURES_FILE], data_key)
        charts_key = memo.digest((root / chartfile.CHARTS_DIR).glob("*.py"))
        names = sorted((code, p.name) for code, found in page_lists.items() for p in found)  # the language switcher's links
        declared_key = memo.digest([root / figures.FIGURES_FILE])
        declared = memo.keep("declared figures", declared_key, problems, lambda: figures.declared_names(root))
        localised: list[Localised] = []
        figs_of: dict = {}

        def make_figures() -> None:
            """Every language's figures (they need no chart): made while the chart workers start or draw."""
            with _timed("figures"):
                for lang in langs:
                    figs = {}
                    if package is not None:  # computed for the main language (first); the others write the same numbers their way
                        main = figs_of.get(langs[0].code, {})
                        compute = (
                            (lambda: figures.load(root, package, problems, lang.locale))
                            if lang.default
                            else (lambda: {n: f.in_locale(lang.locale) for n, f in main.items()})
                        )
                        figs = memo.keep(f"figures {lang.code}", figures_key, problems if lang.default else Collector(root), compute)
                    figs_of[lang.code] = figs

        def make_pages(lang: Language, rendered: dict, chart_problems: list) -> None:
            """One language's pages, once its charts are in (while the next one's are drawn)."""
            figs = figs_of[lang.code]
            for problem in chart_problems:
                problems.add_problem(problem)
            # Pages are checked even when the data failed: unknown names and bad links are found in the same run.
            steps.debug("%s charts in at %.3f s", lang.code, time.perf_counter() - started)
            found = page_lists[lang.code]

            def render() -> list:
                pages.render(root, found, figs, rendered, chart_files, package, problems, declared, lang, cover=cover)
                return found

            # serve: a language's pages are rendered again only when what they are made from changed
            # (an edit to an English section leaves the French pages as they were)
            key = memo.digest([*lang.content.glob("*.md"), *(root / IMAGES_DIR).rglob("*")], figures_key, charts_key, repr(user), repr(cover), repr(names))
            with _timed(f"{lang.code} pages"):
                localised.append(Localised(lang, figs, rendered, memo.keep(f"pages {lang.code}", key, problems, render)))

        if package is not None:
            _draw_charts(root, sources, package, langs, page_lists, cache, make_pages, make_figures)
        else:
            make_figures()
            for lang in langs:
                make_pages(lang, {}, [])
        spelling.finish(speller, problems)
    finally:
        spelling.stop_checking(speller)
    problems.raise_if_any(strict)
    assert user is not None and package is not None  # or a problem was raised above
    return Gathered(user, package, localised, [p for p in problems.items if p.warning])


def _chart_sources(root: Path, problems: Collector, memo: Memo) -> dict:
    return memo.keep("chart files", memo.digest((root / chartfile.CHARTS_DIR).glob("*.py")), problems, lambda: chartfile.discover(root, problems))


def spelled_files(langs: list[Language], page_lists: dict) -> list[Path]:
    """The sections codespell reads (it knows English only)."""
    return [p.source for lang in langs if lang.code == "en" for p in page_lists[lang.code]]


def _draw_charts(
    root: Path, sources: dict, package: data.DataPackage, langs: list[Language], page_lists: dict, cache: ChartCache, on_language, meanwhile
) -> None:
    """Every chart in every language, from the cache or drawn by the chart workers. Calls
    meanwhile() once, while the workers start or draw, then on_language(language, {slug: chart} in
    file order, [problems]) for each language, in order, as soon as its charts and those of the
    languages before it are in: the build makes a language's pages while the workers draw the next
    one's charts."""
    drawn: dict = {lang.code: {} for lang in langs}
    found: dict = {lang.code: [] for lang in langs}
    tasks = []
    for lang in langs:
        previews = pages.preview_charts(page_lists[lang.code])
        for slug, source in sources.items():
            hit = cache.get(source, package, lang)
            if hit is not None:
                drawn[lang.code][slug] = hit
            else:
                tasks.append((source, lang, slug in previews))
    # A language at a time, in order; within one, the longest first (a preview PNG costs as much as
    # the chart): less idle at the end.
    tasks.sort(key=lambda task: (langs.index(task[1]), not task[2]))
    waiting = {lang.code: sum(1 for task in tasks if task[1] is lang) for lang in langs}
    handed: list[Language] = []

    def hand_over() -> None:
        for lang in langs[len(handed) :]:
            if waiting[lang.code]:
                return
            on_language(lang, {slug: drawn[lang.code][slug] for slug in sources if slug in drawn[lang.code]}, found[lang.code])
            handed.append(lang)

    if tasks:
        tables = chart_pool.write_tables(package, cache.folder.parent / "tables")  # once, for every task
        arrived: list[int] = []

        def on_result(i: int, result: tuple) -> None:
            (source, lang, _), (chart, problems) = tasks[i], result
            arrived.append(i)
            _progress(len(arrived), len(tasks), source.slug)
            found[lang.code] += problems
            if chart is not None:
                drawn[lang.code][source.slug] = chart
                cache.put(source, package, chart, lang)
            waiting[lang.code] -= 1
            hand_over()

        chart_pool.shared().draw(root, tasks, tables, on_result=on_result, meanwhile=meanwhile)
    else:
        meanwhile()
    hand_over()


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
    directory_urls = user.get("use_directory_urls", True) is not False
    here = _page_url(name, directory_urls)
    up = "../" * (here.count("/") + lang.prefix.count("/"))  # from this page to the root of the whole site
    out = []
    for other in langs:
        target = other.prefix + _page_url(name if name in names[other.code] else "index.md", directory_urls)
        # Relative, so it holds in every edition's folder; the sitemap's hreflang resolves it against
        # the page's own address (site/postbuild.py), which carries the edition when publishing.
        link: dict[str, object] = {"lang": other.code, "name": other.name, "href": (up + target) or "./"}
        if other is lang:
            link["current"] = True
        out.append(link)
    return out


@dataclass
class Prepared:
    root: Path
    gathered: Gathered
    files: dict  # docs/ path -> content, for the main language
    config: dict  # the generated MkDocs configuration
    others: list = field(default_factory=list)  # every other language: (Localised, docs files, MkDocs configuration)

    def start_other_languages(self, update: bool = False) -> list:
        """Start `mkdocs build` for every other language whose site must change; they run as
        subprocesses, alongside each other and the main language's. An unchanged language's
        site is reused, so editing an English section does not rebuild the French site."""
        root, jobs = self.root, list[tuple]()
        for loc, files, config in self.others:
            site.sync_docs(Path(config["docs_dir"]), files)
            folder = root / site.GENERATED / f"site-{loc.language.code}"
            stamp, digest = folder.with_name(f"{folder.name}.digest"), site.build_digest(root, config, files)
            if folder.is_dir() and stamp.is_file() and stamp.read_text(encoding="utf-8") == digest:
                jobs.append((loc, folder, None, None))
                continue
            stamp.unlink(missing_ok=True)
            running = site.start_build(root, config, folder, config_name=f"mkdocs-{loc.language.code}.yml", update=update)
            jobs.append((loc, folder, running, lambda stamp=stamp, digest=digest: site.write_if_changed(stamp, digest)))
        return jobs

    def finish_other_languages(self, jobs: list, problems: Collector) -> dict | None:
        """Every other language's built site, as docs/ path (fr/...) -> bytes, once built;
        None if one failed (problems say why)."""
        ok = True
        for loc, folder, running, done in jobs:
            if running is not None:
                if site.finish_build(running, {page.name: page.source for page in loc.pages}, problems):
                    done()
                else:
                    ok = False
        if not ok:
            return None
        files: dict = {}
        for loc, folder, _, _ in jobs:
            files.update({loc.language.prefix + path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()})
        return files

    def other_languages(self, problems: Collector, update: bool = False) -> dict | None:
        """Build every other language's site (all at once) and give it as finish_other_languages does.
        `update` (serve): a site whose pages alone changed is updated in place (site/dirty.py)."""
        jobs = self.start_other_languages(update)
        try:
            return self.finish_other_languages(jobs, problems)
        finally:
            for _, _, running, _ in jobs:
                site.abandon(running)


def _note(page_note, lang: Language) -> str:
    return page_note(lang) if callable(page_note) else page_note


def prepare(
    root: Path, strict: bool = False, mkdocs_extra: dict | None = None, page_note="", spell: bool = True, extra_docs=None, memo: Memo | None = None
) -> Prepared:
    """Gather and check every input, then compose every language's docs/ and MkDocs
    configuration in memory. `page_note` is Markdown for the foot of every page, or a function
    of the language. `extra_docs(localised, package, every, links)` gives more docs/ files per language
    (`every`: all languages, for the main one; else None; `links(name)`: the language switcher's
    entries for a page it writes in every language, None with one language)."""
    g = gather(root, strict, spell=spell, memo=memo)
    with _timed("docs composed"):
        langs = [loc.language for loc in g.languages]
        _preview_images(root, g.package, g.languages, memo or NoMemo())
        composed = []
        for loc in g.languages:
            files, config = _compose(root, g.config or {}, g.package, loc, mkdocs_extra, _note(page_note, loc.language), langs)
            files.update(site.chart_files(loc.charts))
            if extra_docs is not None:  # publishing: embed pages, the changes page (explainer/editions/)

                def links(name: str, lang: Language = loc.language) -> list[dict] | None:
                    return _alternates(lang, name, langs, {other.code: {name} for other in langs}, g.config or {}) if len(langs) > 1 else None

                files.update(extra_docs(loc, g.package, g.languages if loc is g.languages[0] else None, links))
            composed.append((loc, files, config))
    return Prepared(root, g, composed[0][1], composed[0][2], composed[1:])


def _compose(root: Path, user: dict, package: data.DataPackage, loc: Localised, mkdocs_extra: dict | None, page_note: str, langs: list[Language]):
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
    links = {n: _alternates(lang, n, langs, {l.code: GENERATED_PAGES for l in langs}, user) for n in GENERATED_PAGES} if len(langs) > 1 else {}
    files[sources_page.NAME] = sources_page.markdown(package, loc.figures, figure_pages, image, lang, links.get(sources_page.NAME)) + note
    nav = [{page.title: page.name} for page in loc.pages] + [{words["sources_title"]: sources_page.NAME}]
    if loc.figures:  # an appendix for checkers, linked from the sources page, not in the navigation
        sentences = sources_page.quoting_sentences([page.body for page in loc.pages], loc.figures)
        files[sources_page.FIGURES_NAME] = (
            sources_page.figures_markdown(package, loc.figures, figure_pages, image, lang, links.get(sources_page.FIGURES_NAME), sentences) + note
        )
    files.update(site.asset_files(vega_javascript()))
    for name, path in package.paths.items():
        files[f"assets/data/{path.name}"] = path.read_bytes()
    # The figure blocks the generator wrote, by digest: the sanitising hook keeps exactly these whole.
    trusted = sorted({d for page in loc.pages for d in page.trusted})
    extra = site._merge(_extra_for(lang, mkdocs_extra) or {}, {"extra": {sanitize.TRUSTED_KEY: trusted}})
    config = site.mkdocs_config(
        site.for_language(user, lang, langs), root, nav, extra, docs_dir=root / "docs" if lang.default else root / site.GENERATED / f"docs-{lang.code}"
    )
    return files, config


def _extra_for(lang: Language, mkdocs_extra: dict | None) -> dict | None:
    """Publishing's MkDocs settings for one language. Material's version selector looks for
    versions.json one folder above the site's root, so only the main language (at the edition's
    root) gets it; every page still carries the edition line with a link to all editions."""
    if lang.default or not mkdocs_extra:
        return mkdocs_extra
    extra = {**mkdocs_extra, "extra": {k: v for k, v in (mkdocs_extra.get("extra") or {}).items() if k != "version"}}
    extra["extra"]["explainer_prefix"] = lang.prefix  # the edition hook counts this folder too
    extra["extra"]["explainer_up"] = "../" * lang.prefix.count("/")  # from this language's root to the edition's (its feed)
    if extra.get("site_url"):  # the edition's address (mike adds it only to the main language's): this language is in its folder
        edition = (mkdocs_extra.get("extra") or {}).get("explainer_edition")
        extra["site_url"] = str(extra["site_url"]).rstrip("/") + "/" + (f"{edition}/" if edition else "") + lang.prefix
    return extra


def _preview_images(root: Path, package: data.DataPackage, localised: list[Localised], memo: Memo) -> None:
    """PNG previews only for the charts that pages use as their link-preview image (rasterising
    costs as much as rendering), kept in the chart cache with the chart."""
    cache = ChartCache(root / site.GENERATED / "charts")
    sources = {s.slug: s for s in _chart_sources(root, Collector(root), memo).values()}
    for loc in localised:
        for slug in dict.fromkeys(p.preview["image"].split("/")[-1][:-4] for p in loc.pages if p.preview):
            chart = loc.charts.get(slug)
            if chart is not None and not chart.png:
                chart.png = base64.b64encode(preview_png(chart)).decode("ascii")
                if slug in sources:
                    cache.put(sources[slug], package, chart, loc.language)


def build(root: Path, site_dir: Path | None = None, strict: bool = False, mkdocs_extra: dict | None = None, page_note="", extra_docs=None) -> BuildResult:
    """Build the site. `mkdocs_extra` is merged into the MkDocs configuration (publishing uses it
    for the version selector); `page_note` is Markdown appended to every page (the edition line),
    or a function giving it for a language."""
    started = time.perf_counter()
    root = root.resolve()
    p = prepare(root, strict, mkdocs_extra, page_note, extra_docs=extra_docs)
    stop.check()
    prefixes = [loc.language.prefix for loc in p.gathered.languages[1:]]
    problems = Collector(root)
    others = p.start_other_languages()  # every language's `mkdocs build` runs at once, each a subprocess
    try:
        written = site.sync_docs(root / "docs", p.files, keep=prefixes)

        def add_other_languages(built: Path) -> bool:
            """Before the swap: every other language's site into its folder of the new site, and into
            docs/ (where mike's build and `serve` find it)."""
            nonlocal written
            files = p.finish_other_languages(others, problems)
            if files is None:
                return False
            for prefix in prefixes:
                shutil.rmtree(built / prefix, ignore_errors=True)  # what MkDocs copied from the last build's docs/
                written += site.sync_docs(root / "docs" / prefix, {n[len(prefix) :]: c for n, c in files.items() if n.startswith(prefix)})
            for name, content in files.items():
                site.write_if_changed(built / name, content)
            return True

        page_sources = {page.name: page.source for page in p.gathered.pages}
        main = site.start_build(root, p.config, site_dir)
        if not site.finish_build(main, page_sources, problems, before_swap=add_other_languages):
            raise Problems(problems.items)
    finally:  # stopped, or the main site failed: no MkDocs run outlives the build
        for _, _, running, _ in others:
            site.abandon(running)
    g = p.gathered
    charts_all = [c for loc in g.languages for c in loc.charts.values()]
    cached = sum(1 for c in charts_all if c.cached)
    pages_built = sum(len(loc.pages) + (2 if loc.figures else 1) for loc in g.languages)  # sections + generated pages
    return BuildResult(pages_built, len(charts_all), cached, written, g.warnings, time.perf_counter() - started)

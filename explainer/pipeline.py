"""The build, stage by stage: gather and check every input, then write.

Nothing is written (docs/ or site/) unless every input is sound; all problems are
reported together.
"""
from __future__ import annotations

import base64
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import charts, data, figures, pages, site, sources_page, spelling
from .chart_cache import ChartCache
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
class Gathered:
    config: dict
    package: data.DataPackage
    figures: dict
    charts: dict
    pages: list
    warnings: list


def _progress(n: int, total: int, slug: str) -> None:
    """Chart rendering progress on a terminal; silent in CI and pipes."""
    if sys.stderr.isatty():
        print(f"\rRendering chart {n}/{total}: {slug:<40}", end="\r" if n < total else "\n", file=sys.stderr, flush=True)


def gather(root: Path, strict: bool = False, cache_dir: Path | None = None) -> Gathered:
    """Read and check everything; raise Problems listing every problem found."""
    problems = Collector(root)
    user = site.read_user_config(root, problems)
    package = data.load(root, problems)
    chart_sources = charts.discover(root, problems)
    page_list = pages.discover(root, problems)
    speller = spelling.start(root, [p.source for p in page_list])  # runs while the rest is checked
    figs, rendered = {}, {}
    declared = figures.declared_names(root)
    chart_files = {p.stem for p in (root / charts.CHARTS_DIR).glob("*.py") if not p.name.startswith("_")}
    if package is not None:
        figs = figures.load(root, package, problems, site.locale(user))
        cache = ChartCache(cache_dir or root / site.GENERATED / "charts")
        rendered = charts.render(root, chart_sources, package, problems, cache, _progress)
    # Pages are checked even when the data failed: unknown names and bad links are found in the same run.
    pages.render(root, page_list, figs, rendered, chart_files, package, problems, declared)
    spelling.finish(speller, problems)
    problems.raise_if_any(strict)
    return Gathered(user, package, figs, rendered, page_list, [p for p in problems.items if p.warning])


@dataclass
class Prepared:
    gathered: Gathered
    files: dict          # docs/ path -> content
    config: dict         # the generated MkDocs configuration


def prepare(root: Path, strict: bool = False, mkdocs_extra: dict | None = None, page_note: str = "") -> Prepared:
    """Gather and check every input, then compose docs/ and the MkDocs configuration in memory."""
    g = gather(root, strict)
    figure_pages: dict[str, list] = {}
    for page in g.pages:
        for name in page.figures_used:
            figure_pages.setdefault(name, []).append((page.name, page.title))
    note = f"\n---\n\n{page_note.strip()}\n" if page_note.strip() else ""
    files: dict[str, bytes | str] = {page.name: page.markdown + note for page in g.pages}
    image = g.pages[0].preview if g.pages else {}  # the lede's preview image
    files[sources_page.NAME] = sources_page.markdown(g.package, g.figures, figure_pages, image) + note
    if g.figures:
        files[sources_page.FIGURES_NAME] = sources_page.figures_markdown(g.package, g.figures, figure_pages, image) + note
    files.update(site.asset_files(vega_javascript()))
    _preview_images(root, g)
    files.update(site.chart_files(g.charts))
    for name, path in g.package.paths.items():
        files[f"assets/data/{path.name}"] = path.read_bytes()
    nav = [{page.title: page.name} for page in g.pages] + [{sources_page.TITLE: sources_page.NAME}]
    if g.figures:
        nav.append({sources_page.FIGURES_TITLE: sources_page.FIGURES_NAME})
    return Prepared(g, files, site.mkdocs_config(g.config, root, nav, mkdocs_extra))


def _preview_images(root: Path, g: Gathered) -> None:
    """PNG previews only for the charts that pages use as their link-preview image (rasterising
    costs as much as rendering), kept in the chart cache with the chart."""
    cache = ChartCache(root / site.GENERATED / "charts")
    sources = {s.slug: s for s in charts.discover(root, Collector(root)).values()}
    for slug in dict.fromkeys(p.preview["image"].split("/")[-1][:-4] for p in g.pages if p.preview):
        chart = g.charts.get(slug)
        if chart is not None and not chart.png:
            chart.png = base64.b64encode(charts.preview_png(chart)).decode("ascii")
            if slug in sources:
                cache.put(sources[slug], g.package, chart)


def build(root: Path, site_dir: Path | None = None, strict: bool = False,
          mkdocs_extra: dict | None = None, page_note: str = "") -> BuildResult:
    """Build the site. `mkdocs_extra` is merged into the MkDocs configuration (publishing uses it
    for the version selector); `page_note` is Markdown appended to every page (the edition line)."""
    started = time.perf_counter()
    root = root.resolve()
    p = prepare(root, strict, mkdocs_extra, page_note)
    written = site.sync_docs(root / "docs", p.files)
    problems = Collector(root)
    page_sources = {page.name: page.source for page in p.gathered.pages}
    if not site.build_site(root, p.config, page_sources, problems, site_dir):
        raise Problems(problems.items)
    g = p.gathered
    cached = sum(1 for c in g.charts.values() if c.cached)
    pages_built = sum(1 for name in p.files if name.endswith(".md"))
    return BuildResult(pages_built, len(g.charts), cached, written, g.warnings, time.perf_counter() - started)

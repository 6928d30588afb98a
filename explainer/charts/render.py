"""Stage 3: charts. Each charts/<slug>.py gives a chart(data) -> Altair chart; we render it once.

Outputs per chart: an accessible static SVG (works with JavaScript off), the compiled Vega
spec (for the interactive version), and the plotted values as a table and a CSV.
This stage knows nothing of pages. This module draws (vl-convert) a chart that compile.py made
ready: _render_spec() gives the RenderedChart at both widths; render() draws every chart in this
process (tests, benchmarks); the build draws them in its chart workers (pool.py). The other
modules: chartfile.py (the chart-file contract, running editor code), compile.py (Altair to
Vega-Lite, size limits), tables.py (plotted table and CSV), svg.py (accessible SVG, preview card),
style.py (the house style), cache.py, pool.py.
"""

from __future__ import annotations

import base64
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path

from ..common import settings
from ..common.i18n import ENGLISH, Language
from ..common.problems import Collector
from ..data.load import DataPackage
from .chartfile import ChartSource
from .compile import TooLarge, _build_spec, _PreAggregated, _view_names, check_size, compact_data, resized, sized
from .style import NARROW, WIDE
from .svg import accessible_svg, preview_png
from .tables import _plotted_table_of, cited_sources, column_titles, format_rows, plotted_table, table_csv

if typing.TYPE_CHECKING:  # the cache imports this module; only its type is needed here
    from . import cache as cache_module


@dataclass
class RenderedChart:
    slug: str
    title: str
    description: str
    svg: str
    vega: dict
    columns: list[str]  # plotted table: field names (as in the CSV)
    rows: list[list[str]]  # plotted table: cells formatted for readers
    csv: str
    resources: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # column -> reader-facing header
    source_ids: list[str] = field(default_factory=list)  # sources of the rows the chart was given
    png: str = ""  # base64 PNG on white, for link previews (Open Graph / Twitter cards)
    narrow_svg: str = ""  # drawn for a 360 px phone (see NARROW)
    narrow_vega: dict = field(default_factory=dict)
    cached: bool = False


def render(
    root: Path,
    sources: dict[str, ChartSource],
    package: DataPackage,
    problems: Collector,
    cache: "cache_module.ChartCache | None" = None,
    progress=None,
    language: Language = ENGLISH,
    previews: set[str] | frozenset[str] = frozenset(),
) -> dict[str, RenderedChart]:
    """Render every chart not in the cache, one after the other, in this process and without a
    time limit (tests, benchmarks). The build draws them in its chart workers (charts/pool.py)."""
    rendered: dict[str, RenderedChart] = {}
    todo = []
    for slug, source in sources.items():
        hit = cache.get(source, package, language) if cache else None
        if hit is not None:
            rendered[slug] = hit
        else:
            todo.append(source)
    for n, source in enumerate(todo, 1):
        if progress:
            progress(n, len(todo), source.slug)
        built = _build_spec(source, package, problems, language)
        if built is None:
            continue
        try:
            result = _render_with_preview((source, *built), source.slug in previews)
        except TooLarge as e:
            problems.add(source.path, str(e), hint=e.hint)
            continue
        except Exception as e:
            problems.add(source.path, f"chart cannot be rendered: {str(e).splitlines()[0]}")
            continue
        rendered[source.slug] = result
        if cache:
            cache.put(source, package, result, language)
    return {slug: rendered[slug] for slug in sources if slug in rendered}  # file order


def _render_with_preview(item: tuple, preview: bool) -> RenderedChart:
    chart = _render_spec(*item)
    if preview:  # a link-preview image: drawn here, in parallel with the other charts
        chart.png = base64.b64encode(preview_png(chart)).decode("ascii")
    return chart


def warm_up() -> None:
    """The first vl-convert call in a process starts its engine (~0.3-0.5 s)."""
    import vl_convert as vlc

    vlc.vegalite_to_vega({"mark": "point"})


def _render_spec(
    source: ChartSource, chart, spec: dict, used: list[str], language: Language = ENGLISH, headings: tuple[str, str] | None = None
) -> RenderedChart:
    import vl_convert as vlc

    title, description = headings or (source.title, source.description)
    locale: typing.Any = language.vega_locale  # one of vl-convert's names (i18n.py); its stubs list them as Literals
    number, time = vlc.get_format_locale(locale), vlc.get_time_format_locale(locale)

    if isinstance(chart, _PreAggregated):  # transforms already evaluated (see INLINE_ROWS)
        vega, table, cited = chart.vega, chart.table, chart.source_ids
    else:
        # Compiled once at the desktop width: checked for size, drawn, shipped, and evaluated for the table
        # (sizing changes the layout, not the data).
        vega = vlc.vegalite_to_vega(sized(spec, WIDE))
        names = _view_names(spec)
        table = _plotted_table_of(chart, vega, spec) if names and len(names) == len(set(names)) else plotted_table(chart)
        cited = cited_sources(spec)

    def draw(width, compiled=None):  # (Vega, SVG) `width` px wide; a concatenation that came out wider is redrawn narrower, once
        # compact_data: what readers download (CSV values, used columns); the SVG is drawn from it, as their browser will
        v = compact_data(compiled if compiled is not None else vlc.vegalite_to_vega(sized(spec, width)))
        out = vlc.vega_to_svg(v, allowed_base_urls=[], format_locale=number, time_format_locale=time)
        drawn = re.match(r'<svg[^>]*?\swidth="([\d.]+)"', out)
        if drawn and float(drawn.group(1)) > width + 1:
            v = compact_data(vlc.vegalite_to_vega(sized(spec, 2 * width - int(float(drawn.group(1))))))
            out = vlc.vega_to_svg(v, allowed_base_urls=[], format_locale=number, time_format_locale=time)
        return v, out

    if isinstance(chart, _PreAggregated):  # both widths evaluated by VegaFusion already
        svg = vlc.vega_to_svg(vega, allowed_base_urls=[], format_locale=number, time_format_locale=time)
        narrow_vega = chart.narrow_vega
        narrow_svg = vlc.vega_to_svg(narrow_vega, allowed_base_urls=[], format_locale=number, time_format_locale=time) if narrow_vega else ""
    else:
        check_size(compact_data(vega), spec)
        narrow = resized(vega, spec, NARROW)  # one compile serves both widths where it can (~20 ms a chart)
        vega, svg = draw(WIDE, vega)
        narrow_vega, narrow_svg = draw(NARROW, narrow)
    # The browser draws the interactive chart with the same number and date locale (charts.js).
    meta = {"locale": {"number": number, "time": time}}
    vega = {**vega, "usermeta": {**vega.get("usermeta", {}), **meta}}
    if narrow_vega:
        narrow_vega = {**narrow_vega, "usermeta": {**narrow_vega.get("usermeta", {}), **meta}}
    return RenderedChart(
        source.slug,
        title,
        description,
        accessible_svg(svg, source.slug, title, description),
        vega,
        [str(c) for c in table.columns],
        format_rows(table, language.locale),
        table_csv(table),
        used,
        table.attrs.get("titles") or column_titles(spec),
        cited,
        narrow_svg=accessible_svg(narrow_svg, source.slug + "-narrow", title, description) if narrow_svg else "",
        narrow_vega=narrow_vega,
    )


CHART_TIME_LIMIT = settings.environment().EXPLAINER_CHART_TIME_LIMIT  # a wrong value: the default (gather reports it)

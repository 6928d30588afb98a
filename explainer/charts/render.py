"""Stage 3: charts. Each charts/<slug>.py gives a chart(data) -> Altair chart; we render it once.

Outputs per chart: an accessible static SVG (works with JavaScript off), the compiled Vega
spec (for the interactive version), and the plotted values as a table and a CSV.
This stage knows nothing of pages.
"""

from __future__ import annotations

import ast
import types
import typing
import base64
import html
import importlib.util
import inspect
import sys
import re
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..common import settings
from ..data.load import SOURCE_FIELD, DataPackage
from ..common.i18n import ENGLISH, Language
from ..common.problems import Collector

if typing.TYPE_CHECKING:  # the cache imports this module; only its type is needed here
    from . import cache as cache_module

CHARTS_DIR = Path("charts")
# System fonts only; the stack must end in a generic family or text may vanish from PNGs.
# Liberation Sans (Debian, where the SVG is rendered) has the same metrics as Arial and
# Helvetica (readers' machines), so labels measured at build time fit when the browser draws them.
FONT = "'Liberation Sans', Arial, Helvetica, sans-serif"
# The house style, applied to every chart under the chart file's own settings (which win): a
# colour-blind-safe categorical palette (Okabe-Ito, without its yellow and black, which fail 3:1
# on a white or a dark page; explainer.css swaps each for a lighter partner in the dark palette),
# text of 12 px or more, light gridlines, no frame, horizontal axis titles where they fit.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6100", "#767676"]
CHART_CONFIG = {
    "font": FONT,
    "background": None,
    # No Vega ARIA: it writes English ("Y-axis titled ...", "bar") and field names into every mark.
    # The chart is one image (role="img") named and described in the page's language instead.
    "aria": False,
    "view": {"stroke": None},
    "range": {"category": PALETTE},
    "mark": {"color": PALETTE[0], "aria": False},
    "bar": {"color": PALETTE[0]},
    "line": {"color": PALETTE[0], "strokeWidth": 2},
    "point": {"color": PALETTE[0], "filled": True, "size": 50},
    "rule": {"color": "#767676"},
    "text": {"fontSize": 12},
    "title": {"fontSize": 14, "subtitleFontSize": 12, "anchor": "start", "fontWeight": "bold"},
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "labelPadding": 4,
        "gridColor": "#e6e6e6",
        "gridWidth": 1,
        "domainColor": "#767676",
        "tickColor": "#767676",
    },
    "axisX": {"grid": False},
    "axisDiscrete": {"labelOverlap": "greedy"},  # a phone drops every other month rather than overprint them
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal", "symbolSize": 80},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
}
# Each chart is drawn twice: for a column as wide as a desktop text column, and for a 360 px
# phone (the content is 328 px wide there). The page shows the one that fits, by CSS container
# query with JavaScript off and by the container's width with it on; each is drawn at its own
# size, so chart text stays at 12 px instead of shrinking with the SVG.
WIDE, NARROW = 680, 328
NARROW_LIMIT = 520  # a container narrower than this shows the narrow drawing (explainer.css, charts.js)
SLUG = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass
class ChartSource:
    slug: str
    path: Path
    title: str
    description: str


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


class _RecordingData(Mapping):
    """The tables a chart may read; remembers which ones it did, to cite their sources."""

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self._tables = tables
        self.used: list[str] = []

    def __getitem__(self, name):
        if name not in self._tables:
            raise KeyError(f"no data resource named {name!r}; known: {', '.join(sorted(self._tables))}")
        if name not in self.used:
            self.used.append(name)
        return self._tables[name].copy(deep=False)  # copy-on-write (pandas 3): a chart cannot change the shared table

    def __iter__(self):
        return iter(self._tables)

    def __len__(self):
        return len(self._tables)


def discover(root: Path, problems: Collector) -> dict[str, ChartSource]:
    """Read every chart file's docstring (title, description) without running it."""
    found: dict[str, ChartSource] = {}
    for path in sorted((root / CHARTS_DIR).glob("*.py")):
        slug = path.stem
        if slug.startswith("_"):
            continue
        if not SLUG.match(slug):
            problems.add(path, f'chart file name "{path.name}" is not a valid slug', hint="use lower-case letters, digits and _")
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except SyntaxError as e:
            problems.add(path, f"Python syntax error: {e.msg}", e.lineno, e.offset)
            continue
        except UnicodeDecodeError:
            problems.add(path, "not valid UTF-8", hint="save the file as UTF-8")
            continue
        doc = ast.get_docstring(tree) or ""
        parts = [p.strip() for p in doc.strip().split("\n\n")]
        title = parts[0].replace("\n", " ") if parts and parts[0] else ""
        description = " ".join(parts[1].split()) if len(parts) > 1 else ""
        if not title or not description:
            problems.add(
                path,
                "chart needs a docstring: a title line, a blank line, then a description",
                1,
                1,
                hint="the description is the chart's alt text for readers who cannot see it",
            )
            continue
        if not any(isinstance(n, ast.FunctionDef) and n.name == "chart" for n in tree.body):
            problems.add(path, "no function chart(data) defined", 1, 1, hint="define def chart(data): returning an Altair chart")
            continue
        for line, col, what in _outside_access(tree):
            problems.add(path, f"chart {what}", line, col, warning=True, hint=OUTSIDE_HINT)
        found[slug] = ChartSource(slug, path, title, description)
    titles: dict[str, str] = {}
    for source in found.values():
        first = titles.setdefault(source.title.casefold(), source.path.name)
        if first != source.path.name:
            problems.add(
                source.path,
                f'chart title "{source.title}" is also the title of {first}',
                1,
                1,
                warning=True,
                hint="give each chart its own title: readers, screen readers and link previews tell charts apart by it",
            )
    return found


OUTSIDE_HINT = 'a chart reads only data["resource_name"]: put the data in charts/data/ (build.py add-data) and use it from there'
_NETWORK_MODULES = {"socket", "urllib", "urllib3", "requests", "http", "httpx", "aiohttp", "ftplib", "smtplib", "ssl", "websocket", "websockets"}
_PROCESS_MODULES = {"subprocess", "multiprocessing", "shutil", "ctypes"}
_FILE_CALLS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "read_csv",
    "read_json",
    "read_excel",
    "read_parquet",
    "read_table",
    "read_feather",
    "read_pickle",
    "read_html",
    "read_xml",
    "urlopen",
    "urlretrieve",
    "listdir",
    "scandir",
    "system",
    "popen",
}


def _outside_access(tree) -> list[tuple[int, int, str]]:
    """(line, column, what) for every place a chart file reaches outside its data: an import of
    the network or of other processes, a call that reads or writes a file or a web address."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                top = name.split(".")[0]
                if top in _NETWORK_MODULES:
                    found.append((node.lineno, node.col_offset + 1, f"opens network connections: import {name}"))
                elif top in _PROCESS_MODULES:
                    found.append((node.lineno, node.col_offset + 1, f"runs other programs or touches files: import {name}"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in _FILE_CALLS or (name in ("eval", "exec", "__import__") and isinstance(func, ast.Name)):
                found.append((node.lineno, node.col_offset + 1, f"reads or writes outside its data: {name}()"))
    return sorted(found)


def _error_line(exc: BaseException, path: Path) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename) == path:
            return frame.lineno
    return getattr(exc, "lineno", None)


class _Words:
    """t(text) for a chart file: its reader-facing words in the language being built, from the
    file's TEXT = {"fr": {"Year": "Année", ...}}. English is written once, in the code."""

    def __init__(self, source: ChartSource, module, language: Language, problems: Collector):
        self.source, self.language, self.problems = source, language, problems
        table = getattr(module, "TEXT", {})
        self.table = table.get(language.code, {}) if isinstance(table, dict) else {}
        self.missing: set[str] = set()

    def __call__(self, text):
        if self.language.default or not isinstance(text, str):  # not a string: a missing value mapped over
            return text
        if text in self.table:
            return self.table[text]
        if text not in self.missing:
            self.missing.add(text)
            self.problems.add(
                self.source.path,
                f'no {self.language.english_name} text for "{text}"',
                _caller_line(self.source.path),
                hint=f'add "{text}": "…" to TEXT["{self.language.code}"] in this file',
                warning=True,
            )
        return text

    def number(self, value, pattern: str = "#,##0") -> str:
        """A number written into a label as the language being built writes it (Babel, CLDR data):
        1,234.5 in English, 1 234,5 in French. Axis and tooltip formats need nothing: Vega's locale."""
        from babel.numbers import format_decimal

        return format_decimal(value, pattern, locale=self.language.locale)

    def date(self, value, pattern: str = "d MMM y") -> str:
        """A date written into a label as the language being built writes it (Babel's CLDR
        patterns): 2 Sept 2020 in British English, 2 sept. 2020 in French."""
        from babel.dates import format_date

        return format_date(pd.Timestamp(value).date(), pattern, locale=self.language.locale)

    def heading(self, key: str, english: str) -> str:
        """The chart's title or description in this language (the docstring is the English)."""
        if self.language.default:
            return english
        value = self.table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problems.add(
                self.source.path,
                f"no {self.language.english_name} {key} for this chart",
                1,
                1,
                hint=f'add "{key}": "…" to TEXT["{self.language.code}"]; the English one is shown meanwhile',
                warning=True,
            )
            return english
        return " ".join(value.split())


def _caller_line(path: Path) -> int | None:
    frame: types.FrameType | None = sys._getframe(2)
    while frame:
        if Path(frame.f_code.co_filename) == path:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _takes_words(function) -> bool:
    try:
        return len(inspect.signature(function).parameters) >= 2
    except (TypeError, ValueError):
        return False


def _build_chart(source: ChartSource, package: DataPackage, problems: Collector, language: Language = ENGLISH):
    import altair as alt

    spec_ = importlib.util.spec_from_file_location(f"_explainer_chart_{source.slug}", source.path)
    assert spec_ is not None and spec_.loader is not None  # always, for a .py file
    module = importlib.util.module_from_spec(spec_)
    try:
        spec_.loader.exec_module(module)
    except Exception as e:  # an editor's file: any error is theirs to fix, reported with its line
        problems.add(source.path, f"chart file fails to import: {type(e).__name__}: {e}", _error_line(e, source.path))
        return None, [], None
    data = _RecordingData(package.tables)
    words = _Words(source, module, language, problems)
    if not _takes_words(module.chart) and not language.default:
        problems.add(
            source.path,
            f"chart has no {language.english_name} words: its {language.english_name} pages show it in English",
            1,
            1,
            hint=f'define chart(data, t), pass every reader-facing word through t(), and give them in TEXT["{language.code}"]',
            warning=True,
        )
        words = _Words(source, module, ENGLISH, problems)  # said once; no warning per title and word
    try:
        result = module.chart(data, words) if _takes_words(module.chart) else module.chart(data)
    except Exception as e:
        problems.add(source.path, f"chart() raised {type(e).__name__}: {e}", _error_line(e, source.path))
        return None, [], None
    if not isinstance(result, alt.TopLevelMixin):
        problems.add(source.path, f"chart() returned {type(result).__name__}, not an Altair chart", hint="return alt.Chart(...) or a layer/concat of charts")
        return None, [], None
    return result, data.used, (words.heading("title", source.title), words.heading("description", source.description))


def _urls(node) -> list[str]:
    """Every data URL in a Vega-Lite spec (top level, layers, lookups): data the renderer would fetch."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("data", "from") and isinstance(value, dict) and isinstance(value.get("url"), str):
                found.append(value["url"])
            if key not in ("datasets", "values"):  # inline rows are data, not places to fetch from
                found += _urls(value)
    elif isinstance(node, list):
        for value in node:
            found += _urls(value)
    return found


# Vega's own ARIA attributes inside the SVG ("group mark container", "Title text '…'"): English,
# and never read out anyway, the children of a role="img" being presentational.
VEGA_ARIA = re.compile(r'\s(?:role="graphics-[a-z-]+"|aria-roledescription="[^"]*"|aria-label="[^"]*"|aria-hidden="true")')


def accessible_svg(svg: str, slug: str, title: str, description: str) -> str:
    """Give vl-convert's SVG an accessible name and description, and let CSS size it."""
    tid, did = f"chart-{slug}-title", f"chart-{slug}-desc"
    svg = VEGA_ARIA.sub("", svg)  # what config aria=false leaves: the root frame's and titles' English roles
    svg = re.sub(r"^<svg ", f'<svg role="img" aria-labelledby="{tid} {did}" ', svg, count=1)
    head = f'<title id="{tid}">{html.escape(title)}</title><desc id="{did}">{html.escape(description)}</desc>'
    return re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + head, svg, count=1)


def _named_spec(chart):
    """(chart, its Vega-Lite spec), its views given fixed names so that the plotted table can be
    read from the compiled spec by view. Where Altair renames the views on the way (a concat of
    layers), the chart is compiled as it is and its table evaluated apart (plotted_table)."""
    named = chart.copy(deep=True)  # a copy: layers may share one chart object
    _name_views(named)
    spec = named.to_dict()
    names = _view_names(spec)
    if len(names) == len(set(names)):
        return named, spec
    return chart, chart.to_dict()


def _view_names(node) -> list:
    if isinstance(node, dict):
        own = [node["name"]] if isinstance(node.get("name"), str) and ("mark" in node or "layer" in node) else []
        return own + [n for key, v in node.items() if key not in ("datasets", "data", "params") for n in _view_names(v)]
    if isinstance(node, list):
        return [n for v in node for n in _view_names(v)]
    return []


def _plotted_table_of(chart, vega: dict, spec: dict | None = None) -> pd.DataFrame:
    """The values the chart plots, evaluated by VegaFusion from its compiled Vega spec (what
    Altair's transformed_data() does, without compiling the chart a second time): every view's
    rows, in the reader's words (see reader_table)."""
    import vegafusion as vf
    from altair.utils._transformed_data import get_datasets_for_view_names, get_facet_mapping, name_views

    views = name_views(chart, 0)
    mapping = get_datasets_for_view_names(vega, views, get_facet_mapping(vega))
    drawn = [v for v in views if v in mapping]
    datasets, _ = vf.runtime.pre_transform_datasets(vega, [mapping[v] for v in drawn], vf.get_local_tz())  # type: ignore[misc]  # scopes are tuples, as Altair passes them; the stubs say lists
    frames = [d.to_pandas() if hasattr(d, "to_pandas") else d for d in datasets]
    if spec is not None:
        return reader_table(frames, [_view(spec, v) for v in drawn])
    return _plotted_frame(frames)


def _view(spec: dict, name: str) -> dict | None:
    """The Vega-Lite view called `name`, with the encoding it inherits from the layers around it."""

    def walk(node, inherited):
        if isinstance(node, dict):
            encoding = {**inherited, **(node.get("encoding") or {})} if isinstance(node.get("encoding") or {}, dict) else inherited
            if node.get("name") == name and "mark" in node:
                return {**node, "encoding": encoding}
            for key, value in node.items():
                if key in ("datasets", "data", "params", "encoding"):
                    continue
                found = walk(value, encoding if key == "layer" else {})
                if found is not None:
                    return found
        elif isinstance(node, list):
            for value in node:
                found = walk(value, inherited)
                if found is not None:
                    return found
        return None

    return walk(spec, {})


def _encoded(view: dict) -> list[tuple[str, str, str | None, bool]]:
    """(column, channel, title, in a tooltip) for every field a view draws; title None where the
    chart gives none (or says title=None). Column names as Vega-Lite's transforms write them."""
    out = []
    for channel, defs in (view.get("encoding") or {}).items():
        for d in defs if isinstance(defs, list) else [defs]:
            if not isinstance(d, dict):
                continue
            field, op, unit = d.get("field"), d.get("aggregate"), d.get("timeUnit")
            if not isinstance(field, str):
                if op == "count":
                    field = "__count"
                else:
                    continue
            elif isinstance(op, str):
                field = f"{op}_{field}"
            elif isinstance(unit, str):
                field = f"{unit}_{field}"
            elif d.get("bin"):
                field = f"bin:{field}"  # matched against bin_maxbins_N_field below
            title = d.get("title")
            for place in ("axis", "legend", "header"):
                if not isinstance(title, str) and isinstance(d.get(place), dict) and isinstance(d[place].get("title"), str):
                    title = d[place]["title"]
            out.append((field, channel, title if isinstance(title, str) and title.strip() else None, channel == "tooltip"))
    return out


def reader_table(frames: list, views: list) -> pd.DataFrame:
    """The rows every view draws (a layered or concatenated chart lists every layer's and panel's
    rows; a layer that repeats another's rows, such as labels on bars, once), and only the columns
    the chart draws, headed by the chart's own words: a field's tooltip title, else its axis or
    legend title; a helper column (jitter offsets, stack bounds, sort keys) or a field the chart
    does not draw is left out. `source_id` is kept (pages show the publisher). The headers are in
    `.attrs["titles"]`; a text mark's untitled field is headed "label" (pages translate it).

    Views with a tooltip are the chart's data marks; annotation layers (a rule and its note) have
    none and are left out, unless no view has a tooltip."""
    pairs = [(f, v) for f, v in zip(frames, views) if f is not None and len(f.columns) and v is not None]
    if len(pairs) < len([f for f in frames if f is not None and len(f.columns)]):
        return _plotted_frame(frames)  # a view not found in the spec: the older, simpler table
    with_tips = [(f, v) for f, v in pairs if any(tip for *_, tip in _encoded(v))]
    pairs = with_tips or pairs
    titles: dict[str, str] = {}
    tooltip: set[str] = set()
    axis_titles: dict[str, list[str]] = {}
    label: set[str] = set()
    for _, view in pairs:
        for name, channel, title, tip in _encoded(view):
            if tip and title and name not in tooltip:
                titles[name] = title
                tooltip.add(name)
            elif title and not tip:
                axis_titles.setdefault(name, [])
                if title not in axis_titles[name]:
                    axis_titles[name].append(title)
            elif channel == "text" and not title:
                label.add(name)
    for name, found in axis_titles.items():
        if name not in titles:
            titles[name] = " / ".join(found)
    for name in label:
        titles.setdefault(name, "label")
    # Rows: each view's frame, once (labels drawn over bars repeat the bars' rows).
    kept_frames: list[pd.DataFrame] = []
    for frame, _ in pairs:
        frame = frame.copy()
        for col in list(frame.columns):  # a binned field's column: bin_maxbins_10_x
            m = re.match(r"^bin_(?:maxbins_\d+_)?(.+)$", str(col))
            if m and f"bin:{m.group(1)}" in titles:
                titles[str(col)] = titles[f"bin:{m.group(1)}"]
        if not any(_repeats(frame, k) for k in kept_frames):
            kept_frames.append(frame)
    table = pd.concat(kept_frames, ignore_index=True, sort=False) if len(kept_frames) > 1 else kept_frames[0]
    # Columns: drawn fields with a title; of two with the same header, the tooltip's (the other is
    # a helper: a jittered position titled "Year" beside the year itself).
    columns, headers = [], {}
    ranked = sorted(table.columns, key=lambda c: (str(c) not in tooltip, list(table.columns).index(c)))
    for col in ranked:
        title = titles.get(str(col))
        if title is None or title in headers:
            continue
        headers[title] = col
        columns.append(col)
    if not columns:
        return _plotted_frame(frames)
    columns.sort(key=lambda c: list(table.columns).index(c))
    if SOURCE_FIELD in table.columns:
        columns.append(SOURCE_FIELD)
    out = table[columns]
    out.attrs["titles"] = {str(c): titles[str(c)] for c in columns if str(c) in titles}
    return out


def plotted_table(chart) -> pd.DataFrame:
    """The values the chart actually plots, after its own transforms (VegaFusion evaluates them)."""
    data = chart.transformed_data()  # switches Altair's process-wide transformer for a moment: one chart at a time per process
    frames = data if isinstance(data, list) else [data]
    views = _leaf_views(chart)
    if len(views) == len(frames):  # one frame per view, in the same order (Altair's name_views walk)
        return reader_table(frames, views)
    return _plotted_frame(frames)


def _leaf_views(chart, inherited: dict | None = None) -> list[dict]:
    """Every view of an Altair chart as {"mark", "encoding"} (a layer's shared encoding included),
    in the order Altair's name_views() walks them."""
    import altair as alt
    from altair.utils._transformed_data import _chart_class_mapping, _get_subcharts

    def encoding(c) -> dict:
        enc = getattr(c, "encoding", alt.Undefined)
        return enc.to_dict(validate=False) if enc is not alt.Undefined and hasattr(enc, "to_dict") else {}

    inherited = inherited or {}
    if isinstance(chart, _chart_class_mapping[alt.Chart] + _chart_class_mapping[alt.FacetChart]):
        return [{"mark": "leaf", "encoding": {**inherited, **encoding(chart)}}]
    shared = {**inherited, **encoding(chart)} if isinstance(chart, _chart_class_mapping[alt.LayerChart]) else {}
    return [v for sub in _get_subcharts(chart) for v in _leaf_views(sub, shared)]


def _helper_column(col: str, names: set[str]) -> bool:
    """Vega's helper columns: sort indices, stack bounds (people_start, people_end), index copies."""
    return col.startswith("_") or col.endswith("_sort_index") or any(col == f"{base}_{end}" for end in ("start", "end") for base in names if base != col)


def _repeats(frame: pd.DataFrame, kept: pd.DataFrame) -> bool:
    """True if `frame` holds the same rows as `kept` (the same data drawn by another layer, such as
    labels over bars), comparing the columns they share apart from Vega's helpers."""
    names = set(map(str, frame.columns)) | set(map(str, kept.columns))
    common = [c for c in frame.columns if c in kept.columns and not _helper_column(str(c), names)]
    if len(frame) != len(kept) or not common:
        return False
    return frame[common].reset_index(drop=True).equals(kept[common].reset_index(drop=True))


def _plotted_frame(frames: list) -> pd.DataFrame:
    """The main layer's transformed data, without Vega's helper columns."""
    frames = [f for f in frames if f is not None and len(f.columns)]
    if not frames:
        return pd.DataFrame()
    frame = max(frames, key=len).copy()  # the main layer; annotation layers are small
    names = set(map(str, frame.columns))

    def internal(col: str) -> bool:  # Vega's helper columns: sort indices, stack bounds
        return col.startswith("_") or col.endswith("_sort_index") or any(col == f"{base}_{end}" for end in ("start", "end") for base in names if base != col)

    return frame[[c for c in frame.columns if not internal(str(c))]]


def column_titles(spec: dict) -> dict[str, str]:
    """Field name -> the title the chart gives it (axis, legend or tooltip), for table headers."""
    titles: dict[str, set[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("field"), str) and isinstance(node.get("title"), str):
                # an aggregated field comes out of the transforms as e.g. sum_count
                name = f"{node['aggregate']}_{node['field']}" if isinstance(node.get("aggregate"), str) else node["field"]
                titles.setdefault(name, set()).add(node["title"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    # A field titled differently in different places (e.g. "£ million", "€ million") keeps its name.
    return {f: t.pop() for f, t in titles.items() if len(t) == 1}


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


STOP_HINT = 'return a chart from chart(data, t); to stop with a message, raise ValueError("...")'


def _build_spec(source: ChartSource, package: DataPackage, problems: Collector, language: Language = ENGLISH, clock=None):
    """Run the editor's chart code and check the Vega-Lite spec it gives; None on a problem.
    Gives what _render_spec needs: (chart, Vega-Lite spec, resources read, language, (title, description)).
    clock(True) and clock(False) are called around the editor's code: in a chart worker, the
    build keeps its time limit (charts/pool.py)."""
    if clock:
        clock(True)
    try:
        chart, used, headings = _build_chart(source, package, problems, language)
    except SystemExit as e:  # sys.exit() in editor code: a problem in that chart, not the build's end
        problems.add(source.path, f"chart called sys.exit({e.code if e.code is not None else ''})", hint=STOP_HINT)
        return None
    except KeyboardInterrupt:
        if clock is None:
            raise  # run in the build's own process (tests): Ctrl-C stops it
        # a chart worker ignores Ctrl-C (the build handles it): this came from the chart's code
        problems.add(source.path, "chart raised KeyboardInterrupt", hint=STOP_HINT)
        return None
    finally:
        if clock:
            clock(False)
    if chart is None:
        return None
    small = sum(len(f) for f in _frames(chart)) <= INLINE_ROWS
    try:
        spec = _named_spec(chart) if small else None
        if spec is not None:
            chart, spec = spec
        if spec is not None and _json_size(spec.get("datasets", {})) > INLINE_BYTES:
            spec = None  # rows few but wide: pre-aggregate too
        pre = _PreAggregated.build(chart) if spec is None else None
    except Exception as e:
        problems.add(source.path, f"chart is not valid Vega-Lite: {str(e).splitlines()[0]}", _error_line(e, source.path))
        return None
    remote = _urls(spec if pre is None else pre.vegalite)
    if pre is not None:
        remote = [u for u in remote if u.removeprefix(VEGAFUSION_URL) not in pre.tables]
    if remote:
        what = "on the network" if re.match(r"^([a-z]+:)?//", remote[0]) else "in a file"
        problems.add(source.path, f"chart reaches for data {what}: {remote[0]}", hint='use data["resource_name"] from the data package instead')
        return None
    if pre is None:
        assert spec is not None  # small enough to inline
        spec["config"] = {**CHART_CONFIG, **spec.get("config", {})}
        return chart, spec, used, language, headings
    try:
        pre.transform()
    except TooLarge as e:
        problems.add(source.path, str(e), hint=e.hint)
        return None
    except Exception as e:
        problems.add(source.path, f"chart cannot be rendered: {str(e).splitlines()[0]}", _error_line(e, source.path))
        return None
    return pre, pre.vegalite, used, language, headings


# Readers download each chart's spec, data included, gzipped (GitHub Pages serves gzip). A chart
# whose data frames hold more than INLINE_ROWS rows in all (or whose inlined rows take more than
# INLINE_BYTES as JSON) has its transforms (aggregates, bins, time units, filters) evaluated at
# build time by VegaFusion, from Arrow tables, never inlining the raw rows: the spec then carries
# only what is drawn. Every data set the spec carries ships as JSON rows with only the columns
# the spec uses (compact_data; not CSV, which Vega parses with `new Function`, refused by the CSP). Refused: a chart that would ship the raw
# rows of a large table, more than MAX_POINTS rows in one data set, or more than SPEC_LIMIT bytes
# once gzipped; each with a hint that fits its case.
INLINE_ROWS = 5000  # Altair's own default limit for inlined rows
INLINE_BYTES = 40_000  # inlined JSON rows above this are evaluated at build time rather than in the browser
SPEC_LIMIT = 50_000  # bytes of one shipped chart spec (assets/charts/<slug>.vg.json), gzipped
MAX_POINTS = 20_000  # rows of one shipped data set, whatever their size
VEGAFUSION_URL = "vegafusion+dataset://"


def _frames(node) -> list:
    """Every pandas DataFrame an Altair chart holds (top level, layers, concatenations, lookups)."""
    import altair as alt

    if isinstance(node, pd.DataFrame):
        return [node]
    if isinstance(node, alt.utils.schemapi.SchemaBase):
        return [f for value in node._kwds.values() for f in _frames(value)]
    if isinstance(node, (list, tuple)):
        return [f for value in node for f in _frames(value)]
    if isinstance(node, dict):
        return [f for value in node.values() for f in _frames(value)]
    return []


def _name_views(chart, counter: list | None = None) -> None:
    """Name every unnamed view view_1, view_2, ... in the order Altair's name_views() walks them."""
    import altair as alt
    from altair.utils._transformed_data import _chart_class_mapping, _get_subcharts

    counter = counter if counter is not None else [0]
    if isinstance(chart, _chart_class_mapping[alt.Chart] + _chart_class_mapping[alt.FacetChart]):
        if chart.name in (None, alt.Undefined):
            counter[0] += 1
            chart.name = f"view_{counter[0]}"
        return
    for sub in _get_subcharts(chart):
        _name_views(sub, counter)


def _json_size(value) -> int:
    import json

    return len(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8"))


def _human(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"


class _PreAggregated:
    """A chart with too much data to inline: its Vega spec with the transforms evaluated by VegaFusion."""

    def __init__(self, vegalite: dict, vega: dict, tables: dict, dataset_names: list[tuple[str, tuple[int, ...]]], source_ids: list[str]):
        self.vegalite, self.vega, self.tables = vegalite, vega, tables
        self.vega_source = vega  # before VegaFusion: the plotted table is evaluated from it
        self.dataset_names, self.source_ids = dataset_names, source_ids
        self.view_names: list[str] = []  # the views whose datasets dataset_names are, in order
        self.narrow_vega: dict = {}  # drawn for a phone (transform)

    @classmethod
    def build(cls, chart) -> "_PreAggregated":
        """Compile without inlining any row: the data frames go to VegaFusion as Arrow tables."""
        import altair as alt
        import pyarrow as pa
        import vl_convert as vlc
        from altair.utils import _vegafusion_data as vfdata
        from altair.utils._transformed_data import get_datasets_for_view_names, get_facet_mapping, name_views

        if isinstance(chart, alt.Chart) and chart.mark is alt.Undefined:
            chart = chart.mark_point()
        chart = chart.copy(deep=True)  # the frames are shared, not copied
        _name_views(chart)  # fixed names (Altair's own are random): same inputs, same bytes
        views = name_views(chart, 0)  # named views: the plotted table is the data of the views
        with alt.data_transformers.enable("vegafusion"):
            vegalite = chart.to_dict(format="vega-lite", context={"pre_transform": False})
        vegalite["config"] = {**CHART_CONFIG, **vegalite.get("config", {})}
        names = dict.fromkeys(u.removeprefix(VEGAFUSION_URL) for u in _urls(vegalite) if u.startswith(VEGAFUSION_URL))  # in order
        frames = {name: vfdata.extracted_inline_tables.pop(name) for name in names if name in vfdata.extracted_inline_tables}
        tables = {name: pa.Table.from_pandas(frame, preserve_index=False) for name, frame in frames.items()}
        ids: dict[str, None] = {}  # the sources of the rows handed to the chart, in order of appearance
        for table in tables.values():
            if SOURCE_FIELD in table.column_names:
                ids.update(dict.fromkeys(str(s) for s in table.column(SOURCE_FIELD).drop_null().unique().to_pylist()))
        vega = vlc.vegalite_to_vega(vegalite)
        mapping = get_datasets_for_view_names(vega, views, get_facet_mapping(vega))
        made = cls(vegalite, vega, tables, [mapping[v] for v in views if v in mapping], list(ids))
        made.view_names = [v for v in views if v in mapping]
        return made

    def transform(self) -> int:
        """Evaluate the transforms into the spec, and ship its data compactly; the gzip size in
        bytes of the spec readers get. Raises TooLarge for raw rows or too many points.

        Drawn at the two widths every chart is drawn at (WIDE, NARROW: see `sized`), each evaluated
        here while the tables are at hand, so a large chart is fitted to a phone like a small one."""
        import vegafusion as vf
        import vl_convert as vlc

        def evaluate(width):
            return vf.runtime.pre_transform_extract(
                vlc.vegalite_to_vega(sized(self.vegalite, width)),
                vf.get_local_tz(),
                extract_threshold=MAX_POINTS,
                extracted_format="pyarrow",
                inline_datasets=self.tables,
            )

        vega, extracted, _ = evaluate(WIDE)
        largest = max((t.num_rows for t in self.tables.values()), default=0)
        shipped = [len(d["values"]) for d in vega.get("data", []) if isinstance(d.get("values"), list)]
        shipped += [table.num_rows for _, _, table in extracted]
        if largest > INLINE_ROWS and any(n >= largest for n in shipped) and not _aggregates(self.vegalite):
            raise TooLarge(f"chart would ship the raw rows of its data to readers ({largest:,} rows)", RAW_ROWS_HINT)
        if extracted:
            raise TooLarge(f"chart would ship {max(shipped):,} data points to readers (limit {MAX_POINTS:,} per data set)", _points_hint(self.vegalite))
        self.vega = compact_data(vega)
        size = check_size(self.vega, self.vegalite)
        narrow, extracted, _ = evaluate(NARROW)
        self.narrow_vega = {} if extracted else compact_data(narrow)
        # The plotted table now, so that the (possibly large) tables can go before rendering.
        datasets, _ = vf.runtime.pre_transform_datasets(self.vega_source, self.dataset_names, vf.get_local_tz(), inline_datasets=self.tables)  # type: ignore[arg-type]  # tuple scopes, as above
        frames = [d.to_pandas() if hasattr(d, "to_pandas") else d for d in datasets]
        self.table = reader_table(frames, [_view(self.vegalite, v) for v in self.view_names])
        self.tables, self.vega_source = {}, {}  # let the (possibly large) tables go
        return size


RAW_ROWS_HINT = (
    "aggregate what the chart draws: an aggregate encoding such as sum(value) with a time unit, "
    'e.g. x="yearmonth(date):T", or group the rows with pandas in chart()'
)


class TooLarge(Exception):
    """A chart whose data readers would download is too large; the message says how large, the hint what to do."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def _aggregates(node) -> bool:
    """Whether a Vega-Lite spec aggregates (an aggregate encoding, or an aggregate transform)."""
    if isinstance(node, dict):
        if isinstance(node.get("aggregate"), (str, list)) or "timeUnit" in node and "field" in node:
            return True
        return any(_aggregates(v) for k, v in node.items() if k not in ("datasets", "data"))
    if isinstance(node, list):
        return any(_aggregates(v) for v in node)
    return False


def _points_hint(vegalite: dict) -> str:
    if _aggregates(vegalite):
        return "the chart aggregates already: plot fewer points with a coarser time unit (year rather than month), fewer series or a shorter period"
    return RAW_ROWS_HINT


def shipped_bytes(vega: dict) -> bytes:
    """The chart spec exactly as the site ships it (assets/charts/<slug>.vg.json)."""
    import json

    return json.dumps(vega, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def gzip_size(vega: dict) -> int:
    """What readers download for the spec: its gzip size (fixed mtime: same bytes, same size)."""
    import gzip

    return len(gzip.compress(shipped_bytes(vega), compresslevel=9, mtime=0))


def check_size(vega: dict, vegalite: dict) -> int:
    """The shipped spec's gzip size; TooLarge above SPEC_LIMIT."""
    size = gzip_size(vega)
    if size > SPEC_LIMIT:
        points = sum(_csv_rows(d["values"]) if isinstance(d.get("values"), str) else len(d.get("values") or []) for d in vega.get("data", []))
        raise TooLarge(f"chart would ship {_human(size)} gzipped to readers, {points:,} data points (limit {_human(SPEC_LIMIT)})", _points_hint(vegalite))
    return size


def _csv_rows(text: str) -> int:
    return max(0, text.count("\n") - 1 + (0 if text.endswith("\n") else 1))


_WHOLE_DATUM = re.compile(r"\bdatum\b(?!\s*[.\[])")  # a tooltip of every field: {"signal": "datum"}


def compact_data(vega: dict) -> dict:
    """The Vega spec with each inline data set cut to the columns the spec refers to (JSON rows).

    Not CSV text: Vega reads CSV with d3-dsv, which builds each row with `new Function`, and the
    page's Content-Security-Policy (no 'unsafe-eval') stops that, so a CSV data set leaves the live
    chart empty in the reader's browser. Shipped gzipped, JSON rows of the used columns cost little
    more than CSV."""
    import copy
    import json

    without_values = json.dumps({**vega, "data": [{k: v for k, v in d.items() if k != "values"} for d in vega.get("data", [])]}, ensure_ascii=False)
    every_column = bool(_WHOLE_DATUM.search(without_values))
    out = copy.copy(vega)
    out["data"] = [_used_columns(d, without_values, every_column) for d in vega.get("data", [])]
    return out


def _used_columns(entry: dict, spec_text: str, every_column: bool) -> dict:
    import json

    rows = entry.get("values")
    if every_column or not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return entry
    columns = [c for c in dict.fromkeys(k for r in rows for k in r) if json.dumps(c, ensure_ascii=False)[1:-1] in spec_text]
    return {**entry, "values": [{c: r[c] for c in columns if c in r} for r in rows]}


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
        vega = vlc.vegalite_to_vega(spec)  # compile once; the SVG is drawn from the compiled spec
        names = _view_names(spec)
        table = _plotted_table_of(chart, vega, spec) if names and len(names) == len(set(names)) else plotted_table(chart)
        cited = cited_sources(spec)

    def draw(width):  # (Vega, SVG) `width` px wide; a concatenation that came out wider is redrawn narrower, once
        # compact_data: what readers download (CSV values, used columns); the SVG is drawn from it, as their browser will
        v = compact_data(vlc.vegalite_to_vega(sized(spec, width)))
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
        vega, svg = draw(WIDE)
        narrow_vega, narrow_svg = draw(NARROW)
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


def sized(spec: dict, width: int) -> dict:
    """The Vega-Lite spec drawn `width` px wide in all (axes and legends included). A single or
    layered view fits that width (autosize fit-x: the browser can refit it to its container);
    the panels of a concatenation are scaled down to it, never up; the chart's height stays."""
    import copy

    out = copy.deepcopy(spec)
    panels = next((out[k] for k in ("hconcat", "vconcat", "concat") if isinstance(out.get(k), list)), None)
    if panels is None and "facet" not in out:
        out["width"] = width
        out["autosize"] = {"type": "fit-x", "contains": "padding"}
        return out
    side = isinstance(out.get("hconcat"), list) and len(out["hconcat"]) or 1
    labels = width // (3 * side)  # axis labels take at most a third of a panel (longer ones end in …)
    room = (width - (labels + 40) * side) // side

    def shrink(node):
        if isinstance(node, dict):
            if isinstance(node.get("width"), (int, float)) and node["width"] > room:
                node["width"] = max(120, room)
            if isinstance(node.get("labelLimit"), (int, float)) and node["labelLimit"] > labels:
                node["labelLimit"] = labels
            for key, value in node.items():
                if key not in ("datasets", "data"):
                    shrink(value)
        elif isinstance(node, list):
            for value in node:
                shrink(value)

    shrink(panels if panels is not None else out.get("spec", {}))
    return out


CARD = (1200, 630)  # link-preview card (Open Graph, Twitter's summary_large_image): 1.91:1
CARD_TITLE = 44  # px; the title's lines are wrapped at about CARD_CHARS characters
CARD_CHARS = 46


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def card_svg(chart: RenderedChart) -> str:
    """The link-preview card, 1200 x 630: the chart's title as a headline above its static chart,
    scaled to fit the rest, on white."""
    width, height = CARD
    pad = 48
    lines = _wrap(chart.title, CARD_CHARS)
    if len(lines) > 2:
        lines = lines[:2]
        lines[1] = lines[1][: CARD_CHARS - 1].rstrip() + "…"
    text = "".join(
        f'<text x="{pad}" y="{pad + CARD_TITLE + i * round(CARD_TITLE * 1.2)}" font-family="{html.escape(FONT)}" '
        f'font-size="{CARD_TITLE}" font-weight="700" fill="#1a1a1a">{html.escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    top = pad + CARD_TITLE + (len(lines) - 1) * round(CARD_TITLE * 1.2) + 28
    m = re.match(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"', chart.svg)
    w, h = (float(m.group(1)), float(m.group(2))) if m else (WIDE, WIDE / 2)
    scale = min((width - 2 * pad) / w, (height - top - pad / 2) / h)
    x = (width - w * scale) / 2
    inner = re.sub(r"^<svg[^>]*>", "", chart.svg.strip(), count=1)
    inner = re.sub(r"</svg>\s*$", "", inner)
    inner = re.sub(r"<title[^>]*>.*?</title><desc[^>]*>.*?</desc>", "", inner, count=1, flags=re.S)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="white"/>{text}'
        f'<g transform="translate({x:.1f},{top}) scale({scale:.4f})">{inner}</g></svg>'
    )


def preview_png(chart: RenderedChart) -> bytes:
    """The page's link-preview card as a PNG, 1200 x 630 (card_svg)."""
    import vl_convert as vlc

    return vlc.svg_to_png(card_svg(chart), scale=1)


def cited_sources(spec: dict) -> list[str]:
    """The source ids of the rows handed to the chart (after its own pandas filtering), in order
    of first appearance; empty if the chart dropped the source_id column."""
    ids: dict[str, None] = {}
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get(SOURCE_FIELD), str):
                ids.setdefault(row[SOURCE_FIELD], None)
    return list(ids)


CHART_TIME_LIMIT = settings.environment().EXPLAINER_CHART_TIME_LIMIT  # a wrong value: the default (gather reports it)


def format_rows(table: pd.DataFrame, locale: str = ENGLISH.locale) -> list[list[str]]:
    """Cells formatted for readers of `locale`; thousands separators except in year-like columns."""
    plain = [bool(re.search(r"year", str(c), re.I)) for c in table.columns]
    return [[format_cell(v, p, locale) for v, p in zip(row, plain)] for row in table.itertuples(index=False)]


def format_cell(value, plain: bool = False, locale: str = ENGLISH.locale) -> str:
    from babel.numbers import format_decimal

    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (bool, np.bool_)):  # a yes/no field, in the page's words
        from ..common.i18n import strings

        return strings(locale.split("_")[0])["yes" if value else "no"]
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")  # ISO dates read the same in every language
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            return str(int(value)) if plain else format_decimal(int(value), "#,##0", locale=locale)
        return format_decimal(value, "#,##0.00", locale=locale)
    return str(value)


def table_csv(table: pd.DataFrame) -> str:
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.to_csv(index=False, lineterminator="\n")

"""Stage 3, charts: from the editor's Altair chart to the Vega-Lite spec that is drawn.

Reads the chart that chartfile._build_chart() gives. _build_spec() names its views, inlines small
data (or has VegaFusion evaluate the transforms of large data from Arrow tables: _PreAggregated),
refuses data fetched from files or the network and specs too large for readers (TooLarge), and
applies the house style. Also the helpers that size a spec to a width (sized) and cut what readers
download to the columns used (compact_data). Writes nothing.
"""

from __future__ import annotations

import re

import pandas as pd

from ..common.i18n import ENGLISH, Language
from ..common.problems import Collector
from ..data.load import SOURCE_FIELD, DataPackage
from .chartfile import ChartSource, _build_chart, _error_line
from .style import CHART_CONFIG, NARROW, WIDE
from .tables import _view, reader_table


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
    return chart, chart.to_dict(validate=False)  # validated just above, as the named copy: it differs only in names


def _view_names(node) -> list:
    if isinstance(node, dict):
        own = [node["name"]] if isinstance(node.get("name"), str) and ("mark" in node or "layer" in node) else []
        return own + [n for key, v in node.items() if key not in ("datasets", "data", "params") for n in _view_names(v)]
    if isinstance(node, list):
        return [n for v in node for n in _view_names(v)]
    return []


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


def _name_views(chart, counter: list | None = None, position: int | None = None) -> None:
    """Name every unnamed view view_1, view_2, ... in the order Altair's name_views() walks them.

    A layer of the i-th of several charts (bars and labels in each panel of a concatenation) is
    renamed by Altair to its name's base + "_i" ("view_3" -> "view_1"), which would give two layers
    one name: it is named "view_3_1" instead, which that renaming keeps as it is (`position` = i)."""
    import altair as alt
    from altair.utils._transformed_data import _chart_class_mapping, _get_subcharts

    counter = counter if counter is not None else [0]
    if isinstance(chart, _chart_class_mapping[alt.Chart] + _chart_class_mapping[alt.FacetChart]):
        if chart.name in (None, alt.Undefined):
            counter[0] += 1
            chart.name = f"view_{counter[0]}" if position is None else f"view_{counter[0]}_{position}"
        return
    subcharts = _get_subcharts(chart)
    for i, sub in enumerate(subcharts):
        layered = len(subcharts) > 1 and isinstance(sub, _chart_class_mapping[alt.LayerChart])
        for layer in _get_subcharts(sub) if layered else [sub]:
            if layered and isinstance(layer, _chart_class_mapping[alt.Chart]):
                _name_views(layer, counter, i)
            else:
                _name_views(layer, counter)


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


def single_view(spec: dict) -> bool:
    """A single or layered view (no concatenation, no facet): `sized` changes only its top-level width."""
    return "facet" not in spec and not any(isinstance(spec.get(k), list) for k in ("hconcat", "vconcat", "concat"))


def resized(vega: dict, spec: dict, width: int) -> dict | None:
    """The Vega spec of a single or layered view compiled at another width, from one compiled
    already, without compiling again: Vega-Lite writes such a view's width into the top-level
    "width" alone (its axes and autosize refer to that signal), so only that number changes.
    None for a concatenation or facet, whose panels and label limits `sized` rescales."""
    if not single_view(spec) or not isinstance(vega.get("width"), (int, float)):
        return None
    return {**vega, "width": width}


def sized(spec: dict, width: int) -> dict:
    """The Vega-Lite spec drawn `width` px wide in all (axes and legends included). A single or
    layered view fits that width (autosize fit-x: the browser can refit it to its container);
    the panels of a concatenation are scaled down to it, never up; the chart's height stays."""
    import copy

    out = copy.deepcopy(spec)
    panels = next((out[k] for k in ("hconcat", "vconcat", "concat") if isinstance(out.get(k), list)), None)
    if single_view(out):
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

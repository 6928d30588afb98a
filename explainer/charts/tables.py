"""Stage 3, charts: the values a chart plots, as the table under it and its CSV download.

Reads a compiled chart (its Vega spec, evaluated by VegaFusion, or Altair's transformed_data());
gives the plotted rows with only the columns the chart draws, headed by the chart's own words
(reader_table), the sources of the rows it was handed (cited_sources), the cells formatted for
readers of a language (format_rows) and the CSV text (table_csv). Writes nothing.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..common.i18n import ENGLISH
from ..data.load import SOURCE_FIELD


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


def cited_sources(spec: dict) -> list[str]:
    """The source ids of the rows handed to the chart (after its own pandas filtering), in order
    of first appearance; empty if the chart dropped the source_id column."""
    ids: dict[str, None] = {}
    for rows in spec.get("datasets", {}).values():
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get(SOURCE_FIELD), str):
                ids.setdefault(row[SOURCE_FIELD], None)
    return list(ids)


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

"""Every chart file of the default explainer renders and validates (like Altair's test_examples)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from conftest import REPO
from explainer.charts import chartfile, compile as charts_compile
from explainer.charts import render as charts
from explainer.data import load as data
from explainer.common.problems import Collector

CHART_FILES = sorted(p.stem for p in (REPO / "charts").glob("*.py") if not p.name.startswith("_"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def rendered():
    problems = Collector(REPO)
    package = data.load(REPO, problems)
    sources = chartfile.discover(REPO, problems)
    result = charts.render(REPO, sources, package, problems) if package else {}  # no cache: really render
    assert not problems.errors, "\n".join(map(str, problems.errors))
    return result


def test_the_channel_explainer_has_at_least_five_charts():
    assert len(CHART_FILES) >= 5, CHART_FILES


@pytest.mark.parametrize("slug", CHART_FILES)
def test_chart_renders_accessible_svg_spec_and_data(rendered, slug):
    chart = rendered[slug]
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == chart.title
    assert desc is not None and desc.text == chart.description and len(chart.description) > 40
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert len(root.findall(f".//{SVG}text")) > 3, "axis labels and titles are drawn as text"
    # The compiled Vega spec carries its data inline and no URL to fetch.
    assert chart.vega["$schema"].startswith("https://vega.github.io/schema/vega/")
    assert all("url" not in d for d in chart.vega.get("data", []))
    assert any(d.get("values") for d in chart.vega.get("data", []))
    # The CSV download holds exactly the plotted table.
    assert len(chart.rows) > 0 and all(len(r) == len(chart.columns) for r in chart.rows)
    plotted = pd.read_csv(io.StringIO(chart.csv))
    assert len(plotted) == len(chart.rows)
    assert list(plotted.columns) == chart.columns
    assert chart.resources, "the chart read at least one data resource, whose sources it cites"


# -- what readers download: gzip size, compact data, refusals that fit the case ------------------

MONTHLY_CHART = '''"""Monthly readings by region

Four regions, month by month over 25 years.
"""
import altair as alt


def chart(data):
    return alt.Chart(data["monthly"]).mark_line().encode(
        x=alt.X("{x}", title="Month"),
        y=alt.Y("{y}", title="Readings"),
        color=alt.Color("region:N", title="Region"),
    )
'''


def _monthly_explainer(tmp_path, days: bool = False):
    """The orchard explainer plus a resource of 25 years x 4 regions, monthly (1,184 rows) or daily."""
    import json

    from conftest import FIXTURES, copy_explainer

    root = copy_explainer(FIXTURES / "orchard", tmp_path / "monthly")
    dates = pd.date_range("2000-01-01", periods=296, freq="MS") if not days else pd.date_range("2000-01-01", periods=12_000, freq="D")
    rows = [
        (d.strftime("%Y-%m-%d"), r, 1000 + (i * 37 + j * 11) % 997 + 0.5, "logbook")
        for i, d in enumerate(dates)
        for j, r in enumerate(("north", "south", "east", "west"))
    ]
    pd.DataFrame(rows, columns=["date", "region", "value", "source_id"]).to_csv(root / "charts/data/monthly.csv", index=False)
    pkg = root / "charts/data/datapackage.json"
    d = json.loads(pkg.read_text())
    d["resources"].insert(
        1,
        {
            "name": "monthly",
            "path": "monthly.csv",
            "title": "Monthly readings",
            "schema": {
                "fields": [
                    {"name": "date", "type": "date"},
                    {"name": "region", "type": "string"},
                    {"name": "value", "type": "number"},
                    {"name": "source_id", "type": "string"},
                ]
            },
        },
    )
    pkg.write_text(json.dumps(d, indent=2))
    return root, len(rows)


def _render_one(root, slug, x, y="sum(value):Q"):
    (root / "charts" / f"{slug}.py").write_text(MONTHLY_CHART.replace("{x}", x).replace("{y}", y))
    problems = Collector(root)
    package = data.load(root, problems)
    assert package is not None, problems.items
    sources = {slug: chartfile.discover(root, problems)[slug]}
    return charts.render(root, sources, package, problems).get(slug), problems


def test_monthly_chart_of_1184_points_builds_and_ships_only_used_columns(tmp_path):
    root, n = _monthly_explainer(tmp_path)
    assert n == 1184
    chart, problems = _render_one(root, "monthly_by_region", "yearmonth(date):T")
    assert problems.items == []
    assert len(chart.rows) == 1184
    shipped = [d for d in chart.vega["data"] if isinstance(d.get("values"), list) and d["values"]]
    assert shipped and all(isinstance(r, dict) for d in shipped for r in d["values"])
    # JSON rows, never CSV text: Vega parses CSV with new Function, which the page's CSP forbids
    assert all((d.get("format") or {}).get("type", "json") == "json" for d in chart.vega["data"])
    assert all("source_id" not in r for d in shipped for r in d["values"]), "only the columns the chart uses are shipped"
    assert charts_compile.gzip_size(chart.vega) <= charts_compile.SPEC_LIMIT
    assert charts_compile.gzip_size(chart.vega) < len(charts_compile.shipped_bytes(chart.vega)) / 2
    assert "<path" in chart.svg  # Vega drew the lines from the shipped rows


def test_raw_rows_and_too_many_points_are_refused_with_fitting_hints(tmp_path):
    root, n = _monthly_explainer(tmp_path, days=True)
    chart, problems = _render_one(root, "raw_daily", "date:T", "value:Q")
    assert chart is None
    assert [str(p) for p in problems.errors] == [
        f"charts/raw_daily.py: chart would ship the raw rows of its data to readers ({n:,} rows) ({charts_compile.RAW_ROWS_HINT})"
    ]
    chart, problems = _render_one(root, "daily_sums", "yearmonthdate(date):T")
    assert chart is None
    assert [str(p) for p in problems.errors] == [
        f"charts/daily_sums.py: chart would ship {n:,} data points to readers (limit 20,000 per data set) "
        "(the chart aggregates already: plot fewer points with a coarser time unit (year rather than month), "
        "fewer series or a shorter period)"
    ]


# -- one compile where it serves: the phone width and the table ---------------------------------


@pytest.fixture(scope="module")
def specs():
    """Each chart file's checked Vega-Lite spec, in English."""
    problems = Collector(REPO)
    package = data.load(REPO, problems)
    assert package is not None
    sources = chartfile.discover(REPO, problems)
    built = {slug: charts_compile._build_spec(source, package, problems) for slug, source in sources.items()}
    assert not problems.errors, "\n".join(map(str, problems.errors))
    return built


@pytest.mark.parametrize("slug", CHART_FILES)
def test_phone_spec_from_the_desktop_compile_equals_its_own_compile(specs, slug):
    """render.py draws a single or layered view's phone width from the desktop compile (resized):
    it must be exactly what compiling at the phone width gives, or the phone drawing would differ."""
    import vl_convert as vlc

    from explainer.charts.style import NARROW, WIDE

    _, spec, *_ = specs[slug]
    wide = vlc.vegalite_to_vega(charts_compile.sized(spec, WIDE))
    shortcut = charts_compile.resized(wide, spec, NARROW)
    if not charts_compile.single_view(spec):
        assert shortcut is None, "a concatenation's panels are rescaled by sized(): compiled again"
        return
    assert shortcut == vlc.vegalite_to_vega(charts_compile.sized(spec, NARROW))


@pytest.mark.parametrize("slug", CHART_FILES)
def test_every_view_keeps_its_own_name_so_the_table_comes_from_the_one_compile(specs, slug):
    """Altair renames the layers of each panel of a concatenation (view_3 -> view_1, the panel's
    number), which gave two layers one name and sent the chart to a second compile for its table
    (transformed_data); the names the generator gives must come out of Altair unique."""
    _, spec, *_ = specs[slug]
    names = charts_compile._view_names(spec)
    assert names and len(names) == len(set(names)), names


def _shapes():
    import altair as alt

    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": ["x", "y", "x", "y"], "c": [3, 1, 2, 5]})
    return {
        "row facet by encoding": alt.Chart(df).mark_bar().encode(x="a:Q", y="b:N", row="b:N"),
        "column facet by encoding": alt.Chart(df).mark_point().encode(x="a:Q", y="c:Q", column="b:N"),
        "repeat": alt.Chart(df).mark_point().encode(x=alt.X(alt.repeat("column"), type="quantitative"), y="c:Q").repeat(column=["a", "c"]),
        "layer": alt.Chart(df).mark_bar().encode(x="a:Q", y="b:N") + alt.Chart(df).mark_text().encode(x="a:Q", y="b:N", text="c:Q"),
        "band steps": alt.Chart(df).mark_bar().encode(x="b:N", y="a:Q").properties(width=alt.Step(40)),
    }


@pytest.mark.parametrize("shape", list(_shapes()))
def test_phone_spec_is_taken_from_the_desktop_compile_only_where_it_equals_its_own(shape):
    """Beyond the Channel's charts: a facet or repeat by encoding (no top-level width in its Vega)
    is compiled again; a layer or a view sized by steps is taken from the desktop compile, exactly."""
    import vl_convert as vlc

    from explainer.charts.style import NARROW, WIDE

    spec = _shapes()[shape].to_dict()
    shortcut = charts_compile.resized(vlc.vegalite_to_vega(charts_compile.sized(spec, WIDE)), spec, NARROW)
    assert shortcut is None or shortcut == vlc.vegalite_to_vega(charts_compile.sized(spec, NARROW))
    assert (shortcut is None) == (shape in ("row facet by encoding", "column facet by encoding", "repeat"))

"""Every chart file of the default explainer renders and validates (like Altair's test_examples)."""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from conftest import REPO
from explainer.charts import render as charts
from explainer.data import load as data
from explainer.common.problems import Collector

CHART_FILES = sorted(p.stem for p in (REPO / "charts").glob("*.py") if not p.name.startswith("_"))
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def rendered():
    problems = Collector(REPO)
    package = data.load(REPO, problems)
    sources = charts.discover(REPO, problems)
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
    assert desc is not None and desc.text == chart.description and len(desc.text) > 40
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

"""The chart cache is never stale: nothing changed renders nothing; a change to a chart's file
or to a resource it reads re-renders exactly the charts that depend on it."""

from __future__ import annotations

import re

from conftest import FIXTURES, copy_explainer, run_build

EXTRA_CHART = '''"""Sources by publisher

How many sources each publisher gave; a chart that reads only the sources table.
"""
import altair as alt


def chart(data):
    return alt.Chart(data["sources"]).mark_bar().encode(x="count():Q", y="publisher:N")
'''


def _counts(stdout: str) -> tuple[int, int]:
    m = re.search(r"\((\d+) rendered, (\d+) from cache\)", stdout)
    assert m, stdout
    return int(m.group(1)), int(m.group(2))


def test_cache_rerenders_exactly_what_changed(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    (root / "charts" / "sources_by_publisher.py").write_text(EXTRA_CHART, encoding="utf-8")
    first = run_build(root)
    assert first.returncode == 0, first.stderr
    assert _counts(first.stdout) == (2, 0)
    assert _counts(run_build(root, full=True).stdout) == (0, 2)

    # Editing harvest.csv re-renders the harvest chart only.
    csv = root / "charts" / "data" / "harvest.csv"
    csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,331"))
    result = run_build(root)
    assert _counts(result.stdout) == (1, 1)
    assert "331" in (root / "docs" / "assets" / "charts" / "harvest_by_year.csv").read_text()

    # Editing a chart file re-renders that chart only.
    chart = root / "charts" / "sources_by_publisher.py"
    chart.write_text(chart.read_text().replace("mark_bar()", "mark_bar(color='#4c78a8')"))
    assert _counts(run_build(root).stdout) == (1, 1)

    # A failed build keeps the cache: after fixing the error, nothing needs rendering again.
    page = root / "content" / "index.md"
    good = page.read_text()
    page.write_text(good + "\n{{ fig.nope }}\n")
    assert run_build(root).returncode == 1
    page.write_text(good)
    assert _counts(run_build(root, full=True).stdout) == (0, 2)

"""Scale, quickly: a 200,000-row explainer builds, ships no raw rows, and reports problems exactly.

Timing targets (1,000,000 rows in 10 s and 1 GB) are measured by bench/scale.py, not here.
Also: the vectorised validation of large CSVs (explainer/data/fast_validate.py, FAST_ROWS) gives exactly the
problems frictionless gives, on every bad-input case and on randomly broken files.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from badinput_helpers import copy_fixture, run_build

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from explainer.data import errors as data_errors  # noqa: E402
from explainer.data import fast_validate  # noqa: E402
from explainer.data import load as data  # noqa: E402
from explainer.common.problems import Collector  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_scale", REPO / "bench" / "scale.py")
assert _spec is not None and _spec.loader is not None
scale = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scale)

ROWS = 200_000
CSV = "charts/data/readings.csv"
SPEC_LIMIT = 50_000


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run_build(root, args=[*args, "--root", str(root)])  # forked warm (tests/warm_build.py)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """A 200,000-row explainer with two charts that aggregate it."""
    return scale.make_explainer(tmp_path_factory.mktemp("scale") / "big", ROWS, 2)


def _copy(big: Path, tmp_path: Path) -> Path:
    root = tmp_path / "big"
    shutil.copytree(big, root, ignore=shutil.ignore_patterns("site", "docs", ".cache"))
    return root


def test_large_explainer_builds_and_ships_no_raw_rows(big: Path) -> None:
    result = run(big)
    assert result.returncode == 0, result.stderr
    specs = sorted((big / "docs" / "assets" / "charts").glob("*.vg.json"))
    # each chart drawn for the page's column and for a phone, both pre-aggregated
    assert [p.name for p in specs] == ["readings_01.narrow.vg.json", "readings_01.vg.json", "readings_02.narrow.vg.json", "readings_02.vg.json"]
    for spec in specs:
        assert spec.stat().st_size <= SPEC_LIMIT, f"{spec.name}: {spec.stat().st_size} bytes"
        vega = json.loads(spec.read_text())
        rows = sum(
            d["values"].count("\n") - 1 if isinstance(d.get("values"), str) else len(d.get("values", [])) for d in vega.get("data", [])
        )  # CSV text (header line first) or JSON rows
        assert 0 < rows <= 300, f"{spec.name} ships {rows} rows"  # 48 months x 5 regions, a legend domain...
    # The plotted table and CSV are the aggregates, checked against pandas.
    frame = pd.read_csv(big / CSV, parse_dates=["date"])
    expected = frame.groupby([frame["date"].dt.to_period("M").dt.start_time, "region"])["value"].mean()
    plotted = pd.read_csv(big / "docs" / "assets" / "charts" / "readings_01.csv", parse_dates=["yearmonth_date"])
    assert len(plotted) == len(expected)
    got = plotted.set_index(["yearmonth_date", "region"])["mean_value"]
    assert (got - expected.reindex(got.index)).abs().max() < 1e-9
    page = (big / "site" / "index.html").read_text()
    assert page.count("<svg") >= 4 and "2020" in page


def test_bad_cell_deep_in_a_large_file_is_reported_at_its_line_and_column(big: Path, tmp_path: Path) -> None:
    root = _copy(big, tmp_path)
    lines = (root / CSV).read_text().split("\n")
    line_no = 150_001
    cells = lines[line_no - 1].split(",")
    col = len(",".join(cells[:3])) + 2  # the fourth field, "value"
    cells[3] = "lots"
    lines[line_no - 1] = ",".join(cells)
    (root / CSV).write_text("\n".join(lines))
    result = run(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[:-1] == [
        f'{CSV}:{line_no}:{col}: "lots" in column "value" is not a valid number (fix the value or the field\'s type in datapackage.json)'
    ]


def test_chart_that_would_ship_raw_rows_fails_with_a_hint(big: Path, tmp_path: Path) -> None:
    root = _copy(big, tmp_path)
    (root / "charts" / "raw_points.py").write_text('''"""Every reading

One point per reading.
"""
import altair as alt


def chart(data):
    return alt.Chart(data["readings"]).mark_point().encode(x="date:T", y="value:Q")
''')
    result = run(root, "check")
    assert result.returncode == 1
    problems = result.stderr.splitlines()[:-1]
    assert len(problems) == 1, result.stderr
    assert problems[0] == (
        "charts/raw_points.py: chart would ship the raw rows of its data to readers (200,000 rows) "
        "(aggregate what the chart draws: an aggregate encoding such as sum(value) with a time unit, "
        'e.g. x="yearmonth(date):T", or group the rows with pandas in chart())'
    )


# -- the vectorised validation gives frictionless's problems exactly -------------------------------


def _load(root: Path, fast_rows: int, unique_limit: int = fast_validate.UNIQUE_LIMIT) -> tuple[list[str], data.DataPackage | None]:
    saved = fast_validate.FAST_ROWS, fast_validate.UNIQUE_LIMIT
    fast_validate.FAST_ROWS, fast_validate.UNIQUE_LIMIT = fast_rows, unique_limit
    try:
        problems = Collector(root)
        package = data.load(root, problems)
    finally:
        fast_validate.FAST_ROWS, fast_validate.UNIQUE_LIMIT = saved
    return [str(p) for p in problems.items], package


def test_fast_validation_matches_frictionless_on_the_bad_input_corpus(tmp_path: Path) -> None:
    import test_bad_input

    for case in test_bad_input.CASES:
        root = copy_fixture(tmp_path / case.id)
        case.mutate(root)
        slow, _ = _load(root, fast_rows=10**12)
        for limit in (fast_validate.UNIQUE_LIMIT, 0):  # distinct values read once, and the all-Arrow path
            fast, _ = _load(root, fast_rows=0, unique_limit=limit)
            assert fast == slow, case.id


BAD = {
    "date": ["2021-02-30", "2021-1-5", "x", "", "0000-01-01", "2020-13-01", " 2020-01-01"],
    "region": ["nowhere", "", "North"],
    "station": ["s12", "S0001", "", "s00001", "s١٢٣٤"],
    "value": ["-1", "10000.1", "1e3", "abc", "", "+5", " 7 ", "NaN", ".5", "-0", "1_000", "9999.99999999999999999"],
    "source_id": ["almanac", "", "gauges "],
}


def test_fast_validation_matches_frictionless_on_randomly_broken_files(tmp_path: Path) -> None:
    fast_path_used = 0
    for seed in range(12):
        rng = random.Random(seed)
        root = scale.make_explainer(tmp_path / str(seed), 300, 1, seed=seed)
        lines = (root / CSV).read_text().split("\n")
        header = lines[0].split(",")
        for _ in range(rng.choice([1, 5, 60])):
            i = rng.randrange(1, len(lines) - 1)
            cells = lines[i].split(",")
            op = rng.random()
            if op < 0.75:
                j = rng.randrange(len(header))
                cells[j] = rng.choice(BAD[header[j]])
            elif op < 0.85:
                cells = lines[rng.randrange(1, len(lines) - 1)].split(",")  # a duplicate key
            elif op < 0.9:
                cells = [""] * len(header)  # a blank row
            else:
                cells[1] = f'"{cells[1]}"'
            lines[i] = ",".join(cells)
        (root / CSV).write_text("\n".join(lines))
        slow, slow_package = _load(root, fast_rows=10**12)
        for limit in (fast_validate.UNIQUE_LIMIT, 0):
            fast, fast_package = _load(root, fast_rows=0, unique_limit=limit)
            assert fast == slow, seed
        fast_path_used += _fast_open(root, "readings") is not None
    assert fast_path_used >= 10


def _fast_open(root: Path, name: str):
    """The fast path's reading of one resource, or None where it hands over to frictionless."""
    import frictionless

    pkg_path = root / "charts" / "data" / "datapackage.json"
    package = frictionless.Package(json.loads(pkg_path.read_text()), basepath=str(pkg_path.parent))
    saved, fast_validate.FAST_ROWS = fast_validate.FAST_ROWS, 0
    try:
        return fast_validate.FastResource.open(package.get_resource(name), package, pkg_path.parent / f"{name}.csv")
    finally:
        fast_validate.FAST_ROWS = saved


def test_fast_path_types_the_table_as_pandas_does(tmp_path: Path) -> None:
    root = scale.make_explainer(tmp_path / "typed", 500, 1)
    lines = (root / CSV).read_text().split("\n")
    for i, value in zip(range(5, 400, 50), ["+5", "1e3", "0.50", "-0", "7.", ".5", "10000", "12"]):
        cells = lines[i].split(",")
        cells[3] = value
        lines[i] = ",".join(cells)
    (root / CSV).write_text("\n".join(lines))
    slow_problems, slow = _load(root, fast_rows=10**12)
    for limit in (fast_validate.UNIQUE_LIMIT, 0):
        fast_problems, fast = _load(root, fast_rows=0, unique_limit=limit)
        assert fast_problems == slow_problems == [] and fast is not None and slow is not None
        for name in slow.tables:
            pd.testing.assert_frame_equal(fast.tables[name], slow.tables[name])


def test_problems_per_file_are_capped(tmp_path: Path) -> None:
    root = scale.make_explainer(tmp_path / "broken", 2000, 1)
    lines = (root / CSV).read_text().split("\n")
    for i in range(1, 301):
        lines[i] = lines[i].replace(",central,", ",nowhere,").replace(",east,", ",nowhere,")
    (root / CSV).write_text("\n".join(lines))
    for fast_rows in (10**12, 0):
        problems, _ = _load(root, fast_rows)
        assert len(problems) == data_errors.SHOWN_PER_FILE + 1
        assert problems[-1] == (
            f"{CSV}: 250 more problems in this file not listed below (only the first {data_errors.SHOWN_PER_FILE}, by line, are listed; fix them and check again)"
        )


def test_pre_aggregated_chart_draws_and_tables_what_the_inline_chart_does(tmp_path: Path, monkeypatch) -> None:
    """The same charts, once with their 2,000 rows inlined (as small charts are) and once
    pre-aggregated by VegaFusion (as large ones are): same plotted table, CSV, sources and shapes."""
    from explainer.charts import chartfile, compile as charts_compile, style
    from explainer.charts import render as charts

    root = scale.make_explainer(tmp_path / "small", 2000, 2)
    problems = Collector(root)
    package = data.load(root, problems)
    assert package is not None, problems.items
    for source in chartfile.discover(root, problems).values():
        monkeypatch.setattr(charts_compile, "SPEC_LIMIT", 10**9)  # the inlined spec is over the limit: that is the point
        monkeypatch.setattr(charts_compile, "INLINE_BYTES", 10**9)
        inline = charts._render_spec(source, *charts_compile._build_spec(source, package, problems))
        monkeypatch.undo()
        monkeypatch.setattr(charts_compile, "INLINE_ROWS", 0)
        pre = charts._render_spec(source, *charts_compile._build_spec(source, package, problems))
        monkeypatch.undo()
        assert (pre.columns, pre.rows, pre.csv, pre.source_ids, pre.titles) == (inline.columns, inline.rows, inline.csv, inline.source_ids, inline.titles)
        shapes = [re.findall(r' d="([^"]+)"', c.svg) for c in (pre, inline)]
        assert [re.sub(r"-?[\d.]+", "n", d) for d in shapes[0]] == [re.sub(r"-?[\d.]+", "n", d) for d in shapes[1]]
        # The same marks at the same places, in the desktop and the phone drawing alike: both are
        # fitted to the page's column (style.WIDE) and to a 360 px phone (style.NARROW).
        for drawing in ("svg", "narrow_svg"):
            marks = [[float(x) for d in re.findall(r' d="([^"]+)"', getattr(c, drawing)) for x in re.findall(r"-?[\d.]+", d)] for c in (pre, inline)]
            assert marks[0] and sorted(marks[0]) == pytest.approx(sorted(marks[1]), rel=1e-6, abs=1e-3), drawing  # stacks summed in another order
            assert _svg_width(getattr(pre, drawing)) == _svg_width(getattr(inline, drawing)), drawing
        # On a 360 px phone (a 328 px column) the phone drawing is shown at its own size, no text under 11 CSS px.
        assert _smallest_text_at(pre.narrow_svg, style.NARROW) >= 11
        assert _smallest_text_at(pre.svg, style.NARROW) < 11  # what a phone would show without it
        assert len(json.dumps(pre.vega)) < len(json.dumps(inline.vega)) / 5
    assert problems.items == []


def _svg_width(svg: str) -> float:
    match = re.match(r'<svg[^>]*?\swidth="([\d.]+)"', svg)
    assert match, svg[:200]
    return float(match.group(1))


def _smallest_text_at(svg: str, column: int) -> float:
    """The smallest text of an SVG shown in a column `column` px wide (scaled down, never up: max-width
    100%), in CSS px: its font size times the scale."""
    sizes = [float(x) for x in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)]
    assert sizes, "no text in the drawing"
    return min(sizes) * min(1.0, column / _svg_width(svg))


def test_few_but_wide_rows_are_pre_aggregated_too(tmp_path: Path, monkeypatch) -> None:
    """Rows under INLINE_ROWS whose inlined JSON is over INLINE_BYTES take the pre-aggregated path
    (from the chart with its views named): same plotted table as when inlined."""
    from explainer.charts import chartfile, compile as charts_compile
    from explainer.charts import render as charts

    root = scale.make_explainer(tmp_path / "wide", 1000, 1)
    problems = Collector(root)
    package = data.load(root, problems)
    assert package is not None, problems.items
    source = next(iter(chartfile.discover(root, problems).values()))
    monkeypatch.setattr(charts_compile, "INLINE_BYTES", 10**9)
    monkeypatch.setattr(charts_compile, "SPEC_LIMIT", 10**9)
    inline = charts._render_spec(source, *charts_compile._build_spec(source, package, problems))
    monkeypatch.undo()
    monkeypatch.setattr(charts_compile, "INLINE_BYTES", 1)
    built = charts_compile._build_spec(source, package, problems)
    assert problems.items == [] and isinstance(built[0], charts_compile._PreAggregated)
    wide = charts._render_spec(source, *built)
    assert (wide.columns, wide.rows, wide.csv) == (inline.columns, inline.rows, inline.csv)

"""The chart cache is never stale: nothing changed renders nothing; a change to a chart's file
or to a resource it reads re-renders exactly the charts that depend on it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import warm_build
from conftest import FIXTURES, REPO, copy_built, copy_explainer, run_build

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


# --- every input of the chart cache key (explainer/charts/cache.py) -------------------------------

HELPER = '"""The house colours, shared by the chart files (a shared helper: charts/_*.py)."""\nBAR_COLOUR = "#1B9E77"\n'
HELPER_CHART = EXTRA_CHART.replace("import altair as alt\n", "import altair as alt\nfrom _house import BAR_COLOUR\n").replace(
    "mark_bar()", "mark_bar(color=BAR_COLOUR)"
)
CHARTS = ("harvest_by_year", "sources_by_publisher")  # reads harvest (and sources); reads sources only


def _keys(root: Path) -> dict[str, str]:
    """Each chart's cache key, as its cache entry records it."""
    entries = root / ".cache" / "explainer" / "charts"
    return {slug: json.loads((entries / f"{slug}.en.json").read_text(encoding="utf-8"))["key"] for slug in CHARTS}


@pytest.fixture(scope="module")
def two_charts(tmp_path_factory) -> Path:
    """The orchard with a second chart that reads only the sources table, and a shared helper no
    chart imports (it is an input all the same), built once: its chart cache holds both charts."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path_factory.mktemp("cache") / "orchard")
    (root / "charts" / "sources_by_publisher.py").write_text(EXTRA_CHART, encoding="utf-8")
    (root / "charts" / "_house.py").write_text(HELPER, encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert _counts(result.stdout) == (2, 0)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _datapackage(root: Path, change) -> None:
    path = root / "charts" / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    change({r["name"]: r for r in package["resources"]})
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")


def _other_font(root: Path, tmp: Path) -> dict[str, str]:
    """A machine whose only font is another one than the chart font: fontconfig (which the
    generator asks, fonts.py) is pointed at a folder holding a copy of the monospace font."""
    mono = subprocess.run(["fc-match", "--format", "%{file}", "monospace"], capture_output=True, text=True, check=True).stdout
    fonts = tmp / "fonts"
    fonts.mkdir()
    shutil.copy2(mono, fonts)
    conf = tmp / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?>\n<fontconfig><dir>{fonts}</dir><cachedir>{tmp / "fc-cache"}</cachedir></fontconfig>\n', encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}


def _upgraded_vl_convert(root: Path, tmp: Path) -> dict[str, str]:
    """vl-convert-python's metadata at another version, first on the path (what importlib.metadata,
    which the cache asks, reads after an upgrade); the module itself is the installed one."""
    info = tmp / "newer" / "vl_convert_python-99.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: vl-convert-python\nVersion: 99.0.0\n", encoding="utf-8")
    return {"PYTHONPATH": str(tmp / "newer")}


# (input, what changes it, the charts whose cache entries it invalidates). Every chart reads the
# sources table (its source line); shared helpers are not traced to the charts that import them,
# so a change to one redraws every chart.
KEY_INPUTS = {
    "shared-helper": (lambda root, tmp: _edit(root / "charts" / "_house.py", "#1B9E77", "#E7298A"), CHARTS),
    "resource-schema": (
        lambda root, tmp: _datapackage(root, lambda r: r["harvest"]["schema"]["fields"][2]["constraints"].update(maximum=100000)),
        ("harvest_by_year",),
    ),
    "resource-sources": (
        lambda root, tmp: _datapackage(root, lambda r: r["harvest"].update(sources=[{"title": "Gate tally", "path": "https://example.org/tally"}])),
        ("harvest_by_year",),
    ),
    "sources-table": (lambda root, tmp: _edit(root / "charts" / "data" / "sources.csv", "Pears 2021: 312", "Pears in 2021: 312"), CHARTS),
    "chart-font": (_other_font, CHARTS),
    "tool-versions": (_upgraded_vl_convert, CHARTS),
}


@pytest.mark.parametrize("name", KEY_INPUTS)
def test_each_cache_key_input_redraws_exactly_its_charts(name, two_charts, tmp_path):
    """A change to one input of the chart cache key redraws the charts that depend on it and takes
    the others from the cache. Catches: the key leaving out a shared helper (charts/_*.py), a
    resource's schema or sources (datapackage.json), the sources table, the chart font, or the
    versions of the chart toolchain: a chart drawn from old inputs stays on the site."""
    change, affected = KEY_INPUTS[name]
    root = copy_built(two_charts, tmp_path / "orchard")
    before = _keys(root)
    env = change(root, tmp_path)
    if env:  # the machine changed, not the explainer's files: the build stamp notices that too
        result = warm_build.run([str(REPO / "build.py"), "--root", str(root)], cwd=REPO, env={**os.environ, **env}, timeout=600)
    else:
        result = run_build(root, full=True)
    assert result.returncode == 0, result.stderr
    redrawn = sorted(slug for slug, key in _keys(root).items() if key != before[slug])
    assert redrawn == sorted(affected), f"{name}: keys changed for {redrawn}, expected {sorted(affected)}"
    assert _counts(result.stdout) == (len(affected), len(CHARTS) - len(affected)), result.stdout


def test_a_shared_helper_change_redraws_the_chart_that_uses_it(tmp_path):
    """A chart that takes its colour from a shared helper (charts/_house.py) is redrawn when the
    helper changes, and shows the new colour. Catches: the cache ignoring shared chart helpers
    (the old colour stays on the site, "1 from cache")."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    (root / "charts" / "_house.py").write_text(HELPER, encoding="utf-8")
    (root / "charts" / "sources_by_publisher.py").write_text(HELPER_CHART, encoding="utf-8")

    def build() -> subprocess.CompletedProcess:
        return warm_build.run([str(REPO / "build.py"), "--root", str(root)], cwd=REPO, timeout=600)

    first = build()
    assert first.returncode == 0, first.stderr
    spec = root / "site" / "assets" / "charts" / "sources_by_publisher.vg.json"
    assert "#1B9E77" in spec.read_text(encoding="utf-8")
    _edit(root / "charts" / "_house.py", "#1B9E77", "#E7298A")
    second = build()
    assert second.returncode == 0, second.stderr
    assert _counts(second.stdout) == (2, 0), second.stdout
    drawn = spec.read_text(encoding="utf-8")
    assert "#E7298A" in drawn and "#1B9E77" not in drawn


def test_a_shared_helper_is_read_afresh_for_each_chart(tmp_path):
    """A warm chart worker (serve) runs many charts in one process: each reads the shared helpers
    as they are now, not as the first chart found them, and leaves the import path as it was."""
    import importlib
    import sys

    from explainer.charts.chartfile import _helpers_importable

    helper = tmp_path / "_house.py"
    helper.write_text('COLOUR = "#1B9E77"\n', encoding="utf-8")
    path_before = list(sys.path)
    with _helpers_importable(tmp_path):
        assert importlib.import_module("_house").COLOUR == "#1B9E77"
    helper.write_text('COLOUR = "#E7298A"  # saved again\n', encoding="utf-8")
    with _helpers_importable(tmp_path):
        assert importlib.import_module("_house").COLOUR == "#E7298A"
    assert sys.path == path_before
    sys.modules.pop("_house", None)

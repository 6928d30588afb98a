"""The pinned toolchain: requirements.lock pins every package with its hashes and covers
pyproject.toml; the font the charts are measured with is found, and it is part of the chart
cache key, so a change of font re-renders the charts."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import FIXTURES, REPO, copy_explainer
from explainer.charts import fonts
from explainer.charts import chartfile, style
from explainer.data import load as data
from explainer.charts.cache import ChartCache
from explainer.charts.render import RenderedChart
from explainer.common.problems import Collector

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)\s*(?:\\)?$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}\s*(?:\\)?$")


def _lock() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock -> {canonical name: (version, [hash options])}; fails on any other kind of line."""
    pins: dict[str, tuple[str, list[str]]] = {}
    current = None
    for number, raw in enumerate((REPO / "requirements.lock").read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if raw.startswith((" ", "\t")):
            assert current and HASH.match(line), f"requirements.lock:{number}: not a sha256 hash option: {raw!r}"
            pins[current][1].append(line)
            continue
        m = PIN.match(line)
        assert m, f"requirements.lock:{number}: not an exact pin (name==version \\): {raw!r}"
        current = canonicalize_name(m.group(1))
        assert current not in pins, f"requirements.lock:{number}: {current} pinned twice"
        pins[current] = (m.group(2), [])
    return pins


def test_lock_pins_every_package_with_hashes():
    pins = _lock()
    assert len(pins) > 50
    unhashed = sorted(name for name, (_version, hashes) in pins.items() if not hashes)
    assert not unhashed, f"pinned without a hash: {unhashed}"


def test_lock_covers_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    pins = _lock()
    for spec in wanted:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in pyproject.toml but not in requirements.lock"
        assert req.specifier.contains(pins[name][0], prereleases=True), (
            f"requirements.lock pins {req.name}=={pins[name][0]}, outside pyproject.toml's {req.specifier}"
        )
    for wanted in ("nh3", "zizmor"):
        assert wanted in pins


def test_makefile_installs_with_hashes():
    recipes = [line for line in (REPO / "Makefile").read_text(encoding="utf-8").splitlines() if line.startswith("\t")]
    installs = [line for line in recipes if "pip install" in line and "requirements.lock" in line]
    assert installs and all("--require-hashes" in line for line in installs), installs
    assert not [line for line in recipes if "$(PY) -m pip install" in line and "requirements.lock" not in line], (
        "the venv installs something that is not hash-checked"
    )


def test_chart_font_is_a_real_file():
    font = fonts.chart_font()
    assert font.family == fonts.EXPECTED, "make test installs fonts-liberation"
    path = Path(font.path)
    assert path.is_file() and path.stat().st_size > 10_000
    assert font.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert fonts.check(font) is None


def test_chart_font_without_fontconfig(monkeypatch):
    """Without fc-match the lookup falls back to the font folders, and gives the same file."""
    expected = fonts.chart_font()
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    assert fonts.find(style.FONT) == expected
    assert fonts.find("'No Such Family', sans-serif") == fonts.Font("", "", "")


def test_missing_font_is_a_warning_with_the_install_hint():
    other = fonts.find("DejaVu Sans, sans-serif")
    assert other.family and other.family != fonts.EXPECTED
    warning = fonts.check(other)
    assert warning and "Liberation Sans" in warning.message and other.family in warning.message
    assert warning.hint == "install Debian's fonts-liberation (make site does)"
    unknown = fonts.check(fonts.Font("", "", ""))
    assert unknown and unknown.hint == warning.hint
    problems = Collector(REPO)
    fonts.report(problems, REPO / "charts")
    assert problems.items == []  # the expected font is installed here


@pytest.fixture
def orchard(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    problems = Collector(root)
    package = data.load(root, problems)
    sources = chartfile.discover(root, problems)
    assert package is not None and sources and not problems.items, problems.items
    return root, package, sources


def test_font_is_in_the_chart_cache_key(orchard, tmp_path):
    root, package, sources = orchard
    source = next(iter(sources.values()))
    resources = sorted(package.paths)
    installed = fonts.chart_font()
    same_name_other_file = installed._replace(sha256=hashlib.sha256(b"another build of the font").hexdigest())
    other_family = fonts.Font("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "0" * 64)

    folder = tmp_path / "cache"
    assert ChartCache(folder).font == installed
    key = ChartCache(folder, font=installed).key(source, package, resources)
    assert key == ChartCache(folder).key(source, package, resources)
    assert key == ChartCache(folder, font=installed._replace(path="/elsewhere/LiberationSans-Regular.ttf")).key(source, package, resources), (
        "the key depends on the font file's content, not where it is installed"
    )
    assert key != ChartCache(folder, font=same_name_other_file).key(source, package, resources)
    assert key != ChartCache(folder, font=other_family).key(source, package, resources)

    # A chart cached with one font is not reused with another.
    chart = RenderedChart(source.slug, source.title, source.description, "<svg/>", {}, [], [], "", resources=resources)
    ChartCache(folder, font=installed).put(source, package, chart)
    assert ChartCache(folder, font=installed).get(source, package) is not None
    assert ChartCache(folder, font=same_name_other_file).get(source, package) is None

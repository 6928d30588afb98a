"""A chart cache that is never stale. Each chart's outputs are keyed by a hash of everything
they depend on: the chart file, the data resources it read (CSV bytes and schema), the
versions of Altair, Vega-Lite and vl-convert, the generator's own chart settings, and the font
the charts are measured with (its file's sha256: another font gives other label widths and PNGs).

The cache lives in <explainer>/.cache/explainer/charts/, outside site/, and survives a failed
build. Entries are written atomically, so an interrupted build leaves none half-written."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from .chartfile import ChartSource
from .render import RenderedChart
from .style import CHART_CONFIG
from ..data.load import DataPackage
from .fonts import Font, chart_font
from ..common.files import atomic_write
from ..common.i18n import ENGLISH, Language

FORMAT = 5  # bump when RenderedChart or the rendering code changes shape
# The modules that turn a chart file into a RenderedChart: a change to any of them redraws every chart.
RENDERER = ("chartfile.py", "compile.py", "tables.py", "svg.py", "style.py", "render.py")


def _versions() -> str:
    names = ("altair", "vl-convert-python", "vegafusion", "pandas")
    return ";".join(f"{n}={metadata.version(n)}" for n in names)


class ChartCache:
    def __init__(self, folder: Path, font: Font | None = None):
        self.folder = folder
        self.versions = _versions()
        self.font = chart_font() if font is None else font
        code = b"".join((Path(__file__).parent / name).read_bytes() for name in RENDERER)  # the renderer itself is an input
        typeface = f"{self.font.family}\0{self.font.sha256}".encode()  # the file, wherever it is installed
        self.salt = hashlib.sha256(code + json.dumps(CHART_CONFIG, sort_keys=True).encode() + self.versions.encode() + typeface + bytes([FORMAT])).hexdigest()
        self._digests: dict[Path, bytes] = {}

    def _file_digest(self, path: Path) -> bytes:
        """Each data file is hashed once per build, however many charts read it."""
        if path not in self._digests:
            self._digests[path] = hashlib.sha256(path.read_bytes()).digest()
        return self._digests[path]

    def _entry(self, slug: str, language: Language) -> Path:
        return self.folder / f"{slug}.{language.code}.json"

    def key(self, source: ChartSource, package: DataPackage, resources: list[str], language: Language = ENGLISH) -> str | None:
        h = hashlib.sha256(self.salt.encode())
        h.update(f"{language.code}\0{language.locale}\0".encode())  # the chart's words and number formats
        h.update(source.path.read_bytes())
        for helper in sorted(source.path.parent.glob("_*.py")):  # shared chart helpers, e.g. charts/_style.py
            h.update(helper.name.encode() + b"\0" + helper.read_bytes())
        for name in sorted(set(resources) | {"sources"}):
            if name not in package.paths:
                return None
            h.update(name.encode() + b"\0" + self._file_digest(package.paths[name]))
            h.update(json.dumps([package.resource(name).get(k) for k in ("schema", "sources")], sort_keys=True).encode())
        return h.hexdigest()

    def get(self, source: ChartSource, package: DataPackage, language: Language = ENGLISH) -> RenderedChart | None:
        try:
            entry = json.loads(self._entry(source.slug, language).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        chart = entry.get("chart", {})
        if entry.get("key") != self.key(source, package, chart.get("resources", []), language):
            return None
        with contextlib.suppress(OSError):  # still good: newer than the chart and data files again, for pool.likely_needed
            os.utime(self._entry(source.slug, language))
        return RenderedChart(**{**chart, "cached": True})

    def put(self, source: ChartSource, package: DataPackage, chart: RenderedChart, language: Language = ENGLISH) -> None:
        key = self.key(source, package, chart.resources, language)
        if key is None:
            return
        atomic_write(self._entry(source.slug, language), json.dumps({"key": key, "chart": {**asdict(chart), "cached": False}}, sort_keys=True))

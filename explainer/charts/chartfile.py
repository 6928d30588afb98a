"""Stage 3, charts: the chart-file contract, and running the editor's code.

Reads charts/<slug>.py: discover() checks each file's docstring (title, description) and its
chart() function without running it, and warns where it reaches outside its data; _build_chart()
runs chart(data, t) on the tables and gives the Altair chart, the resources it read and its title
and description in the language being built (t() translates its words from the file's TEXT).
Writes nothing.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import re
import sys
import traceback
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..common.i18n import ENGLISH, Language
from ..common.problems import Collector
from ..data.load import DataPackage


CHARTS_DIR = Path("charts")


SLUG = re.compile(r"^[a-z0-9][a-z0-9_]*$")


@dataclass
class ChartSource:
    slug: str
    path: Path
    title: str
    description: str


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


@contextlib.contextmanager
def _helpers_importable(folder: Path):
    """Shared chart helpers (charts/_*.py, in the cache key) import by name while a chart file runs:
    `from _style import COLOURS`. Each chart reads them afresh: a warm worker (serve) would otherwise
    keep a helper as it was before the editor saved it."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).parent == folder:
            del sys.modules[name]
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))


def _build_chart(source: ChartSource, package: DataPackage, problems: Collector, language: Language = ENGLISH):
    with _helpers_importable(source.path.parent):
        return _run_chart_file(source, package, problems, language)


def _run_chart_file(source: ChartSource, package: DataPackage, problems: Collector, language: Language):
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

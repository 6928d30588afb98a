"""Stage 4: pages. content/*.md (YAML front matter + Jinja2) -> Markdown with figures and charts.

The page stage may use chart and figure results; earlier stages know nothing of pages.
"""
from __future__ import annotations

import difflib
import sys
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from ..charts.render import RenderedChart
from ..data.load import DataPackage
from .drift import data_values, typed_numbers
from ..figures import Figure
from ..common import safe_yaml, settings
from ..site.hooks import sanitize
from ..common.i18n import ENGLISH, Language, strings
from ..common.problems import Collector

CONTENT_DIR = Path("content")
NUMBER_PREFIX = re.compile(r"^\d+[-_]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Page:
    source: Path          # content/01-the-patrol.md
    name: str             # the-patrol.md (path in docs/)
    title: str
    description: str
    body: str             # Jinja template text, front matter blanked so lines match the file
    markdown: str = ""
    figures_used: list[str] = field(default_factory=list)
    charts_used: list[str] = field(default_factory=list)
    preview: dict = field(default_factory=dict)  # link-preview image and its alt text
    alternates: list = field(default_factory=list)  # the same section in every language: lang, name, href
    trusted: list[str] = field(default_factory=list)  # SHA-256 of each figure block the generator wrote (sanitize.py keeps them)


def docs_name(path: Path) -> str:
    return NUMBER_PREFIX.sub("", path.name)


def discover(root: Path, problems: Collector, folder: Path | None = None) -> list[Page]:
    """Every Markdown file in content/ (or a language's folder), in file-name order, the lede (index.md) first."""
    pages: list[Page] = []
    seen: dict[str, Path] = {}
    folder = folder or root / CONTENT_DIR
    files = sorted(folder.glob("*.md"), key=lambda p: (docs_name(p) != "index.md", p.name))
    if not files:
        problems.add(folder, "no Markdown files found", hint=f"add {folder.relative_to(root)}/index.md")
    for path in files:
        name = docs_name(path)
        if name in seen:
            problems.add(path, f'section slug "{name[:-3]}" is used by {seen[name].name} too', 1, 1, hint="rename one of the files")
            continue
        seen[name] = path
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raw = path.read_bytes()
            problems.add(path, "not valid UTF-8", raw[: e.start].count(b"\n") + 1, hint="save the file as UTF-8")
            continue
        meta, body = _front_matter(path, text, problems)
        if meta is None:
            continue
        pages.append(Page(path, name, meta.title, meta.description or "", body))
    return pages


def _front_matter(path: Path, text: str, problems: Collector):
    match = FRONT_MATTER.match(text)
    if not match:
        problems.add(path, "missing front matter", 1, 1, hint="start the file with ---, a title: line, and ---")
        return None, ""
    try:
        meta = safe_yaml.load(match.group(1))
    except yaml.YAMLError as e:
        message, line, col, hint = safe_yaml.error_parts(e, line_offset=1)  # the YAML starts on the file's line 2
        problems.add(path, f"invalid front matter: {message}", line, col, hint=hint)
        return None, ""
    meta, issues = settings.check(settings.FrontMatter, meta)
    for issue in issues:  # a missing title or an unknown key is placed at the front matter's first line
        line = _key_line(match.group(1), issue.key) if issue.kind == "text" else 2
        problems.add(path, issue.message, line, 1 if line else None, hint=issue.hint)
    if meta is None:
        return None, ""
    blank = "\n" * match.group(0).count("\n")
    return meta, blank + text[match.end():]


def _key_line(front: str, key: str) -> int | None:
    """The file line of a top-level front matter key (the YAML starts on line 2)."""
    for i, line in enumerate(front.splitlines(), 2):
        if line.startswith(f"{key}:"):
            return i
    return None


def _current_template_line(template) -> int | None:
    """The template line being rendered, found from the compiled template's frame."""
    frame = sys._getframe()
    while frame:
        if frame.f_code.co_filename == "<template>":
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    if close:
        return f"did you mean {close[0]}?"
    return f"known: {', '.join(sorted(known)[:8])}" if known else "none are defined yet"


class _FigureRef:
    """What {{ fig.name }} gives the template: prints the number; .source, .value for more."""

    def __init__(self, figure: Figure, cite):
        self._figure, self._cite = figure, cite

    def __str__(self) -> str:
        return str(escape(self._figure.text))

    def __html__(self) -> str:
        return str(self)

    @property
    def value(self):
        return self._figure.value

    @property
    def source(self) -> Markup:
        return Markup("; ".join(self._cite(sid) for sid in self._figure.source_ids))


FIGURE_ATTRIBUTES = ("value", "source")


class _Placeholder:
    """Stands in for a figure that cannot be shown (its problem is reported), so rendering goes
    on and every other problem on the page is found in the same run."""

    value = None
    source = Markup("")

    def __str__(self) -> str:
        return "?"


class _Figures:
    def __init__(self, figures: dict[str, Figure], declared: set[str] | None, page: Page, cite, report):
        self._figures, self._declared, self._page, self._cite, self._report = figures, declared, page, cite, report

    def __getattr__(self, name: str) -> _FigureRef | _Placeholder:
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._figures:
            # Declared but failed (or figures.yml unreadable): that problem is already reported.
            if self._declared is not None and name not in self._declared:
                known = self._declared or self._figures
                self._report(f'unknown figure "{name}"', _did_you_mean(name, known) + "; figures are declared in charts/figures.yml", name)
            return _Placeholder()
        if name not in self._page.figures_used:
            self._page.figures_used.append(name)
        return _FigureRef(self._figures[name], self._cite)

    __getitem__ = __getattr__


PROSE_NAMES = {"fig", "chart", "source"}
PROSE_HINT = 'prose uses {{ fig.name }}, {{ fig.name.source }}, {{ chart("slug") }} and {{ source("id") }}'
# Jinja syntax prose may use: output, names, attributes, calls, constants and {% if %} with its
# tests and comparisons. Loops, macros, assignments, includes, filters and arithmetic are code.
PROSE_NODES = (
    "Template", "Output", "TemplateData", "Name", "Const", "Getattr", "Getitem", "Call", "Keyword",
    "If", "Compare", "Operand", "Not", "And", "Or", "CondExpr", "Test", "Concat",
)
SYNTAX_WORDS = {
    "For": "{% for %}", "Macro": "{% macro %}", "CallBlock": "{% call %}", "Assign": "{% set %}",
    "AssignBlock": "{% set %}", "Include": "{% include %}", "Import": "{% import %}", "FromImport": "{% from ... import %}",
    "Extends": "{% extends %}", "Block": "{% block %}", "With": "{% with %}", "FilterBlock": "{% filter %}",
    "Filter": "a filter (|)", "Mul": "the * operator", "Pow": "the ** operator", "Slice": "slicing ([a:b])",
}


class ProseEnvironment(ImmutableSandboxedEnvironment):
    """Prose comes from pull requests, so its templates run in Jinja's sandbox with only the names
    the editor guide documents (fig, chart, source) and no built-in globals. `refused_syntax`
    rejects loops, filters and arithmetic before rendering, so a page cannot run for ever or
    build a huge string; the sandbox refuses any attribute outside the allow-list below."""

    def __init__(self):
        super().__init__(loader=jinja2.FunctionLoader(lambda name: None), undefined=jinja2.StrictUndefined,
                         autoescape=False,  # Markdown, not HTML: chart HTML is built by our own autoescaping template
                         keep_trailing_newline=True)
        self.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace: none is for prose

    def refused_syntax(self, source: str) -> list[tuple[int, int | None, str]]:
        """(line, column, what) of every construct prose may not use."""
        found = []
        lines = source.splitlines()
        for node in self.parse(source).find_all(jinja2.nodes.Node):
            kind = type(node).__name__
            if kind in PROSE_NODES:
                continue
            what = SYNTAX_WORDS.get(kind, f"{kind} ({kind.lower()})")
            line = getattr(node, "lineno", None)
            text = lines[line - 1] if line and line <= len(lines) else ""
            needle = {"Filter": "|", "Mul": "*", "Pow": "**"}.get(kind, what.split()[1] if what.startswith("{%") else "")
            col = text.find(needle) + 1 if needle and needle in text else None
            item = (line, col or None, what)
            if item not in found:
                found.append(item)
        return found

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if isinstance(obj, _Figures):
            return not attr.startswith("_")
        if isinstance(obj, (_FigureRef, _Placeholder)):
            return attr in FIGURE_ATTRIBUTES
        if isinstance(obj, (str, int, float)):  # a figure's value, chart and source output (Markup)
            return super().is_safe_attribute(obj, attr, value)
        return False

    def getattr(self, obj, attribute):
        if isinstance(obj, (_FigureRef, _Placeholder)) and attribute not in FIGURE_ATTRIBUTES:
            raise Refused(f'a figure has no "{attribute}"; it gives its number, .source and .value', attribute)
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj, attribute):
        raise Refused(f'"{attribute}" is not available in prose', str(attribute))


class Refused(SecurityError):
    """An attribute prose may not use; `name` finds its column."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


# Raw HTML in prose: the build keeps safe formatting and drops the rest (site/hooks/sanitize.py);
# check names each tag it would change, so an editor knows before the page silently differs.
RAW_HTML_HINT = "write Markdown instead; scripts, event handlers, styles, iframes, forms and javascript: links are removed"
_RAW_TAG = re.compile(r"<(?!https?:|mailto:|[^>\s]+@)(/?[A-Za-z][^>]*)>")
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def raw_html(body: str) -> list[tuple[int, int, str]]:
    """(line, column, message) for every raw HTML tag or link the sanitiser would change."""
    masked = _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    found = []
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in _RAW_TAG.finditer(line):
            change = sanitize.changes(m.group(0))
            if change:
                found.append((lineno, m.start() + 1, f"raw HTML {_short(m.group(0))} in prose: {change}"))
        for m in MD_LINK.finditer(line):
            if sanitize.unsafe_url(m.group(1)):
                found.append((lineno, m.start(1) + 1, f"link to {_short(m.group(1))} is removed: only http(s), mailto and relative links are kept"))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_link_text(text: str) -> str:
    """Text from the data, safe inside Markdown link text: HTML is shown, never run."""
    return re.sub(r"([\[\]\\])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


def render(root: Path, pages: list[Page], figures: dict[str, Figure], charts: dict[str, RenderedChart],
           known_charts: set[str], package: DataPackage | None, problems: Collector,
           declared: set[str] | None = None, language: Language = ENGLISH) -> None:
    """Render every page; with package None (the data failed) still find unknown names and bad links."""
    words = strings(language.code)
    env = ProseEnvironment()
    html_env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_TEMPLATES), autoescape=True)
    figure_template = html_env.get_template("figure.html")

    def cite(sid: str) -> str:
        s = package.sources[sid]
        return f"[{_md_link_text(str(s['publisher']))}]({s['url']})"

    names = {p.name for p in pages} | {"sources.md", "figures.md"}  # the generated pages
    values = data_values(package) if package else set()
    # Pages without a chart of their own use the explainer's first chart as their preview image.
    first_chart = next((m for p in pages for m in CHART_CALL.findall(p.body) if m in charts), None)
    for page in pages:
        base = "" if page.name == "index.md" else "../"
        try:
            refused = env.refused_syntax(page.body)
            template = env.from_string(page.body)
        except jinja2.TemplateSyntaxError as e:
            problems.add(page.source, f"template syntax error: {e.message}", e.lineno, hint="figures look like {{ fig.name }}, charts like {{ chart(\"slug\") }}")
            continue
        for line, col, what in refused:
            problems.add(page.source, f"{what} is not allowed in prose", line, col, hint=PROSE_HINT)
        if refused:
            continue
        for line, col, message in raw_html(page.body):
            problems.add(page.source, message, line, col, hint=RAW_HTML_HINT, warning=True)

        seen: dict[tuple[int, str], int] = {}

        def report(message, hint, needle="", _page=page, _template=template, _seen=seen):
            line = _current_template_line(_template)
            col = None
            if line and needle:
                # the n-th use of a name on a line is reported at its n-th occurrence
                nth = _seen[(line, needle)] = _seen.get((line, needle), 0) + 1
                text, found = _page.body.splitlines()[line - 1], -1
                for _ in range(nth):
                    found = text.find(needle, found + 1)
                col = found + 1 if found >= 0 else None
            problems.add(_page.source, message, line, col, hint=hint)

        def chart(slug: str, _page=page, _base=base) -> Markup:
            if slug not in known_charts:
                report(f'unknown chart "{slug}"', _did_you_mean(slug, known_charts) + "; charts are files charts/<slug>.py", slug)
                return Markup("")
            if slug not in _page.charts_used:
                _page.charts_used.append(slug)
            rendered = charts.get(slug)
            if rendered is None or package is None:  # the chart or the data failed; already reported
                return Markup("")
            block = figure_html(figure_template, rendered, package, _base, words).strip()
            _page.trusted.append(sanitize.digest(block))
            return Markup("\n\n" + block + "\n\n")

        def source(sid: str) -> Markup:
            if package is None:
                return Markup("?")
            if sid not in package.sources:
                report(f'unknown source "{sid}"', _did_you_mean(sid, package.sources) + "; sources are rows of charts/data/sources.csv", sid)
                return Markup("?")
            return Markup(cite(sid))

        try:
            body = template.render(fig=_Figures(figures, declared, page, cite, report), chart=chart, source=source)
        except SecurityError as e:
            line = _template_line(e)
            text = page.body.splitlines()[line - 1] if line else ""
            col = text.find("." + e.name) + 2 if isinstance(e, Refused) and "." + e.name in text else None
            problems.add(page.source, str(e), line, col, hint=PROSE_HINT)
            continue
        except jinja2.UndefinedError as e:
            problems.add(page.source, f"unknown name: {e.message}", _template_line(e), hint="the names you can use are fig, chart and source")
            continue
        except Exception as e:
            problems.add(page.source, f"template error: {type(e).__name__}: {e}", _template_line(e))
            continue
        _check_links(page, names, problems)
        if package is None:
            continue
        for line, col, text, names_ in typed_numbers(page.body, values, figures, language.locale):
            hint = f"use {{{{ fig.{names_[0]} }}}}" if names_ else "add a figure for it to charts/figures.yml and use {{ fig.name }}"
            problems.add(page.source, f"number {text} is typed in, but the data holds it", line, col, hint=hint, warning=True)
        page.markdown = _assemble(page, body, figures, charts, package, cite, first_chart, words)


CHART_CALL = re.compile(r"chart\(\s*[\"']([a-z0-9_]+)")


def preview_charts(pages: list[Page]) -> set[str]:
    """The charts pages will use as link-preview images (each page's first chart, and the
    explainer's first for pages without one), so the chart stage can draw their PNGs as it goes."""
    firsts = [found[0] for found in (CHART_CALL.findall(p.body) for p in pages) if found]
    return set(firsts)


def _template_line(exc: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None


def _check_links(page: Page, names: set[str], problems: Collector) -> None:
    """A link to another page of the explainer must name a page that exists. Checked in the
    file as written (template expressions blanked out), so line and column match the file."""
    masked = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: " " * len(m.group(0)), page.body)
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in MD_LINK.finditer(line):
            target = m.group(1).split("#", 1)[0]
            if not target or "://" in target or target.startswith(("mailto:", "#", "/")) or not target.endswith(".md"):
                continue
            if target not in names:
                problems.add(page.source, f'link to unknown page "{target}"', lineno, m.start(1) + 1,
                             hint=_did_you_mean(target, names) + "; pages are named after content files without their number")


SOURCES_SHOWN = 3  # a chart's source line names this many; "and N more" leads to the sources page


def figure_html(template, chart: RenderedChart, package: DataPackage, base: str, words: dict | None = None) -> str:
    # Cite the rows the chart was given; if it dropped their source ids, every source of what it read.
    source_ids = chart.source_ids or list(dict.fromkeys(s for r in chart.resources for s in package.source_ids(r)))
    sources = [package.sources[s] for s in source_ids]
    publishers = [str(s["publisher"]) for s in sources]
    # Name the publisher; add the title where one publisher has several documents.
    labels = [p if publishers.count(p) == 1 else f"{p}, {s['title']}" for p, s in zip(publishers, sources)]
    html = template.render(chart=chart, base=base, svg=Markup(chart.svg), narrow_svg=Markup(chart.narrow_svg),
                           t=words or strings(ENGLISH.code), shown=SOURCES_SHOWN,
                           sources=[{"url": s["url"], "label": label} for s, label in zip(sources, labels)],
                           columns=[chart.titles.get(c, c) for c in chart.columns], rows=chart.rows)
    return re.sub(r"\n\s*\n", "\n", html)  # a blank line would end Markdown's raw HTML block


def _assemble(page: Page, body: str, figures, charts, package, cite, lead_chart: str | None = None, words: dict | None = None) -> str:
    meta = {"title": page.title}
    if page.description:
        meta["description"] = page.description
    if page.alternates:  # the language switcher and hreflang links (theme/partials/alternate.html, main.html)
        meta["alternates"] = page.alternates
    lead = next((c for c in page.charts_used if c in charts), lead_chart)
    if lead:  # the page's first chart (or the explainer's) is its image in link previews
        page.preview = {"image": f"assets/charts/{lead}.png", "image_alt": charts[lead].title}
        meta.update(page.preview)
    parts = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {_escape_heading(page.title)}", "", body.strip(), ""]
    cited = [s for name in page.figures_used for s in figures[name].source_ids]
    if cited:
        parts += ["", f"## {(words or strings(ENGLISH.code))['page_sources']}", ""]
        parts += [f"- {cite(sid)}: {_md_link_text(str(package.sources[sid]['title']))}" for sid in dict.fromkeys(cited)]
        parts.append("")
    return "\n".join(parts)


def _escape_heading(text: str) -> str:
    """A title from front matter as a Markdown heading: shown as typed, never run as HTML."""
    return re.sub(r"([\\`*_{}\[\]#])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

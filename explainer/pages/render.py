"""Stage 4: pages. content/*.md (YAML front matter + Jinja2) -> Markdown with figures and charts.

The page stage may use chart and figure results; earlier stages know nothing of pages.
"""

from __future__ import annotations

import difflib
import sys
import re
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from ..charts.render import RenderedChart
from ..data.load import SOURCE_FIELD, DataPackage
from .drift import data_values, typed_numbers
from ..figures import Figure
from . import images as image_files
from ..common import safe_yaml, settings
from ..site.hooks import sanitize
from ..common.i18n import ENGLISH, Language, iso_date, plural, strings
from ..common.problems import Collector
from .generated import read_via

CONTENT_DIR = Path("content")
NUMBER_PREFIX = re.compile(r"^\d+[-_]")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.S)
MD_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class Page:
    source: Path  # content/01-the-patrol.md
    name: str  # the-patrol.md (path in docs/)
    title: str
    description: str
    body: str  # Jinja template text, front matter blanked so lines match the file
    markdown: str = ""
    figures_used: list[str] = field(default_factory=list)
    charts_used: list[str] = field(default_factory=list)
    preview: dict = field(default_factory=dict)  # link-preview image and its alt text
    alternates: list = field(default_factory=list)  # the same section in every language: lang, name, href
    trusted: list[str] = field(default_factory=list)  # SHA-256 of each figure block the generator wrote (sanitize.py keeps them)
    images_used: list[str] = field(default_factory=list)
    assets: dict = field(default_factory=dict)  # docs/ path -> bytes: the resized images the page shows
    authors: list[str] = field(default_factory=list)  # front matter: the byline
    lead_chart: str = ""  # front matter: the chart that leads the page (the cover's, the link preview's)
    front: str = ""  # the front matter's YAML text, to place a problem at its key


@dataclass(frozen=True)
class CoverFacts:
    """What the lede page's cover says besides its front matter: the fallback byline (mkdocs.yml's
    site_author) and the dates (git: first published, last updated; the data: what it runs to)."""

    site_author: str = ""
    first_published: str | None = None
    last_updated: str | None = None


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
        match = FRONT_MATTER.match(text)
        pages.append(
            Page(
                path,
                name,
                meta.title,
                meta.description or "",
                body,
                authors=list(meta.authors or []),
                lead_chart=meta.lead_chart or "",
                front=match.group(1) if match else "",
            )
        )
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
        line = (safe_yaml.key_line(match.group(1), issue.key, first_line=2) or 2) if issue.kind in ("text", "list", "other") else 2
        problems.add(path, issue.message, line, 1 if line else None, hint=issue.hint)
    if meta is None:
        return None, ""
    blank = "\n" * match.group(0).count("\n")
    return meta, blank + text[match.end() :]


def _current_template_line(template) -> int | None:
    """The template line being rendered, found from the compiled template's frame."""
    frame: types.FrameType | None = sys._getframe()
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

    def __getitem__(self, name: str) -> _FigureRef | _Placeholder:
        if not isinstance(name, str) or name.startswith("_"):
            raise KeyError(name)  # the sandbox then refuses it as an attribute
        return self.__getattr__(name)


PROSE_NAMES = {"fig", "chart", "source", "image"}
PROSE_HINT = 'prose uses {{ fig.name }}, {{ fig.name.source }}, {{ chart("slug") }}, {{ source("id") }} and {{ image("file.jpg", alt="…") }}'
IMAGE_OPTIONS = ("alt", "caption", "credit", "licence")
EAGER_LINES = 12  # an image this close to the top of a section is loaded at once; the others lazily
# Jinja syntax prose may use: output, names, attributes, calls, constants and {% if %} with its
# tests and comparisons. Loops, macros, assignments, includes, filters and arithmetic are code.
PROSE_NODES = (
    "Template",
    "Output",
    "TemplateData",
    "Name",
    "Const",
    "Getattr",
    "Getitem",
    "Call",
    "Keyword",
    "If",
    "Compare",
    "Operand",
    "Not",
    "And",
    "Or",
    "CondExpr",
    "Test",
)
# Names Jinja gives every template; none is for prose (self reaches the template's blocks).
JINJA_IMPLICIT = {"self", "loop", "varargs", "kwargs", "caller", "super"}
SYNTAX_WORDS = {
    "For": "{% for %}",
    "Macro": "{% macro %}",
    "CallBlock": "{% call %}",
    "Assign": "{% set %}",
    "AssignBlock": "{% set %}",
    "Include": "{% include %}",
    "Import": "{% import %}",
    "FromImport": "{% from ... import %}",
    "Extends": "{% extends %}",
    "Block": "{% block %}",
    "With": "{% with %}",
    "FilterBlock": "{% filter %}",
    "Filter": "a filter (|)",
    "Mul": "the * operator",
    "Concat": "the ~ operator (joining text)",
    "Pow": "the ** operator",
    "Slice": "slicing ([a:b])",
}


class ProseEnvironment(ImmutableSandboxedEnvironment):
    """Prose comes from pull requests, so its templates run in Jinja's sandbox with only the names
    the editor guide documents (fig, chart, source) and no built-in globals. `refused_syntax`
    rejects loops, filters and arithmetic before rendering, so a page cannot run for ever or
    build a huge string; the sandbox refuses any attribute outside the allow-list below."""

    def __init__(self):
        super().__init__(
            loader=jinja2.FunctionLoader(lambda name: None),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # Markdown, not HTML: chart HTML is built by our own autoescaping template
            keep_trailing_newline=True,
        )
        self.globals.clear()  # range, dict, lipsum, cycler, joiner, namespace: none is for prose

    def refused_syntax(self, source: str) -> list[tuple[int, int | None, str]]:
        """(line, column, what) of every construct prose may not use."""
        found = []
        lines = source.splitlines()
        for node in self.parse(source).find_all(jinja2.nodes.Node):
            kind = type(node).__name__
            if isinstance(node, jinja2.nodes.Name) and node.name in JINJA_IMPLICIT:
                line = node.lineno
                text = lines[line - 1] if line <= len(lines) else ""
                m = re.search(rf"\b{node.name}\b", text)
                item = (line, m.start() + 1 if m else None, f'"{node.name}"')
                if item not in found:
                    found.append(item)
                continue
            if kind in PROSE_NODES:
                continue
            what = SYNTAX_WORDS.get(kind, f"{kind} ({kind.lower()})")
            line = node.lineno
            text = lines[line - 1] if line and line <= len(lines) else ""
            needle = {"Filter": r"\|", "Mul": r"(?<!\*)\*(?!\*)", "Pow": r"\*\*", "Concat": "~"}.get(
                kind, re.escape(what.split()[1]) if what.startswith("{%") else ""
            )
            m = re.search(needle, text) if needle else None
            col = m.start() + 1 if m else None
            item = (line, col or None, what)
            if item not in found:
                found.append(item)
        return found

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if isinstance(obj, _Figures):
            return not attr.startswith("_")
        if isinstance(obj, (_FigureRef, _Placeholder)):
            return attr in FIGURE_ATTRIBUTES
        return False  # nothing else: string methods (ljust, replace, ...) could build strings of any size

    def getattr(self, obj, attribute):
        if isinstance(obj, (_FigureRef, _Placeholder)) and attribute not in FIGURE_ATTRIBUTES:
            close = difflib.get_close_matches(str(attribute), FIGURE_ATTRIBUTES, n=1)
            raise Refused(
                f'a figure has no "{attribute}"' + (f"; did you mean .{close[0]}?" if close else "") + "; it gives its number, .source and .value", attribute
            )
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


# Links and images inline ([x](url), ![x]( url "t")) or as reference definitions ([r]: url).
_ANY_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?(?P<inline>[^()\s>]+(?:\([^)\s]*\))?)|^\s{0,3}\[[^\]]+\]:\s*<?(?P<ref>\S+?)>?(?:\s|$)")
_ATTR_LIST_HANDLER = re.compile(r"\{:?[^}]*?\b(on[a-z]+)\s*=", re.I)


def raw_html(body: str) -> list[tuple[int, int, str]]:
    """(line, column, message) for every raw HTML tag or link the sanitiser would change."""
    masked = _CODE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), body)
    found = []
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in _RAW_TAG.finditer(line):
            change = sanitize.changes(m.group(0))
            if change:
                found.append((lineno, m.start() + 1, f"raw HTML {_short(m.group(0))} in prose: {change}"))
        for m in _ANY_LINK.finditer(line):
            target = m.group("inline") or m.group("ref") or ""
            if target and sanitize.unsafe_url(target):
                start = m.start("inline") if m.group("inline") else m.start("ref")
                found.append((lineno, start + 1, f"link to {_short(target)} is removed: only http(s), mailto and relative links are kept"))
        for m in _ATTR_LIST_HANDLER.finditer(line):
            found.append((lineno, m.start(1) + 1, f"attribute {m.group(1)} in {{: ... }} is removed: event handlers never reach the page"))
    return found


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_link_text(text: str) -> str:
    """Text from the data, safe inside Markdown link text: HTML is shown, never run."""
    return re.sub(r"([\[\]\\])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))


def render(
    root: Path,
    pages: list[Page],
    figures: dict[str, Figure],
    charts: dict[str, RenderedChart],
    known_charts: set[str],
    package: DataPackage | None,
    problems: Collector,
    declared: set[str] | None = None,
    language: Language = ENGLISH,
    images: image_files.Images | None = None,
    cover: CoverFacts | None = None,
) -> None:
    """Render every page; with package None (the data failed) still find unknown names and bad links.
    The lede page (index.md) gets its cover: standfirst, byline and dates, lead chart, chapters."""
    words = strings(language.code)
    images = images or image_files.Images(root)
    env = ProseEnvironment()
    html_env = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_TEMPLATES), autoescape=True)
    figure_template = html_env.get_template("figure.html")

    def cite(sid: str) -> str:
        """The publisher, linked to the source; as plain text when the source has no address."""
        assert package is not None  # no figure or source is cited when the data failed
        s, label = package.sources[sid], package.source_text(sid, "publisher", language.code)
        return f"[{_md_link_text(label)}]({s['url']})" if s.get("url") else _md_text(label)

    names = {p.name for p in pages} | {"sources.md", "figures.md"}  # the generated pages
    anchors = {p.name: page_anchors(p) for p in pages}
    values = data_values(package) if package else set()
    # Pages without a chart of their own use the explainer's first chart as their preview image.
    first_chart = next((m for p in pages for m in CHART_CALL.findall(p.body) if m in charts), None)
    for page in pages:
        if page.lead_chart and page.lead_chart not in known_charts:
            line = safe_yaml.key_line(page.front, "lead_chart", first_line=2)
            problems.add(
                page.source,
                f'unknown lead_chart "{page.lead_chart}"',
                line,
                1 if line else None,
                hint=_did_you_mean(page.lead_chart, known_charts) + "; charts are files charts/<slug>.py",
            )
            page.lead_chart = ""
        base = "" if page.name == "index.md" else "../"
        try:
            # Refused before compiling: Jinja's compiler folds constants, so {{ 'x' * 10**9 }} would
            # build its string while the template is compiled.
            refused = env.refused_syntax(page.body)
            for line, col, what in refused:
                problems.add(page.source, f"{what} is not allowed in prose", line, col, hint=PROSE_HINT)
            if refused:
                continue
            template = env.from_string(page.body)
        except jinja2.TemplateSyntaxError as e:
            problems.add(page.source, *syntax_problem(page.body, e))
            continue
        for line, col, message in raw_html(page.body):
            problems.add(page.source, message, line, col, hint=RAW_HTML_HINT, warning=True)
        for line, col, message, hint in image_files.markdown_images(page.body):
            problems.add(page.source, message, line, col, hint=hint)
        first_line = next((i for i, text in enumerate(page.body.splitlines(), 1) if text.strip()), 1)

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
            block = figure_html(figure_template, rendered, package, _base, words, language).strip()
            _page.trusted += sanitize.trusted_digests(block)
            return Markup("\n\n" + block + "\n\n")

        def image(name, alt=None, caption="", credit="", licence="", _page=page, _base=base, _template=template, _first=first_line) -> Markup:
            needle = name if isinstance(name, str) and name else "image("
            given = {"alt": alt, "caption": caption, "credit": credit, "licence": licence}
            wrong = [k for k, v in given.items() if v is not None and not isinstance(v, str)]
            if not isinstance(name, str) or wrong:
                report(
                    f"image() takes text: {', '.join(wrong) or 'the file name'} must be in quotes",
                    'write {{ image("harbour.jpg", alt="…", credit="…", licence="…") }}',
                    needle,
                )
                return Markup("")
            try:
                renditions = images.renditions(name)
            except image_files.ImageError as e:
                report(e.message, e.hint, needle)
                return Markup("")
            if alt is None or not alt.strip():
                report(
                    f'image "{name}" has no alt text',
                    'add alt="what the image shows", for readers who cannot see it; '
                    'alt="" is not accepted: an image that says nothing belongs in the theme, not in prose',
                    needle,
                )
                return Markup("")
            line = _current_template_line(_template) or 0
            eager = not _page.images_used and not _page.charts_used and line - _first < EAGER_LINES
            _page.images_used.append(name)
            for r in renditions:
                _page.assets[r.name] = r.data
            if eager and len(image_files.default_rendition(renditions).data) > image_files.EAGER_BUDGET:
                kb = len(image_files.default_rendition(renditions).data) // 1000
                problems.add(
                    _page.source,
                    f'image "{name}" near the top of the page adds {kb} KB before any interaction (budget {image_files.EAGER_BUDGET // 1000} KB)',
                    line,
                    (_page.body.splitlines()[line - 1].find(name) + 1) if line else None,
                    hint="export it with more compression, or place it further down the page",
                    warning=True,
                )
            block = image_files.figure(renditions, _base, alt.strip(), caption, credit, licence, eager, words)
            return Markup("\n\n" + block + "\n\n")

        def source(sid: str) -> Markup:
            if package is None:
                return Markup("?")
            if sid not in package.sources:
                report(f'unknown source "{sid}"', _did_you_mean(sid, package.sources) + "; sources are rows of charts/data/sources.csv", sid)
                return Markup("?")
            return Markup(cite(sid))

        try:
            body = template.render(fig=_Figures(figures, declared, page, cite, report), chart=chart, source=source, image=image)
        except SecurityError as e:
            line = _template_line(e)
            text = page.body.splitlines()[line - 1] if line else ""
            col = text.find(e.name) + 1 if isinstance(e, Refused) and e.name in text else None
            problems.add(page.source, str(e), line, col, hint=PROSE_HINT)
            continue
        except jinja2.UndefinedError as e:
            problems.add(page.source, f"unknown name: {e.message}", _template_line(e), hint="the names you can use are fig, chart, source and image")
            continue
        except Exception as e:
            problems.add(page.source, f"template error: {type(e).__name__}: {e}", _template_line(e))
            continue
        _check_links(page, names, problems, anchors)
        if package is None:
            continue
        for line, col, text, names_ in typed_numbers(page.body, values, figures, language.locale):
            hint = f"use {{{{ fig.{names_[0]} }}}}" if names_ else "add a figure for it to charts/figures.yml and use {{ fig.name }}"
            problems.add(page.source, f"number {text} is typed in, but the data holds it", line, col, hint=hint, warning=True)
        lead = page.lead_chart if page.lead_chart in charts else next((c for c in page.charts_used if c in charts), first_chart)
        head = ""
        if page.name == "index.md":
            head = _cover(page, pages, lead, charts, package, figure_template, words, language, cover or CoverFacts())
        elif page.authors:
            head = _byline(page.authors, words, language) + "\n{: .explainer-byline }\n"
        page.markdown = _assemble(page, body, figures, charts, package, cite, lead, words, head, language)


TEMPLATE_HINT = 'figures look like {{ fig.name }}, charts like {{ chart("slug") }}'
_TAGS = re.compile(r"\{\{|\}\}|\{%-?\s*(\w+)|%\}")
_BLOCKS = {
    "if": "endif",
    "for": "endfor",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "block": "endblock",
    "with": "endwith",
    "raw": "endraw",
}


def _line_col(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1) + 1


def syntax_problem(body: str, e: jinja2.TemplateSyntaxError) -> tuple:
    """(message, line, column, hint) for a template syntax error, at the tag that causes it: an
    unclosed {{ where it opens, a block without its end tag at its opening tag."""
    # An output tag {{ that meets another tag, or the end of the file, before its }}.
    open_output = None
    for m in _TAGS.finditer(body):
        token = m.group(0)
        if open_output is not None and token != "}}":
            break
        if token == "{{":
            open_output = m.start()
        elif token == "}}":
            open_output = None
    if open_output is not None:
        return ('"{{" is never closed', *_line_col(body, open_output), "end it with }}, as in {{ fig.name }}")
    closing = re.search(r"innermost block that needs to be closed is '(\w+)'", e.message or "")
    if closing:
        stack = []
        for m in _TAGS.finditer(body):
            word = m.group(1)
            if word in _BLOCKS:
                stack.append((word, m.start()))
            elif word and word.startswith("end") and stack and _BLOCKS.get(stack[-1][0]) == word:
                stack.pop()
        if stack:
            word, at = stack[-1]
            return (f"{{% {word} %}} is never closed", *_line_col(body, at), f"end it with {{% {_BLOCKS[word]} %}}")
    return f"template syntax error: {e.message}", e.lineno, None, TEMPLATE_HINT


CHART_CALL = re.compile(r"chart\(\s*[\"']([a-z0-9_]+)")


def preview_charts(pages: list[Page]) -> set[str]:
    """The charts pages will use as link-preview images (each page's first chart, and the
    explainer's first for pages without one), so the chart stage can draw their PNGs as it goes."""
    firsts = [found[0] for found in (CHART_CALL.findall(p.body) for p in pages) if found]
    return set(firsts) | {p.lead_chart for p in pages if p.lead_chart}


def _template_line(exc: BaseException) -> int | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == "<template>":
            return frame.lineno
    return None


def page_anchors(page: Page) -> set[str] | None:
    """The anchors a page will have (its headings' ids as MkDocs's toc makes them, {#id}
    attributes, ids in raw HTML, its charts); None if a heading is made by a template."""
    from markdown.extensions.toc import slugify

    text = re.sub(r"```.*?```|~~~.*?~~~", "", page.body, flags=re.S)
    found: set[str] = set()
    for heading in [page.title] + re.findall(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", text, re.M):
        if "{{" in heading or "{%" in heading:
            return None
        attr = re.search(r"\{[^}]*#([\w-]+)[^}]*\}\s*$", heading)
        if attr:
            found.add(attr.group(1))
            continue
        slug = slugify(heading, "-")
        n = 0
        while (slug if n == 0 else f"{slug}_{n}") in found:
            n += 1
        found.add(slug if n == 0 else f"{slug}_{n}")
    found |= set(re.findall(r"""\bid=["']([^"']+)["']""", text))
    for slug in CHART_CALL.findall(text):
        found |= {f"chart-{slug}", f"chart-{slug}-title", f"chart-{slug}-desc"}
    return found


def _check_links(page: Page, names: set[str], problems: Collector, anchors: dict | None = None) -> None:
    """A link to another page of the explainer must name a page that exists, and an anchor
    (#...) one of its headings. Checked in the file as written (template expressions blanked
    out), so line and column match the file."""
    masked = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", lambda m: " " * len(m.group(0)), page.body)
    anchors = anchors or {}
    for lineno, line in enumerate(masked.splitlines(), 1):
        for m in MD_LINK.finditer(line):
            target, _, fragment = m.group(1).partition("#")
            if "://" in target or target.startswith(("mailto:", "/")) or (target and not target.endswith(".md")):
                continue
            if target and target not in names:
                problems.add(
                    page.source,
                    f'link to unknown page "{target}"',
                    lineno,
                    m.start(1) + 1,
                    hint=_did_you_mean(target, names) + "; pages are named after content files without their number",
                )
                continue
            known = anchors.get(target or page.name)
            if fragment and known is not None and fragment not in known:
                where = f" in {target}" if target else " on this page"
                close = difflib.get_close_matches(fragment, sorted(known), n=1)
                problems.add(
                    page.source,
                    f'link to unknown anchor "#{fragment}"{where}',
                    lineno,
                    m.start(1) + 1,
                    warning=True,
                    hint=(f"did you mean #{close[0]}?; " if close else "")
                    + "anchors are headings in lower case, spaces as -, e.g. ## Late pears -> #late-pears",
                )


SOURCES_SHOWN = 3  # a chart's source line names this many; "and N more" leads to the sources page


def figure_html(
    template, chart: RenderedChart, package: DataPackage, base: str, words: dict | None = None, language: Language = ENGLISH, raw_html: bool = False
) -> str:
    # Cite the rows the chart was given; if it dropped their source ids, every source of what it read.
    source_ids = chart.source_ids or list(dict.fromkeys(s for r in chart.resources for s in package.source_ids(r)))
    sources = [package.sources[s] for s in source_ids]
    publishers = [package.source_text(s, "publisher", language.code) for s in source_ids]
    # Name the publisher; add the title where one publisher has several documents.
    labels = [p if publishers.count(p) == 1 else f"{p}, {package.source_text(sid, 'title', language.code)}" for p, sid in zip(publishers, source_ids)]
    words = words or strings(ENGLISH.code)
    columns, rows = reader_columns(chart, package, words, language)
    # The source line and the CSV link are Markdown links (to sources.md, to the CSV beside the page's
    # .md file) inside md_in_html blocks: MkDocs and Zensical resolve them alike, also under /fr/.
    cited = [f"[{_md_inline(label)}](<{_md_url(s['url'])}>)" if s.get("url") else _md_inline(label) for s, label in zip(sources[:SOURCES_SHOWN], labels)]
    if len(sources) > SOURCES_SHOWN:
        more = plural(words, "and_more", len(sources) - SOURCES_SHOWN, language.locale).format(n=len(sources) - SOURCES_SHOWN)
        cited.append(f"[{_md_inline(more)}](sources.md)")
    line = f"{_md_inline(words['source'])} {_md_inline(words['separator']).join(cited)}. [{_md_inline(words['sources_title'])}](sources.md)."
    if raw_html:  # a page no engine renders (an embed page): plain HTML links, relative to `base`
        cited = [Markup('<a href="{}">{}</a>').format(s["url"], label) if s.get("url") else escape(label) for s, label in zip(sources[:SOURCES_SHOWN], labels)]
        if len(sources) > SOURCES_SHOWN:
            more = plural(words, "and_more", len(sources) - SOURCES_SHOWN, language.locale).format(n=len(sources) - SOURCES_SHOWN)
            cited.append(Markup('<a href="{}sources/">{}</a>').format(base, more))
        line = Markup('{} {}. <a href="{}sources/">{}</a>.').format(words["source"], escape(words["separator"]).join(cited), base, words["sources_title"])
    html = template.render(
        chart=chart,
        base=base,
        svg=Markup(chart.svg),
        narrow_svg=Markup(chart.narrow_svg),
        t=words,
        source_line=Markup(line),
        md=lambda text: Markup(_md_inline(text)),
        columns=columns,
        rows=rows,
    )
    if raw_html:
        html = html.replace(' markdown="1"', "").replace(' markdown="span"', "")
    return re.sub(r"\n\s*\n", "\n", html)  # a blank line would end Markdown's raw HTML block


def _md_inline(text: str) -> str:
    """Text from the data or the interface's words as Markdown inline text: shown as typed (quotes as
    entities and dashes and dots escaped, which smarty leaves as they are, as in the raw HTML before)."""
    text = re.sub(r"([\\`*_{}\[\]#|!.-])", r"\\\1", str(text).replace("&", "&amp;"))
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")


def _md_url(url: str) -> str:
    """A web address inside a Markdown link's <...>: no character that would end it."""
    return url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\n", "")


def reader_columns(chart: RenderedChart, package: DataPackage, words: dict, language: Language = ENGLISH) -> tuple[list[str], list[list[str]]]:
    """The data table's headers and rows in the reader's words: the chart's own titles, the
    source as its publisher's name ("Source"), a text mark's untitled field as "Label on the chart".
    A Source column that repeats another column (a "Reported in" the chart already shows) is left out."""
    headers = []
    for c in chart.columns:
        title = chart.titles.get(c)
        headers.append(words["source_column"] if c == SOURCE_FIELD else words["chart_label"] if title == "label" else title or c)
    rows = [list(r) for r in chart.rows]
    if SOURCE_FIELD in chart.columns:
        at = chart.columns.index(SOURCE_FIELD)
        for row in rows:
            row[at] = package.source_text(row[at], "publisher", language.code) if row[at] in package.sources else row[at]
        shown = [r[at] for r in rows]
        if any(i != at and [r[i] for r in rows] == shown for i in range(len(headers))):
            headers.pop(at)
            rows = [r[:at] + r[at + 1 :] for r in rows]
    return headers, rows


def _assemble(
    page: Page, body: str, figures, charts, package, cite, lead: str | None = None, words: dict | None = None, head: str = "", language: Language = ENGLISH
) -> str:
    meta: dict[str, object] = {"title": page.title}
    if page.description:
        meta["description"] = page.description
    if page.alternates:  # the language switcher and hreflang links (theme/partials/alternate.html, main.html)
        meta["alternates"] = page.alternates
    if lead:  # the page's first chart (or the explainer's) is its image in link previews
        page.preview = {"image": f"assets/charts/{lead}.png", "image_alt": charts[lead].title}
        meta.update(page.preview)
    parts = ["---", yaml.safe_dump(meta, allow_unicode=True, sort_keys=True).strip(), "---", "", f"# {_escape_heading(page.title)}", ""]
    if head:
        parts += [head.strip(), ""]
    parts += [body.strip(), ""]
    cited = [s for name in page.figures_used for s in figures[name].source_ids]
    if cited:
        parts += ["", f"## {(words or strings(ENGLISH.code))['page_sources']}", ""]
        for sid in dict.fromkeys(cited):
            via = read_via(package, sid, language)
            title = _md_link_text(package.source_text(sid, "title", language.code))
            parts.append(f"- {cite(sid)}{(words or strings(ENGLISH.code))['colon']}{title}" + (f" ({via})" if via else ""))
        parts.append("")
    return "\n".join(parts)


def _escape_heading(text: str) -> str:
    """A title from front matter as a Markdown heading: shown as typed, never run as HTML."""
    return re.sub(r"([\\`*_{}\[\]#])", r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _md_text(text: str) -> str:
    """Text from front matter or settings as one Markdown paragraph: shown as typed, never run as
    HTML or read as a list, heading or quote."""
    text = " ".join(str(text).split())
    text = re.sub(r"([\\`*_{}\[\]<>#|!])", r"\\\1", text.replace("&", "&amp;"))
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([-+=>])", r"\\\1", text))


def _date(value: str | None, language: Language) -> str:
    """An ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as the page's language writes it."""
    return iso_date(value, language.locale) if value and settings.valid_iso_date(value) else ""


def _byline(authors: list[str], words: dict, language: Language) -> str:
    from babel.lists import format_list

    names = format_list([f"**{_md_text(a)}**" for a in authors], locale=language.locale)
    return words["byline"].format(names=names)


def _cover(page: Page, pages: list[Page], lead: str | None, charts: dict, package, figure_template, words: dict, language: Language, facts: CoverFacts) -> str:
    """The lede page's cover, in Markdown, under the headline: the standfirst (its description), the
    byline and dates, the lead chart (unless the page places it itself) and the chapters, one line each."""
    out: list[str] = []
    if page.description:
        out += [_md_text(page.description), "{: .explainer-standfirst }", ""]
    authors = page.authors or ([facts.site_author] if facts.site_author else [])
    dates = []
    if facts.first_published:
        dates.append(words["published"].format(date=_date(facts.first_published, language)))
    if facts.last_updated and facts.last_updated != facts.first_published:
        dates.append(words["updated"].format(date=_date(facts.last_updated, language)))
    runs_to = package.runs_to() if package is not None else None
    if runs_to:
        key = "data_runs_to_day" if runs_to.count("-") == 2 else "data_runs_to"
        dates.append(words[key].format(date=_date(runs_to, language)))
    line = " · ".join(dates)
    line = line[:1].upper() + line[1:]  # "Data to 2022" when it is the only date
    if authors or line:
        byline = _byline(authors, words, language) if authors else ""
        out += [byline + ("  \n" if byline and line else "") + line, "{: .explainer-byline }", ""]
    if lead and lead not in page.charts_used and package is not None:
        block = figure_html(figure_template, charts[lead], package, "", words, language).strip()
        page.trusted += sanitize.trusted_digests(block)
        out += [block, ""]
    chapters = [p for p in pages if p.name != "index.md"]
    if chapters:
        out += ['<div class="explainer-chapters" markdown>', "", f"{_md_text(words['chapters'])}", "{: .explainer-chapters__label }", ""]
        for n, chapter in enumerate(chapters, 1):
            item = f"{n}. [{_md_link_text(chapter.title)}]({chapter.name}){{: .explainer-chapters__title }}"
            if chapter.description:
                item += " " + _md_text(chapter.description)
            out.append(item)
        out += ["", "</div>", ""]
    return "\n".join(out)

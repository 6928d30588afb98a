"""The sandbox prose renders in: Jinja's ImmutableSandboxedEnvironment with an allow-list of syntax
and of attributes, and the figure objects prose may touch ({{ fig.name }}, .source, .value).

Reads: a section's template text. Gives: the refused constructs with their lines and columns, and an
environment that refuses anything outside the allow-list while rendering.
"""

from __future__ import annotations

import difflib
import functools
import re

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from ..figures import Figure
from .content import Page
from .prose_problems import did_you_mean


class FigureRef:
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


class Placeholder:
    """Stands in for a figure that cannot be shown (its problem is reported), so rendering goes
    on and every other problem on the page is found in the same run."""

    value = None
    source = Markup("")

    def __str__(self) -> str:
        return "?"


class Figures:
    def __init__(self, figures: dict[str, Figure], declared: set[str] | None, page: Page, cite, report):
        self._figures, self._declared, self._page, self._cite, self._report = figures, declared, page, cite, report

    def __getattr__(self, name: str) -> FigureRef | Placeholder:
        if name.startswith("__"):
            raise AttributeError(name)
        if name not in self._figures:
            # Declared but failed (or figures.yml unreadable): that problem is already reported.
            if self._declared is not None and name not in self._declared:
                known = self._declared or self._figures
                self._report(f'unknown figure "{name}"', did_you_mean(name, known) + "; figures are declared in charts/figures.yml", name)
            return Placeholder()
        if name not in self._page.figures_used:
            self._page.figures_used.append(name)
        return FigureRef(self._figures[name], self._cite)

    def __getitem__(self, name: str) -> FigureRef | Placeholder:
        if not isinstance(name, str) or name.startswith("_"):
            raise KeyError(name)  # the sandbox then refuses it as an attribute
        return self.__getattr__(name)


PROSE_NAMES = {"fig", "chart", "source", "image"}
PROSE_HINT = 'prose uses {{ fig.name }}, {{ fig.name.source }}, {{ chart("slug") }}, {{ source("id") }} and {{ image("file.jpg", alt="…") }}'
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
        if isinstance(obj, Figures):
            return not attr.startswith("_")
        if isinstance(obj, (FigureRef, Placeholder)):
            return attr in FIGURE_ATTRIBUTES
        return False  # nothing else: string methods (ljust, replace, ...) could build strings of any size

    def getattr(self, obj, attribute):
        if isinstance(obj, (FigureRef, Placeholder)) and attribute not in FIGURE_ATTRIBUTES:
            close = difflib.get_close_matches(str(attribute), FIGURE_ATTRIBUTES, n=1)
            raise Refused(
                f'a figure has no "{attribute}"' + (f"; did you mean .{close[0]}?" if close else "") + "; it gives its number, .source and .value", attribute
            )
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj, attribute):
        raise Refused(f'"{attribute}" is not available in prose', str(attribute))


@functools.lru_cache(maxsize=256)
def compiled(body: str) -> tuple[list[tuple[int, int | None, str]], jinja2.Template | None]:
    """A section's refused constructs (refused_syntax) and, when there are none, its compiled
    template, kept by the section's text: compiling is most of rendering a page (~25 ms each), and
    `serve` renders every page again on each save, so a section whose text is unchanged is not
    compiled again. Raises jinja2.TemplateSyntaxError, which is not kept."""
    env = ProseEnvironment()
    refused = env.refused_syntax(body)
    return refused, None if refused else env.from_string(body)


class Refused(SecurityError):
    """An attribute prose may not use; `name` finds its column."""

    def __init__(self, message: str, name: str):
        super().__init__(message)
        self.name = name


# Raw HTML in prose: the build keeps safe formatting and drops the rest (site/hooks/sanitize.py);
# check names each tag it would change, so an editor knows before the page silently differs.

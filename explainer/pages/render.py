"""Stage 4: pages. content/*.md (YAML front matter + Jinja2) -> Markdown with figures and charts.

The page stage may use chart and figure results; earlier stages know nothing of pages.
Reads: the Page objects of content.py, figures, charts, the DataPackage. Writes each Page's markdown
(and its trusted digests and image assets); problems into a Collector. The parts: sandbox.py (what
prose may run), prose_checks.py and prose_problems.py (what is wrong, and where), figure_block.py
(a chart on a page), compose.py (the finished Markdown).
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from ..charts.render import RenderedChart
from ..data.load import DataPackage
from .drift import data_values, typed_numbers
from ..figures import Figure
from . import images as image_files
from ..common import safe_yaml
from ..site.hooks import sanitize
from ..common.i18n import ENGLISH, Language, strings
from ..common.markdown import md_link_text, md_text
from ..common.problems import Collector
from .compose import CoverFacts, assemble, byline_markdown, cover_markdown
from .content import Page, discover
from .figure_block import figure_html
from .prose_checks import CHART_CALL, RAW_HTML_HINT, check_links, page_anchors, raw_html
from .prose_problems import current_template_line, did_you_mean, syntax_problem, template_line
from .sandbox import PROSE_HINT, Figures, Refused, compiled

# The stage's interface: other stages import these names from here.
__all__ = ["CoverFacts", "Page", "discover", "preview_charts", "render"]

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
# One for the process: Jinja keeps the figure template compiled (serve renders pages on every save).
HTML_TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(PACKAGE_TEMPLATES), autoescape=True)

IMAGE_OPTIONS = ("alt", "caption", "credit", "licence")
EAGER_LINES = 12  # an image this close to the top of a section is loaded at once; the others lazily


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
    figure_template = HTML_TEMPLATES.get_template("figure.html")

    def cite(sid: str) -> str:
        """The publisher, linked to the source; as plain text when the source has no address."""
        assert package is not None  # no figure or source is cited when the data failed
        s, label = package.sources[sid], package.source_text(sid, "publisher", language.code)
        return f"[{md_link_text(label)}]({s['url']})" if s.get("url") else md_text(label)

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
                hint=did_you_mean(page.lead_chart, known_charts) + "; charts are files charts/<slug>.py",
            )
            page.lead_chart = ""
        base = "" if page.name == "index.md" else "../"
        try:
            # Refused before compiling: Jinja's compiler folds constants, so {{ 'x' * 10**9 }} would
            # build its string while the template is compiled.
            refused, template = compiled(page.body)
            for line, col, what in refused:
                problems.add(page.source, f"{what} is not allowed in prose", line, col, hint=PROSE_HINT)
            if template is None:
                continue
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
            line = current_template_line(_template)
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
                report(f'unknown chart "{slug}"', did_you_mean(slug, known_charts) + "; charts are files charts/<slug>.py", slug)
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
            line = current_template_line(_template) or 0
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
                report(f'unknown source "{sid}"', did_you_mean(sid, package.sources) + "; sources are rows of charts/data/sources.csv", sid)
                return Markup("?")
            return Markup(cite(sid))

        try:
            body = template.render(fig=Figures(figures, declared, page, cite, report), chart=chart, source=source, image=image)
        except SecurityError as e:
            line = template_line(e)
            text = page.body.splitlines()[line - 1] if line else ""
            col = text.find(e.name) + 1 if isinstance(e, Refused) and e.name in text else None
            problems.add(page.source, str(e), line, col, hint=PROSE_HINT)
            continue
        except jinja2.UndefinedError as e:
            problems.add(page.source, f"unknown name: {e.message}", template_line(e), hint="the names you can use are fig, chart, source and image")
            continue
        except Exception as e:
            problems.add(page.source, f"template error: {type(e).__name__}: {e}", template_line(e))
            continue
        check_links(page, names, problems, anchors)
        if package is None:
            continue
        for line, col, text, names_ in typed_numbers(page.body, values, figures, language.locale):
            hint = f"use {{{{ fig.{names_[0]} }}}}" if names_ else "add a figure for it to charts/figures.yml and use {{ fig.name }}"
            problems.add(page.source, f"number {text} is typed in, but the data holds it", line, col, hint=hint, warning=True)
        lead = page.lead_chart if page.lead_chart in charts else next((c for c in page.charts_used if c in charts), first_chart)
        head = ""
        if page.name == "index.md":
            head = cover_markdown(page, pages, lead, charts, package, figure_template, words, language, cover or CoverFacts())
        elif page.authors:
            head = byline_markdown(page.authors, words, language) + "\n{: .explainer-byline }\n"
        page.markdown = assemble(page, body, figures, charts, package, cite, lead, words, head, language)


def preview_charts(pages: list[Page]) -> set[str]:
    """The charts pages will use as link-preview images (each page's first chart, and the
    explainer's first for pages without one), so the chart stage can draw their PNGs as it goes."""
    firsts = [found[0] for found in (CHART_CALL.findall(p.body) for p in pages) if found]
    return set(firsts) | {p.lead_chart for p in pages if p.lead_chart}

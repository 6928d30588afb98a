"""Bad input is shown as text, everywhere: a chart title and description, a source's publisher
and title, a page's title and description and a data value (a category label) holding
`<script>alert(1)</script>`, "quotes", 'apostrophes' and `&amp; &` (tests/fixtures/hostile).

1. Static: no HTML file (nor the search index, which Material renders as HTML) carries the
   markup unescaped; the meta tags, <title> and the static SVG's title/desc give back exactly
   the string typed in; the Nu HTML Checker finds no error.
2. In Debian's Chromium with JavaScript on: every page is visited, the chart goes live, its marks
   are hovered; no dialog fires, no script element holds the payload, and the strings are
   visible as text (caption, table, headings, navigation, sources, tooltip).
"""

from __future__ import annotations

import re
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from playwright.sync_api import expect

from conftest import FIXTURES, copy_explainer, run_build, serve_folder, settle

HOSTILE = "<script>alert(1)</script> \"quotes\" 'apostrophes' &amp; &"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW = re.compile(r"<script[^>]*>[^<]*alert\(|<script>alert", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = copy_explainer(FIXTURES / "hostile", tmp_path_factory.mktemp("hostile") / "hostile")
    result = run_build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "site"


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts)


class _Head(HTMLParser):
    """<meta> attributes, the <title> text and the static SVG's <title>/<desc> texts, unescaped
    as a browser would read them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.texts: dict[str, str] = {}
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        key = a.get("name") or a.get("property")
        if tag == "meta" and a.get("content") is not None and key:
            self.meta[key] = a["content"]
        elif tag == "title":
            self._in = a.get("id") or "title"
        elif tag == "desc":
            self._in = a.get("id") or "desc"

    def handle_endtag(self, tag):
        if tag in ("title", "desc"):
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.texts[self._in] = self.texts.get(self._in, "") + data


def head(path: Path) -> _Head:
    parser = _Head()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ---------------------------------------------------------------- 1. static HTML


def test_no_file_carries_the_markup_unescaped(site):
    files = html_files(site) + [site / "search" / "search_index.json"]
    assert len(files) >= 5, files
    found = []
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in RAW.finditer(line):
                found.append(f"{path.relative_to(site)}:{n}: ...{line[max(0, m.start() - 80) : m.end() + 20]}...")
    assert not found, "markup from the data reached the page unescaped:\n" + "\n".join(found)


def test_the_strings_are_escaped_in_every_page(site):
    for path in html_files(site):
        if path.name == "404.html":
            continue
        assert ESCAPED in path.read_text(encoding="utf-8"), f"{path.relative_to(site)} does not show the string escaped"


def test_meta_tags_title_and_svg_text_give_back_the_string_typed_in(site):
    lede, pears = head(site / "index.html"), head(site / "pears" / "index.html")
    assert lede.texts["title"] == f"Lede {HOSTILE} - The hostile orchard"
    assert pears.texts["title"] == f"Pears {HOSTILE} - The hostile orchard"
    for parsed, name in ((lede, "Lede"), (pears, "Pears")):
        assert parsed.meta["description"] == ("Description " if name == "Lede" else "Pears ") + HOSTILE
        assert parsed.meta["og:title"] == parsed.meta["twitter:title"] == f"{name} {HOSTILE}"
        assert parsed.meta["og:description"] == parsed.meta["twitter:description"] == parsed.meta["description"]
    assert pears.meta.get("og:image:alt") == f"Harvest {HOSTILE}"
    assert pears.texts["chart-harvest_by_year-title"] == f"Harvest {HOSTILE}"
    assert pears.texts["chart-harvest_by_year-desc"] == f"Fruit picked per year {HOSTILE} in the description."


def test_the_pages_stay_valid_html(site):
    """A quote that broke out of an attribute, or a stray tag, is an error for the Nu HTML Checker."""
    from test_valid_html import errors, nu_check

    found = errors(nu_check(html_files(site)), site)
    assert not found, "\n".join(found)


# ---------------------------------------------------------------- 2. in the browser


@pytest.fixture(scope="module")
def server(site):
    with serve_folder(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message} on {page.url}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.dialogs = dialogs
    yield page
    page.close()


INJECTED = """() => Array.from(document.querySelectorAll('script, [onerror], [onload]'))
    .filter(e => /alert\\(/.test(e.textContent + ' ' + (e.getAttribute('onerror') || '') + ' ' + (e.getAttribute('onload') || '')))
    .map(e => e.outerHTML.slice(0, 200))"""


def visit(page, url: str) -> None:
    page.goto(url, wait_until="load")
    settle(page)
    injected = page.evaluate(INJECTED)
    assert not page.dialogs and not injected, f"{url}: dialogs {page.dialogs}; script elements from the data: {injected}"


def as_typed(text: str) -> str:
    """English prose is typeset (curly quotes and apostrophes, smarty): back to the keys typed."""
    return text.translate({ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'})


@pytest.mark.browser
def test_every_page_shows_the_strings_as_text_and_runs_nothing(server, browser_page, site):
    page = browser_page
    page.dialogs.clear()
    visit(page, server + "/")
    assert as_typed(page.locator("article h1").inner_text()).rstrip("¶ \n") == f"Lede {HOSTILE}"
    nav = page.locator("nav.md-nav--primary").inner_text()
    assert f"Lede {HOSTILE}" in nav and f"Pears {HOSTILE}" in nav
    assert f"Pears {HOSTILE}" in page.locator("footer .md-footer__link--next").inner_text()
    body = as_typed(page.locator("article").inner_text())
    assert f"Keeper {HOSTILE}" in body, "the figure's source (publisher) is not shown as text"
    assert f"Logbook {HOSTILE}" in body, "the figure's source (title) is not shown as text"

    visit(page, server + "/sources/")
    body = as_typed(page.locator("article").inner_text())
    for label in ("Keeper", "Logbook", "Excerpt", "Harvest", "Caveat", "Fruit picked per year"):
        assert f"{label} {HOSTILE}" in body, f"sources page: {label} ... is not shown as typed"

    visit(page, server + "/404.html")
    assert page.dialogs == [], page.dialogs


@pytest.mark.browser
def test_the_chart_caption_table_and_tooltip_show_the_strings_as_text(server, browser_page):
    page = browser_page
    page.dialogs.clear()
    visit(page, server + "/pears/")
    fig = page.locator("figure.explainer-chart")
    assert fig.count() == 1
    # the headline above the chart, the source line below it, the description as the SVG's <desc>
    assert f"Harvest {HOSTILE}" in fig.locator("figcaption").inner_text()
    assert f"Keeper {HOSTILE}" in fig.locator(".explainer-chart__source").inner_text()
    assert page.evaluate("() => document.querySelector('.explainer-chart__static svg desc').textContent").startswith(f"Fruit picked per year {HOSTILE}")
    # the data table (open it) and the static SVG's legend
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    assert HOSTILE in fig.locator("table tbody").inner_text()
    assert f"Harvest {HOSTILE}" in fig.locator("table caption").inner_text()
    assert page.evaluate("() => document.querySelector('.explainer-chart__static svg title').textContent") == f"Harvest {HOSTILE}"

    fig.scroll_into_view_if_needed()
    fig.hover()  # the reader is active: the chart goes live
    page.wait_for_function("f => f.classList.contains('explainer-chart--live')", arg=fig.element_handle(), timeout=15000)
    live = fig.locator(".explainer-chart__live svg")
    # Vega draws the category as a legend label (possibly cut short with an ellipsis): text, not markup.
    assert "<script>" in live.locator(".role-legend-label").first.text_content()
    marks = live.locator(".role-mark path")
    assert marks.count() == 6, marks.count()
    tip = page.locator(".explainer-tooltip")
    seen: list[str] = []
    for i in range(marks.count()):
        marks.nth(i).hover(force=True)
        expect(tip).to_be_visible(timeout=10_000)  # waits for the tooltip, with a deadline
        if seen:
            expect(tip).not_to_have_text(seen[-1], timeout=10_000)  # this mark's, not the last one's
        seen.append(tip.inner_text())
    hostile_tips = [t for t in seen if HOSTILE in t]
    assert len(hostile_tips) == 3, seen  # one bar per year holds the hostile category
    assert all("Fruit:" in t for t in hostile_tips)
    assert page.evaluate(INJECTED) == []
    assert page.dialogs == [], page.dialogs


# ---------------------------------------------------------------- 3. Markdown syntax in data fields

# Text from the data package (a source's title, a resource's title, a caveat) lands in generated
# Markdown as a list item, a link text, a heading or a table cell. Markdown's own syntax in it must
# be shown as typed: an attribute list would add attributes (`onclick`) to the element around it.
MARKDOWN_PAYLOADS = [
    'Report {: onclick="steal()" }',
    "Report { .admonition #top data-x=1 }",
    "The `code` and **bold** and _em_ report",
    "# Heading report",
    "1. Numbered report",
    "> Quoted report",
    "A | B report",
    "Two lines  \nreport",
    "- Listed report",
]
PLACES = ["- {}", "- [{}](https://example.org/)", "### {}", "| a | b |\n|---|---|\n| {} | x |", "Publisher: **{}**."]


def _straight(text: str) -> str:
    return re.sub("[“”]", '"', re.sub("[‘’]", "'", text))


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.names |= {name for name, _ in attrs}


MARKDOWN_PAYLOADS.append('**Bold**{: onclick="steal()" } report')


# (escaper, place): md_data goes anywhere, md_link_text only between a link's brackets
ESCAPER_PLACES = [("md_data", p) for p in PLACES] + [("md_link_text", "- [{}](https://example.org/)")]


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
@pytest.mark.parametrize("escape, place", ESCAPER_PLACES, ids=["list", "link", "heading", "table", "bold", "link_text"])
def test_markdown_syntax_in_data_is_shown_as_typed(escape, place, payload):
    import markdown

    from explainer.common import markdown as escapers

    md_data = getattr(escapers, escape)
    from explainer.site.config import DEFAULTS, SMARTY

    html = markdown.markdown(place.format(md_data(payload)), extensions=[*DEFAULTS["markdown_extensions"][:-1], "toc", *SMARTY])
    attributes = _Attributes()
    attributes.feed(html)
    assert attributes.names <= {"href", "id"}, html  # a link's address and a heading's anchor, nothing added
    for tag in ("<code", "<strong>B", "<em", "<h1", "<ol", "<blockquote", "<br", "<p>report", "<td>B"):
        assert tag not in html.replace("<strong>**", ""), (tag, html)
    shown = html_unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))
    assert _straight(" ".join(payload.split())) in _straight(shown), html  # smarty may curl the quotes; nothing else changes

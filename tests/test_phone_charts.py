"""Charts a reader can read on a phone, and pages that print short (issue 13).

In Debian's Chromium, on every page of the Channel site with a chart:
- the smallest chart text (font size times the SVG's on-screen scale, bench/readers.py) is at
  least 11 CSS px at 360 and at 1280 px, in the static SVG (JavaScript off) and in the live view;
- no legend label is cut off (past the edge of its SVG, its figure or the screen, or shortened
  with "…"), at 360 and at 1280 px, static and live;
- nothing scrolls sideways at 360 px;
- the statistics page prints on at most 10 A4 pages, the sources page on at most 7.
"""

from __future__ import annotations

import sys

import pytest

from conftest import FIXTURES, REPO, copy_explainer, run_build, serve_folder

sys.path.insert(0, str(REPO / "bench"))
import readers  # noqa: E402

SMALLEST = 11.0


@pytest.fixture(scope="module")
def chart_pages(channel_chart_pages):
    assert len(channel_chart_pages) >= 4, channel_chart_pages
    return channel_chart_pages


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("live", [False, True], ids=["static", "live"])
def test_smallest_chart_text_is_readable(channel_server, browser, chart_pages, width, live):
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=live)
    page = context.new_page()
    small = {}
    for path in chart_pages:
        page.goto(channel_server + path)
        if live:
            readers.go_live(page)
            assert page.locator("figure.explainer-chart--live").count() == page.locator("figure.explainer-chart").count(), path
        sizes = readers.smallest_text(page)
        assert sizes and all(v != float("inf") for v in sizes.values()), (path, sizes)
        small.update({f"{path}#{fid}": round(v, 1) for fid, v in sizes.items() if v < SMALLEST})
    context.close()
    assert not small, small


# Pairs of axis labels of one axis, as drawn on screen, closer than 2 px (touching or overprinted);
# labels Vega hid (labelOverlap) have opacity 0 and are not counted.
LABELS_TOO_CLOSE = """() => {
  const out = [];
  for (const fig of document.querySelectorAll('figure.explainer-chart')) {
    const svgs = [...fig.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 0 && s.closest('figure') === fig);
    for (const svg of svgs) for (const axis of svg.querySelectorAll('g.role-axis')) {
      const labels = [...axis.querySelectorAll('.role-axis-label text')].filter(t => t.textContent.trim()
        && parseFloat(getComputedStyle(t).opacity) > 0 && t.getAttribute('opacity') !== '0');
      const boxes = labels.map(t => [t.textContent, t.getBoundingClientRect()]);
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const [ta, a] = boxes[i], [tb, b] = boxes[j];
        if (a.left < b.right + 2 && b.left < a.right + 2 && a.top < b.bottom + 2 && b.top < a.bottom + 2)
          out.push(fig.id + ': ' + ta + ' / ' + tb);
      }
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("live", [False, True], ids=["static", "live"])
def test_axis_labels_never_touch(channel_server, browser, channel_chart_pages, width, live):
    """Every label of an axis stands clear of its neighbours (2 px at least), on a phone and a desktop,
    in the static SVG and the live view: a month axis drawn for 680 px and shrunk to a phone ran
    "FebMar" together."""
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=live)
    page = context.new_page()
    close = []
    for path in channel_chart_pages:
        page.goto(channel_server + path)
        if live:
            readers.go_live(page)
        close += [f"{path}#{pair}" for pair in page.evaluate(LABELS_TOO_CLOSE)]
    context.close()
    assert not close, close


# Legend labels and titles a reader cannot read whole: drawn past the edge of their SVG (which
# clips them), of their figure or of the screen, or shortened by Vega's labelLimit ("…").
LEGEND_CUT = """() => {
  const out = [], vw = document.documentElement.clientWidth;
  for (const fig of document.querySelectorAll('figure.explainer-chart')) {
    const f = fig.getBoundingClientRect();
    const svgs = [...fig.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 0 && s.closest('figure') === fig);
    for (const svg of svgs) {
      const s = svg.getBoundingClientRect();
      const left = Math.max(s.left, f.left, 0), right = Math.min(s.right, f.right, vw);
      for (const t of svg.querySelectorAll('.role-legend-label text, .role-legend-title text')) {
        const text = t.textContent.trim(), r = t.getBoundingClientRect();
        if (!text || r.width === 0) continue;
        if (r.left < left - 0.5 || r.right > right + 0.5 || r.top < s.top - 0.5 || r.bottom > s.bottom + 0.5 || text.endsWith('\u2026'))
          out.push(`${fig.id}: "${text}" drawn ${Math.round(r.left)}..${Math.round(r.right)} px, visible ${Math.round(left)}..${Math.round(right)} px`);
      }
    }
  }
  return out;
}"""


def legends_cut(browser, base: str, paths: list[str], width: int, live: bool) -> list[str]:
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=live)
    page = context.new_page()
    cut = []
    for path in paths:
        page.goto(base + path)
        if live:
            readers.go_live(page)
            assert page.locator("figure.explainer-chart--live").count() == page.locator("figure.explainer-chart").count(), path
        cut += [f"{path}#{c}" for c in page.evaluate(LEGEND_CUT)]
    context.close()
    return cut


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("live", [False, True], ids=["static", "live"])
def test_no_legend_is_cut_off(channel_server, browser, channel_chart_pages, width, live):
    """Every legend label and title is drawn whole, inside its chart, its figure and the screen, in
    both languages (the French ones are longer), on a phone and a desktop, static and live."""
    assert not legends_cut(browser, channel_server, channel_chart_pages, width, live)


LONG_LEGEND = '''"""Harvest by variety

Apples and pears picked each year, by variety: one variety's name is too long for a phone.
"""
import altair as alt


def chart(data):
    df = data["harvest"].assign(variety=lambda d: d["fruit"] + " picked in the old walled garden behind the farmhouse")
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("sum(count):Q", title="Fruit picked"),
        color=alt.Color("variety:N", title="Variety", legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("variety:N", title="Variety"), alt.Tooltip("sum(count):Q", title="Picked")],
    )
'''


def test_a_legend_too_long_for_a_phone_is_found(tmp_path, browser):
    """The check above can fail: a chart file whose legend label (no labelLimit) is wider than a
    phone's column is built by the generator, and its label is found cut off at 360 px, static and
    live, and whole at 1280 px."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    (root / "charts" / "long_legend.py").write_text(LONG_LEGEND, encoding="utf-8")
    page = root / "content" / "01-pears.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n{{ chart("long_legend") }}\n', encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    with serve_folder(root / "site") as base:
        for live in (False, True):
            cut = legends_cut(browser, base, ["/pears/"], 360, live)
            assert cut and all("chart-long_legend" in c and "walled garden" in c for c in cut), (live, cut)
        assert not legends_cut(browser, base, ["/pears/"], 1280, False)


def test_nothing_scrolls_sideways_at_360px(channel_server, browser, channel_pages):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide = {}
    for path in channel_pages:
        page.goto(channel_server + path)
        readers.go_live(page)
        extra = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if extra > 0:
            wide[path] = extra
    context.close()
    assert not wide, wide


def test_statistics_page_prints_on_at_most_ten_a4_pages(channel_server, browser):
    page = browser.new_page(java_script_enabled=False)
    page.goto(channel_server + "/the-statistics/")
    page.emulate_media(media="print")
    pages = readers.pdf_pages(page.pdf(format="A4"))
    page.close()
    assert 1 < pages <= 10, pages


@pytest.mark.parametrize("path", ["/sources/", "/fr/sources/"])
def test_sources_page_prints_on_at_most_seven_a4_pages(channel_server, browser, path):
    """The sources page prints as a reference list (11 A4 pages before its print style): every
    source is still there, with its address."""
    page = browser.new_page(java_script_enabled=False)
    page.goto(channel_server + path)
    page.emulate_media(media="print")
    listed = page.evaluate("""() => [...document.querySelectorAll('li > span[id^="source-"]')].filter(s => s.parentElement.offsetHeight > 0).length""")
    address = page.locator('li > span[id^="source-"] ~ a[href^="http"]').first.evaluate("a => getComputedStyle(a, '::after').content")
    pages = readers.pdf_pages(page.pdf(format="A4"))
    page.close()
    assert listed > 40 and "http" in address, (listed, address)
    assert 1 < pages <= 7, pages


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_figures_appendix_prints_every_row_on_few_pages(channel_server, browser, javascript):
    """The appendix is for checkers: on paper it keeps every figure (long tables elsewhere print
    their first rows only), in small type, on at most 8 A4 pages (12 before it was set small)."""
    page = browser.new_page(java_script_enabled=javascript)
    page.goto(channel_server + "/figures/")
    page.emulate_media(media="print")
    rows = page.evaluate("""() => [...document.querySelectorAll('table tbody tr')].map(tr => getComputedStyle(tr).display)""")
    pages = readers.pdf_pages(page.pdf(format="A4"))
    page.close()
    assert len(rows) > 50 and set(rows) == {"table-row"}, rows
    assert 1 < pages <= 8, pages


# ---- Data tables in the reader's words (issue 13, item 7) ----------------------------------------

# Every data mark of a chart figure (bars, points) in its wide static SVG, and the rows and headers
# of its data table. Text labels over bars and annotation rules are not counted: they repeat a bar
# or annotate the chart.
TABLE_AND_MARKS = """() => [...document.querySelectorAll('figure.explainer-chart')].map(fig => {
  const svg = fig.querySelector('.explainer-chart__wide svg') || fig.querySelector('svg');
  const marks = svg.querySelectorAll('g.mark-rect.role-mark > path, g.mark-symbol.role-mark > path').length;
  return {id: fig.id, marks,
          rows: fig.querySelectorAll('.explainer-chart__table tbody tr').length,
          headers: [...fig.querySelectorAll('.explainer-chart__table thead th')].map(th => th.textContent.trim())};
})"""
FIELD_NAME = __import__("re").compile(r"^[a-z0-9]+(_[a-z0-9]+)+$|^[a-z]+$")  # people_prevented, source_id, people


def test_data_tables_speak_the_readers_words_and_hold_every_plotted_mark(channel_server, browser, chart_pages):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    seen = 0
    for path in chart_pages:
        page.goto(channel_server + path)
        for fig in page.evaluate(TABLE_AND_MARKS):
            seen += 1
            where = f"{path} {fig['id']}"
            assert fig["headers"], where
            assert not [h for h in fig["headers"] if FIELD_NAME.match(h)], f"{where}: field names as headers: {fig['headers']}"
            assert len(set(fig["headers"])) == len(fig["headers"]), f"{where}: repeated headers {fig['headers']}"
            # Every bar and point the chart draws has its row (the funding chart's two currency panels too).
            assert fig["rows"] == fig["marks"], f"{where}: {fig['marks']} marks drawn, {fig['rows']} rows in the table"
    context.close()
    assert seen >= 7


def test_no_table_cell_shows_a_helper_value(channel_server, browser, chart_pages):
    """No jittered position ("2,019.89" as a year) and no raw boolean in any data table."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    for path in chart_pages:
        page.goto(channel_server + path)
        cells = page.evaluate("() => [...document.querySelectorAll('.explainer-chart__table td')].map(td => td.textContent.trim())")
        assert not [c for c in cells if __import__("re").fullmatch(r"2[,.\u202f\u00a0 ]?0\d\d[.,]\d+", c)], path
        assert not [c for c in cells if c in ("True", "False", "true", "false")], path
    context.close()

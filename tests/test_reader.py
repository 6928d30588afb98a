"""What every reader gets, checked in a real browser (Debian's Chromium via Playwright):

- axe-core finds no violation on any page, in Material's light ("default") and dark ("slate")
  palette, with the charts live, the data tables open and a chart's tooltip shown, on a desktop
  and a 360 px screen;
- charts (static and live) and their tooltips follow the palette and stay readable;
- at 360 px nothing scrolls sideways and every chart fits; wide tables scroll in their own box;
- print shows the static chart and its sources, and none of the navigation chrome;
- chart figures are valid, labelled markup.
"""

from __future__ import annotations

import re
import sys

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import readers  # noqa: E402


SCHEMES = ("default", "slate")
AXE = Axe()  # reads axe-core's script from the package once
pytestmark = pytest.mark.browser


# ---------------------------------------------------------------- helpers


def go_live(page) -> int:
    """Scroll every chart into view and wait until each is live (or its enhancement failed)."""
    readers.go_live(page)
    return page.locator("figure.explainer-chart--live").count()


# What charts.js's markScrollers leaves once it has run (the same measure): every box that scrolls
# sideways has a tab stop (a chart's table has one from the build), and none it marked has stopped scrolling.
SCROLLERS = ".explainer-chart__table, .md-typeset .md-typeset__scrollwrap"  # as charts.js has it
SCROLLERS_MARKED = """() => [...document.querySelectorAll(SCROLLERS)].every(box => {
    const inner = box.parentNode && box.parentNode.closest && box.parentNode.closest('.explainer-chart__table');
    const scrolls = !inner && box.clientWidth > 0 && box.scrollWidth > box.clientWidth + 1;
    return scrolls ? box.getAttribute('tabindex') === '0' : !box.hasAttribute('data-explainer-scroller');
})""".replace("SCROLLERS", repr(SCROLLERS))


# Brings each box near the viewport in turn, as a reader reaching it would: charts.js measures a box
# in an off-screen content-visibility block (the figures appendix) only once the browser renders it.
VISIT_SCROLLERS = """async () => {
    const frame = () => new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (const box of document.querySelectorAll(SCROLLERS)) {
        box.scrollIntoView({block: 'center'});
        await frame();
    }
    window.scrollTo(0, 0);
    // Back at the top, Material fades the header's title back to the site's name: judge the page
    // once it has (else axe reads the half-faded title's contrast).
    const deadline = performance.now() + 5000;
    while (document.querySelector('.md-header__title--active') && performance.now() < deadline) await frame();
    await Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null)));
}""".replace("SCROLLERS", repr(SCROLLERS))


def open_tables(page, javascript: bool = True):
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    if javascript:  # charts.js re-checks which boxes scroll after a toggle or once a box is rendered: wait until it has
        page.evaluate(VISIT_SCROLLERS)
        page.wait_for_function(SCROLLERS_MARKED, timeout=10_000)


def set_scheme(page, scheme: str):
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
    # Material fades link colours (CSS transitions): judge the settled page, once every transition
    # the switch started has ended (getAnimations() applies the new style first, so they exist).
    page.evaluate("""() => Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition)
        .map(a => a.finished.catch(() => null)))""")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme


DATA_MARK = ".explainer-chart__live svg g.mark-rect.role-mark path, .explainer-chart__live svg g.mark-symbol.role-mark path"


def show_tooltip(page):
    """Point at the first chart's first data mark until its tooltip shows; the tooltip's locator."""
    mark = page.locator(DATA_MARK).first
    mark.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    mark.hover(force=True)
    tip = page.locator(".explainer-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    return tip


def run_axe(page) -> list[str]:
    # axe-core is injected once per page load (half a megabyte of script to parse); each run is whole.
    if not page.evaluate("typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(AXE.axe_script)
    result = AxeResults(page.evaluate("axe.run(document, {resultTypes: ['violations']})"))
    out = []
    for v in result.response["violations"]:
        for node in v["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            out.append(f"{v['id']} ({v['impact']}): {node['target']} {checks[0]['message'] if checks else ''}")
    return out


def _rgba(css: str) -> list[float]:
    nums = [float(x) for x in re.findall(r"[\d.]+", css)]
    if css.startswith("color(srgb"):
        nums = [n * 255 for n in nums[:3]] + nums[3:]
    return (nums + [1.0])[:4] if len(nums) >= 3 else [0.0, 0.0, 0.0, 0.0]


def _over(fg, bg):
    a = fg[3]
    return tuple(fg[i] * a + bg[i] * (1 - a) for i in range(3)) + (1.0,)


def contrast(fg_css: str, bg_css: str) -> float:
    bg = _over(_rgba(bg_css), (255, 255, 255, 1))
    fg = _over(_rgba(fg_css), bg)

    def lum(c):
        ch = [v / 255 for v in c[:3]]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


PAGE_BG = "getComputedStyle(document.body).backgroundColor"


# ---------------------------------------------------------------- 1. axe, both palettes


@pytest.mark.parametrize("width", [1280, 360])
def test_axe_finds_no_violation_on_any_page_in_either_palette(channel_server, browser, channel_pages, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found, checked = [], 0
    tips = 0
    for path in channel_pages:
        page.goto(channel_server + path)
        charts = go_live(page)
        open_tables(page)
        # A chart's tooltip is part of the page while the reader points at a mark: axe sees it too
        # (the "region" rule flags content outside every landmark, as a tooltip in <body> was).
        tip = show_tooltip(page) if charts else None
        for scheme in SCHEMES:
            set_scheme(page, scheme)
            found += [f"{path} [{scheme}, {width}px] {v}" for v in run_axe(page)]
            checked += 1
            if tip is not None:
                assert tip.is_visible() and tip.evaluate("t => !!t.closest('main figure.explainer-chart')"), path
                tips += 1
    context.close()
    assert checked == 2 * len(channel_pages) and tips >= 2 * 5
    assert not found, "axe-core violations:\n" + "\n".join(found)


def test_axe_is_not_blind_to_a_known_violation(channel_server, browser):
    """Guard against a silently broken axe run: a planted unnamed dialog must be reported."""
    page = browser.new_page()
    page.goto(channel_server + "/")
    page.evaluate("document.querySelector('.md-search').removeAttribute('aria-label')")
    assert any(v.startswith("aria-dialog-name") for v in run_axe(page))
    page.close()


def test_axe_flags_a_tooltip_outside_the_landmarks(channel_server, browser, channel_chart_pages):
    """Guard for the test above: the same tooltip moved into <body> (where Vega's own tooltip
    handler puts it) is reported by axe's region rule, so a tooltip that left <main> would fail."""
    page = browser.new_page()
    page.goto(channel_server + channel_chart_pages[0])
    assert go_live(page) > 0
    tip = show_tooltip(page)
    assert not [v for v in run_axe(page) if v.startswith("region")]
    tip.evaluate("t => document.body.appendChild(t)")
    assert [v for v in run_axe(page) if v.startswith("region")]
    page.close()


# ---------------------------------------------------------------- 2. dark mode


def _chart_colours(page, root: str):
    return page.evaluate(
        """root => {
        const svg = document.querySelector(root);
        const pick = sel => { const el = svg && svg.querySelector(sel); return el ? getComputedStyle(el) : null; };
        const label = pick('.role-axis-label text'), title = pick('.role-axis-title text'), grid = pick('.role-axis-grid line');
        return {label: label && label.fill, title: title && title.fill, grid: grid && grid.stroke,
                annotations: [...svg.querySelectorAll('.role-mark text')].map(t => [t.getAttribute('fill'), getComputedStyle(t).fill])};
    }""",
        root,
    )


def _assert_readable(colours, bg, where):
    assert colours["label"] and contrast(colours["label"], bg) >= 4.5, (where, colours, bg)
    if colours["title"]:
        assert contrast(colours["title"], bg) >= 4.5, (where, colours, bg)
    for attr, fill in colours["annotations"]:
        if attr in ("#000", "#000000", "black"):
            assert contrast(fill, bg) >= 4.5, (where, attr, fill, bg)
    if colours["grid"]:  # a grid is a hint, not data; visible but quieter than the text
        assert 1.1 <= contrast(colours["grid"], bg) < contrast(colours["label"], bg), (where, colours, bg)


def test_static_charts_follow_the_palette(channel_server, browser, channel_chart_pages):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    seen = {}
    for path in channel_chart_pages:
        page.goto(channel_server + path)
        for scheme in SCHEMES:
            set_scheme(page, scheme)
            bg = page.evaluate(PAGE_BG)
            colours = _chart_colours(page, "figure.explainer-chart .explainer-chart__static svg")
            _assert_readable(colours, bg, f"{path} static [{scheme}]")
            seen[scheme] = colours["label"]
    context.close()
    assert seen["default"] != seen["slate"], seen


LEGEND_SYMBOLS = """() => [...document.querySelectorAll('figure.explainer-chart .explainer-chart__static svg .role-legend-symbol path:not(.foreground, .background)')]
    .map(p => { const s = getComputedStyle(p), seen = c => c !== 'none' && !/^rgba\\(.*, 0\\)$/.test(c);
        // a symbol is seen by its fill, or by an outline round it (WCAG 1.4.11 counts either)
        return [p.closest('figure').id, +s.fillOpacity > 0 && seen(s.fill) ? s.fill : null,
                parseFloat(s.strokeWidth) >= 1 && +s.strokeOpacity > 0 && seen(s.stroke) ? s.stroke : null]; })"""


def test_legend_symbols_stand_out_from_the_page_in_either_palette(channel_server, browser, channel_chart_pages):
    """WCAG 1.4.11: a legend symbol is the key to the marks, a graphic that must be seen: 3:1 against
    the page, in the light and the dark palette (a grey of #666666 gives 2.8:1 on the dark page)."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    checked = 0
    for path in channel_chart_pages:
        page.goto(channel_server + path)
        for scheme in SCHEMES:
            set_scheme(page, scheme)
            bg = page.evaluate(PAGE_BG)
            for figure, fill, stroke in page.evaluate(LEGEND_SYMBOLS):
                best = max(contrast(c, bg) for c in (fill, stroke) if c) if fill or stroke else 0
                assert best >= 3, (path, scheme, figure, fill, stroke, bg)
                checked += 1
    context.close()
    assert checked >= 10, "no legend symbols found: the selector no longer matches the charts"


def test_live_charts_and_tooltips_follow_the_palette(channel_server, browser, channel_chart_pages):
    page = browser.new_page()
    page.goto(channel_server + channel_chart_pages[0])
    assert go_live(page) == page.locator("figure.explainer-chart").count() > 0
    for scheme in SCHEMES:
        set_scheme(page, scheme)
        bg = page.evaluate(PAGE_BG)
        _assert_readable(_chart_colours(page, "figure.explainer-chart .explainer-chart__live svg"), bg, f"live [{scheme}]")
        mark = page.locator(".explainer-chart__live svg .role-mark path, .explainer-chart__live svg .role-mark line").first
        mark.scroll_into_view_if_needed()
        page.mouse.move(0, 0)
        mark.hover(force=True)
        tip = page.locator(".explainer-tooltip")
        tip.wait_for(state="visible", timeout=5000)
        fg, tip_bg = tip.evaluate("t => [getComputedStyle(t).color, getComputedStyle(t).backgroundColor]")
        assert contrast(fg, tip_bg) >= 4.5, (scheme, fg, tip_bg)
        assert contrast(tip_bg, bg) < 1.5, "the tooltip should use the page's own background"
    page.close()


# ---------------------------------------------------------------- 3. small screens

OVERFLOW = """() => {
    const vw = document.documentElement.clientWidth, bad = [];
    const clipped = el => {  // inside a box that scrolls (or clips) on its own: that box is checked instead
        for (let a = el.parentElement; a && !a.classList.contains('md-content'); a = a.parentElement)
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        return false;
    };
    for (const el of document.querySelectorAll('.md-content *')) {
        if (el.closest('svg') || clipped(el)) continue;
        const r = el.getBoundingClientRect();
        if (r.width && (r.right > vw + 1 || r.left < -1)) bad.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
    return {scroll: document.documentElement.scrollWidth, client: vw, bad: bad.slice(0, 5)};
}"""


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_at_360px_nothing_scrolls_sideways_and_charts_fit(channel_server, browser, channel_pages, javascript):
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=javascript, is_mobile=True, has_touch=True)
    page = context.new_page()
    charts = 0
    for path in channel_pages:
        page.goto(channel_server + path)
        if javascript:
            go_live(page)
        open_tables(page, javascript)
        state = page.evaluate(OVERFLOW)
        assert state["scroll"] <= state["client"] and not state["bad"], (path, state)
        for svg in page.locator("figure.explainer-chart svg[role=img]").all():
            if not svg.is_visible():
                continue
            box = svg.evaluate("s => { const r = s.getBoundingClientRect(); return [r.left, r.right, r.width]; }")
            assert box[0] >= 0 and box[1] <= state["client"] + 0.5 and box[2] > 200, (path, box)
            charts += 1
        for box in page.locator(".explainer-chart__table").all():
            left, right = box.evaluate("b => { const r = b.getBoundingClientRect(); return [r.left, r.right]; }")
            assert left >= 0 and right <= state["client"] + 0.5, (path, left, right)
    context.close()
    assert charts >= len(channel_pages) - 2


def test_a_wide_table_scrolls_in_its_own_focusable_box(channel_server, browser, channel_chart_pages):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(channel_server + channel_chart_pages[0])
    box = page.locator(".explainer-chart__table").first
    # Make sure this table is wider than the phone, whatever the data.
    box.evaluate("b => b.querySelector('table').style.minWidth = '900px'")
    page.locator("figure.explainer-chart details summary").first.click()
    page.wait_for_function(SCROLLERS_MARKED, timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    page.close()


# ---------------------------------------------------------------- 4. print


@pytest.mark.parametrize("scheme", SCHEMES)
def test_print_shows_static_charts_and_sources_without_chrome(channel_server, browser, channel_chart_pages, scheme):
    page = browser.new_page()
    page.goto(channel_server + channel_chart_pages[0])
    assert go_live(page) > 0  # the live chart has replaced the static one on screen
    set_scheme(page, scheme)
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-footer", ".md-search"):
        for el in page.locator(chrome).all():
            assert not el.is_visible(), chrome
    for fig in page.locator("figure.explainer-chart").all():
        static = fig.locator(".explainer-chart__static svg:visible")
        assert static.is_visible() and static.bounding_box()["width"] > 200
        assert not fig.locator(".explainer-chart__live").is_visible()
        source = fig.locator(".explainer-chart__source")
        assert source.is_visible() and "Source" in source.inner_text()
        link = fig.locator(".explainer-chart__source a[href^='http']").first
        assert "http" in link.evaluate("a => getComputedStyle(a, '::after').content")
        fill = fig.locator(".explainer-chart__static svg:visible .role-axis-label text").first.evaluate("t => getComputedStyle(t).fill")
        assert contrast(fill, "rgb(255, 255, 255)") >= 7, fill  # prints dark on paper in either palette
    assert contrast(page.evaluate("getComputedStyle(document.querySelector('.md-typeset')).color"), "rgb(255, 255, 255)") >= 7
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.close()


# ---------------------------------------------------------------- 5. figure markup

FIGURES = """() => [...document.querySelectorAll('figure.explainer-chart')].map(f => {
    const first = f.firstElementChild, svg = f.querySelector('.explainer-chart__static svg');
    const ids = (svg && svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const live = f.querySelector('.explainer-chart__live svg');
    const liveIds = (live && live.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const table = f.querySelector('details table');
    return {
        id: f.id,
        firstIsCaption: first && first.tagName === 'FIGCAPTION',
        captions: f.querySelectorAll('figcaption').length,
        svgRole: svg && svg.getAttribute('role'),
        labels: ids.map(id => { const el = document.getElementById(id); return el ? el.textContent.trim() : null; }),
        liveRole: live ? live.getAttribute('role') : 'none',
        liveLabels: liveIds.map(id => !!document.getElementById(id)),
        summary: !!f.querySelector('details > summary:first-child'),
        caption: table && table.caption ? table.caption.textContent.trim() : '',
        headers: table ? [...table.querySelectorAll('thead th')].map(th => th.getAttribute('scope')) : [],
        csv: !!f.querySelector('a[download][href$=".csv"]'),
    };
})"""


def test_chart_figures_are_valid_labelled_markup(channel_server, browser, channel_chart_pages):
    page = browser.new_page()
    total = 0
    for path in channel_chart_pages:
        page.goto(channel_server + path)
        go_live(page)
        ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
        for fig in page.evaluate(FIGURES):
            where = (path, fig["id"])
            assert fig["firstIsCaption"] and fig["captions"] == 1, where
            assert fig["svgRole"] == "img" and len(fig["labels"]) == 2 and all(fig["labels"]), where
            assert fig["liveRole"] in ("img", "none") and all(fig["liveLabels"]), where
            assert fig["summary"] and fig["caption"] and fig["headers"] and set(fig["headers"]) == {"col"} and fig["csv"], where
            total += 1
    page.close()
    assert total >= len(channel_chart_pages)

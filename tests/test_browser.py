"""What a reader sees, in a real browser (Debian's Chromium driven by Playwright): charts with
JavaScript off, interactive charts with it on, and no request to any other host."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser


def test_with_javascript_off_every_chart_is_visible(channel_server, browser, channel_pages):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    seen = 0
    for path in channel_pages:
        page.goto(channel_server + path)
        for fig in page.locator("figure.explainer-chart").all():
            box = fig.locator(".explainer-chart__static svg:visible").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 100, path
            fig.locator("summary").click()
            assert fig.locator("table tbody tr").count() > 0
            href = fig.locator("a[download]").get_attribute("href")
            response = page.request.get(channel_server + (path + href if not href.startswith("/") else href))
            assert response.ok and response.text().count("\n") > 1
            seen += 1
    assert seen >= 5
    context.close()


def test_with_javascript_on_charts_become_interactive_without_other_hosts(channel_server, browser, channel_pages):
    context = browser.new_context()
    page = context.new_page()
    hosts, errors = set(), []
    page.on("request", lambda r: hosts.add(urlparse(r.url).hostname))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    live = 0
    for path in channel_pages:
        page.goto(channel_server + path)
        for fig in page.locator("figure.explainer-chart").all():
            fig.scroll_into_view_if_needed()
            fig.hover()  # the reader is active: charts near the viewport go live
            page.wait_for_function("f => f.classList.contains('explainer-chart--live')", arg=fig.element_handle(), timeout=15000)
            assert fig.locator(".explainer-chart__static").is_hidden()
            assert fig.locator(".explainer-chart__live svg").count() == 1
            live += 1
    assert live >= 5
    assert hosts == {"127.0.0.1"}, hosts
    assert errors == []
    context.close()


@pytest.mark.parametrize("path, number", [("/the-statistics/", r"\d,\d{3}"), ("/fr/the-statistics/", "\\d\u00a0\\d{3}")])
def test_tooltip_shows_formatted_value(channel_server, browser, channel_site, path, number):
    """The tooltip shows the number the way the page's language writes it (Vega's locale):
    45,774 in English, 45 774 in French."""
    page = browser.new_page()
    page.goto(channel_server + path)
    fig = page.locator("figure.explainer-chart").first
    fig.scroll_into_view_if_needed()
    fig.hover()
    page.wait_for_function("f => f.classList.contains('explainer-chart--live')", arg=fig.element_handle(), timeout=15000)
    mark = fig.locator(".explainer-chart__live svg g.mark-rect.role-mark path, .explainer-chart__live svg g.mark-symbol.role-mark path").last  # a large value
    mark.hover()
    tip = page.locator(".explainer-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert ":" in tip.inner_text() and re.search(number, tip.inner_text()), tip.inner_text()
    page.close()


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));
"""


def test_strict_csp_without_violations_and_charts_still_interactive(channel_server, browser, channel_pages):
    page = browser.new_page()
    page.add_init_script(CSP_LISTENER)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in channel_pages:
        page.goto(channel_server + path)
        policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
        assert "script-src 'self' 'sha256-" in policy and "style-src 'self'" in policy
        for fig in page.locator("figure.explainer-chart").all():
            fig.scroll_into_view_if_needed()
            fig.hover()  # the reader is active: charts near the viewport go live
            page.wait_for_function("f => f.classList.contains('explainer-chart--live')", arg=fig.element_handle(), timeout=15000)
        page.locator(".md-search__input").click()  # the search worker runs under the policy too
        page.keyboard.type("boats")
        page.wait_for_selector(".md-search-result__item", timeout=10000)
        assert page.evaluate("window.__cspViolations") == [], path
    assert errors == []
    page.close()


def test_vega_is_not_loaded_until_the_reader_acts(channel_server, browser):
    page = browser.new_page()
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(channel_server + "/the-statistics/")
    page.wait_for_load_state("networkidle")
    assert not any(u.endswith("/vega.js") for u in requested), "a page that is only loaded never fetches Vega"
    fig = page.locator("figure.explainer-chart").first
    fig.hover()
    page.wait_for_function("f => f.classList.contains('explainer-chart--live')", arg=fig.element_handle(), timeout=15000)
    assert any(u.endswith("/vega.js") for u in requested)
    page.close()

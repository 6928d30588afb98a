"""A full build of the default explainer: the four sections, every chart's SVG, table and CSV,
a generated sources page, and no page that references another host."""
from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path


SECTIONS = {"the-patrol": "The patrol", "the-diplomacy": "The diplomacy", "the-funding": "The funding", "the-statistics": "The statistics"}


class _Resources(HTMLParser):
    """Collects every URL the browser would fetch on its own (not links a reader may follow)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.figures: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.urls.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "alternate", "next", "prev"):
            self.urls.append(a["href"])
        if tag == "figure" and "explainer-chart" in (a.get("class") or ""):
            self.figures.append(a)
        for key in ("data-spec",):
            if a.get(key):
                self.urls.append(a[key])


def _parse(path: Path) -> _Resources:
    parser = _Resources()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_lede_four_sections_and_sources_page(channel_site):
    site = channel_site / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    for slug, title in SECTIONS.items():
        page = site / slug / "index.html"
        assert page.is_file(), slug
        assert "<h1" in page.read_text(encoding="utf-8")
        assert title in page.read_text(encoding="utf-8")
        assert f'href="{slug}/"' in index, f"navigation links to {slug}"
    assert (site / "sources" / "index.html").is_file()


def test_every_chart_on_a_page_has_svg_caption_table_and_csv(channel_site):
    site = channel_site / "site"
    slugs = set()
    for page in site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<figure class="explainer-chart" id="chart-([a-z0-9_]+)".*?</figure>', html, re.S):
            slug, block = m.group(1), m.group(0)
            slugs.add(slug)
            assert '<svg role="img"' in block and f'id="chart-{slug}-desc"' in block
            label = "Source\u00a0: <a href=" if "fr" in page.relative_to(site).parts[:1] else "Source: <a href="
            assert "<figcaption>" in block and label in block
            rows = re.findall(r"<tr>", block.split("<tbody>")[1])
            csv_href = re.search(r'<a href="([^"]+\.csv)" download', block).group(1)
            csv_file = (page.parent / csv_href).resolve()
            assert csv_file.is_file(), csv_href
            records = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
            assert len(records) == len(rows) > 0
            spec = (page.parent / re.search(r'data-spec="([^"]+)"', block).group(1)).resolve()
            assert json.loads(spec.read_text())["$schema"].endswith("v5.json") or "vega" in json.loads(spec.read_text())["$schema"]
    assert len(slugs) >= 5, slugs


def test_no_page_references_another_host(channel_site):
    site = channel_site / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        for url in _parse(page).urls:
            assert not re.match(r"^(https?:)?//", url), f"{page.relative_to(site)} fetches {url}"
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(([^)]+)\)", css.read_text(encoding="utf-8")):
            assert not re.match(r"^[\"']?(https?:)?//", url), f"{css.relative_to(site)} fetches {url}"
    assert "fonts.googleapis" not in "".join(p.read_text(encoding="utf-8") for p in pages)


def test_chart_specs_and_tables_stay_out_of_the_search_index(channel_site):
    index = json.loads((channel_site / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(d["text"] for d in index["docs"])
    assert "<svg" not in text and "$schema" not in text
    assert "plotted values" not in text  # the data tables' captions
    assert "Download the plotted data" not in text


def test_sources_page_lists_every_source(channel_site):
    html = (channel_site / "site" / "sources" / "index.html").read_text(encoding="utf-8")
    with open(channel_site / "charts" / "data" / "sources.csv", encoding="utf-8") as f:
        ids = [row["id"] for row in csv.DictReader(f)]
    assert ids
    for sid in ids:
        assert f'id="source-{sid}"' in html, sid


def test_every_page_has_link_preview_tags_with_a_chart_png(channel_site):
    import struct

    site = channel_site / "site"
    for page in sorted(site.rglob("index.html")):
        if "assets" in page.parts or "search" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html))
        assert re.search(r'<meta name="description" content="[^"]{40,}"', html), page
        for key in ("og:title", "og:description", "og:image", "og:image:alt", "twitter:card", "twitter:image"):
            assert tags.get(key), f"{page.relative_to(site)} lacks {key}"
        assert tags["twitter:card"] == "summary_large_image"
        png = (page.parent / tags["og:image"]).resolve()
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width >= 1000 and height >= 300, (png.name, width, height)
    # A section's own lead chart is its preview image.
    stats = (site / "the-statistics" / "index.html").read_text(encoding="utf-8")
    first_chart = re.search(r'<figure class="explainer-chart" id="chart-([a-z0-9_]+)"', stats).group(1)
    assert f'content="../assets/charts/{first_chart}.png"' in stats

"""A full build of the default explainer: the four sections, every chart's SVG, table and CSV,
a generated sources page, and no page that references another host."""

from __future__ import annotations

import base64
import csv
import hashlib
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


class _Policy(HTMLParser):
    """A page's Content-Security-Policy meta tags, and the inline scripts the policy must allow:
    those marked data-explainer-csp that run (not JSON data)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.policies: list[str] = []
        self.allowed: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.policies.append(a.get("content") or "")
        runs = (a.get("type") or "text/javascript") in ("text/javascript", "module", "application/javascript")
        if tag == "script" and "src" not in a and "data-explainer-csp" in a and runs:
            self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.allowed.append("".join(self._script))
            self._script = None


def _directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, *sources = part.split()
        assert name not in found, f"directive {name} given twice in {policy!r}"
        found[name] = sources
    return found


def test_every_page_carries_exactly_the_content_security_policy(channel_site):
    """The whole policy of every HTML page, directive by directive: the site's own origin only,
    and in script-src the hashes of the page's marked inline scripts and nothing else. Catches: any
    source added to a directive (`https:` in script-src lets any script on the web run), a
    directive dropped, or a hash for a script that is not the theme's."""
    site = channel_site / "site"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10, pages
    hashed = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        parser = _Policy()
        parser.feed(html)
        rel = page.relative_to(site)
        assert len(parser.policies) == 1, f"{rel}: {len(parser.policies)} policies"
        hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'" for s in parser.allowed})
        hashed += len(hashes)
        assert _directives(parser.policies[0]) == {
            "default-src": ["'self'"],
            "script-src": ["'self'", *hashes],
            "style-src": ["'self'"],
            "img-src": ["'self'", "data:"],  # Material's icons are data: SVGs in its CSS
            "font-src": ["'self'"],
            "connect-src": ["'self'"],
            "worker-src": ["'self'"],
            "object-src": ["'none'"],
            "base-uri": ["'self'"],
            "form-action": ["'self'"],
        }, rel
    assert hashed, "no page has an inline script of the theme's: the script-src check saw no hash"


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
        for m in re.finditer(r'<figure class="explainer-chart"[^>]*? id="chart-([a-z0-9_]+)".*?</figure>', html, re.S):
            slug, block = m.group(1), m.group(0)
            slugs.add(slug)
            assert '<svg role="img"' in block and f'id="chart-{slug}-desc"' in block
            label = "Source\u202f: <a href=" if "fr" in page.relative_to(site).parts[:1] else "Source: <a href="
            assert "<figcaption>" in block and label in block
            rows = re.findall(r"<tr>", block.split("<tbody>")[1])
            link, data_spec = re.search(r'<a download="[^"]+" href="([^"]+\.csv)"', block), re.search(r'data-spec="([^"]+)"', block)
            assert link and data_spec, block
            csv_href = link.group(1)
            csv_file = (page.parent / csv_href).resolve()
            assert csv_file.is_file(), csv_href
            records = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
            assert len(records) == len(rows) > 0
            spec = (page.parent / data_spec.group(1)).resolve()
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


def test_every_page_keeps_the_page_weight_budget(channel_site):
    """≤ 120 KB gzip before any interaction on every page (issue 13): the page, its stylesheets,
    scripts and eager images, measured as `bench/run.py` reports it."""
    from bench.weights import page_weights

    weights = dict(page_weights(channel_site / "site"))
    assert {"/", "/the-statistics/", "/fr/the-statistics/", "/figures/"} <= set(weights), sorted(weights)
    over = {page: f"{size / 1000:.1f} KB" for page, size in weights.items() if size > 120_000}
    assert not over, over


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


def _card_size(png: Path) -> tuple[int, int]:
    import struct

    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_every_page_has_link_preview_tags_and_a_card(channel_site):
    """Without site_url the pages claim no og:image or og:url (Open Graph needs absolute addresses),
    but every page still has its 1200 x 630 card, named in its front matter (its lead chart)."""
    site, docs = channel_site / "site", channel_site / "docs"
    for page in sorted(site.rglob("index.html")):
        if "assets" in page.parts or "search" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html))
        assert re.search(r'<meta name="description" content="[^"]{40,}"', html), page
        for key in ("og:title", "og:description", "twitter:card"):
            assert tags.get(key), f"{page.relative_to(site)} lacks {key}"
        assert "og:image" not in tags and "og:url" not in tags, "no site_url: no relative address passed off as absolute"
    for md in sorted(docs.glob("*.md")):
        image = re.search(r"^image: (\S+)$", md.read_text(encoding="utf-8"), re.M)
        assert image, f"{md.name} names no card image"
        assert _card_size(docs / image.group(1)) == (1200, 630)
    # A section's own lead chart is its card; the cover's is the one its front matter chooses.
    stats = (docs / "the-statistics.md").read_text(encoding="utf-8")
    found = re.search(r'<figure class="explainer-chart"[^>]*? id="chart-([a-z0-9_]+)"', stats)
    assert found
    first_chart = found.group(1)
    assert f"image: assets/charts/{first_chart}.png" in stats
    assert "image: assets/charts/uk_arrivals_by_year.png" in (docs / "index.md").read_text(encoding="utf-8")


def test_link_previews_are_absolute_with_site_url(tmp_path):
    from conftest import FIXTURES, copy_explainer, run_build

    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text() + "site_url: https://example.org/orchard/\n")
    assert run_build(root).returncode == 0
    for rel, url in (("index.html", "https://example.org/orchard/"), ("pears/index.html", "https://example.org/orchard/pears/")):
        html = (root / "site" / rel).read_text(encoding="utf-8")
        tags = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[a-z:_]+)" content="([^"]*)"', html))
        assert tags["og:url"] == url
        assert tags["og:image"] == tags["twitter:image"] == "https://example.org/orchard/assets/charts/harvest_by_year.png"
        assert tags["twitter:card"] == "summary_large_image"
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert _card_size(root / "site" / "assets" / "charts" / "harvest_by_year.png") == (1200, 630)


def test_an_edition_is_previewed_from_its_own_address(tmp_path):
    import subprocess

    from explainer.editions.edition_line import edition_address

    assert edition_address(tmp_path, {"site_url": "https://example.org/x"}, "origin", "2021-10") == "https://example.org/x/2021-10/"
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert edition_address(tmp_path, {}, "origin", "2021-10") is None
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "https://github.com/Owner/channel.git"], check=True)
    assert edition_address(tmp_path, {}, "origin", "2021-10") == "https://owner.github.io/channel/2021-10/"


def test_figures_appendix_has_a_table_per_chapter_in_reading_order(channel_site):
    """Each figure sits under the chapter that quotes it first (the first page in its Where column),
    each chapter's table in a block the browser may leave unlaid while off screen; none twice."""
    from html import unescape

    for prefix in ("", "fr/"):
        html = (channel_site / "site" / prefix / "figures" / "index.html").read_text(encoding="utf-8")
        article = html[html.index('<article class="md-content__inner md-typeset">') : html.index("</article>")]
        sections = re.split(r'<h2 id="[^"]+">', article)[1:]
        assert len(sections) >= 5, prefix
        names: list[str] = []
        for section in sections:
            heading_html = re.sub(r'<a class="headerlink".*?</a>', "", section[: section.index("</h2>")])
            heading = unescape(re.sub(r"<[^>]+>", "", heading_html)).strip()
            assert section.count('<div class="explainer-figures">') == 1 and section.count("<table>") == 1, heading
            for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]:
                names += re.findall(r'<span id="fig-([^"]+)">', row)
                where = re.findall(r"<td>(.*?)</td>", row, re.S)[2]  # Figure, Value, Where, Source
                first = re.search(r"<a [^>]*>(.*?)</a>", where)
                assert (unescape(first.group(1)) if first else None) in (heading, None), (prefix, heading, where)
        assert len(names) == len(set(names)) > 90, prefix


# --- what a chart's table and caption say, checked against the rows it plotted -------------------

FIGURE = re.compile(r'<figure class="explainer-chart" id="chart-([a-z0-9_]+)".*?</figure>', re.S)
LANGUAGE_DOCS = {"en": Path("docs"), "fr": Path(".cache/explainer/docs-fr")}  # where the build writes each language's Markdown


def _figures(docs: Path) -> dict[str, tuple[str, str]]:
    """slug -> (page name, figure block) for every chart in a language's generated Markdown."""
    return {m.group(1): (page.name, m.group(0)) for page in sorted(docs.glob("*.md")) for m in FIGURE.finditer(page.read_text(encoding="utf-8"))}


def _table_rows(block: str) -> list[list[str]]:
    body = block.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.findall(r"<td>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def _reads_as(cell: str, language: str) -> float | None:
    """The number a reader of `language` reads in a table cell: `1,843.50` in English, `1 843,50` in
    French (narrow no-break space); None for a cell that is not a number in that language's style."""
    group, decimal = (",", ".") if language == "en" else ("\u202f", ",")
    pattern = rf"-?\d{{1,3}}(?:{re.escape(group)}\d{{3}})*(?:{re.escape(decimal)}\d+)?|-?\d+(?:{re.escape(decimal)}\d+)?"
    if not re.fullmatch(pattern, cell):
        return None
    return float(cell.replace(group, "").replace(decimal, "."))


def _csv_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def test_table_cells_read_as_the_plotted_values_in_each_language(channel_site):
    """Every number in a chart's data table, read the way a reader of the page's language reads it
    (thousands and decimal separators), equals the plotted value in the chart's CSV (the same rows
    and columns), to the two decimals tables show.

    Catches (issue 18, survivors 1 and 2): French tables formatted with English separators
    (`1,843` reads as 1.843 in French) and table decimals rounded away (`4` for 3.60)."""
    checked = {"en": 0, "fr": 0}
    for language, folder in LANGUAGE_DOCS.items():
        docs = channel_site / folder
        for slug, (page, block) in _figures(docs).items():
            with open(docs / "assets" / "charts" / f"{slug}.csv", encoding="utf-8") as f:
                header, *records = list(csv.reader(f))
            rows = _table_rows(block)
            assert len(rows) == len(records), f"{language} {page} {slug}: {len(rows)} table rows, {len(records)} CSV rows"
            if rows and records and len(rows[0]) == len(records[0]) - 1:  # the Source column left out: it repeated another
                at = header.index("source_id")
                records = [r[:at] + r[at + 1 :] for r in records]
            for row, record in zip(rows, records):
                assert len(row) == len(record), f"{language} {page} {slug}: {row} against {record}"
                for cell, value in zip(row, record):
                    plotted = _csv_number(value)
                    if plotted is None:
                        continue
                    read = _reads_as(cell, language)
                    assert read is not None, f"{language} {page} {slug}: {cell!r} does not read as a number in {language} (plotted: {value})"
                    assert abs(read - plotted) <= 0.005 + 1e-9, f"{language} {page} {slug}: the table says {cell!r}, the chart plotted {value}"
                    checked[language] += 1
    # Both languages have thousands (1,843) and decimals (3.60) to check.
    assert checked["en"] > 50 and checked["fr"] == checked["en"], checked


def test_a_caption_cites_every_source_of_the_plotted_rows(channel_site):
    """A chart's caption counts at least the sources of the rows in its table (the source_id column
    of its CSV), and links a source only where one of those sources has that address or the chart
    drew it in another layer (an annotation). The exact count is checked on a filtered chart in
    test_sources.py::test_a_filtered_charts_caption_cites_only_the_rows_it_plotted."""
    checked = 0
    for language, folder in LANGUAGE_DOCS.items():
        docs = channel_site / folder
        for slug, (page, block) in _figures(docs).items():
            with open(docs / "assets" / "charts" / f"{slug}.csv", encoding="utf-8") as f:
                records = list(csv.DictReader(f))
            if not records or "source_id" not in records[0]:
                continue
            plotted = set(r["source_id"] for r in records)
            source = re.search(r'<p class="explainer-chart__source" markdown="span">(.*?)</p>', block, re.S)
            assert source, f"{language} {page} {slug}: no source line"
            cited = source.group(1).split("[Sources", 1)[0]  # before "[Sources and methods]", "[Sources et méthodes]"
            more = re.search(r"\[(?:and|et) (\d+) (?:more|autres?)\]", cited)
            items = [i for i in re.split(r";\s", cited) if i.strip()]
            count = len(items) - 1 + int(more.group(1)) if more else len(items)
            assert count >= len(plotted), f"{language} {page} {slug}: the caption cites {count} sources, the table's rows have {len(plotted)}: {cited}"
            checked += 1
    assert checked >= 10, checked

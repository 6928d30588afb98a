"""Issue 16: chart embeds per edition, the changes page between editions and the feed of editions.

One module-scoped repository (the orchard, in English and French, with a site_url) publishes
edition A, then changes a figure (the 2022 apple count, which also changes a chart's row), adds a
section and a correction note, and publishes edition B, each to a bare remote with real git and
mike. The published gh-pages tree is then served on 127.0.0.1 and read in Chromium: embed pages in
an iframe of a blank host page on another origin, JavaScript off and on, at 360 and 1280 px;
axe-core and the Content-Security-Policy on the new pages.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import tarfile
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest

from conftest import FIXTURES, copy_explainer, run_build, serve_folder
from test_languages import add_french
from test_publish import Repo
from test_reader import run_axe
from test_valid_html import errors, nu_check

A, B = "2021-10", "2022-01"
SITE_URL = "https://example.org/orchard/"
SLUG = "harvest_by_year"
ATOM = "{http://www.w3.org/2005/Atom}"
CORRECTIONS = """\
- edition: 2022-01
  date: 2022-01-10
  note: The 2022 apple count was revised after a recount <script>alert(1)</script> [x](javascript:alert(1)).
  fr: Le décompte des pommes de 2022 a été révisé après un recomptage.
"""


def _group(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of a pattern that must match (a failed assert, not an AttributeError, if not)."""
    match = re.search(pattern, text, flags)
    assert match, f"{pattern!r} not found"
    return match.group(1)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    r = Repo(tmp_path_factory.mktemp("editions"))
    add_french(r.root)
    config = r.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + f"site_url: {SITE_URL}\n", encoding="utf-8")
    r.commit("In French too, with its address", ".")
    first = r.publish(A, "--alias", "latest", "--push")
    assert first.returncode == 0, first.stderr
    r.a_files = r.blobs(A)
    r.set_harvest(2022, "apple", 15400)  # a figure (apples_2022) and a row of the chart
    for folder, title, text in (("content", "Plums", "We planted plums."), ("content/fr", "Prunes", "Nous avons planté des pruniers.")):
        (r.root / folder / "02-plums.md").write_text(f"---\ntitle: {title}\n---\n{text}\n", encoding="utf-8")
    (r.root / "content" / "corrections.yml").write_text(CORRECTIONS, encoding="utf-8")
    r.commit("A recount, plums, a correction note", ".")
    second = r.publish(B, "--alias", "latest", "--push")
    assert second.returncode == 0, second.stderr
    return r


@pytest.fixture(scope="module")
def published(repo, tmp_path_factory) -> Path:
    """The remote's gh-pages as GitHub Pages would serve it (the `latest` link included)."""
    out = tmp_path_factory.mktemp("pages")
    archive = out / "pages.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(archive), "gh-pages"], cwd=repo.bare, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(out / "site", filter="tar")
    return out / "site"


def _article(html: str) -> str:
    return _group(r'<article class="md-content__inner md-typeset">(.*?)</article>', html, re.S)


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _section(article: str, heading_id: str) -> str:
    """The HTML under one h2 of the changes page, up to the next h2."""
    return _group(rf'<h2 id="{heading_id}">.*?</h2>(.*?)(?=<h2|$)', article, re.S)


# ---------------------------------------------------------------- embed pages and oEmbed


@pytest.mark.parametrize("edition", [A, B])
@pytest.mark.parametrize("prefix", ["", "fr/"])
def test_every_chart_has_an_embed_page_and_oembed_in_both_editions(repo, edition, prefix):
    page = repo.show(f"{edition}/{prefix}embed/{SLUG}/index.html")
    here = f"{SITE_URL}{edition}/{prefix}embed/{SLUG}/"
    assert f'<html lang="{prefix[:2] or "en"}">' in page
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'self\';', page)
    assert "unsafe-inline" not in page and "unsafe-eval" not in page
    assert '<svg role="img"' in page and 'class="md-header' not in page and "md-nav" not in page  # the chart, no navigation
    assert "explainer-chart__data" not in page  # no data table: the height is the chart's
    assert re.search(r'<a href="\.\./\.\./pears/#chart-harvest_by_year"', page)  # back to its section
    assert re.search(r"<p class=\"explainer-chart__source\">Source\W+<a href=\"https://example.org/logbook\">", page)
    assert f'<link rel="alternate" type="application/json+oembed" href="{here}oembed.json"' in page
    oembed = json.loads(repo.show(f"{edition}/{prefix}embed/{SLUG}/oembed.json"))
    assert oembed["type"] == "rich" and oembed["version"] == "1.0"
    assert f'src="{here}"' in oembed["html"] and f'height="{oembed["height"]}"' in oembed["html"]


def test_older_edition_with_its_embeds_is_byte_identical_after_the_next(repo):
    assert f"{A}/embed/{SLUG}/index.html" in repo.a_files and f"{A}/fr/embed/{SLUG}/oembed.json" in repo.a_files
    assert repo.blobs(A) == repo.a_files


@pytest.mark.parametrize("prefix", ["", "fr/"])
def test_embed_control_under_each_chart_gives_this_edition_and_latest(repo, prefix):
    page = repo.show(f"{B}/{prefix}pears/index.html")
    control = _group(r'</figure><details class="explainer-embed">(.*?)</details>', page, re.S)
    codes = [unescape(c) for c in re.findall(r"<textarea[^>]*>(.*?)</textarea>", control, re.S)]
    assert [_group(r'src="([^"]+)"', c) for c in codes] == [f"{SITE_URL}{B}/{prefix}embed/{SLUG}/", f"{SITE_URL}latest/{prefix}embed/{SLUG}/"]
    assert all(re.fullmatch(r'<iframe src="[^"]+" title="[^"]+" width="100%" height="\d+" style="border:0" loading="lazy"></iframe>', c) for c in codes)
    assert control.count("<label for=") == 2


# ---------------------------------------------------------------- the changes page


def test_first_edition_says_it_is_the_first(repo):
    assert "This is the first edition" in _text(_article(repo.show(f"{A}/changes/index.html")))
    assert "C’est la première édition" in _text(_article(repo.show(f"{A}/fr/changes/index.html")))


@pytest.mark.parametrize(
    "prefix, figure, row, section, note",
    [
        ("", "15,250 → 15,400", "Year: 2022, Fruit: apple, Picked: 15,250 → 15,400", "Added: Plums", "revised after a recount"),
        ("fr/", "15 250 → 15 400", "Année: 2022, Fruit: apple, Cueillis: 15 250 → 15 400", "Ajoutée : Prunes", "révisé après un recomptage"),
    ],
)
def test_changes_page_lists_exactly_what_changed(repo, prefix, figure, row, section, note):
    article = _article(repo.show(f"{B}/{prefix}changes/index.html"))
    ids = re.findall(r'<h2 id="([^"]+)"', article)
    assert len(ids) == 4  # figures, charts, sections, corrections
    figures, charts, sections, corrections = (_section(article, i) for i in ids)
    items = re.findall(r"<li>(.*?)(?:<ul>|</li>)", figures, re.S)
    assert [_text(i) for i in items if "→" in i] == [figure]  # only apples_2022: pears_total did not change
    assert "15,400" in _text(figures).replace("\u202f", " ").replace("\u00a0", " ").replace(" 400", ",400")  # the sentence quoting it
    assert [_text(li) for li in re.findall(r"<li>(.*?)</li>", charts, re.S)] == [row]
    assert [_text(li) for li in re.findall(r"<li>(.*?)</li>", sections, re.S)] == [section]
    assert note in _text(corrections)
    assert "<script>" not in corrections and "javascript:" not in re.sub(r"&[^;]+;|\(javascript", "", corrections.split("href=")[0])
    assert not re.search(r'href="javascript:', corrections)


def test_edition_line_links_to_the_changes_page(repo):
    assert re.search(r'<a href="\.\./changes/">what changed</a>', repo.show(f"{B}/pears/index.html"))
    assert re.search(r'<a href="changes/">ce qui a changé</a>', repo.show(f"{B}/fr/index.html"))


# ---------------------------------------------------------------- the feed


FEED_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)" title="([^"]+)">')


def _pages(published: Path, edition: str) -> list[Path]:
    """Every page MkDocs wrote for an edition, in every language (embed pages are frames for other
    sites, outside the site's pages)."""
    return [p for p in sorted((published / edition).rglob("*.html")) if "embed" not in p.relative_to(published / edition).parts]


@pytest.mark.parametrize("edition", [A, B])
def test_every_page_of_an_edition_announces_its_feed_in_its_language(published, edition):
    pages = _pages(published, edition)
    assert len(pages) >= 12, pages  # home, section, sources, figures, changes and 404, in two languages
    for page in pages:
        rel = page.relative_to(published).as_posix()
        links = FEED_LINK.findall(page.read_text(encoding="utf-8"))
        assert len(links) == 1, rel
        href, title = links[0]
        if not rel.endswith("404.html"):  # 404 is served at any depth: MkDocs gives it absolute addresses
            assert urljoin(f"{SITE_URL}{rel}", unescape(href)) == f"{SITE_URL}{edition}/feed.xml", rel
        french = rel.startswith(f"{edition}/fr/")
        assert unescape(title) == ("Le verger\u202f: éditions" if french else "The orchard: editions"), rel
    assert (published / edition / "feed.xml").is_file()


def test_changes_page_switcher_leads_to_the_changes_page_in_the_other_language(repo):
    for prefix, expected in (("", {"en": "./", "fr": "../fr/changes/"}), ("fr/", {"en": "../../changes/", "fr": "./"})):
        html = repo.show(f"{B}/{prefix}changes/index.html")
        switcher = dict((lang, href) for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(en|fr)"[^>]*class="md-select__link"', html))
        here = f"{SITE_URL}{B}/{prefix}changes/"
        assert {lang: urljoin(here, href) for lang, href in switcher.items()} == {
            "en": f"{SITE_URL}{B}/changes/",
            "fr": f"{SITE_URL}{B}/fr/changes/",
        }, switcher


@pytest.mark.parametrize("prefix", ["", "fr/"])
def test_sitemap_alternates_are_the_editions_addresses(repo, published, prefix):
    sitemap = repo.show(f"{B}/{prefix}sitemap.xml")
    entries = dict(re.findall(r"<url>\s*<loc>([^<]+)</loc>(.*?)</url>", sitemap, re.S))
    assert f"{SITE_URL}{B}/{prefix}pears/" in entries and f"{SITE_URL}{B}/{prefix}changes/" in entries, list(entries)
    for loc, entry in entries.items():
        alternates = dict(re.findall(r'<xhtml:link rel="alternate" hreflang="(en|fr)" href="([^"]+)"/>', entry))
        assert set(alternates) == {"en", "fr"}, loc
        for lang, href in alternates.items():
            assert href.startswith(f"{SITE_URL}{B}/"), (loc, href)  # the edition's address, not the site root's
            assert (published / href[len(SITE_URL) :] / "index.html").is_file(), href
    for page in ("pears/", "changes/"):
        alternates = dict(re.findall(r'hreflang="(en|fr)" href="([^"]+)"', entries[f"{SITE_URL}{B}/{prefix}{page}"]))
        assert alternates == {"en": f"{SITE_URL}{B}/{page}", "fr": f"{SITE_URL}{B}/fr/{page}"}


def test_feed_of_editions_is_atom_with_dates_from_git(repo):
    feed = ET.fromstring(repo.show(f"{B}/feed.xml"))
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):  # RFC 4287 4.1.1: required of a feed
        assert (feed.findtext(f"{ATOM}{tag}") or "").strip(), tag
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [f"Edition {B}", f"Edition {A}"]
    for e, name in zip(entries, (B, A)):
        for tag in ("id", "title", "updated"):
            assert (e.findtext(f"{ATOM}{tag}") or "").strip(), tag
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e.findtext(f"{ATOM}updated") or "")
        link = e.find(f"{ATOM}link")
        assert link is not None and link.get("href") == f"{SITE_URL}{name}/changes/"
        assert "data to 2022" in (e.findtext(f"{ATOM}summary") or "")
    commit_b = json.loads(repo.show(f"{B}/explainer-edition.json"))["commit"]
    when = subprocess.run(["git", "log", "-1", "--format=%cI", commit_b], cwd=repo.root, capture_output=True, text=True).stdout.strip()
    assert entries[0].findtext(f"{ATOM}updated") == when.replace("+00:00", "Z")  # the commit's date, not the clock
    assert feed.findtext(f"{ATOM}updated") == entries[0].findtext(f"{ATOM}updated")


# ---------------------------------------------------------------- in Chromium

HOST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0"><main><p>An article on another site.</p>{code}</main></body></html>"""


@pytest.mark.parametrize("prefix", ["", "fr/"])
@pytest.mark.parametrize("width", [360, 1280])
def test_iframe_on_a_blank_host_shows_the_chart_with_javascript_off(repo, published, browser, tmp_path, prefix, width):
    page_html = repo.show(f"{B}/{prefix}pears/index.html")
    codes = [unescape(c) for c in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page_html, re.S)]
    with serve_folder(published) as site, serve_folder(tmp_path) as host:
        for code in codes:  # this edition's and latest's
            (tmp_path / "index.html").write_text(HOST.format(code=code.replace(SITE_URL, site + "/")), encoding="utf-8")
            height = int(_group(r'height="(\d+)"', code))
            context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 900})
            requests: list[str] = []
            context.on("request", lambda r: requests.append(r.url))
            page = context.new_page()
            page.goto(host + "/")
            frame = page.frame_locator("iframe")
            shown = "narrow" if width < 520 else "wide"
            svg = frame.locator(f".explainer-chart__{shown} svg")
            svg.wait_for(state="visible")
            box = svg.bounding_box()
            frame_box = page.locator("iframe").bounding_box()
            assert box["width"] > 250 and box["height"] > 150, box
            assert frame_box["height"] == height
            inner = page.frames[1]
            assert inner.evaluate("document.documentElement.scrollHeight") <= height, "the chart is cut off: the frame is too low"
            assert inner.evaluate("document.documentElement.scrollWidth") <= inner.evaluate("innerWidth")
            assert not [u for u in requests if not u.startswith(("http://127.0.0.1:", "data:"))]
            context.close()


EMBED_CHECK = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"""


@pytest.mark.parametrize("path", [f"{B}/embed/{SLUG}/", f"{B}/fr/embed/{SLUG}/", f"{B}/changes/", f"{B}/fr/changes/", f"latest/embed/{SLUG}/"])
def test_new_pages_pass_axe_and_csp_and_charts_go_live(published, browser, path):
    with serve_folder(published) as site:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(EMBED_CHECK)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{site}/{path}")
        if "/embed/" in path:
            page.mouse.move(200, 200)  # the reader is active: the chart goes live
            page.locator("figure.explainer-chart--live").wait_for(timeout=30_000)
        assert run_axe(page) == [], path
        assert page.evaluate("window.__cspViolations") == [], path
        assert not errors, errors
        context.close()


def test_new_pages_and_pages_with_the_embed_control_are_valid_html(published):
    pages = [published / B / prefix / path / "index.html" for prefix in ("", "fr") for path in (f"embed/{SLUG}", "changes", "pears", "")]
    found = errors(nu_check(pages), published)
    assert not found, f"{len(found)} HTML error(s):\n" + "\n".join(found)


def test_new_pages_keep_the_page_weight_budget(published):
    """Embed and changes pages, like every page, send ≤ 120 KB gzip before any interaction
    (the page, its stylesheets and scripts, eager images: `bench/run.py`'s page_weights)."""
    from bench.weights import page_weights

    html_only = {f"/{p.parent.relative_to(published / B)}/": len(gzip.compress(p.read_bytes(), mtime=0)) for p in (published / B).rglob("index.html")}
    weights = dict(page_weights(published / B))
    new_pages = [f"/{prefix}{path}/" for prefix in ("", "fr/") for path in (f"embed/{SLUG}", "changes")]
    for path in new_pages:
        assert path in weights, sorted(weights)
        assert weights[path] <= 120_000, f"{path}: {weights[path] / 1000:.1f} KB gzip before any interaction"
        assert weights[path] > html_only[path], f"{path}: its stylesheets and scripts were not found"


# ---------------------------------------------------------------- correction notes are data


def test_broken_correction_notes_are_located_and_all_reported(tmp_path):
    from explainer.common.problems import Problems
    from explainer.editions.changes import read_corrections

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "corrections.yml").write_text(
        "- edition: 2022-01\n  date: 2022-01-10\n  note: Fine.\n"
        "- edition: October\n  date: soon\n  note: Bad edition and date.\n"
        "- edition: 2022-01\n  date: 2022-01-11\n  note: {a: 1}\n  onclick: x\n",
        encoding="utf-8",
    )
    with pytest.raises(Problems) as raised:
        read_corrections(tmp_path)
    said = [str(p) for p in raised.value.problems]
    hint = "(each entry: - {edition: 2022-01, date: 2022-01-10, note: What was corrected.} with the note in other languages under their code (fr: ...))"
    assert said == [
        "content/corrections.yml:4:3: correction's date 'soon' is not a date (write it YYYY-MM-DD)",
        f"content/corrections.yml:4:3: correction's edition 'October' is not an edition name {hint}",
        f"content/corrections.yml:7:3: a correction has no key onclick {hint}",
        f"content/corrections.yml:7:3: a correction's note must be text {hint}",
    ], said
    (tmp_path / "content" / "corrections.yml").write_text("- edition: 2022-01\n  date: 2022-01-10\n  note: Fine.\n", encoding="utf-8")
    assert read_corrections(tmp_path) == [{"edition": "2022-01", "date": "2022-01-10", "notes": {"note": "Fine."}}]


def test_check_reports_broken_correction_notes_with_their_line(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    (root / "content" / "corrections.yml").write_text("- edition: 2022-01\n  date: 2022-01-10\n  note: Fine.\n- [a list]\n", encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 1
    assert "content/corrections.yml:4:3: a correction must be a mapping with edition, date and note" in result.stderr

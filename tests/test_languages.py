"""Languages: the explainer in English and French. Each language has its own pages, search and
lang attribute; the switcher leads to the same section; figures, tables and charts are formatted
the language's way from Babel's and Vega's locale data; check reports a missing section."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import yaml

from conftest import FIXTURES, REPO, copy_built, copy_explainer, run_build
from explainer.figures import format_value

SECTIONS = sorted(p.name for p in (REPO / "content").glob("*.md"))


def _url(name: str) -> str:
    stem = re.sub(r"^\d+[-_]", "", name)[:-3]
    return "" if stem == "index" else f"{stem}/"


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def _chart_module(slug: str):
    spec = importlib.util.spec_from_file_location(f"_test_{slug}", REPO / "charts" / f"{slug}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_section_exists_in_both_languages_with_its_lang(channel_site):
    site = channel_site / "site"
    assert sorted(p.name for p in (REPO / "content" / "fr").glob("*.md")) == SECTIONS
    for name in SECTIONS + ["sources.md", "figures.md"]:
        english, french = _page(site, _url(name)), _page(site, "fr/" + _url(name))
        assert re.search(r'<html lang="en"', english), name
        assert re.search(r'<html lang="fr"', french), name
        assert re.search(r"<title>[^<]*Traverser la Manche</title>", french), name


def test_switcher_and_hreflang_lead_to_the_same_section(channel_site):
    site = channel_site / "site"
    for name in SECTIONS + ["sources.md", "figures.md"]:
        for prefix in ("", "fr/"):
            page = site / prefix / _url(name) / "index.html"
            html = page.read_text(encoding="utf-8")
            switcher = dict(re.findall(r'<a href="([^"]+)" hreflang="(en|fr)"[^>]*class="md-select__link"', html))
            links = {lang: href for href, lang in switcher.items()}
            assert set(links) == {"en", "fr"}, (page, links)
            # Material's script fetches sitemap.xml beside every <link rel=alternate>: none that would 404
            assert not re.search(r'<link rel="alternate" href="[^"]*/the-[^"]*" hreflang', html), page
            for lang, href in links.items():
                target = (page.parent / href).resolve() / "index.html"
                expected = (site / ("" if lang == "en" else "fr/") / _url(name) / "index.html").resolve()
                assert target == expected, (page, lang, href)
            assert re.search(rf'hreflang="{"fr" if prefix else "en"}"[^>]*aria-current="true"', html), page


def test_figures_are_formatted_per_language(channel_site):
    """One number from the data, in each language's own format (Babel): 15,400 / 15 400."""
    figures = yaml.safe_load((REPO / "charts" / "figures.yml").read_text(encoding="utf-8"))
    name = "fr_attempts_2021_jan_aug"
    assert name in figures and "{{ fig.%s }}" % name in (REPO / "content" / "fr" / "01-the-patrol.md").read_text(encoding="utf-8")
    import csv

    rows = list(csv.DictReader((REPO / "charts" / "data" / f"{figures[name]['resource']}.csv").open(encoding="utf-8")))
    match = [r for r in rows if all(str(r[k]) == str(v) for k, v in figures[name]["where"].items())]
    value = float(match[0][figures[name]["field"]])
    english, french = format_value(value, "number", locale="en_GB"), format_value(value, "number", locale="fr_FR")
    assert "," in english and "\u202f" in french  # thousands: a comma; a narrow no-break space
    site = channel_site / "site"
    assert english in _page(site, "the-patrol/") and english not in _page(site, "fr/the-patrol/")
    assert french in _page(site, "fr/the-patrol/") and french not in _page(site, "the-patrol/")


def test_charts_speak_french_on_french_pages(channel_site):
    """Title, description, axis titles and number format of a chart, in the static SVG and in the
    spec the browser draws (its Vega locale)."""
    slug = "uk_arrivals_by_year"
    words = _chart_module(slug).TEXT["fr"]
    site = channel_site / "site"
    english, french = _page(site, "the-statistics/"), _page(site, "fr/the-statistics/")
    assert f'id="chart-{slug}"' in english and f'id="chart-{slug}"' in french
    found_fr = re.search(rf'<figure[^>]*id="chart-{slug}".*?</figure>', french, re.S)
    found_en = re.search(rf'<figure[^>]*id="chart-{slug}".*?</figure>', english, re.S)
    assert found_fr and found_en
    svg_fr, svg_en = found_fr.group(0), found_en.group(0)
    assert words["title"] in svg_fr and words["Year"] in svg_fr
    assert words["title"] not in svg_en
    # axis labels: 40,000 in English, 40 000 (no-break space, d3's fr-FR locale) in French
    assert re.search(r">\d{1,3},000<", svg_en) and re.search(r">\d{1,3}\u00a0000<", svg_fr)
    # dates and numbers written into labels by chart code: t.date() and t.number(), from Babel
    from datetime import date

    from babel.dates import format_date

    record = date(2021, 8, 21)
    assert f">{format_date(record, 'd MMM y', locale='fr_FR')}<" in french and f">{format_date(record, 'd MMM y', locale='en_GB')}<" in english
    spec = json.loads((site / "fr" / "assets" / "charts" / f"{slug}.vg.json").read_text(encoding="utf-8"))
    assert spec["usermeta"]["locale"]["number"]["decimal"] == ","
    assert "août" in spec["usermeta"]["locale"]["time"]["months"]
    assert json.loads((site / "assets" / "charts" / f"{slug}.vg.json").read_text(encoding="utf-8"))["usermeta"]["locale"]["number"]["decimal"] == "."


def test_each_language_has_its_own_search(channel_site):
    site = channel_site / "site"
    english = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    french = json.loads((site / "fr" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert english["config"]["lang"] == ["en"] and french["config"]["lang"] == ["fr"]
    assert any("patrouille" in d["text"].lower() for d in french["docs"])
    assert not any("patrouille" in d["text"].lower() for d in english["docs"])
    assert not any(d["location"].startswith("fr/") for d in english["docs"])


def test_sources_page_is_translated_beside_the_data(channel_site):
    package = json.loads((REPO / "charts" / "data" / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "uk_arrivals_by_year")
    french_title = resource["translations"]["fr"]["title"]
    page = _page(channel_site / "site", "fr/sources/")
    assert french_title in page and "Sources et méthodes" in page


# --- a small bilingual explainer: what editors see ------------------------------------------

FR_INDEX = """---
title: Le verger
description: Un petit dossier pour tester le générateur.
---
Nous avons cueilli {{ fig.apples_2022 }} pommes en 2022 ({{ fig.apples_2022.source }}). Lire la page sur les [poires](pears.md).
"""
FR_PEARS = """---
title: Poires
---
Au total, {{ fig.pears_total }} poires ont été cueillies.

{{ chart("harvest_by_year") }}
"""
CHART = '''"""Harvest per year

Apples far outnumber pears every year; the apple harvest jumped in 2022.
"""
import altair as alt

TEXT = {
    "fr": {
        "title": "Récolte par année",
        "description": "Les pommes dépassent de loin les poires chaque année.",
        "Year": "Année",
        "Fruit picked": "Fruits cueillis",
        "Fruit": "Fruit",
        "Picked": "Cueillis",
    },
}


def chart(data, t):
    return alt.Chart(data["harvest"]).mark_bar().encode(
        x=alt.X("year:O", title=t("Year")),
        y=alt.Y("sum(count):Q", title=t("Fruit picked")),
        color=alt.Color("fruit:N", title=t("Fruit")),
        tooltip=[alt.Tooltip("year:O", title=t("Year")), alt.Tooltip("sum(count):Q", title=t("Picked"), format=",")],
    ).properties(width=400, height=200)
'''


def _bilingual(tmp_path) -> Path:
    """The orchard with its French edition, not built: for the cold build and diff's git history.
    The other tests copy conftest's `bilingual_built` (site/ and both languages' charts cached)."""
    return add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))


def add_french(root: Path) -> Path:
    """The orchard explainer, with a French edition of both its sections and its chart."""
    (root / "mkdocs.yml").write_text("site_name: The orchard\nlanguages:\n  fr:\n    site_name: Le verger\n", encoding="utf-8")
    (root / "content" / "fr").mkdir()
    (root / "content" / "fr" / "index.md").write_text(FR_INDEX, encoding="utf-8")
    (root / "content" / "fr" / "01-pears.md").write_text(FR_PEARS, encoding="utf-8")
    (root / "charts" / "harvest_by_year.py").write_text(CHART, encoding="utf-8")
    return root


def test_bilingual_explainer_builds_cleanly(tmp_path):
    root = _bilingual(tmp_path)
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    assert "Built 8 pages" in result.stdout  # index, pears, sources, figures: in each language, result.stdout
    pears = (root / "site" / "fr" / "pears" / "index.html").read_text(encoding="utf-8")
    assert "Fruits cueillis" in pears and "Récolte par année" in pears and "Poires" in pears


def test_sitemap_gives_each_page_its_translations(tmp_path, bilingual_built):
    root = copy_built(bilingual_built, tmp_path / "orchard")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://example.org/orchard/\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    for sitemap, here in (
        (root / "site" / "sitemap.xml", "https://example.org/orchard/pears/"),
        (root / "site" / "fr" / "sitemap.xml", "https://example.org/orchard/fr/pears/"),
    ):
        found = re.search(rf"<url>\s*<loc>{re.escape(here)}</loc>.*?</url>", sitemap.read_text(encoding="utf-8"), re.S)
        assert found, here
        entry = found.group(0)
        assert '<xhtml:link rel="alternate" hreflang="en" href="https://example.org/orchard/pears/"/>' in entry
        assert '<xhtml:link rel="alternate" hreflang="fr" href="https://example.org/orchard/fr/pears/"/>' in entry


def test_check_reports_a_section_missing_in_one_language(tmp_path, bilingual_built):
    root = copy_built(bilingual_built, tmp_path / "orchard")
    (root / "content" / "fr" / "01-pears.md").unlink()
    index = root / "content" / "fr" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(" Lire la page sur les [poires](pears.md).", ""), encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 0, result.stderr
    assert (
        'content/fr: warning: section "pears.md" of content/ has no French version (add it to content/fr/ under the '
        "same file name; until then the language switcher leads to the French home page)"
    ) in result.stderr.splitlines()
    assert run_build(root, "check", "--strict").returncode == 1
    built = run_build(root)
    assert built.returncode == 0, built.stderr
    pears = (root / "site" / "pears" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="\.\./fr/" hreflang="fr"', pears)  # the French home page, not a missing page


def test_missing_chart_word_is_reported_at_its_line(tmp_path, bilingual_built):
    root = copy_built(bilingual_built, tmp_path / "orchard")
    path = root / "charts" / "harvest_by_year.py"
    path.write_text(path.read_text(encoding="utf-8").replace('        "Fruit picked": "Fruits cueillis",\n', ""), encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 0, result.stderr
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if 't("Fruit picked")' in text)
    assert (
        f'charts/harvest_by_year.py:{line}: warning: no French text for "Fruit picked" (add "Fruit picked": "…" to TEXT["fr"] in this file)'
    ) in result.stderr.splitlines()


def test_bad_language_settings_are_errors(tmp_path, bilingual_built):
    root = copy_built(bilingual_built, tmp_path / "orchard")
    (root / "mkdocs.yml").write_text("site_name: The orchard\nlanguages:\n  fr:\n    nav: []\n  de: {}\n  zz9: {}\n", encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert (
        "mkdocs.yml: languages.fr: only copyright, site_description, site_name can be set per language (everything else in mkdocs.yml applies to every language)"
        in lines
    )
    assert "mkdocs.yml: languages.de: no folder content/de/ for its sections (create content/de/ with the sections, named as in content/)" in lines
    assert any(l.startswith('mkdocs.yml: languages: "zz9" is not a language code') for l in lines)


def test_editing_one_language_rebuilds_only_its_site(tmp_path):
    """The French site is rebuilt only when something it is built from changed; either way the
    new site/ carries it, current."""
    root = _bilingual(tmp_path)
    assert run_build(root).returncode == 0
    french = root / ".cache" / "explainer" / "site-fr"
    before = french.stat().st_ino  # a rebuild swaps in a new folder
    english = root / "content" / "01-pears.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nA new English sentence.\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert french.stat().st_ino == before
    assert "A new English sentence." in (root / "site" / "pears" / "index.html").read_text(encoding="utf-8")
    assert "Fruits cueillis" in (root / "site" / "fr" / "pears" / "index.html").read_text(encoding="utf-8")
    page = root / "content" / "fr" / "01-pears.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne nouvelle phrase.\n", encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert french.stat().st_ino != before
    assert "Une nouvelle phrase." in (root / "site" / "fr" / "pears" / "index.html").read_text(encoding="utf-8")
    assert "Une nouvelle phrase." in (root / "docs" / "fr" / "pears" / "index.html").read_text(encoding="utf-8")  # for mike


def test_numbers_typed_the_french_way_are_found(tmp_path, bilingual_built):
    """A number the data holds, typed into French prose as French writes it (15 250 with a space,
    no-break or narrow no-break space), is reported like its English form; dates, units and
    ordinals are not."""
    root = copy_built(bilingual_built, tmp_path / "orchard")
    page = root / "content" / "fr" / "index.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + "\nEn 2022, 15 250 pommes, puis 15\u202f250 et 15\u00a0250 ; le 1er mars, 1\u202f350 km.\n", encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 0, result.stderr
    line = len(text.splitlines()) + 2
    warnings = [l for l in result.stderr.splitlines() if "is typed in" in l]
    assert warnings == [
        f"content/fr/index.md:{line}:{col}: warning: number {number} is typed in, but the data holds it (use {{{{ fig.apples_2022 }}}})"
        for col, number in ((10, "15 250"), (30, "15\u202f250"), (40, "15\u00a0250"))
    ], warnings


def test_an_undeclared_language_folder_is_reported(tmp_path, bilingual_built):
    root = copy_built(bilingual_built, tmp_path / "orchard")
    (root / "mkdocs.yml").write_text("site_name: The orchard\n", encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 0, result.stderr
    assert (
        "content/fr: warning: content/fr/ holds sections, but no language 'fr' is declared: they are not built "
        "(add it to mkdocs.yml: languages: {fr: {site_name: ...}})"
    ) in result.stderr.splitlines()


def test_diff_quotes_every_language(tmp_path):
    """`build.py diff` shows the sentences that quote a changed figure in each language, and the
    pages that changed in each."""
    import os
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.org"}
    root = _bilingual(tmp_path)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "first"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)
    csv = root / "charts" / "data" / "harvest.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("2022,apple,15250", "2022,apple,15300"), encoding="utf-8")
    result = run_build(root, "diff", "HEAD")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    figure = [line for line in lines if line.startswith("- `apples_2022`: 15,250 → 15,300")]
    assert figure and "`fr/index.md`" in figure[0] and "`index.md`" in figure[0], lines
    # the French sentence as French readers read it, old -> new
    assert any(line.startswith("- `fr/index.md`:") and "15 250" in line and "15 300" in line for line in lines), lines
    assert "- `fr/pears.md`" in lines and "- `pears.md`" in lines


def test_bilingual_site_is_reproducible_and_a_rebuild_rewrites_nothing(tmp_path, bilingual_built):
    import shutil

    from conftest import tree_hashes

    root = copy_built(bilingual_built, tmp_path / "orchard")
    assert run_build(root).returncode == 0
    first = tree_hashes(root / "site")
    assert any(name.startswith("fr/") for name in first)
    docs_before = {p: p.stat().st_mtime_ns for p in (root / "docs").rglob("*") if p.is_file()}
    again = run_build(root, full=True)
    assert again.returncode == 0, again.stderr
    assert tree_hashes(root / "site") == first and "0 files changed in docs/" in again.stdout
    assert {p: p.stat().st_mtime_ns for p in (root / "docs").rglob("*") if p.is_file()} == docs_before
    for name in ("site", "docs", ".cache"):  # from nothing: the same bytes
        shutil.rmtree(root / name)
    assert run_build(root).returncode == 0
    assert tree_hashes(root / "site") == first

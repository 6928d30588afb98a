"""Sources without an address of their own, copies they were read through ("read via"),
publisher names translated beside the data, and figures computed from other figures."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES, copy_explainer, run_build
from explainer.figures import format_value
from test_languages import add_french

COPY = "https://copy.example.net/logbook"


def _orchard(tmp_path: Path) -> Path:
    """The orchard explainer whose logbook has no address of its own and was read through a copy."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    pkg = root / "charts" / "data" / "datapackage.json"
    descriptor = json.loads(pkg.read_text(encoding="utf-8"))
    sources = next(r for r in descriptor["resources"] if r["name"] == "sources")
    fields = sources["schema"]["fields"]
    next(f for f in fields if f["name"] == "url").pop("constraints", None)
    fields.insert(5, {"name": "read_via", "type": "string"})
    sources["translations"] = {"fr": {"values": {"publisher": {"The orchard keeper": "Le gardien du verger"}}}}
    pkg.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
    (root / "charts" / "data" / "sources.csv").write_text(
        "id,title,publisher,date,url,read_via,excerpt\n"
        f'logbook,Orchard logbook,The orchard keeper,2023-01,,{COPY},"Apples: 1,200 in 2020"\n'
        'logbook_revised,"Logbook, revised edition",The orchard keeper,2023-06,https://example.org/logbook-revised,,Pears 2021: 312\n',
        encoding="utf-8",
    )
    return root


def test_a_source_without_address_is_plain_text_and_its_copy_is_read_via(tmp_path):
    root = add_french(_orchard(tmp_path))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    docs = root / "docs"
    index = (docs / "index.md").read_text(encoding="utf-8")
    # In the text: the publisher, unlinked; at the foot of the page: "read via" the copy, never as the source.
    assert "(The orchard keeper)" in index and "[The orchard keeper](" not in index.split("## ")[0]
    assert f"- The orchard keeper: Orchard logbook (read via [copy.example.net]({COPY}))" in index
    sources = (docs / "sources.md").read_text(encoding="utf-8")
    assert f"**The orchard keeper**: Orchard logbook (January 2023); read via [copy.example.net]({COPY})." in sources
    # The date written the page's way (Babel), here a month: "janvier 2023"; French colon typography
    french_sources = (root / "site" / "fr" / "sources" / "index.html").read_text(encoding="utf-8")
    assert "(janvier 2023)" in french_sources and "2023-01" not in french_sources.split("Toutes les sources")[-1]
    assert "**The orchard keeper**: [Logbook, revised edition](https://example.org/logbook-revised)" in sources
    # A chart caption names the unlinked source as text and links the other.
    pears = (root / "site" / "pears" / "index.html").read_text(encoding="utf-8")
    caption = pears.split('class="explainer-chart__source"')[1].split("</p>")[0]
    assert "The orchard keeper, Orchard logbook;" in caption and f'href="{COPY}"' not in caption
    assert '<a href="https://example.org/logbook-revised">The orchard keeper, Logbook, revised edition</a>' in caption
    # French pages: the publisher as translated beside the data, and "lu via".
    french_site = (root / "site" / "fr" / "index.html").read_text(encoding="utf-8")
    assert "Le gardien du verger" in french_site and "The orchard keeper" not in french_site
    assert "lu via" in french_site and "read via" not in french_site


def test_addresses_given_must_be_web_addresses(tmp_path):
    root = _orchard(tmp_path)
    assert run_build(root, "check", "--strict").returncode == 0
    csv = root / "charts" / "data" / "sources.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(COPY, "javascript:alert(1)"), encoding="utf-8")
    result = run_build(root, "check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "charts/data/sources.csv:2: source 'logbook': read_via is not a web address: 'javascript:alert(1)' "
        "(give the full http:// or https:// address of the copy the text was read through, or leave it empty)"
    )


FIGURES = """
pears_rise:
  percent_change: {from: apples_2022, to: pears_total}
pears_per_apple:
  ratio: {of: pears_total, to: apples_2022}
  digits: 2
"""


def test_a_figure_computed_from_two_figures_cites_both_sources(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    figures = root / "charts" / "figures.yml"
    figures.write_text(figures.read_text(encoding="utf-8") + FIGURES, encoding="utf-8")
    index = root / "content" / "index.md"
    index.write_text(
        index.read_text(encoding="utf-8") + "\nChange {{ fig.pears_rise }}; ratio {{ fig.pears_per_apple }} ({{ fig.pears_rise.source }}).\n", encoding="utf-8"
    )
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    page = (root / "docs" / "index.md").read_text(encoding="utf-8")
    assert "Change -94%; ratio 0.06 (" in page
    assert "https://example.org/logbook)" in page and "https://example.org/logbook-revised)" in page


def test_computed_figures_name_their_problems(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    figures = root / "charts" / "figures.yml"
    figures.write_text(
        figures.read_text(encoding="utf-8")
        + (
            "rise:\n  percent_change: {from: apples_2022, to: plums}\n"
            "loop_a:\n  ratio: {of: loop_b, to: apples_2022}\n"
            "loop_b:\n  ratio: {of: loop_a, to: apples_2022}\n"
            "half:\n  ratio: {of: apples_2022}\n"
        ),
        encoding="utf-8",
    )
    result = run_build(root, "check")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert 'charts/figures.yml:10: figure "rise": percent_change: unknown figure "plums" (name a figure declared in charts/figures.yml)' in lines
    assert any(l.startswith('charts/figures.yml:12: figure "loop_a": computed from itself') for l in lines)
    assert any(l.startswith('charts/figures.yml:16: figure "half": ratio needs of and to') for l in lines)


def test_digits_round_numbers_and_percents_the_language_way():
    assert format_value(62.1, "percent", locale="en_GB", digits=0) == "62%"
    assert format_value(62.1, "percent", locale="fr_FR", digits=0) == "62\u00a0%"
    assert format_value(1.9529, "number", locale="en_GB", digits=2) == "1.95"
    assert format_value(1.9529, "number", locale="fr_FR", digits=2) == "1,95"
    assert format_value(12000.0, "number", locale="en_GB", digits=1) == "12,000"


def test_a_filtered_charts_caption_cites_only_the_rows_it_plotted(tmp_path):
    """A chart that keeps only the logbook's rows of a data file citing two sources names the
    logbook alone, in both languages.

    Catches (issue 18, survivor 6): captions citing every source of the data file the chart read
    instead of the sources of the rows it plotted."""
    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    chart = root / "charts" / "harvest_by_year.py"
    code = chart.read_text(encoding="utf-8")
    assert 'alt.Chart(data["harvest"])' in code
    chart.write_text(code.replace('alt.Chart(data["harvest"])', 'alt.Chart(data["harvest"][data["harvest"]["source_id"] == "logbook"])'), encoding="utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    plotted = (root / "docs" / "assets" / "charts" / "harvest_by_year.csv").read_text(encoding="utf-8")
    assert "2021,pear" not in plotted and "2021,apple" in plotted  # the revised logbook's row (pears, 2021) is left out
    for page in (root / "site" / "pears" / "index.html", root / "site" / "fr" / "pears" / "index.html"):
        caption = page.read_text(encoding="utf-8").split('class="explainer-chart__source"')[1].split("</p>")[0]
        assert 'href="https://example.org/logbook"' in caption, caption
        assert "logbook-revised" not in caption and "revised" not in caption, f"{page}: {caption}"

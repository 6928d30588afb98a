"""The editor's guide (CONTRIBUTING.md), followed step by step on a small explainer: update a
row with its source, quote a figure, add a section with a chart copied from another. Only
content/ and charts/ are touched, and the new section appears in the navigation."""
from __future__ import annotations

import shutil

from conftest import FIXTURES, REPO, copy_explainer, run_build, tree_hashes


def test_guide_steps_touch_only_content_and_charts(tmp_path):
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for step in ("## Quote a figure", "## Update a row of data, with its source", "## Add a section", "## Add a chart", "## Open a pull request"):
        assert step in guide
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    assert run_build(root).returncode == 0
    untouched = {p: tree_hashes(root / p) if (root / p).is_dir() else (root / p).read_bytes() for p in ("mkdocs.yml",)}

    # Update a row of data, with its (new) source.
    sources = root / "charts" / "data" / "sources.csv"
    sources.write_text(sources.read_text() + "almanac,Orchard almanac 2024,The almanac office,2024-02,https://example.org/almanac,Pears 2022: 345\n")
    harvest = root / "charts" / "data" / "harvest.csv"
    harvest.write_text(harvest.read_text().replace("2022,pear,330,logbook", "2022,pear,345,almanac"))
    # Quote a figure.
    (root / "charts" / "figures.yml").write_text((root / "charts" / "figures.yml").read_text()
                                                 + "pears_2022:\n  resource: harvest\n  where: {year: 2022, fruit: pear}\n  field: count\n")
    # Add a section with a chart copied from another.
    shutil.copy(root / "charts" / "harvest_by_year.py", root / "charts" / "pears_by_year.py")
    chart = root / "charts" / "pears_by_year.py"
    chart.write_text(chart.read_text().replace("Harvest per year", "Pears per year", 1)
                     .replace('alt.Chart(data["harvest"])', 'alt.Chart(data["harvest"].query("fruit == \'pear\'"))'))
    (root / "content" / "02-late-pears.md").write_text(
        "---\ntitle: Late pears\ndescription: The pear harvest of 2022.\n---\n\n"
        "In 2022 the orchard picked {{ fig.pears_2022 }} pears ({{ fig.pears_2022.source }}).\n\n"
        '{{ chart("pears_by_year") }}\n', encoding="utf-8")

    result = run_build(root, "check", "--strict")
    assert result.returncode == 0, result.stderr
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "late-pears" / "index.html").read_text(encoding="utf-8")
    assert "In 2022 the orchard picked 345 pears" in page
    assert 'href="https://example.org/almanac"' in page
    assert 'id="chart-pears_by_year"' in page and "Pears per year" in page
    assert 'href="late-pears/"' in (root / "site" / "index.html").read_text(encoding="utf-8"), "the new section is in the navigation"
    assert untouched == {p: (root / p).read_bytes() for p in ("mkdocs.yml",)}

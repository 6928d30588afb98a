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
    (root / "charts" / "figures.yml").write_text(
        (root / "charts" / "figures.yml").read_text() + "pears_2022:\n  resource: harvest\n  where: {year: 2022, fruit: pear}\n  field: count\n"
    )
    # Add a section with a chart copied from another.
    shutil.copy(root / "charts" / "harvest_by_year.py", root / "charts" / "pears_by_year.py")
    chart = root / "charts" / "pears_by_year.py"
    chart.write_text(
        chart.read_text()
        .replace("Harvest per year", "Pears per year", 1)
        .replace('alt.Chart(data["harvest"])', 'alt.Chart(data["harvest"].query("fruit == \'pear\'"))')
    )
    (root / "content" / "02-late-pears.md").write_text(
        "---\ntitle: Late pears\ndescription: The pear harvest of 2022.\n---\n\n"
        "In 2022 the orchard picked {{ fig.pears_2022 }} pears ({{ fig.pears_2022.source }}).\n\n"
        '{{ chart("pears_by_year") }}\n',
        encoding="utf-8",
    )

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


def test_guide_add_a_dataset(tmp_path):
    """ "Add a dataset", followed: a CSV with no source_id column, declared with add-data and
    --source; its figure cites that source; the package stays readable JSON."""
    import json

    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = guide.split("## Add a dataset", 1)[1].split("\n## ", 1)[0]
    assert "python build.py add-data charts/data/returns_by_year.csv --source ho_returns_2026" in section
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    data = root / "charts" / "data"
    # 1. The CSV; 2. its source.
    (data / "yields.csv").write_text("year,tonnes,measured_on\n2021,12.5,2021-09-30\n2022,14.5,2022-09-29\n")
    sources = data / "sources.csv"
    sources.write_text(sources.read_text() + "almanac,Orchard almanac 2024,The almanac office,2024-02,https://example.org/almanac,Yields 2022: 14.5 t\n")
    # Undeclared, it is a warning that names the command.
    check = run_build(root, "check")
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines() == [
        "charts/data/yields.csv: warning: CSV file is not in the data package, so nothing reads it "
        "(add it with: python build.py add-data charts/data/yields.csv --source ID, or move it out of charts/data/)"
    ]
    # 3. Declare it.
    before = (data / "datapackage.json").read_text()
    added = run_build(root, "add-data", str(data / "yields.csv"), "--source", "almanac", "--title", "Yield per year")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(
        'Added resource "yields" (yields.csv) to charts/data/datapackage.json: year (integer), tonnes (number), measured_on (date); every row cites "almanac".'
    )
    text = (data / "datapackage.json").read_text()
    assert text.startswith(before.rsplit("\n  ]", 1)[0]), "the package keeps its own layout; the resource is added at the end"
    assert '\n      "sources": [{"title": "Orchard almanac 2024", "path": "https://example.org/almanac", "id": "almanac"}],\n' in text
    assert '\n          {"name": "tonnes", "type": "number"},\n' in text
    resource = json.loads(text)["resources"][-1]
    assert list(resource) == ["name", "path", "title", "sources", "schema"]
    # Declared twice: refused, nothing changed.
    again = run_build(root, "add-data", str(data / "yields.csv"), "--source", "almanac")
    assert again.returncode == 2 and "already in the data package" in again.stderr
    # 4-5. Quote a figure from it: it cites the resource's source.
    (root / "charts" / "figures.yml").write_text(
        (root / "charts" / "figures.yml").read_text() + "tonnes_2022:\n  resource: yields\n  where: {year: 2022}\n  field: tonnes\n"
    )
    index = root / "content" / "index.md"
    index.write_text(index.read_text() + "\nThe 2022 yield was {{ fig.tonnes_2022 }} tonnes ({{ fig.tonnes_2022.source }}).\n")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "The 2022 yield was 14.5 tonnes" in page
    assert 'href="https://example.org/almanac"' in page
    assert "Yield per year" in (root / "site" / "sources" / "index.html").read_text(encoding="utf-8")


def test_add_data_usage_errors_exit_2_and_change_nothing(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    data = root / "charts" / "data"
    before = (data / "datapackage.json").read_bytes()
    (data / "yields.csv").write_text("year,tonnes\n2021,12.5\n")
    (root / "yields.csv").write_text("year,tonnes\n2021,12.5\n")
    cases = [
        (
            (str(data / "yields.csv"),),
            "build.py add-data: error: "
            f"{data / 'yields.csv'} has no source_id column: give --source ID, the id in charts/data/sources.csv of the source of all its rows",
        ),
        (
            (str(data / "yields.csv"), "--source", "logbok"),
            "build.py add-data: error: --source logbok: no such id in charts/data/sources.csv (did you mean logbook?)",
        ),
        (
            (str(root / "yields.csv"), "--source", "logbook"),
            f"build.py add-data: error: {root / 'yields.csv'}: put the CSV in charts/data/ first, as a real file",
        ),
        ((str(data / "none.csv"),), f"build.py add-data: error: {data / 'none.csv'}: no such file"),
    ]
    for args, message in cases:
        result = run_build(root, "add-data", *args)
        assert (result.returncode, result.stderr.splitlines()) == (2, [message])
    assert (data / "datapackage.json").read_bytes() == before
    # A file the package cannot take (a value that is no date in a column typed date by hand) leaves it as it was, too.
    (data / "bad.csv").write_text("year,source_id\n2021,nowhere\n")
    result = run_build(root, "add-data", str(data / "bad.csv"))
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        'charts/data/bad.csv:2: unknown reference: for "source_id": values "nowhere" not found '
        'in the lookup table "sources" as "id" (add the source to sources.csv or fix the id)'
    )
    assert (data / "datapackage.json").read_bytes() == before

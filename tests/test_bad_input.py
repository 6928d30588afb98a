"""Bad input never crashes the build and never touches site/.

Each case copies a built orchard explainer (tests/fixtures/orchard), breaks one thing (or
several), runs `python build.py --root DIR` and checks that the build:

- exits 1, with no Python traceback;
- prints exactly the expected problems, one line each, `path:line:col: message (hint)`;
- ends with `Build stopped: N problem(s); site/ was left as it was.`;
- leaves every byte of site/ as it was.

The expected lines are what an editor should read. Where the generator prints something
else today (a wrong line, a misleading message, a cascade of follow-on problems), the case
keeps the line that *should* be printed and is marked xfail(strict=True) with the reason,
so fixing the generator turns it into a pass (and forgetting to drop the mark, a failure).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from badinput_helpers import (
    Mutation,
    append,
    build_stopped,
    chain,
    copy,
    move_and_link,
    prepend_bytes,
    remove,
    replace,
    replace_bytes,
    run_build,
    site_hashes,
    split_stderr,
    transform,
    write,
)

CSV = "charts/data/harvest.csv"
SOURCES = "charts/data/sources.csv"
PKG = "charts/data/datapackage.json"
FIGS = "charts/figures.yml"
CHART = "charts/harvest_by_year.py"
INDEX = "content/index.md"
PEARS = "content/01-pears.md"

# Hints, verbatim from the generator (kept here once so the cases stay readable).
CELL_COUNT = "every row needs as many values as the header; quote values that contain commas"
EXTRA_CELL = 'every row needs as many values as the header: quote a value that contains a comma ("12,500"), or remove the extra value'
OUTSIDE = 'a chart reads only data["resource_name"]: put the data in charts/data/ (build.py add-data) and use it from there'
CONSTRAINT = "fix the value, or the constraint in datapackage.json if the value is right"
PATH_HINT = "keep the CSV inside charts/data/, as a real file, not a link"
FIG_HINT = "figures are declared in charts/figures.yml"
CHART_HINT = "charts are files charts/<slug>.py"
PAGE_HINT = "pages are named after content files without their number"
TEMPLATE_HINT = 'figures look like {{ fig.name }}, charts like {{ chart("slug") }}'
DOCSTRING = "chart needs a docstring: a title line, a blank line, then a description (the description is the chart's alt text for readers who cannot see it)"
WHERE_HINT = "check the where: filter against the CSV"
PROSE_HINT = 'prose uses {{ fig.name }}, {{ fig.name.source }}, {{ chart("slug") }}, {{ source("id") }} and {{ image("file.jpg", alt="…") }}'


@dataclass
class Case:
    id: str
    mutate: Mutation
    expected: list[str]
    xfail: str = ""  # why the generator's output today differs from `expected`
    strict: bool = False  # run with --strict: the case is a warning, which --strict makes a problem


CASES = [
    # 1. Malformed CSV: a quote opened and never closed swallows the rest of the file.
    Case(
        "csv-unclosed-quote",
        replace(CSV, "2021,apple,1350,logbook", '2021,"apple,1350,logbook'),
        [
            'charts/data/harvest.csv:4:6: quoted value is never closed (end it with a closing ", or remove the opening one)',
        ],
    ),
    # 2. Ragged rows.
    Case(
        "csv-too-few-values",
        replace(CSV, "2021,apple,1350,logbook", "2021,apple,1350"),
        [
            f'charts/data/harvest.csv:4:16: row has too few values: column "source_id" is missing ({CELL_COUNT})',
        ],
    ),
    Case(
        "csv-too-many-values",
        replace(CSV, "2021,apple,1350,logbook", "2021,apple,1350,logbook,extra"),
        [
            f'charts/data/harvest.csv:4:25: row has more values than the header: "extra" is extra ({EXTRA_CELL})',
        ],
    ),
    Case(
        "csv-ragged-both-in-one-file",
        chain(
            replace(CSV, "2020,pear,280,logbook", "2020,pear,280"),
            replace(CSV, "2022,apple,15250,logbook", "2022,apple,15250,logbook,x"),
        ),
        [
            f'charts/data/harvest.csv:3:14: row has too few values: column "source_id" is missing ({CELL_COUNT})',
            f'charts/data/harvest.csv:6:26: row has more values than the header: "x" is extra ({EXTRA_CELL})',
        ],
    ),
    # 3. A byte-order mark.
    Case(
        "csv-bom",
        prepend_bytes(CSV, b"\xef\xbb\xbf"),
        [
            "charts/data/harvest.csv:1:1: file starts with a byte-order mark (BOM) (save as UTF-8 without BOM)",
        ],
    ),
    # 4. Wrong delimiter.
    Case(
        "csv-semicolons",
        transform(CSV, lambda t: t.replace(",", ";")),
        [
            'charts/data/harvest.csv:1:5: values are separated by ";", not commas (save the file as comma-separated CSV)',
        ],
    ),
    # 5. Invalid UTF-8.
    Case(
        "csv-invalid-utf8",
        replace_bytes(CSV, b"2021,apple", b"2021,appl\xe9"),
        [
            "charts/data/harvest.csv:4:10: not valid UTF-8 (save the file as UTF-8)",
        ],
    ),
    # 6. Wrong type.
    Case(
        "csv-text-in-integer-column",
        replace(CSV, "2021,apple,1350", "2021,apple,lots"),
        [
            """charts/data/harvest.csv:4:12: "lots" in column "count" is not a valid integer (fix the value or the field's type in datapackage.json)""",
        ],
    ),
    # 7. Constraints.
    Case(
        "csv-below-minimum",
        replace(CSV, "2021,apple,1350", "2021,apple,-5"),
        [
            f'charts/data/harvest.csv:4:12: "-5" in column "count" breaks a constraint: constraint "minimum" is "0" ({CONSTRAINT})',
        ],
    ),
    Case(
        "csv-not-in-enum",
        replace(CSV, "2021,apple,1350", "2021,plum,1350"),
        [
            f"""charts/data/harvest.csv:4:6: "plum" in column "fruit" breaks a constraint: constraint "enum" is "['apple', 'pear']" ({CONSTRAINT})""",
        ],
    ),
    # 8. Duplicate primary key.
    Case(
        "csv-duplicate-key",
        replace(CSV, "2021,pear,312", "2021,apple,312"),
        [
            "charts/data/harvest.csv:5: duplicate key: the same key as line 4 (each row must have a unique key; remove or merge the duplicate)",
        ],
    ),
    # 9. Empty resources.
    Case(
        "csv-header-only",
        write(CSV, "year,fruit,count,source_id\n"),
        [
            'charts/data/harvest.csv:1: resource "harvest" has no data rows, only a header (add rows, or remove the resource from datapackage.json)',
        ],
    ),
    Case(
        "csv-empty-file",
        write(CSV, ""),
        [
            "charts/data/harvest.csv: file is empty (start it with a header line naming the columns, then the data rows)",
        ],
    ),
    # 10. Resource paths that leave the data folder.
    Case(
        "path-parent-dirs",
        replace(PKG, '"path": "harvest.csv"', '"path": "../../x.csv"'),
        [
            f'charts/data/datapackage.json:10:15: resource "harvest" path "../../x.csv" leaves charts/data/ ({PATH_HINT})',
        ],
    ),
    Case(
        "path-symlink-outside-project",
        move_and_link(CSV, outside=True),
        [
            f'charts/data/datapackage.json:10:15: resource "harvest" path "harvest.csv" leaves charts/data/ ({PATH_HINT})',
        ],
    ),
    Case(
        "path-symlink-inside-data-folder",
        move_and_link(CSV, outside=False),
        [
            f'charts/data/datapackage.json:10:15: resource "harvest" path "harvest.csv" is a symbolic link ({PATH_HINT})',
        ],
    ),
    # 11. Unknown source id.
    Case(
        "csv-unknown-source",
        replace(CSV, "2022,pear,330,logbook", "2022,pear,330,almanac"),
        [
            'charts/data/harvest.csv:7: unknown reference: for "source_id": values "almanac" not found in the lookup table "sources" as "id" '
            "(add the source to sources.csv or fix the id)",
        ],
    ),
    # 12. Broken datapackage.json.
    Case(
        "datapackage-invalid-json",
        replace(PKG, '"title": "The orchard",', '"title": "The orchard"'),
        [
            "charts/data/datapackage.json:4:3: invalid JSON: a comma is missing (put a comma between two items (after the one before this point))",
        ],
    ),
    # 13. Missing CSV.
    Case(
        "csv-missing-file",
        remove(CSV),
        [
            'charts/data/datapackage.json:10:15: resource "harvest": file "harvest.csv" not found (create charts/data/harvest.csv or fix the path)',
        ],
    ),
    # 14. Front matter.
    Case(
        "front-matter-invalid-yaml",
        replace(INDEX, "description: A tiny", "description: : A tiny"),
        [
            'content/index.md:3:14: invalid front matter: a value contains ": " and is not in quotes (put quotes around a value that contains a colon, e.g. title: "Calais: the patrol")',
        ],
    ),
    Case(
        "front-matter-unclosed-bracket",
        replace(INDEX, "title: The orchard", "title: [The orchard"),
        [
            "content/index.md:3:12: invalid front matter: expected ',' or ']', but got ':'",
        ],
    ),
    Case(
        "front-matter-no-title",
        replace(INDEX, "title: The orchard\n", ""),
        [
            "content/index.md:2:1: front matter needs a title (add a line such as title: The patrol)",
        ],
    ),
    Case(
        "front-matter-missing",
        replace(INDEX, "---\ntitle: The orchard\ndescription: A tiny explainer used to test the generator.\n---\n", ""),
        [
            "content/index.md:1:1: missing front matter (start the file with ---, a title: line, and ---)",
        ],
    ),
    Case(
        "front-matter-unknown-key",
        replace(INDEX, "description: A tiny", "subtitle: x\ndescription: A tiny"),
        [
            "content/index.md:2:1: unknown front matter key(s): subtitle (allowed: title, description, authors, lead_chart)",
        ],
    ),
    Case(
        "front-matter-unknown-lead-chart",
        replace(INDEX, "description: A tiny", "lead_chart: harvest_by_yaer\ndescription: A tiny"),
        [
            'content/index.md:3:1: unknown lead_chart "harvest_by_yaer" (did you mean harvest_by_year?; charts are files charts/<slug>.py)',
        ],
    ),
    Case(
        "front-matter-authors-not-a-list",
        replace(INDEX, "description: A tiny", "authors: Jane Doe\ndescription: A tiny"),
        [
            "content/index.md:3:1: authors must be a list, not a str (for example authors: [Jane Doe, John Roe])",
        ],
    ),
    # 15. Invalid UTF-8 in prose.
    Case(
        "content-invalid-utf8",
        replace_bytes(INDEX, b"We picked", b"We pick\xe9d"),
        [
            "content/index.md:5: not valid UTF-8 (save the file as UTF-8)",
        ],
    ),
    # 16. Unknown figure / chart in prose, and many problems in many files at once.
    Case(
        "prose-unknown-figure",
        replace(INDEX, "fig.apples_2022 }} apples", "fig.apples_2023 }} apples"),
        [
            f'content/index.md:5:18: unknown figure "apples_2023" (did you mean apples_2022?; {FIG_HINT})',
        ],
    ),
    Case(
        "prose-unknown-chart",
        replace(PEARS, 'chart("harvest_by_year")', 'chart("harvest_per_year")'),
        [
            f'content/01-pears.md:7:11: unknown chart "harvest_per_year" (did you mean harvest_by_year?; {CHART_HINT})',
        ],
    ),
    Case(
        "prose-unknown-figure-twice-on-a-line",
        replace(INDEX, "apples_2022", "apples_2023", count=2),
        [
            f'content/index.md:5:18: unknown figure "apples_2023" (did you mean apples_2022?; {FIG_HINT})',
            f'content/index.md:5:56: unknown figure "apples_2023" (did you mean apples_2022?; {FIG_HINT})',
        ],
    ),
    Case(
        "several-problems-in-several-files",
        chain(
            write("mkdocs.yml", "site_nam: The orchard\n"),
            append(FIGS, "unused:\n  resource: harvest\n  where: {year: 2020, fruit: pear}\n  field: count\n  format: cups\n"),
            write("charts/other.py", 'import altair as alt\n\n\ndef chart(data):\n    return alt.Chart(data["harvest"]).mark_bar()\n'),
            replace(INDEX, "fig.apples_2022 }} apples", "fig.apples_2023 }} apples"),
            replace(PEARS, 'chart("harvest_by_year")', 'chart("harvest_per_year")'),
            replace(PEARS, "[sources](sources.md)", "[sources](source.md)"),
        ),
        [
            'charts/figures.yml:10: figure "unused": unknown format "cups" (one of: number, money, date, year, percent)',
            f"charts/other.py:1:1: {DOCSTRING}",
            f'content/01-pears.md:7:11: unknown chart "harvest_per_year" (did you mean harvest_by_year?; {CHART_HINT})',
            f'content/01-pears.md:9:19: link to unknown page "source.md" (did you mean sources.md?; {PAGE_HINT})',
            f'content/index.md:5:18: unknown figure "apples_2023" (did you mean apples_2022?; {FIG_HINT})',
            "mkdocs.yml:1:1: site_name is missing (add a line such as site_name: Crossing the Channel)",
        ],
    ),
    Case(
        "data-problem-and-prose-problems-together",
        chain(
            replace(CSV, "2021,apple,1350", "2021,apple,lots"),
            replace(INDEX, "fig.apples_2022 }} apples", "fig.apples_2023 }} apples"),
            replace(PEARS, 'chart("harvest_by_year")', 'chart("harvest_per_year")'),
        ),
        [
            """charts/data/harvest.csv:4:12: "lots" in column "count" is not a valid integer (fix the value or the field's type in datapackage.json)""",
            f'content/01-pears.md:7:11: unknown chart "harvest_per_year" (did you mean harvest_by_year?; {CHART_HINT})',
            f'content/index.md:5:18: unknown figure "apples_2023" (did you mean apples_2022?; {FIG_HINT})',
        ],
    ),
    # 17. Jinja syntax errors.
    Case(
        "jinja-syntax-error",
        replace(PEARS, "{{ fig.pears_total }}", "{{ fig.pears_total }"),
        [
            'content/01-pears.md:5:9: "{{" is never closed (end it with }}, as in {{ fig.name }})',
        ],
    ),
    Case(
        "jinja-unclosed-block",
        replace(PEARS, '{{ chart("harvest_by_year") }}', '{% if x %}{{ chart("harvest_by_year") }}'),
        [
            "content/01-pears.md:7:1: {% if %} is never closed (end it with {% endif %})",
        ],
    ),
    # 18. Chart files that fail.
    Case(
        "chart-syntax-error",
        replace(CHART, "def chart(data):", "def chart(data)"),
        [
            "charts/harvest_by_year.py:8:16: Python syntax error: expected ':'",
        ],
    ),
    Case(
        "chart-imports-missing-module",
        replace(CHART, "import altair as alt", "import altair as alt\nimport plotly_nonexistent"),
        [
            "charts/harvest_by_year.py:6: chart file fails to import: ModuleNotFoundError: No module named 'plotly_nonexistent'",
        ],
    ),
    Case(
        "chart-raises-unknown-resource",
        replace(CHART, 'data["harvest"]', 'data["harvests"]'),
        [
            '''charts/harvest_by_year.py:9: chart() raised KeyError: "no data resource named 'harvests'; known: harvest, sources"''',
        ],
    ),
    Case(
        "chart-raises-zero-division",
        replace(CHART, "    return alt.Chart", "    1 / 0\n    return alt.Chart"),
        [
            "charts/harvest_by_year.py:9: chart() raised ZeroDivisionError: division by zero",
        ],
    ),
    Case(
        "chart-returns-dict",
        replace(CHART, "    return alt.Chart", "    return {}\n    alt.Chart"),
        [
            "charts/harvest_by_year.py: chart() returned dict, not an Altair chart (return alt.Chart(...) or a layer/concat of charts)",
        ],
    ),
    Case(
        "chart-url-string",
        replace(CHART, 'alt.Chart(data["harvest"])', 'alt.Chart("https://example.com/x.csv")'),
        [
            'charts/harvest_by_year.py: chart reaches for data on the network: https://example.com/x.csv (use data["resource_name"] from the data package instead)',
        ],
    ),
    Case(
        "chart-urldata",
        replace(CHART, 'alt.Chart(data["harvest"])', 'alt.Chart(alt.UrlData("https://example.com/x.csv"))'),
        [
            'charts/harvest_by_year.py: chart reaches for data on the network: https://example.com/x.csv (use data["resource_name"] from the data package instead)',
        ],
    ),
    Case(
        "chart-bad-file-name",
        copy(CHART, "charts/Harvest-2.py"),
        [
            'charts/Harvest-2.py: chart file name "Harvest-2.py" is not a valid slug (use lower-case letters, digits and _)',
        ],
    ),
    Case(
        "chart-no-chart-function",
        replace(CHART, "def chart(data):", "def chart_(data):"),
        [
            "charts/harvest_by_year.py:1:1: no function chart(data) defined (define def chart(data): returning an Altair chart)",
        ],
    ),
    # 19. Charts without a description.
    Case(
        "chart-no-docstring",
        replace(CHART, '"""Harvest per year\n\nApples far outnumber pears every year; the apple harvest jumped in 2022.\n"""\n', ""),
        [
            f"charts/harvest_by_year.py:1:1: {DOCSTRING}",
        ],
    ),
    Case(
        "chart-docstring-title-only",
        replace(CHART, "\n\nApples far outnumber pears every year; the apple harvest jumped in 2022.\n", "\n"),
        [
            f"charts/harvest_by_year.py:1:1: {DOCSTRING}",
        ],
    ),
    # 20. Duplicate section slugs.
    Case(
        "duplicate-section-slug",
        copy(PEARS, "content/02-pears.md"),
        [
            'content/02-pears.md:1:1: section slug "pears" is used by 01-pears.md too (rename one of the files)',
        ],
    ),
    # 21. Broken internal links.
    Case(
        "link-to-unknown-page",
        replace(PEARS, "[sources](sources.md)", "[x](nowhere.md)"),
        [
            f'content/01-pears.md:9:13: link to unknown page "nowhere.md" (did you mean sources.md?; {PAGE_HINT})',
        ],
    ),
    Case(
        "link-to-unknown-page-after-figures",
        replace(INDEX, "(pears.md)", "(pear.md)"),
        [
            f'content/index.md:5:99: link to unknown page "pear.md" (did you mean pears.md?; {PAGE_HINT})',
        ],
    ),
    # 22. figures.yml.
    Case(
        "figure-unknown-resource",
        replace(FIGS, "resource: harvest\n  where: {year", "resource: harvests\n  where: {year"),
        [
            'charts/figures.yml:1: figure "apples_2022": unknown resource "harvests" (one of: harvest, sources)',
        ],
    ),
    Case(
        "figure-no-matching-row",
        replace(FIGS, "{year: 2022, fruit: apple}", "{year: 2019, fruit: apple}"),
        [
            f"""charts/figures.yml:1: figure "apples_2022": no row matches {{'year': 2019, 'fruit': 'apple'}} ({WHERE_HINT})""",
        ],
    ),
    Case(
        "figure-several-rows-without-agg",
        replace(FIGS, "  field: count\n  agg: sum\n", "  field: count\n"),
        [
            """charts/figures.yml:5: figure "pears_total": 3 rows match {'fruit': 'pear'}, expected one (narrow the where: filter or give agg:)""",
        ],
    ),
    Case(
        "figure-where-not-a-date",
        chain(  # the sources' dates as a date column, filtered on a word
            replace(SOURCES, ",2023-01,", ",2023-01-15,"),
            replace(SOURCES, ",2023-06,", ",2023-06-15,"),
            replace(PKG, '{"name": "date", "type": "string"}', '{"name": "date", "type": "date"}'),
            append(FIGS, "logbook_day:\n  resource: sources\n  where: {date: yesterday}\n  field: date\n  format: date\n"),
        ),
        [
            'charts/figures.yml:10: figure "logbook_day": cannot filter the date column "date" on \'yesterday\': not a date '
            "(write dates as YYYY-MM-DD, e.g. 2021-08-21)",
        ],
    ),
    Case(
        "figures-invalid-yaml",
        replace(FIGS, "  field: count\npears_total:", "  field: count\n pears_total:"),
        [
            "charts/figures.yml:5:2: invalid YAML: expected <block end>, but found '<block mapping start>'",
        ],
    ),
    # 23. mkdocs.yml.
    Case(
        "mkdocs-no-site-name",
        write("mkdocs.yml", "theme:\n  name: material\n"),
        [
            "mkdocs.yml:1:1: site_name is missing (add a line such as site_name: Crossing the Channel)",
        ],
    ),
    Case(
        "mkdocs-empty",
        write("mkdocs.yml", ""),
        [
            "mkdocs.yml:1:1: site_name is missing (add a line such as site_name: Crossing the Channel)",
        ],
    ),
    # 24. Messages in the editor's words, with the fix (issue 14).
    Case(
        "datapackage-trailing-comma",
        replace(PKG, '{"required": true}}\n        ],', '{"required": true}},\n        ],'),
        [
            "charts/data/datapackage.json:19:85: invalid JSON: a comma after the last item, before ] (remove this comma: JSON allows no comma before ])",
        ],
    ),
    Case(
        "figures-tab-indent",
        replace(FIGS, "  where: {year: 2022, fruit: apple}", "\twhere: {year: 2022, fruit: apple}"),
        [
            "charts/figures.yml:3:1: invalid YAML: a tab character, which YAML does not accept here (indent with spaces, not tabs)",
        ],
    ),
    Case(
        "front-matter-tab-indent",
        replace(INDEX, "description: A tiny", "\tdescription: A tiny"),
        [
            "content/index.md:3:1: invalid front matter: a tab character, which YAML does not accept here (indent with spaces, not tabs)",
        ],
    ),
    Case(
        "front-matter-colon-in-title",
        replace(INDEX, "title: The orchard", "title: The orchard: a test"),
        [
            'content/index.md:2:19: invalid front matter: a value contains ": " and is not in quotes '
            '(put quotes around a value that contains a colon, e.g. title: "Calais: the patrol")',
        ],
    ),
    Case(
        "jinja-unclosed-output",
        replace(INDEX, "{{ fig.apples_2022 }} apples", "{{ fig.apples_2022 apples"),
        [
            'content/index.md:5:11: "{{" is never closed (end it with }}, as in {{ fig.name }})',
        ],
    ),
    Case(
        "figure-attribute-sources",
        replace(INDEX, "fig.apples_2022.source", "fig.apples_2022.sources"),
        [
            f'content/index.md:5:68: a figure has no "sources"; did you mean .source?; it gives its number, .source and .value ({PROSE_HINT})',
        ],
    ),
    Case(
        "csv-extra-column",
        transform(CSV, lambda t: "\n".join(line + (",note" if i == 0 else ",ok") if line else line for i, line in enumerate(t.split("\n")))),
        [
            'charts/data/harvest.csv:1:1: header does not match the schema of resource "harvest": expected "year,fruit,count,source_id", '
            'found "year,fruit,count,source_id,note" (add {"name": "note", "type": "string"} to the schema\'s fields in datapackage.json '
            "(with the right type), or remove the column from the CSV)",
        ],
    ),
    Case(
        "csv-header-renamed-column",
        replace(CSV, "year,fruit,count,", "year,fruit,amount,"),
        [
            'charts/data/harvest.csv:1:1: header does not match the schema of resource "harvest": expected "year,fruit,count,source_id", '
            'found "year,fruit,amount,source_id" (rename the column "amount" to "count" in the CSV, or the field "count" to "amount" in datapackage.json)',
        ],
    ),
    Case(
        "csv-date-wrong-format",
        chain(
            replace(PKG, '{"name": "date", "type": "string"}', '{"name": "date", "type": "date"}'),
            replace(SOURCES, "2023-01,", "2023-01-15,"),
            replace(SOURCES, "2023-06,", "30/06/2023,"),
        ),
        [
            'charts/data/sources.csv:3:63: "30/06/2023" in column "date" is not a date in the form YYYY-MM-DD (write it as 2023-06-30 (year, month, day))',
        ],
    ),
    Case(
        "resource-source-unknown",
        replace(PKG, '"title": "Harvest per year",', '"title": "Harvest per year",\n      "sources": [{"title": "Almanac", "id": "almanac"}],'),
        [
            'charts/data/datapackage.json:12:46: resource "harvest" names unknown source "almanac" (the id must be a row of sources.csv)',
        ],
    ),
    # 25. Silent wrong output, now a warning (a problem with --strict).
    Case(
        "figure-percent-on-a-count",
        append(FIGS, "pears_share:\n  resource: harvest\n  where: {year: 2022, fruit: pear}\n  field: count\n  format: percent\n"),
        [
            'charts/figures.yml:10: warning: figure "pears_share": format percent prints 330 as "330%" '
            "(percent expects a share out of 100 (41.5 prints 41.5%); use format: number for a count)",
        ],
        strict=True,
    ),
    Case(
        "link-to-unknown-anchor",
        replace(INDEX, "(pears.md)", "(pears.md#apples)"),
        [
            'content/index.md:5:99: warning: link to unknown anchor "#apples" in pears.md '
            "(anchors are headings in lower case, spaces as -, e.g. ## Late pears -> #late-pears)",
        ],
        strict=True,
    ),
    Case(
        "charts-with-the-same-title",
        copy(CHART, "charts/harvest_again.py"),
        [
            'charts/harvest_by_year.py:1:1: warning: chart title "Harvest per year" is also the title of harvest_again.py '
            "(give each chart its own title: readers, screen readers and link previews tell charts apart by it)",
        ],
        strict=True,
    ),
    Case(
        "chart-opens-a-file",
        replace(CHART, "    return alt.Chart", "    open(__file__).close()\n    return alt.Chart"),
        [
            f"charts/harvest_by_year.py:9:5: warning: chart reads or writes outside its data: open() ({OUTSIDE})",
        ],
        strict=True,
    ),
    Case(
        "chart-imports-socket",
        replace(CHART, "import altair as alt", "import altair as alt\nimport socket"),
        [
            f"charts/harvest_by_year.py:6:1: warning: chart opens network connections: import socket ({OUTSIDE})",
        ],
        strict=True,
    ),
    Case(
        "csv-not-in-the-package",
        write("charts/data/extra.csv", "a,b\n1,2\n"),
        [
            "charts/data/extra.csv: warning: CSV file is not in the data package, so nothing reads it "
            "(add it with: python build.py add-data charts/data/extra.csv --source ID, or move it out of charts/data/)",
        ],
        strict=True,
    ),
]


@pytest.fixture(scope="module")
def built(orchard_built: Path) -> Path:
    """The orchard explainer, copied and built once for the run (conftest): a good site/ for every case to keep."""
    return orchard_built


def _copy_built(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "orchard"
    shutil.copytree(built, root, symlinks=True)
    return root


def _chart_cache_seen_after_the_edit(root: Path) -> None:
    """Make the chart cache newer than the edit. A build guesses from file times whether a chart
    will be drawn and then starts the chart workers early (explainer/charts/pool.py likely_needed);
    for a CSV edit that guess costs ~1.4 s of CPU per case, and every case here stops before any
    chart is drawn. The problems printed are the same either way (a chart that must be drawn starts
    the workers when it is drawn); tests/test_hostile_corpus.py keeps the early start."""
    for entry in (root / ".cache" / "explainer" / "charts").glob("*.json"):
        os.utime(entry)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []) for c in CASES])
def test_bad_input(case: Case, built: Path, tmp_path: Path) -> None:
    root = _copy_built(built, tmp_path)
    before = site_hashes(root)
    assert before, "the built fixture has no site/"
    case.mutate(root)
    _chart_cache_seen_after_the_edit(root)

    result = run_build(root, *(["--strict"] if case.strict else []))

    assert "Traceback" not in result.stderr, result.stderr
    problems, last = split_stderr(result.stderr)
    assert problems == case.expected
    assert last == build_stopped(len(case.expected))
    assert result.returncode == 1, result.stderr
    assert site_hashes(root) == before, "site/ changed"


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("args", [["--root", "/nonexistent"], ["--bogus"]], ids=["missing-root", "unknown-option"])
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run_build(Path("."), args=args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "a usage error must say what is wrong"


def test_usage_error_names_the_missing_folder() -> None:
    result = run_build(Path("."), args=["--root", "/nonexistent"])
    assert result.stderr.splitlines() == ["build.py: error: --root /nonexistent: no such folder"]


def _break_one_cell(built: Path, tmp_path: Path) -> Path:
    root = _copy_built(built, tmp_path)
    replace(CSV, "2021,apple,1350", "2021,apple,lots")(root)
    return root


TYPE_ERROR = (
    """charts/data/harvest.csv:4:12: "lots" in column "count" is not a valid integer """
    "(fix the value or the field's type in datapackage.json)"
)


def test_verbose_problem_run_still_exits_1(built: Path, tmp_path: Path) -> None:
    root = _break_one_cell(built, tmp_path)
    before = site_hashes(root)
    result = run_build(root, "-v")
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[:2] == [TYPE_ERROR, build_stopped(1)]
    assert site_hashes(root) == before


def test_verbose_problem_run_prints_no_traceback(built: Path, tmp_path: Path) -> None:
    root = _break_one_cell(built, tmp_path)
    result = run_build(root, "-v")
    assert result.stderr.splitlines() == [TYPE_ERROR, build_stopped(1)]

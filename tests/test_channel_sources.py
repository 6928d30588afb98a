"""The Channel explainer's sources: every figure quoted in the text can be found in an excerpt
of a source it is credited to (figures computed by this explainer, sums of a series, are named
below), and every source names an original publication, not a copy."""

from __future__ import annotations

import csv
import re

import pytest
import yaml

from conftest import REPO
from explainer.data.load import load as load_data
from explainer.figures import load as load_figures
from explainer.common.problems import Collector

# Figures this explainer computes from the data rather than reads in a source: they cannot appear
# in an excerpt. Each says why.
COMPUTED_HERE = {
    "prevented_people_2024",
    "prevented_people_2025",
    "prevented_people_2026",
    "prevented_events_2025",
    "prevented_weeks_2024",
    "prevented_first_week_2024",
    "prevented_last_week_2026",  # sums of the weekly sheet
    "fr_rise_2021_jan_aug_on_2020",
    "march_2023_year1_vs_nov_2022",  # computed from two figures
    "shipwreck_2021_date",  # "on Wednesday", in a report of Thursday 25 November 2021
    "record_nov_2021_date",  # "on Thursday", in a report of Friday 12 November 2021
}
WORDS = {
    1: ["one", "un"],
    2: ["two", "deux"],
    3: ["three", "trois"],
    4: ["four", "quatre"],
    5: ["five", "cinq"],
    6: ["six"],
    7: ["seven", "sept"],
    12: ["twelve", "douze"],
}


def _spellings(value, fmt: str) -> list[str]:
    if fmt == "date":
        day = value if hasattr(value, "strftime") else None
        if day is None:
            import pandas as pd

            day = pd.Timestamp(value)
        return [day.strftime("%Y-%m-%d"), f"{day.strftime('%B')} {day.day}, {day.year}", f"{day.day} {day.strftime('%B')} {day.year}"]
    number = float(value)
    if fmt == "money":
        m = number / 1e6
        text = f"{m:.2f}".rstrip("0").rstrip(".")
        return [f"{text} million", f"{text}m", f"{text} mil", f"{text}m)"]
    whole = int(number)
    out = [str(whole), f"{whole:,}", f"{whole:,}".replace(",", " "), f"{whole:,}".replace(",", "."), f"{whole:,}".replace(",", "\u202f")]
    out += WORDS.get(whole, [])
    return out


def _found(spelling: str, text: str) -> bool:
    """The number on its own, not inside a longer one (3 in 2023, 45.5 in 445.5); plain digits may
    sit between commas, as in a line of a CSV file."""
    if spelling.isdigit():
        return re.search(rf"(?<![\d.]){spelling}(?!\d|\.\d)", text) is not None
    return re.search(rf"(?<![\d\w])(?<!\d[.,]){re.escape(spelling)}(?![.,]?\d)", text) is not None


@pytest.fixture(scope="module")
def explainer():
    problems = Collector(REPO)
    package = load_data(REPO, problems)
    assert package is not None, problems.errors
    figures = load_figures(REPO, package, problems)
    spec = yaml.safe_load((REPO / "charts" / "figures.yml").read_text(encoding="utf-8"))
    return package, figures, spec


def test_every_quoted_figure_is_in_an_excerpt_of_its_source(explainer):
    package, figures, spec = explainer
    quoted = set()
    for page in list((REPO / "content").glob("*.md")) + list((REPO / "content" / "fr").glob("*.md")):
        quoted |= set(re.findall(r"fig\.([a-z0-9_]+)", page.read_text(encoding="utf-8")))
    missing = []
    for name in sorted(quoted - COMPUTED_HERE):
        fig = figures[name]
        fmt = spec[name].get("format", "number")
        excerpts = " ".join(str(package.sources[s].get("excerpt") or "") for s in fig.source_ids).lower()
        if not any(_found(s.lower(), excerpts) for s in _spellings(fig.value, fmt)):
            missing.append(f"{name} = {fig.text} (sources: {', '.join(fig.source_ids)})")
    assert not missing, "figures not found in their sources' excerpts:\n" + "\n".join(missing)


COPIES = re.compile(r"wordpress\.com|babi\.biz\.id|j99news|theonionnews|suomenuutiset|theyworkforyou|europesays|britbrief|post-truth|juiceliverpool|limnews")


def test_copies_are_read_via_never_the_source(explainer):
    package, _, _ = explainer
    with open(REPO / "charts" / "data" / "sources.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        assert not COPIES.search(row["url"] or ""), f"{row['id']}: a copy is cited as the source: {row['url']}"
        assert "copy" not in row["publisher"].lower() and "via" not in row["publisher"].lower(), row["id"]
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|data to \d{4}-\d{2}-\d{2}", row["date"]), f"{row['id']}: date {row['date']!r}"

"""Numbers that cannot drift: a number typed into prose that the data already holds should be a
figure ({{ fig.name }}), so that it changes when the data does. Years, dates, ordinals and
quotations (Markdown blockquotes reproduce a source's own words) are not flagged."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .data import SOURCES_RESOURCE, DataPackage
from .figures import Figure

NUMBER = re.compile(r"(?<![\w.,/#-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w%]|[.,]\d)")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
DATE_AFTER = re.compile(rf"^\s+(?:{MONTHS})\b")
DATE_BEFORE = re.compile(rf"\b(?:{MONTHS})\s+$")
ORDINAL = re.compile(r"^(st|nd|rd|th)\b")
TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
LINK_TARGET = re.compile(r"\]\([^)]*\)|<[^>]+>|`[^`]*`")
MIN_VALUE = 100  # small numbers (distances, group sizes) match some cell by chance far too often
UNIT_AFTER = re.compile(r"^\s?(?:km|kilometres|kilometers|miles?|metres|meters|m|per ?cent|percent|%)\b")


def data_values(package: DataPackage) -> set[float]:
    values: set[float] = set()
    for name, table in package.tables.items():
        if name == SOURCES_RESOURCE:
            continue
        fields = {f["name"]: f.get("type") for f in package.resource(name).get("schema", {}).get("fields", [])}
        for col in table.columns:
            if fields.get(col) in ("integer", "number") and "year" not in col.lower():
                numbers = pd.to_numeric(table[col], errors="coerce").dropna().astype("float64")
                values.update(np.unique(numbers.to_numpy()).tolist())
    return {v for v in values if abs(v) >= MIN_VALUE}


def typed_numbers(body: str, values: set[float], figures: dict[str, Figure]):
    """Yield (line, col, text, figure names holding that value) for each number that should be a figure."""
    by_value: dict[float, list[str]] = {}
    for name, fig in figures.items():
        if isinstance(fig.value, (int, float)):
            by_value.setdefault(float(fig.value), []).append(name)
    in_fence = False
    for lineno, line in enumerate(body.splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or line.lstrip().startswith(">"):
            continue
        masked = LINK_TARGET.sub(lambda m: " " * len(m.group(0)), TEMPLATE.sub(lambda m: " " * len(m.group(0)), line))
        for m in NUMBER.finditer(masked):
            digits = m.group(1).replace(",", "") + (m.group(2) or "")
            value = float(digits)
            after, before = masked[m.end():], masked[:m.start()]
            if "," not in m.group(1) and not m.group(2) and 1900 <= value <= 2100:
                continue  # a year
            if ORDINAL.match(after) or DATE_AFTER.match(after) or DATE_BEFORE.search(before) or UNIT_AFTER.match(after):
                continue
            if value in values:
                yield lineno, m.start() + 1, m.group(0), by_value.get(value, [])

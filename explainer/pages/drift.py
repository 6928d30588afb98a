"""Numbers that cannot drift: a number typed into prose that the data already holds should be a
figure ({{ fig.name }}), so that it changes when the data does. Years, dates, ordinals and
quotations (Markdown blockquotes reproduce a source's own words) are not flagged."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..data.load import SOURCES_RESOURCE, DataPackage
from ..figures import Figure

TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
LINK_TARGET = re.compile(r"\]\([^)]*\)|<[^>]+>|`[^`]*`")
MIN_VALUE = 100  # small numbers (distances, group sizes) match some cell by chance far too often
UNITS = {"en": r"km|kilometres|kilometers|miles?|metres|meters|m|per ?cent|percent|%", "fr": r"km|kilomètres?|mètres?|m|pour ?cent|%"}
ORDINALS = {"en": r"st|nd|rd|th", "fr": r"er|re|e|ème|è"}  # 21st; 1er, 2e


class _Patterns:
    """How numbers, dates, ordinals and units are written in one language (Babel's CLDR data):
    15,400 and 21 August in English, 15 400 and 21 août in French."""

    def __init__(self, locale: str):
        from babel.dates import get_month_names
        from babel.numbers import get_decimal_symbol, get_group_symbol

        language = locale.split("_")[0]
        group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
        groups = {group} | ({" ", "\u00a0", "\u202f"} if group.isspace() else set())  # typed with any space
        g, d = "[" + "".join(re.escape(c) for c in sorted(groups)) + "]", re.escape(decimal)
        self.group_chars = groups
        self.decimal = decimal
        self.number = re.compile(rf"(?<![\w.,/#-])(\d{{1,3}}(?:{g}\d{{3}})+|\d+)({d}\d+)?(?![\w%]|[.,]\d)")
        months = {m for width in ("wide", "abbreviated") for m in get_month_names(width, locale=locale).values()}
        if language == "en":
            months |= {"Sept"}
        names = "|".join(sorted((re.escape(m.rstrip(".")) for m in months), key=len, reverse=True))
        self.date_after = re.compile(rf"^\s+(?:{names})\b", re.I)
        self.date_before = re.compile(rf"\b(?:{names})\.?\s+$", re.I)
        self.ordinal = re.compile(rf"^(?:{ORDINALS.get(language, ORDINALS['en'])})\b")
        self.unit_after = re.compile(rf"^\s?(?:{UNITS.get(language, UNITS['en'])})(?!\w)")

    def value(self, match) -> float:
        whole = "".join(c for c in match.group(1) if c not in self.group_chars)
        return float(whole + ("." + match.group(2)[len(self.decimal) :] if match.group(2) else ""))


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


def typed_numbers(body: str, values: set[float], figures: dict[str, Figure], locale: str = "en_GB"):
    """Yield (line, col, text, figure names holding that value) for each number that should be a
    figure, reading numbers as the page's language writes them."""
    patterns = _Patterns(locale)
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
        for m in patterns.number.finditer(masked):
            value = patterns.value(m)
            after, before = masked[m.end() :], masked[: m.start()]
            if m.group(1).isdigit() and not m.group(2) and 1900 <= value <= 2100:
                continue  # a year
            if patterns.ordinal.match(after) or patterns.date_after.match(after) or patterns.date_before.search(before) or patterns.unit_after.match(after):
                continue
            if value in values:
                yield lineno, m.start() + 1, m.group(0), by_value.get(value, [])

"""How `build.py diff` writes what it found: the data's values as a reviewer reads them (numbers
and dates the main language's way, sources by their title), and every text from the explainer made
safe for where the report goes. Prose, CSV cells and names are untrusted: in a terminal they are
plain text without control characters (no escape sequences, no bidirectional overrides); in the
Markdown for a pull request's summary they are escaped as well, so they show as typed and never
become a link, an image, HTML or a heading."""

from __future__ import annotations

import re

import pandas as pd

from ..figures import format_value
from ..common.i18n import iso_date

FORMATS = ("markdown", "text")
# C0 and C1 controls (a terminal runs ESC sequences), and the bidirectional overrides and isolates
# that make text read otherwise than it is stored ("Trojan source").
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SPACES = re.compile(r"[ \t\r\n\f\v]+")  # not Unicode's: French narrow no-break spaces stay
MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
ISO_MONTH_OR_DAY = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
NUMBER_TYPES = ("integer", "number")
DATE_TYPES = ("date", "datetime")


class Writer:
    """Escapes every text from the explainer for the report's format (markdown or text)."""

    def __init__(self, fmt: str = "markdown"):
        if fmt not in FORMATS:
            raise ValueError(fmt)
        self.markdown = fmt == "markdown"

    def text(self, value) -> str:
        """Untrusted text on one line: control characters dropped; in Markdown, escaped."""
        plain = SPACES.sub(" ", CONTROL.sub("", str(value))).strip()
        if not self.markdown:
            return plain
        plain = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return MD_SPECIAL.sub(r"\\\1", plain)

    def code(self, value) -> str:
        """A name (page, figure, dataset, chart) as code: Markdown shows a code span as typed."""
        plain = SPACES.sub(" ", CONTROL.sub("", str(value))).strip()
        fence = "`" * (max((len(run) for run in re.findall(r"`+", plain)), default=0) + 1)
        pad = " " if plain.startswith("`") or plain.endswith("`") else ""
        return f"{fence}{pad}{plain}{pad}{fence}"


def missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


def raw(value) -> str:
    """A cell as the CSV holds it (dates ISO, whole floats without .0): what rows are compared by."""
    if missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Formats:
    """How each column of a resource is shown: the format of the figures that quote it
    (charts/figures.yml: money with its currency, percent, date, year), else its schema's type:
    numbers with the locale's separators (every decimal kept: a reviewer compares them), a year as
    written, dates written out (25 December 2018, or January 2018 for a YYYY-MM text)."""

    def __init__(self, resource: dict, figure_formats: dict, locale: str):
        self.locale = locale
        self.types = {f.get("name"): f.get("type", "string") for f in (resource.get("schema") or {}).get("fields") or [] if isinstance(f, dict)}
        self.figures = {field: spec for (res, field), spec in figure_formats.items() if res == resource.get("name")}

    def is_value(self, column: str) -> bool:
        """A number or a date: what a source stands behind (a change to it without a new source is flagged)."""
        return self.types.get(column) in (*NUMBER_TYPES, *DATE_TYPES, "year") or column in self.figures

    def show(self, column: str, value, row=None) -> str:
        if missing(value):
            return "(empty)"
        fmt, currency = self.figures.get(column, (None, None))
        kind = self.types.get(column, "string")
        try:
            if fmt == "money":
                row_currency = row.get("currency") if row is not None else None
                currency = raw(row_currency) or currency
                return format_value(value, "money", currency or None, self.locale)
            if fmt in ("percent", "date", "year"):
                return format_value(value, fmt, None, self.locale)
            if kind in DATE_TYPES or isinstance(value, pd.Timestamp):
                return format_value(value, "date", None, self.locale)
            if kind == "year" or (kind == "integer" and (column == "year" or column.endswith("_year"))):
                return raw(value)
            if kind in NUMBER_TYPES or fmt == "number":
                from babel.numbers import format_decimal

                return format_decimal(value, format="#,##0.##########", locale=self.locale)
        except (TypeError, ValueError, ArithmeticError):
            return raw(value)
        text = raw(value)
        return (iso_date(text, self.locale) or text) if ISO_MONTH_OR_DAY.fullmatch(text) else text

    def change(self, column: str, old, new, old_row=None, new_row=None) -> tuple[str, str]:
        """Old and new as shown; as the CSV holds them when the format would hide the change."""
        before, after = self.show(column, old, old_row), self.show(column, new, new_row)
        return (raw(old), raw(new)) if before == after else (before, after)

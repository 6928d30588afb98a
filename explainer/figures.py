"""Stage 2: named figures. Each is one number computed from the data, with its format and sources.

Declared in charts/figures.yml so editors can add one without writing code:

    uk_arrivals_2021:
      resource: uk_arrivals_by_year
      where: {year: 2021, series: official}
      field: people
      format: number        # number | money | date | year | percent
      agg: sum              # optional: sum | max | min | count | mean over the matching rows
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .common import safe_yaml, settings
from .data.load import SOURCE_FIELD, DataPackage
from .common.problems import Collector

FIGURES_FILE = Path("charts") / "figures.yml"
FORMATS = settings.FORMATS
AGGREGATES = {name: name for name in settings.AGGREGATES}  # the pandas method of each


@dataclass
class Figure:
    name: str
    value: object
    text: str  # formatted for readers
    source_ids: list[str] = field(default_factory=list)
    description: str = ""

    def __str__(self) -> str:
        return self.text


DEFAULT_LOCALE = "en_GB"  # 28,526 · €62.7 million · 21 August 2021


def format_value(value, fmt: str, currency: str | None = None, locale: str = DEFAULT_LOCALE) -> str:
    """A number as readers of `locale` write it, with Babel (CLDR data), not hand-written rules:
    en_GB 28,526 / €62.7 million / 21 August 2021; fr_FR 28 526 / 62,7 millions d'euros / 21 août 2021."""
    from babel import Locale
    from babel.dates import format_date
    from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent, get_currency_name, get_currency_symbol

    if fmt == "date":
        return format_date(pd.Timestamp(value).date(), "d MMMM y", locale=locale)
    if fmt == "year":
        return str(int(value))
    number = float(value)
    if fmt == "percent":
        return format_percent(number / 100, locale=locale, decimal_quantization=False)
    if fmt == "money" and currency:
        if abs(number) < 1e6:  # whole amounts without ".00", in the locale's own currency pattern
            pattern = Locale.parse(locale).currency_formats["standard"].pattern
            if number.is_integer():
                pattern = pattern.replace(".00", "")
            return format_currency(number, currency, format=pattern, locale=locale, currency_digits=False)
        amount = format_compact_decimal(number, format_type="long", fraction_digits=2, locale=locale)
        if locale.split("_")[0] == "en":
            return f"{get_currency_symbol(currency, locale=locale)}{amount}"
        name = get_currency_name(currency, count=number, locale=locale)
        if locale.split("_")[0] == "fr":  # « 62,7 millions d'euros »: a large amount takes "de"
            return f"{amount} {'d’' if name[:1].lower() in 'aeiouéh' else 'de '}{name}"
        return f"{amount} {name}"
    return format_decimal(int(number) if number.is_integer() else round(number, 1), locale=locale)


class _LineLoader(safe_yaml.SafeLoader):
    """Records the line of each top-level key, so a problem can point at its figure."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.SafeLoader.construct_mapping(loader, node, deep)
    mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def declared_names(root: Path) -> set[str] | None:
    """Names declared in figures.yml, even those that fail to compute; None if unreadable."""
    path = root / FIGURES_FILE
    if not path.is_file():
        return set()
    try:
        spec = safe_yaml.load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError):
        return None
    return set(map(str, spec)) if isinstance(spec, dict) else None


def load(root: Path, package: DataPackage, problems: Collector, locale: str = DEFAULT_LOCALE) -> dict[str, Figure]:
    path = root / FIGURES_FILE
    if not path.is_file():
        return {}
    try:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader) or {}
    except yaml.YAMLError as e:
        message, line, col, hint = safe_yaml.error_parts(e)
        problems.add(path, f"invalid YAML: {message}", line, col, hint=hint)
        return {}
    except UnicodeDecodeError:
        problems.add(path, "not valid UTF-8", hint="save the file as UTF-8")
        return {}
    if not isinstance(spec, dict):
        problems.add(path, "figures.yml must map figure names to their settings", 1, 1,
                     hint="for example uk_arrivals_2021: {resource: uk_arrivals_by_year, where: {year: 2021}, field: people}")
        return {}
    lines = spec.pop("__lines__", {})
    figures: dict[str, Figure] = {}
    for name, item in spec.items():
        line = lines.get(name)
        if not isinstance(item, dict):
            problems.add(path, f'figure "{name}" must be a mapping with resource, field and where', line)
            continue
        report = (lambda name, line: lambda msg, hint="": problems.add(path, f'figure "{name}": {msg}', line, hint=hint))(name, line)
        declared, issues = settings.check(settings.FigureSettings, _without_lines(item))
        if issues:  # the first is enough: fixing it often fixes the others
            report(issues[0].message, issues[0].hint)
            continue
        fig = _compute(name, declared, package, report, locale)
        if fig:
            figures[name] = fig
    return figures


def _without_lines(node):
    if isinstance(node, dict):
        return {k: _without_lines(v) for k, v in node.items() if k != "__lines__"}
    return node


def _compute(name: str, item: settings.FigureSettings, package: DataPackage, report, locale: str = DEFAULT_LOCALE) -> Figure | None:
    table = package.tables.get(item.resource)
    if table is None:
        report(f'unknown resource "{item.resource}"', f"one of: {', '.join(sorted(package.tables))}")
        return None
    column = item.field
    if column not in table:
        report(f'resource "{item.resource}" has no column "{column}"', f"one of: {', '.join(table.columns)}")
        return None
    fmt = item.format
    rows = table
    for key, wanted in (item.where or {}).items():
        if key not in rows:
            report(f'cannot filter on unknown column "{key}"')
            return None
        col = rows[key]
        if pd.api.types.is_datetime64_any_dtype(col):
            wanted = pd.Timestamp(wanted)
        rows = rows[col.astype(object) == wanted] if not pd.api.types.is_numeric_dtype(col) else rows[col == wanted]
    agg = item.agg
    if rows.empty:
        report(f"no row matches {item.where}", "check the where: filter against the CSV")
        return None
    if agg:
        value = getattr(rows[column], AGGREGATES[agg])()
    elif len(rows) > 1:
        report(f"{len(rows)} rows match {item.where}, expected one", "narrow the where: filter or give agg:")
        return None
    else:
        value = rows[column].iloc[0]
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        report("the value is empty in the data")
        return None
    if hasattr(value, "item"):
        value = value.item()
    currency = item.currency
    if fmt == "money" and not currency:
        currencies = set(rows["currency"]) if "currency" in rows else set()
        if len(currencies) != 1:
            report("money needs one currency: add a currency column or currency: key")
            return None
        currency = currencies.pop()
    sources = list(dict.fromkeys(rows[SOURCE_FIELD])) if SOURCE_FIELD in rows else []
    return Figure(name, value, format_value(value, fmt, currency, locale), sources, item.description)

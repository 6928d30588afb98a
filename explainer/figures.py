"""Stage 2: named figures. Each is one number computed from the data, with its format and sources.

Declared in charts/figures.yml so editors can add one without writing code:

    uk_arrivals_2021:
      resource: uk_arrivals_by_year
      where: {year: 2021, series: official}
      field: people
      format: number        # number | money | date | year | percent
      agg: sum              # optional: sum | max | min | count | mean over the matching rows
      digits: 1             # optional: decimal places shown (a number: 1 by default; a percent: as computed)

A figure may also be computed from two other figures (their sources are both cited):

    fr_rise_2021_on_2020:
      percent_change: {from: fr_attempts_2020, to: fr_attempts_2021_jan_aug}   # (to - from) / from, in %
      format: percent       # 62%
      digits: 0             # decimal places kept (0 by default)
    march_2023_vs_nov_2022:
      ratio: {of: fund_march_2023_year1_eur, to: fund_nov_2022_eur}            # of / to
      digits: 2             # 1.95 (1 by default)
"""

from __future__ import annotations

import copy
import functools
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from .common import safe_yaml, settings
from .data.load import SOURCE_FIELD, DataPackage
from .common.problems import Collector

FIGURES_FILE = Path("charts") / "figures.yml"
FORMATS = settings.FORMATS
AGGREGATES = {name: name for name in settings.AGGREGATES}  # the pandas method of each
COMPUTED = {"percent_change": ("from", "to"), "ratio": ("of", "to")}  # a figure computed from two others
COMPUTED_DIGITS = {"percent_change": 0, "ratio": 1}


@dataclass
class Figure:
    name: str
    value: object
    text: str  # formatted for readers
    source_ids: list[str] = field(default_factory=list)
    description: str = ""
    # how `text` is written from `value` (format_value's arguments besides the locale)
    fmt: str = "number"
    currency: str | None = None
    digits: int | None = None

    def __str__(self) -> str:
        return self.text

    def in_locale(self, locale: str) -> Figure:
        """The same figure written for readers of `locale`: a number is computed once for every language."""
        return replace(self, text=format_value(self.value, self.fmt, self.currency, locale, self.digits))


DEFAULT_LOCALE = "en_GB"  # 28,526 · €62.7 million · 21 August 2021


def format_value(value, fmt: str, currency: str | None = None, locale: str = DEFAULT_LOCALE, digits: int | None = None) -> str:
    """A number as readers of `locale` write it, with Babel (CLDR data), not hand-written rules:
    en_GB 28,526 / €62.7 million / 21 August 2021; fr_FR 28 526 / 62,7 millions d'euros / 21 août 2021.
    `digits` rounds a number or percent to that many decimal places (1.95, 62%)."""
    from babel import Locale
    from babel.dates import format_date
    from babel.numbers import format_compact_decimal, format_currency, format_decimal, format_percent, get_currency_name, get_currency_symbol

    if fmt == "date":
        return format_date(pd.Timestamp(value).date(), "d MMMM y", locale=locale)
    if fmt == "year":
        return str(int(value))
    number = float(value)
    if digits is not None and fmt in ("number", "percent"):
        number = round(number, digits)
        places = "#,##0" + ("." + "#" * digits if digits > 0 else "")
        if fmt == "percent":  # the locale's own percent pattern (62 % in French), with these decimals
            pattern = re.sub(r"#,##0(\.[0#]+)?", places, Locale.parse(locale).percent_formats[None].pattern, count=1)
            return format_percent(number / 100, format=pattern, locale=locale)
        return format_decimal(number, format=places, locale=locale)
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


@functools.lru_cache(maxsize=1)
def _parse(text: str):
    """figures.yml with its lines, parsed once for every language (a few hundred figures: ~0.15 s)."""
    return yaml.load(text, Loader=_LineLoader) or {}


def load(root: Path, package: DataPackage, problems: Collector, locale: str = DEFAULT_LOCALE) -> dict[str, Figure]:
    path = root / FIGURES_FILE
    if not path.is_file():
        return {}
    try:
        spec = copy.deepcopy(_parse(path.read_text(encoding="utf-8")))  # load() pops from it
    except yaml.YAMLError as e:
        message, line, col, hint = safe_yaml.error_parts(e)
        problems.add(path, f"invalid YAML: {message}", line, col, hint=hint)
        return {}
    except UnicodeDecodeError:
        problems.add(path, "not valid UTF-8", hint="save the file as UTF-8")
        return {}
    if not isinstance(spec, dict):
        problems.add(
            path,
            "figures.yml must map figure names to their settings",
            1,
            1,
            hint="for example uk_arrivals_2021: {resource: uk_arrivals_by_year, where: {year: 2021}, field: people}",
        )
        return {}
    lines = spec.pop("__lines__", {})
    figures: dict[str, Figure] = {}
    computed: dict[str, dict] = {}
    failed: set[str] = set()
    for name, item in spec.items():
        line = lines.get(name)
        if not isinstance(item, dict):
            problems.add(path, f'figure "{name}" must be a mapping with resource, field and where', line)
            failed.add(name)
            continue
        report = (lambda name, line: lambda msg, hint="", warning=False: problems.add(path, f'figure "{name}": {msg}', line, hint=hint, warning=warning))(
            name, line
        )
        item = _without_lines(item)
        if any(k in item for k in COMPUTED):  # computed from other figures: checked by _derive, later
            computed[name] = item
            continue
        declared, issues = settings.check(settings.FigureSettings, item)
        if declared is None:  # the first issue is enough: fixing it often fixes the others
            report(issues[0].message, issues[0].hint)
            continue
        fig = _compute(name, declared, package, report, locale)
        if fig:
            figures[name] = fig
        else:
            failed.add(name)
    # Figures computed from other figures, in as many passes as their references need.
    while computed:
        ready = {n: i for n, i in computed.items() if all(r in figures or r in failed or r not in spec for r in _references(i))}
        if not ready:  # every one left waits for another one left: a loop
            for name in computed:
                problems.add(
                    path,
                    f'figure "{name}": computed from itself, through {", ".join(sorted(_references(computed[name])))}',
                    lines.get(name),
                    hint="a computed figure uses figures that come from the data",
                )
            break
        for name, item in ready.items():
            del computed[name]
            line = lines.get(name)
            fig = _derive(
                name, item, figures, spec, lambda msg, hint="", _name=name, _line=line: problems.add(path, f'figure "{_name}": {msg}', _line, hint=hint), locale
            )
            if fig:
                figures[name] = fig
            else:
                failed.add(name)
    return figures


def _references(item: dict) -> list[str]:
    kind = next((k for k in COMPUTED if k in item), None)
    refs = item.get(kind) if kind else None
    return [str(v) for v in refs.values() if safe_yaml.is_text(v)] if isinstance(refs, dict) else []


def _derive(name: str, item: dict, figures: dict[str, Figure], declared: dict, report, locale: str = DEFAULT_LOCALE) -> Figure | None:
    """A figure computed from two others: percent_change {from, to} or ratio {of, to}."""
    kinds = [k for k in COMPUTED if k in item]
    unknown = set(item) - {*kinds, "format", "digits", "description"}
    if len(kinds) > 1 or unknown:
        report(
            f"unknown key(s) {', '.join(sorted(unknown or kinds[1:]))}", "a computed figure has one of percent_change, ratio, and format, digits, description"
        )
        return None
    kind = kinds[0]
    refs, wanted = item[kind], COMPUTED[kind]
    if not isinstance(refs, dict) or set(refs) != set(wanted) or not all(safe_yaml.is_text(v) for v in refs.values()):
        report(f"{kind} needs {' and '.join(wanted)}, each the name of a figure", f"for example {kind}: {{{wanted[0]}: figure_a, {wanted[1]}: figure_b}}")
        return None
    parts = []
    for key in wanted:
        ref = str(refs[key])
        if ref not in figures:
            if ref not in declared:
                report(f'{kind}: unknown figure "{ref}"', "name a figure declared in charts/figures.yml")
            return None  # a declared figure that failed is already reported
        value = figures[ref].value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            report(f'{kind}: figure "{ref}" is not a number')
            return None
        parts.append(float(value))
    first, second = parts
    base = first if kind == "percent_change" else second
    if base == 0:
        report(f'{kind}: divides by zero (figure "{refs[wanted[0] if kind == "percent_change" else wanted[1]]}" is 0)')
        return None
    fmt = item.get("format", "percent" if kind == "percent_change" else "number")
    if fmt not in ("number", "percent"):
        report(f'a computed figure is a number or a percent, not "{fmt}"', "format: number or format: percent")
        return None
    digits = item.get("digits", COMPUTED_DIGITS[kind])
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 6:
        report("digits must be a whole number from 0 to 6", "for example digits: 1")
        return None
    value = (second - first) / first * 100 if kind == "percent_change" else first / second
    value = round(value, digits)
    value = int(value) if digits == 0 else value
    sources = list(dict.fromkeys(s for key in wanted for s in figures[str(refs[key])].source_ids))
    return Figure(name, value, format_value(value, fmt, None, locale, digits), sources, str(item.get("description", "")), fmt, None, digits)


def _without_lines(node):
    if isinstance(node, dict):
        return {k: _without_lines(v) for k, v in node.items() if k != "__lines__"}
    return node


def _compute(name: str, item: settings.FigureSettings, package: DataPackage, report, locale: str = DEFAULT_LOCALE) -> Figure | None:
    digits = item.digits
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
        value: object = wanted
        if pd.api.types.is_datetime64_any_dtype(col):
            try:
                value = pd.Timestamp(wanted) if isinstance(wanted, str) else pd.NaT
            except ValueError:
                value = pd.NaT
            if value is pd.NaT:  # a word or true here was an "internal error" (found by mypy)
                report(f'cannot filter the date column "{key}" on {wanted!r}: not a date', "write dates as YYYY-MM-DD, e.g. 2021-08-21")
                return None
        rows = rows[col.astype(object) == value] if not pd.api.types.is_numeric_dtype(col) else rows[col == value]
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
    if fmt == "percent" and isinstance(value, (int, float)) and abs(value) > 100:
        report(
            f'format percent prints {value:g} as "{format_value(value, fmt, None, DEFAULT_LOCALE)}"',
            "percent expects a share out of 100 (41.5 prints 41.5%); use format: number for a count",
            warning=True,
        )
    sources = list(dict.fromkeys(rows[SOURCE_FIELD])) if SOURCE_FIELD in rows else []
    return Figure(name, value, format_value(value, fmt, currency, locale, digits), sources, item.description, fmt, currency, digits)

"""Problems in an editor's words: Frictionless' error dicts and invalid JSON become messages with hints.

Reads: the error dicts of frictionless (or of the fast path, which builds the same ones). Writes
into a Collector, at most SHOWN_PER_FILE problems per data file.
"""

from __future__ import annotations

import json
import re

from ..common.problems import Collector


def json_error(text: str, e: json.JSONDecodeError) -> tuple:
    """(message, line, column, hint) for invalid JSON, in an editor's words where Python's are obscure."""
    before = text[: e.pos].rstrip()
    if before.endswith(",") and text[e.pos : e.pos + 1] in ("}", "]"):
        at = len(before) - 1
        line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        closing = text[e.pos]
        return (f"invalid JSON: a comma after the last item, before {closing}", line, col, f"remove this comma: JSON allows no comma before {closing}")
    if e.msg == "Expecting ',' delimiter":
        return "invalid JSON: a comma is missing", e.lineno, e.colno, "put a comma between two items (after the one before this point)"
    return f"invalid JSON: {e.msg}", e.lineno, e.colno, ""


# frictionless stops collecting a resource's errors at its default limit_errors (1,000); the fast
# path stops at the same point so that both report the same problems.
ERROR_LIMIT = 1000
# At most this many problems are printed per data file (the rest are counted in one line), so that a
# broken million-row file does not print a million lines; fixing the first ones usually fixes many.
SHOWN_PER_FILE = 50


def add_capped(found: list[tuple], problems: Collector, limited: set | frozenset = frozenset()) -> None:
    """Add problems, at most SHOWN_PER_FILE per file (the first by line), then one line that
    counts the rest. `limited`: files whose checking stopped at ERROR_LIMIT (there may be more)."""
    by_path: dict = {}
    for item in found:
        by_path.setdefault(item[0], []).append(item)
    for path, items in by_path.items():
        items.sort(key=lambda p: (p[2] or 0, p[3] or 0, p[1]))
        for _, message, line, col, hint in items[:SHOWN_PER_FILE]:
            problems.add(path, message, line, col, hint=hint)
        if len(items) > SHOWN_PER_FILE:
            # Sorted output puts a line without a line number first: this one heads the file's list.
            more = len(items) - SHOWN_PER_FILE
            count = f"at least {more:,}" if path in limited else f"{more:,}"  # checking stops at ERROR_LIMIT
            problems.add(
                path,
                f"{count} more problem{'s' if more != 1 else ''} in this file not listed below",
                hint=f"only the first {SHOWN_PER_FILE}, by line, are listed; fix them and check again",
            )


CELL_SHOWN = 200  # characters of a cell quoted in a message: a 50 MB cell is not echoed whole


def quote_cell(value) -> str:
    text = str(value)
    return text if len(text) <= CELL_SHOWN else f"{text[:CELL_SHOWN]}… ({len(text):,} characters)"


def error_message(info: dict) -> str:
    kind = info.get("type", "")
    field = info.get("fieldName")
    note = info.get("note", "")
    if info.get("cell") is not None:
        info = {**info, "cell": quote_cell(info["cell"])}
    if len(note) > 2 * CELL_SHOWN:
        note = quote_cell(note)
    if kind == "type-error":
        kind_format = note.removeprefix("type is ").strip(chr(34))
        expected = _EXPECTED_FORMAT.get(kind_format) or (f"the format {kind_format.split('/', 1)[1]}" if kind_format.startswith(("date/", "datetime/")) else "")
        if expected:
            return f'"{info.get("cell")}" in column "{field}" is not a {kind_format.split("/")[0]} in {expected}'
        return f'"{info.get("cell")}" in column "{field}" is not a valid {kind_format.split("/")[0]}'
    if kind == "constraint-error":
        return f'"{info.get("cell")}" in column "{field}" breaks a constraint: {note}'
    if kind == "missing-cell":
        return f'row has too few values: column "{field}" is missing'
    if kind == "extra-cell":
        return f'row has more values than the header: "{info.get("cell")}" is extra'
    if kind == "primary-key":
        return f"duplicate key: {note}"
    if kind == "foreign-key":
        return f"unknown reference: {note}"
    if kind == "blank-row":
        return "blank row"
    return info.get("message", kind)


_HINTS = {
    "type-error": "fix the value or the field's type in datapackage.json",
    "constraint-error": "fix the value, or the constraint in datapackage.json if the value is right",
    "missing-cell": "every row needs as many values as the header; quote values that contain commas",
    "extra-cell": 'every row needs as many values as the header: quote a value that contains a comma ("12,500"), or remove the extra value',
    "primary-key": "each row must have a unique key; remove or merge the duplicate",
    "foreign-key": "add the source to sources.csv or fix the id",
    "blank-row": "remove the empty line",
}


_EXPECTED_FORMAT = {
    "date/default": "the form YYYY-MM-DD",
    "datetime/default": "the form YYYY-MM-DDThh:mm:ss",
    "year/default": "the form YYYY",
    "yearmonth/default": "the form YYYY-MM",
}
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_YEAR_FIRST = re.compile(r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})\s*$")


def error_hint(info: dict) -> str:
    note = info.get("note", "").removeprefix("type is ").strip('"')
    if info.get("type") == "type-error" and note == "date/default":
        cell = str(info.get("cell", ""))
        m, ymd = _DAY_FIRST.match(cell), _YEAR_FIRST.match(cell)
        parts = (m.group(3), m.group(2), m.group(1)) if m else ymd.groups() if ymd else None
        if parts:
            y, mo, d = parts
            return f"write it as {y}-{int(mo):02d}-{int(d):02d} (year, month, day)"
        return 'write dates as YYYY-MM-DD, e.g. 2021-08-21, or give the field a "format" in datapackage.json'
    if info.get("type") == "type-error" and note.startswith(("date/", "datetime/")):
        return 'write the date in the field\'s "format", or change the format in datapackage.json'
    return _HINTS.get(info.get("type", ""), "")

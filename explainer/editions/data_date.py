"""The date an edition's data runs to, for its edition line and versions.json: from the data, never
the clock.

Reads: charts/data/datapackage.json and the date-typed columns of its CSVs (regular files inside the
data folder only, each up to MAX_DATA_BYTES). Gives an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) or
None; Problems for a wrong `edition_data_date` or a file too large to read.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from ..common import settings
from ..common.problems import Problem, Problems
from ..data.load import PACKAGE_FILE, SOURCES_RESOURCE

# MkDocs (and hence mike) read these field types as dates; the latest value is "the data runs to".
DATE_TYPES = {"date", "datetime", "yearmonth", "year"}
DATA_DATE_KEY = "edition_data_date"  # optional key in datapackage.json that says it outright
# It goes into every page's edition line and into versions.json: only a date (settings.DataPackageSettings).
# What publish reads to find the date the data runs to: regular files inside the data folder only,
# and no more than this many bytes of each (a path to /dev/zero, a FIFO or a huge file is never read).
MAX_DESCRIPTOR_BYTES = 16 * 1024 * 1024
MAX_DATA_BYTES = 512 * 1024 * 1024


def _iso_prefix(value: str) -> str | None:
    m = re.match(r"^\s*(\d{4}(?:-\d{2}(?:-\d{2})?)?)", value or "")
    return m.group(1) if m else None


def _inside(base: Path, rel: str) -> Path | None:
    """`base/rel` if it is a regular file inside `base` (after symbolic links are followed), else None."""
    try:
        target = (base / rel).resolve()
        target.relative_to(base.resolve())
        return target if target.is_file() else None
    except (OSError, RuntimeError, ValueError):  # a loop of links, a name too long, a path outside
        return None


def _key_position(text: str, key: str) -> tuple[int | None, int | None]:
    """Line and column of `"key"` in a JSON text, for the problem's location."""
    at = text.find(json.dumps(key))
    if at < 0:
        return None, None
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


class _Capped:
    """Lines of a text file until `limit` characters have been read; then OSError (too large)."""

    def __init__(self, fh, limit: int):
        self.fh, self.left = fh, limit

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.fh.readline(self.left + 1)
        if not line:
            raise StopIteration
        self.left -= len(line)
        if self.left < 0:
            raise OverflowError
        return line


def data_date(root: Path) -> str | None:
    """The date the data runs to, from the data (never the clock): `edition_data_date` in
    datapackage.json if set (it must be an ISO date: a Problem otherwise); else the latest value of
    any date-typed field (date, datetime, yearmonth, year); else the latest integer `year`. The
    sources table is left out. Only regular files inside the data folder are read, each up to
    MAX_DATA_BYTES; a path that leaves the folder or is not a file is skipped here (the build
    reports it with its location)."""
    data_dir = root / PACKAGE_FILE.parent
    pkg = _inside(data_dir, PACKAGE_FILE.name)
    if pkg is None or pkg.stat().st_size > MAX_DESCRIPTOR_BYTES:
        return None  # the build reports a missing or unreadable data package
    try:
        text = pkg.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except (OSError, ValueError):
        return None
    if not isinstance(descriptor, dict):
        return None
    if descriptor.get(DATA_DATE_KEY) is not None:
        value = descriptor[DATA_DATE_KEY]
        # Only this key is checked here (the build checks the rest of the data package).
        _, issues = settings.check(settings.DataPackageSettings, {DATA_DATE_KEY: value})
        if issues:
            line, col = _key_position(text, DATA_DATE_KEY)
            raise Problems([Problem(PACKAGE_FILE.as_posix(), line, col, issues[0].message, issues[0].hint)])
        return value
    latest_typed = latest_year = None
    resources = descriptor.get("resources")
    for res in resources if isinstance(resources, list) else []:
        if not isinstance(res, dict) or res.get("name") == SOURCES_RESOURCE or not isinstance(res.get("path"), str):
            continue
        schema = given if isinstance(given := res.get("schema"), dict) else {}
        fields = given if isinstance(given := schema.get("fields"), list) else []
        dated = [f["name"] for f in fields if isinstance(f, dict) and f.get("type") in DATE_TYPES and isinstance(f.get("name"), str)]
        year = [f["name"] for f in fields if isinstance(f, dict) and f.get("name") == "year" and f.get("type") == "integer"]
        if not dated and not year:
            continue
        path = _inside(data_dir, res["path"]) if "://" not in res["path"] else None
        if path is None:
            continue  # outside the data folder, not a regular file, or missing: the build says which
        where = (PACKAGE_FILE.parent / res["path"]).as_posix()
        too_large = Problem(
            where,
            None,
            None,
            f"the data file is larger than {MAX_DATA_BYTES // 2**20} MB; publish does not read it for the date the data runs to",
            f'set "{DATA_DATE_KEY}" in {PACKAGE_FILE.as_posix()}, e.g. "2021-10"',
        )
        if path.stat().st_size > MAX_DATA_BYTES:
            raise Problems([too_large])
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(_Capped(fh, MAX_DATA_BYTES)):
                    for n in dated:
                        v = _iso_prefix(row.get(n) or "")
                        if v and (latest_typed is None or v > latest_typed):
                            latest_typed = v
                    for n in year:
                        v = _iso_prefix(row.get(n) or "")
                        if v and (latest_year is None or v > latest_year):
                            latest_year = v
        except OverflowError:
            raise Problems([too_large]) from None
        except (OSError, csv.Error, UnicodeDecodeError):
            continue  # the build reports a broken CSV with its line and column
    return latest_typed or latest_year

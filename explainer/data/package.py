"""The data package as the build holds it: reads datapackage.json's resources into typed pandas tables.

Reads: a validated CSV and its Table Schema. Gives: DataPackage (descriptor, tables, paths,
sources) and the names other stages use (DATA_DIR, PACKAGE_FILE, SOURCES_RESOURCE, SOURCE_FIELD).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..common import settings

DATA_DIR = Path("charts") / "data"
PACKAGE_FILE = DATA_DIR / "datapackage.json"
SOURCES_RESOURCE = "sources"
SOURCE_FIELD = "source_id"
ISO_PREFIX = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?")
READ_VIA_FIELD = "read_via"  # optional column of the sources table: the copy a source was read through


@dataclass
class DataPackage:
    descriptor: dict
    tables: dict[str, pd.DataFrame]
    paths: dict[str, Path]
    sources: dict[str, dict] = field(default_factory=dict)  # source id -> row of the sources table

    def resource(self, name: str) -> dict:
        return next(r for r in self.descriptor.get("resources", []) if r.get("name") == name)

    def source_text(self, sid: str, field: str, code: str | None = None) -> str:
        """A text field of a source (publisher, title) in a language: the sources resource may give
        translations of its values beside the English, e.g. in datapackage.json
        `"translations": {"fr": {"values": {"publisher": {"UK Parliament": "Parlement britannique"}}}}`;
        a value without a translation is shown as written."""
        value = str(self.sources.get(sid, {}).get(field) or "")
        if not code:
            return value
        try:
            res = self.resource(SOURCES_RESOURCE)
        except StopIteration:
            return value
        own = (res.get("translations") or {}).get(code) if isinstance(res.get("translations"), dict) else None
        values = (own or {}).get("values") if isinstance(own, dict) else None
        column = (values or {}).get(field) if isinstance(values, dict) else None
        found = column.get(value) if isinstance(column, dict) else None
        return found if isinstance(found, str) and found else value

    def source_ids(self, name: str) -> list[str]:
        """Source ids cited by the rows of one resource, most cited first."""
        table = self.tables.get(name)
        if table is None or SOURCE_FIELD not in table:
            return []
        counts = table[SOURCE_FIELD].dropna().value_counts(sort=False)
        return sorted(counts.index, key=lambda s: (-counts[s], s))

    def runs_to(self) -> str | None:
        """The date the data runs to (YYYY, YYYY-MM or YYYY-MM-DD), as publish's edition line says it:
        `edition_data_date` if set, else the latest value of a date-typed field, else of an integer `year`."""
        if settings.valid_iso_date(self.descriptor.get("edition_data_date")):
            return self.descriptor["edition_data_date"]
        typed: list[str] = []
        years: list[str] = []
        for res in self.descriptor.get("resources", []):
            table = self.tables.get(res.get("name"))
            if res.get("name") == SOURCES_RESOURCE or table is None:
                continue
            for f in (res.get("schema") or {}).get("fields", []):
                name, kind = f.get("name"), f.get("type")
                if name not in table or not (kind in ("date", "datetime", "yearmonth", "year") or (name == "year" and kind == "integer")):
                    continue
                found = [m.group(0) for v in table[name].dropna() if (m := ISO_PREFIX.match(str(v)))]
                (typed if kind != "integer" else years).extend(found)
        return max(typed or years, default=None)


def read_table(path: Path, descriptor: dict, name: str) -> pd.DataFrame:
    """Read a validated CSV with pandas, typing each column from its Table Schema field."""
    res = next(r for r in descriptor["resources"] if r.get("name") == name)
    fields = res.get("schema", {}).get("fields", [])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    for f in fields:
        col, kind = f["name"], f.get("type", "string")
        if col not in frame:
            continue
        values = frame[col].replace("", pd.NA)
        if kind in ("integer", "year"):
            frame[col] = pd.to_numeric(values).astype("Int64")
        elif kind == "number":
            frame[col] = pd.to_numeric(values).astype("float64")
        elif kind in ("date", "datetime"):
            frame[col] = pd.to_datetime(values)
        elif kind == "boolean":
            frame[col] = values.map(lambda v: None if v is pd.NA else v.lower() in ("true", "1", "yes")).astype("boolean")
        else:
            frame[col] = values.astype("object").where(values.notna(), None)
    return frame


def resource_source(res: dict) -> str | None:
    """The source of every row of a resource, if the resource names one: an entry of its
    `sources` (the Data Package standard's list of {title, path}) with an `id` that is a row of
    sources.csv, e.g. "sources": [{"title": "Orchard logbook", "id": "logbook"}]. Entries without
    an id are descriptions only, as before."""
    ids = [item["id"] for item in res.get("sources") or [] if isinstance(item, dict) and isinstance(item.get("id"), str)]
    return ids[0] if ids else None

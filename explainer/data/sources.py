"""Sources: every row names a source that sources.csv describes, a resource may name the source of
all its rows, and every address that becomes a link is a web address.

Reads: the loaded DataPackage and datapackage.json's text. Writes problems into a Collector, and
fills the source_id column of resources that name one source for all their rows.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pandas as pd

from ..common.problems import Collector
from .errors import add_capped, quote_cell
from .package import READ_VIA_FIELD, SOURCE_FIELD, SOURCES_RESOURCE, DataPackage, resource_source
from .positions import row_lines, value_position

WEB_ADDRESS = re.compile(r"https?://[^\s\"'<>()]+")


def check_links(descriptor: dict, pkg_path: Path, text: str, problems: Collector) -> None:
    """Licences and sources named in datapackage.json become links on the sources page: each
    `path` must be a web address (never javascript:, a local file or a relative path)."""
    lines = text.splitlines()
    for owner in [descriptor, *[r for r in descriptor["resources"] if isinstance(r, dict)]]:
        for key in ("licenses", "sources"):
            items = owner.get(key) or []
            if not isinstance(items, list):
                continue
            for item in items:
                target = item.get("path") if isinstance(item, dict) else None
                if target is None or (isinstance(target, str) and WEB_ADDRESS.fullmatch(target)):
                    continue
                shown = json.dumps(target, ensure_ascii=False)
                line = next((i for i, l in enumerate(lines, 1) if shown[:80] in l), None)
                problems.add(
                    pkg_path,
                    f"{key[:-1]} path {quote_cell(shown)} is not a web address",
                    line,
                    lines[line - 1].find(shown[:80]) + 1 if line else None,
                    hint="give the full http:// or https:// address, or leave the path out",
                )


def resource_sources(package: DataPackage, pkg_path: Path, text: str, problems: Collector) -> None:
    """Resources that name the source of all their rows: rows without a source_id get it (a
    source_id in the row still wins), so figures, captions and the sources page cite it."""
    sources = package.tables.get(SOURCES_RESOURCE)
    known = set(map(str, sources["id"])) if sources is not None and "id" in sources else set()
    for res in package.descriptor["resources"]:
        name = res.get("name")
        if name == SOURCES_RESOURCE or name not in package.tables:
            continue
        entries = [item for item in res.get("sources") or [] if isinstance(item, dict) and "id" in item]
        for item in entries:
            sid = item["id"]
            at = value_position(text, "id", sid) if isinstance(sid, str) else (None, None)
            if not isinstance(sid, str) or sid not in known:
                close = difflib.get_close_matches(str(sid), sorted(known), n=1)
                problems.add(
                    pkg_path,
                    f'resource "{name}" names unknown source {quote_cell(json.dumps(sid, ensure_ascii=False))}',
                    *at,
                    hint=(f"did you mean {close[0]}?; " if close else "") + "the id must be a row of sources.csv",
                )
        if len(entries) > 1:
            problems.add(
                pkg_path,
                f'resource "{name}" names {len(entries)} sources for all its rows',
                *value_position(text, "id", str(entries[1]["id"])),
                hint="name one; give rows from other sources their own source_id column",
            )
        sid = resource_source(res)
        if sid is None or sid not in known:
            continue
        table = package.tables[name]
        if SOURCE_FIELD not in table:
            import numpy as np

            table[SOURCE_FIELD] = np.full(len(table), sid, dtype=object)  # one string, shared by every row
        else:
            table[SOURCE_FIELD] = table[SOURCE_FIELD].where(table[SOURCE_FIELD].notna(), sid)


def check_sources(package: DataPackage, pkg_path: Path, problems: Collector) -> None:
    """Every data row must name a source that the sources table describes."""
    sources = package.tables.get(SOURCES_RESOURCE)
    if sources is None:
        problems.add(pkg_path, f'no "{SOURCES_RESOURCE}" resource', hint="add sources.csv with id, title, publisher, url (optional) and declare it")
        return
    package.sources = {str(r["id"]): r for r in sources.to_dict("records")}
    rows = row_lines(package.paths[SOURCES_RESOURCE])
    for i, (sid, src) in enumerate(package.sources.items()):
        line = rows[i + 1][0] if i + 1 < len(rows) else None
        # Ids become HTML anchors and URLs become links: keep both to forms that are safe as they are.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", sid):
            problems.add(
                package.paths[SOURCES_RESOURCE],
                f"source id {quote_cell(repr(sid))} is not a simple name",
                line,
                1,
                hint="use letters, digits, _ . and -, e.g. ho_quarterly_2026",
            )
        # A source may have no address of its own (a document whose address cannot be established):
        # it is then shown as plain text. An address given, and `read_via` (the copy the text was
        # read through, shown as "read via", never as the source), must be web addresses.
        url = str(src.get("url") or "")
        if url and not WEB_ADDRESS.fullmatch(url):
            problems.add(
                package.paths[SOURCES_RESOURCE],
                f"source {quote_cell(repr(sid))} has no valid web address: {quote_cell(repr(url))}",
                line,
                hint="give the full http:// or https:// address of the document, without spaces or brackets",
            )
        via = str(src.get(READ_VIA_FIELD) or "")
        if via and not WEB_ADDRESS.fullmatch(via):
            problems.add(
                package.paths[SOURCES_RESOURCE],
                f"source {quote_cell(repr(sid))}: {READ_VIA_FIELD} is not a web address: {quote_cell(repr(via))}",
                line,
                hint="give the full http:// or https:// address of the copy the text was read through, or leave it empty",
            )
    for name, table in package.tables.items():
        if name == SOURCES_RESOURCE:
            continue
        if SOURCE_FIELD not in table:
            problems.add(
                package.paths[name],
                f'no "{SOURCE_FIELD}" column',
                1,
                1,
                hint="every row must say where its numbers come from: add the column, or name the source of all "
                'its rows in datapackage.json: "sources": [{"title": "…", "id": "…"}]',
            )
            continue
        ids = table[SOURCE_FIELD]
        bad = (ids.isna() | ~ids.isin(list(package.sources))).to_numpy()
        if not bad.any():
            continue
        rows = row_lines(package.paths[name])
        found = []
        for i in map(int, bad.nonzero()[0]):
            cited = ids.iloc[i]
            cited = None if cited is None or cited is pd.NA or cited != cited else cited
            line = rows[i + 1][0] if i + 1 < len(rows) else None
            found.append((package.paths[name], f"row has {'no source' if cited is None else f'unknown source {cited!r}'}", line, None, "add it to sources.csv"))
        add_capped(found, problems)

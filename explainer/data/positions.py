"""Where things are in a file: CSV records to file lines and columns, JSON keys to lines and columns.

Reads: the text or bytes of a CSV or of datapackage.json. Writes nothing; gives (line, column) pairs
so that every problem points at the exact cell or key.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path


def row_lines(path: Path) -> list[tuple[int, str]]:
    """For each CSV record (header = record 1), the file line it starts on and its raw text."""
    return row_lines_bytes(path.read_bytes())


def field_col(raw: str, index: int) -> int:
    """1-based character column where field number `index` (1-based) starts in one CSV line."""
    field_no, quoted = 1, False
    for pos, ch in enumerate(raw):
        if field_no == index:
            return pos + 1
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            field_no += 1
    return len(raw.rstrip("\r\n")) + 1


def value_position(text: str, key: str, value: str) -> tuple[int | None, int | None]:
    """Line and column of a "key": "value" pair's value in the JSON text, for pointing at it."""
    m = re.search(rf'"{re.escape(key)}"\s*:\s*({re.escape(json.dumps(value))})', text)
    if not m:
        return None, None
    line = text.count("\n", 0, m.start(1)) + 1
    return line, m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1) + 1


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits on
LINE = re.compile(f"[^{LINE_BREAKS}]+")


def row_lines_bytes(data: bytes) -> list[tuple[int, str]]:
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines(keepends=True)
    out, reader = [], csv.reader(io.StringIO(text))
    start = 1
    for _ in reader:
        out.append((start, lines[start - 1] if start - 1 < len(lines) else ""))
        start = reader.line_num + 1
    return out


def json_position(text: str, descriptor: dict, loc: tuple) -> tuple[int | None, int | None]:
    """Line and column of the last key of `loc` in a JSON text, found key after key (a resource by its name)."""
    at, found = 0, None
    node: object = descriptor
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            name = node.get("name") if isinstance(node, dict) else None
            target = json.dumps(name, ensure_ascii=False) if isinstance(name, str) else None
        elif isinstance(part, str):
            node = node.get(part) if isinstance(node, dict) else None
            target = json.dumps(part, ensure_ascii=False)
        else:
            continue
        where = text.find(target, at) if target else -1
        if where >= 0:
            at = found = where
    if found is None:
        return None, None
    return text.count("\n", 0, found) + 1, found - (text.rfind("\n", 0, found) + 1) + 1

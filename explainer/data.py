"""Stage 1: load the data package and validate it fully (Frictionless), then hand out tables.

Problems are reported with the CSV line and character column of the bad cell, so an
editor can jump straight to it.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .problems import Collector

DATA_DIR = Path("charts") / "data"
PACKAGE_FILE = DATA_DIR / "datapackage.json"
SOURCES_RESOURCE = "sources"
SOURCE_FIELD = "source_id"


@dataclass
class DataPackage:
    descriptor: dict
    tables: dict[str, pd.DataFrame]
    paths: dict[str, Path]
    sources: dict[str, dict] = field(default_factory=dict)  # source id -> row of the sources table

    def resource(self, name: str) -> dict:
        return next(r for r in self.descriptor.get("resources", []) if r.get("name") == name)

    def source_ids(self, name: str) -> list[str]:
        """Source ids cited by the rows of one resource, most cited first."""
        table = self.tables.get(name)
        if table is None or SOURCE_FIELD not in table:
            return []
        counts = table[SOURCE_FIELD].dropna().value_counts(sort=False)
        return sorted(counts.index, key=lambda s: (-counts[s], s))


def _json_position(text: str, message: str) -> tuple[int | None, int | None]:
    try:
        json.loads(text)
    except json.JSONDecodeError as e:
        return e.lineno, e.colno
    return None, None


def _row_lines(path: Path) -> list[tuple[int, str]]:
    """For each CSV record (header = record 1), the file line it starts on and its raw text."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    lines = text.splitlines(keepends=True)
    out, reader = [], csv.reader(io.StringIO(text))
    start = 1
    for _ in reader:
        out.append((start, lines[start - 1] if start - 1 < len(lines) else ""))
        start = reader.line_num + 1
    return out


def _field_col(raw: str, index: int) -> int:
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


PATH_HINT = "keep the CSV inside charts/data/, as a real file, not a link"


def _value_position(text: str, key: str, value: str) -> tuple[int | None, int | None]:
    """Line and column of a "key": "value" pair's value in the JSON text, for pointing at it."""
    m = re.search(rf'"{re.escape(key)}"\s*:\s*({re.escape(json.dumps(value))})', text)
    if not m:
        return None, None
    line = text.count("\n", 0, m.start(1)) + 1
    return line, m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1) + 1


def _unclosed_quote(text: str) -> tuple[int, int] | None:
    """Where a quoted CSV value opens and is never closed (it would swallow the rest of the file)."""
    quoted, start, line, col = False, None, 1, 0
    prev = ","
    for ch in text:
        col += 1
        if ch == '"':
            if not quoted and prev in ",\n":
                quoted, start = True, (line, col)
            elif quoted:
                quoted = False
        if ch == "\n":
            line, col = line + 1, 0
        prev = ch if not (ch == "\r") else prev
    return start if quoted else None


def _check_csv_shape(target: Path, name: str, text: str, problems: Collector) -> bool:
    """Problems a validator reports badly: empty files, header-only files, ';' files, open quotes."""
    if not text.strip():
        problems.add(target, "file is empty", hint="start it with a header line naming the columns, then the data rows")
        return False
    header = text.splitlines()[0]
    if ";" in header and "," not in header:
        problems.add(target, 'values are separated by ";", not commas', 1, header.index(";") + 1, hint="save the file as comma-separated CSV")
        return False
    open_quote = _unclosed_quote(text)
    if open_quote:
        problems.add(target, "quoted value is never closed", *open_quote, hint='end it with a closing ", or remove the opening one')
        return False
    if len([line for line in text.splitlines() if line.strip()]) < 2:
        problems.add(target, f'resource "{name}" has no data rows, only a header', 1, hint="add rows, or remove the resource from datapackage.json")
        return False
    return True


def _check_paths(root: Path, descriptor: dict, pkg_path: Path, pkg_text: str, problems: Collector) -> dict[str, Path]:
    """Resource paths must be local files inside the data folder: no URL, no escape, no symlink."""
    paths: dict[str, Path] = {}
    data_dir = (root / DATA_DIR).resolve()
    for i, res in enumerate(descriptor.get("resources", [])):
        name = res.get("name", f"#{i + 1}")
        rel = res.get("path")
        if not isinstance(rel, str):
            problems.add(pkg_path, f'resource "{name}" has no single "path"', hint="give the CSV file name, e.g. \"path\": \"crossings.csv\"")
            continue
        at = _value_position(pkg_text, "path", rel)
        if "://" in rel:
            problems.add(pkg_path, f'resource "{name}" points at data on the network: {rel}', *at, hint="download the file into charts/data/ and give its file name")
            continue
        target = root / DATA_DIR / rel
        if not (root / DATA_DIR / rel).resolve().is_relative_to(data_dir):
            problems.add(pkg_path, f'resource "{name}" path "{rel}" leaves charts/data/', *at, hint=PATH_HINT)
            continue
        if target.is_symlink() or any(p.is_symlink() for p in target.parents if p.is_relative_to(root / DATA_DIR) and p != root / DATA_DIR):
            problems.add(pkg_path, f'resource "{name}" path "{rel}" is a symbolic link', *at, hint=PATH_HINT)
            continue
        if not target.is_file():
            problems.add(pkg_path, f'resource "{name}": file "{rel}" not found', *at, hint=f"create charts/data/{rel} or fix the path")
            continue
        raw = target.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
            problems.add(target, "not valid UTF-8", line, col, hint="save the file as UTF-8")
            continue
        if raw.startswith(b"\xef\xbb\xbf"):
            problems.add(target, "file starts with a byte-order mark (BOM)", 1, 1, hint="save as UTF-8 without BOM")
            continue
        if _check_csv_shape(target, name, text, problems):
            paths[name] = target
    return paths


def load(root: Path, problems: Collector) -> DataPackage | None:
    """Read and validate the whole data package; None if anything is wrong (problems say what)."""
    pkg_path = root / PACKAGE_FILE
    if not pkg_path.is_file():
        problems.add(pkg_path, "data package not found", hint="every explainer needs charts/data/datapackage.json")
        return None
    text = pkg_path.read_text(encoding="utf-8", errors="replace")
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as e:
        problems.add(pkg_path, f"invalid JSON: {e.msg}", e.lineno, e.colno)
        return None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        problems.add(pkg_path, 'expected an object with a "resources" list', 1, 1)
        return None
    before = len(problems.errors)
    paths = _check_paths(root, descriptor, pkg_path, text, problems)
    if len(problems.errors) > before:
        return None
    _validate(descriptor, pkg_path, paths, problems)
    if len(problems.errors) > before:
        return None
    tables = {name: _read_table(path, descriptor, name) for name, path in paths.items()}
    package = DataPackage(descriptor, tables, paths)
    _check_sources(package, pkg_path, problems)
    return package if len(problems.errors) == before else None


def _validate(descriptor: dict, pkg_path: Path, paths: dict[str, Path], problems: Collector) -> None:
    import frictionless  # imported here: only a build that reaches validation pays for it

    for res in descriptor["resources"]:
        if "schema" not in res:
            problems.add(pkg_path, f'resource "{res.get("name")}" has no schema', hint="describe every column in a Table Schema")
    try:
        report = frictionless.Package(descriptor, basepath=str(pkg_path.parent)).validate()
    except frictionless.FrictionlessException as e:
        problems.add(pkg_path, f"invalid data package: {e.error.message}", hint="see https://datapackage.org/standard/data-package/")
        return
    lines_cache: dict[str, list[tuple[int, str]]] = {}
    for task in report.tasks:
        path = paths.get(task.name, pkg_path)
        missing = {(e.to_dict().get("rowNumber"), e.to_dict().get("fieldName")) for e in task.errors if e.type == "missing-cell"}
        for err in task.errors:
            info = err.to_dict()
            row = info.get("rowNumber")
            if err.type == "constraint-error" and (row, info.get("fieldName")) in missing:
                continue  # the missing cell is the problem; "required" would say it twice
            if err.type == "primary-key" and path != pkg_path:
                rows = lines_cache.setdefault(task.name, _row_lines(path))
                first = re.search(r"position (\d+)", info.get("note", ""))
                if first and int(first.group(1)) - 1 < len(rows):
                    info["note"] = f"the same key as line {rows[int(first.group(1)) - 1][0]}"
            line = col = None
            if row and path != pkg_path:
                rows = lines_cache.setdefault(task.name, _row_lines(path))
                if row - 1 < len(rows):
                    line, raw = rows[row - 1]
                    if info.get("fieldNumber"):
                        col = _field_col(raw, info["fieldNumber"])
            elif info.get("rowNumber") is None and path != pkg_path and err.type.startswith(("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")):
                line = 1
            problems.add(path, _message(info), line, col, hint=_hint(info))
    for err in report.errors:
        problems.add(pkg_path, _message(err.to_dict()), hint=_hint(err.to_dict()))


def _message(info: dict) -> str:
    kind = info.get("type", "")
    field = info.get("fieldName")
    note = info.get("note", "")
    if kind == "type-error":
        return f'"{info.get("cell")}" in column "{field}" is not a valid {note.removeprefix("type is ").strip(chr(34)).split("/")[0]}'
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
    "extra-cell": "every row needs as many values as the header; quote values that contain commas",
    "primary-key": "each row must have a unique key; remove or merge the duplicate",
    "foreign-key": "add the source to sources.csv or fix the id",
    "blank-row": "remove the empty line",
}


def _hint(info: dict) -> str:
    return _HINTS.get(info.get("type", ""), "")


def _read_table(path: Path, descriptor: dict, name: str) -> pd.DataFrame:
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


def _check_sources(package: DataPackage, pkg_path: Path, problems: Collector) -> None:
    """Every data row must name a source that the sources table describes."""
    sources = package.tables.get(SOURCES_RESOURCE)
    if sources is None:
        problems.add(pkg_path, f'no "{SOURCES_RESOURCE}" resource', hint="add sources.csv with id, title, publisher, url and declare it")
        return
    package.sources = {str(r["id"]): r for r in sources.to_dict("records")}
    rows = _row_lines(package.paths[SOURCES_RESOURCE])
    for i, (sid, src) in enumerate(package.sources.items()):
        line = rows[i + 1][0] if i + 1 < len(rows) else None
        # Ids become HTML anchors and URLs become links: keep both to forms that are safe as they are.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", sid):
            problems.add(package.paths[SOURCES_RESOURCE], f"source id {sid!r} is not a simple name", line, 1,
                         hint="use letters, digits, _ . and -, e.g. ho_quarterly_2026")
        url = str(src.get("url") or "")
        if not re.fullmatch(r"https?://[^\s\"'<>()]+", url):
            problems.add(package.paths[SOURCES_RESOURCE], f"source {sid!r} has no valid web address: {url!r}", line,
                         hint="give the full http:// or https:// address of the document, without spaces or brackets")
    for name, table in package.tables.items():
        if name == SOURCES_RESOURCE:
            continue
        if SOURCE_FIELD not in table:
            problems.add(package.paths[name], f'no "{SOURCE_FIELD}" column', 1, 1, hint="every row must say where its numbers come from")
            continue
        rows = _row_lines(package.paths[name])
        for i, sid in enumerate(table[SOURCE_FIELD]):
            if sid is None or sid not in package.sources:
                line = rows[i + 1][0] if i + 1 < len(rows) else None
                problems.add(package.paths[name], f'row has {"no source" if sid is None else f"unknown source {sid!r}"}', line, hint="add it to sources.csv")

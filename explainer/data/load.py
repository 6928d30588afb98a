"""Stage 1: load the data package and validate it fully (Frictionless), then hand out tables.

Large CSVs (FAST_ROWS rows or more) are validated with vectorised checks (pyarrow) that report
exactly what frictionless would, and are typed from the same arrays (see _FastResource).

Problems are reported with the CSV line and character column of the bad cell, so an
editor can jump straight to it.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..common import settings
from ..common.problems import Collector

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


def _row_lines(path: Path) -> list[tuple[int, str]]:
    """For each CSV record (header = record 1), the file line it starts on and its raw text."""
    return _row_lines_bytes(path.read_bytes())


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


LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines() splits on
_LINE = re.compile(f"[^{LINE_BREAKS}]+")


def _unclosed_quote(text: str) -> tuple[int, int] | None:
    """Where a quoted CSV value opens and is never closed (it would swallow the rest of the file).
    A quote opens a value only at the start of a field (after a comma or a new line, ignoring \r)."""
    quoted, start = False, 0  # start: where the open quote is, once quoted
    for m in re.finditer('"', text):  # only the quotes matter: fast on large files
        p = m.start()
        if quoted:
            quoted = False
            continue
        q = p - 1
        while q >= 0 and text[q] == "\r":
            q -= 1
        if q < 0 or text[q] in ",\n":
            quoted, start = True, p
    if not quoted:
        return None
    line_start = text.rfind("\n", 0, start) + 1
    return text.count("\n", 0, start) + 1, start - line_start + 1


def _check_csv_shape(target: Path, name: str, text: str, problems: Collector) -> bool:
    """Problems a validator reports badly: empty files, header-only files, ';' files, open quotes."""
    if not text.strip():
        problems.add(target, "file is empty", hint="start it with a header line naming the columns, then the data rows")
        return False
    first = re.match(f"[^{LINE_BREAKS}]*", text)  # the first line, without splitting a large file (always matches)
    header = first.group() if first else ""
    if ";" in header and "," not in header:
        problems.add(target, 'values are separated by ";", not commas', 1, header.index(";") + 1, hint="save the file as comma-separated CSV")
        return False
    open_quote = _unclosed_quote(text)
    if open_quote:
        problems.add(target, "quoted value is never closed", *open_quote, hint='end it with a closing ", or remove the opening one')
        return False
    nonblank = (m for m in _LINE.finditer(text) if m.group().strip())
    if next(nonblank, None) is None or next(nonblank, None) is None:  # fewer than two lines with text
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
            problems.add(pkg_path, f'resource "{name}" has no single "path"', hint='give the CSV file name, e.g. "path": "crossings.csv"')
            continue
        at = _value_position(pkg_text, "path", rel)
        if "://" in rel:
            problems.add(
                pkg_path, f'resource "{name}" points at data on the network: {rel}', *at, hint="download the file into charts/data/ and give its file name"
            )
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


ADD_DATA = "python build.py add-data"


def _check_undeclared(root: Path, descriptor: dict, problems: Collector) -> None:
    """A CSV in the data folder that no resource declares is read by nothing: a warning."""
    folder = root / DATA_DIR
    declared = {
        (folder / r["path"]).resolve()
        for r in descriptor.get("resources", [])
        if isinstance(r, dict) and isinstance(r.get("path"), str) and "://" not in r["path"]
    }
    declared |= {p.resolve() for p in declared if p.is_symlink()}
    for path in sorted(folder.rglob("*.csv")):
        if path.is_file() and path.resolve() not in declared and path.absolute() not in declared and not path.is_symlink():
            rel = path.relative_to(root).as_posix()
            problems.add(
                path,
                "CSV file is not in the data package, so nothing reads it",
                warning=True,
                hint=f"add it with: {ADD_DATA} {rel} --source ID, or move it out of charts/data/",
            )


def _check_headers(descriptor: dict, paths: dict[str, Path], problems: Collector) -> list[str]:
    """A header that disagrees with the resource's schema is one problem naming both headers,
    not one per row. Gives the names of the resources whose rows are therefore not checked."""
    mismatched = []
    for res in descriptor["resources"]:
        name = res.get("name")
        fields = (res.get("schema") or {}).get("fields") if isinstance(res.get("schema"), dict) else None
        if name not in paths or not isinstance(fields, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields):
            continue
        with paths[name].open(encoding="utf-8", newline="") as f:
            try:
                found = next(csv.reader(f), [])
            except csv.Error:
                continue  # frictionless words it
        expected = [f["name"] for f in fields]
        if found == expected:
            continue
        extra = [c for c in found if c not in expected]
        missing = [c for c in expected if c not in found]
        if extra and not missing:
            hint = (
                f"add {', '.join(json.dumps({'name': c, 'type': 'string'}) for c in extra)} to the schema's fields "
                f"in datapackage.json (with the right type), or remove the column{'s' if len(extra) > 1 else ''} from the CSV"
            )
        elif missing and not extra:
            hint = f"add the column{'s' if len(missing) > 1 else ''} {', '.join(missing)} to the CSV, or remove {'them' if len(missing) > 1 else 'it'} from the schema in datapackage.json"
        elif not extra and not missing:
            hint = "the same columns in another order: put the CSV's columns in the schema's order"
        elif len(extra) == len(missing) == 1:
            hint = f'rename the column "{extra[0]}" to "{missing[0]}" in the CSV, or the field "{missing[0]}" to "{extra[0]}" in datapackage.json'
        else:
            hint = "rename the columns in the CSV to match the schema in datapackage.json, or the fields to match the CSV"
        mismatched.append(name)
        problems.add(
            paths[name],
            f'header does not match the schema of resource "{name}": expected "{quote_cell(",".join(expected))}", found "{quote_cell(",".join(found))}"',
            1,
            1,
            hint=hint,
        )
    return mismatched


def _validated_stamp(root: Path, pkg_path: Path, paths: dict[str, Path]) -> Path:
    """Where a passed validation is remembered: named by a hash of the descriptor, every CSV, the
    validator's version and this file's code, so any change to any of them validates again."""
    from importlib import metadata

    h = hashlib.sha256(pkg_path.read_bytes() + Path(__file__).read_bytes() + metadata.version("frictionless").encode())
    for name, path in sorted(paths.items()):
        h.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return root / ".cache" / "explainer" / "data" / f"valid-{h.hexdigest()}"


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
        problems.add(pkg_path, *json_error(text, e))
        return None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        problems.add(pkg_path, 'expected an object with a "resources" list', 1, 1)
        return None
    before = len(problems.errors)
    paths = _check_paths(root, descriptor, pkg_path, text, problems)
    _check_undeclared(root, descriptor, problems)
    if len(problems.errors) > before:
        return None
    skipped = set(_check_headers(descriptor, paths, problems))
    for name in skipped:
        del paths[name]  # one message for the header; its rows are not checked against a schema that does not fit
    fast: dict[str, _FastResource] = {}  # large resources already read by the vectorised checks
    stamp = _validated_stamp(root, pkg_path, paths)
    if not stamp.is_file():  # these exact bytes passed before: no need to validate them again
        _validate(descriptor, pkg_path, paths, problems, fast, skipped)
        if len(problems.errors) > before:
            return None
        stamp.parent.mkdir(parents=True, exist_ok=True)
        for old in stamp.parent.glob("valid-*"):
            old.unlink(missing_ok=True)
        stamp.write_text("", encoding="utf-8")
    if skipped:
        return None
    tables = {name: fast[name].frame() if name in fast else _read_table(path, descriptor, name) for name, path in paths.items()}
    fast.clear()  # the text columns are no longer needed
    package = DataPackage(descriptor, tables, paths)
    _resource_sources(package, pkg_path, text, problems)
    _check_sources(package, pkg_path, problems)
    _check_links(descriptor, pkg_path, text, problems)
    _check_settings(descriptor, pkg_path, text, problems)
    return package if len(problems.errors) == before else None


# Validation of large resources. frictionless reads a CSV row by row in Python (about 25,000 rows
# a second here: 40 s for a million rows), so a resource with at least FAST_ROWS data rows whose
# schema and layout the vectorised checker supports is validated with pyarrow instead: the file
# is parsed once by Arrow's CSV reader (all columns as text), every check is an array operation,
# and only the cells it flags are read again, one by one, with frictionless's own cell reader, so
# messages, notes, line and column numbers are exactly those of the frictionless path (tests/
# test_scale.py runs both paths on every bad-input case and compares them). Anything the fast path
# does not support (ragged rows, blank lines, custom dialects or formats, "unique" constraints,
# datetime fields...) goes to frictionless, which is always right, only slow.
FAST_ROWS = 50_000
# A column with at most this many distinct values has each value read once by frictionless's reader.
UNIQUE_LIMIT = 50_000
# frictionless stops collecting a resource's errors at its default limit_errors (1,000); the fast
# path stops at the same point so that both report the same problems.
ERROR_LIMIT = 1000
# At most this many problems are printed per data file (the rest are counted in one line), so that a
# broken million-row file does not print a million lines; fixing the first ones usually fixes many.
SHOWN_PER_FILE = 50


def _validate(
    descriptor: dict, pkg_path: Path, paths: dict[str, Path], problems: Collector, fast_read: dict | None = None, skipped: set | frozenset = frozenset()
) -> None:
    """Validate every resource; resources the fast path read are left in `fast_read` (name -> _FastResource)."""
    import frictionless  # imported here: only a build that reaches validation pays for it

    for res in descriptor["resources"]:
        if "schema" not in res:
            problems.add(pkg_path, f'resource "{res.get("name")}" has no schema', hint="describe every column in a Table Schema")
    found: list[tuple[Path, str, int | None, int | None, str]] = []
    try:
        package = frictionless.Package(descriptor, basepath=str(pkg_path.parent))
        # What Package.validate() does, one resource at a time, so each can take its own path.
        try:
            package.to_descriptor(validate=True)
        except frictionless.FrictionlessException as e:
            for err in e.to_errors():
                problems.add(pkg_path, _message(err.to_dict()), hint=_hint(err.to_dict()))
            return
        tasks: list[tuple[str, list[dict], Callable[[int], tuple[int, str] | None] | None]] = []
        for resource in package.resources:
            if resource.name in skipped:
                continue
            path = paths.get(resource.name)
            fast = _FastResource.open(resource, package, path) if path is not None else None
            if fast is not None:
                tasks.append((resource.name, fast.errors(), fast.line_of))
                if fast_read is not None:
                    fast_read[resource.name] = fast
            else:
                report = resource.validate(limit_errors=ERROR_LIMIT)
                tasks += [(task.name, [e.to_dict() for e in task.errors], None) for task in report.tasks]
    except frictionless.FrictionlessException as e:
        problems.add(pkg_path, f"invalid data package: {e.error.message}", hint="see https://datapackage.org/standard/data-package/")
        return
    lines_cache: dict[str, list[tuple[int, str]]] = {}
    for name, task_errors, line_of in tasks:
        path = paths.get(name, pkg_path)

        def record(row: int) -> tuple[int, str] | None:
            """(file line, raw text) of CSV record `row` (header = 1)."""
            if line_of is not None:
                return line_of(row)
            rows = lines_cache.setdefault(name, _row_lines(path))
            return rows[row - 1] if row - 1 < len(rows) else None

        missing = {(e.get("rowNumber"), e.get("fieldName")) for e in task_errors if e.get("type") == "missing-cell"}
        for info in task_errors:
            kind = info.get("type", "")
            row = info.get("rowNumber")
            if kind == "constraint-error" and (row, info.get("fieldName")) in missing:
                continue  # the missing cell is the problem; "required" would say it twice
            if kind == "primary-key" and path != pkg_path:
                first = re.search(r"position (\d+)", info.get("note", ""))
                where = record(int(first.group(1))) if first else None
                if where:
                    info = {**info, "note": f"the same key as line {where[0]}"}
            line = col = None
            if row and path != pkg_path:
                where = record(row)
                if where:
                    line, raw = where
                    if info.get("fieldNumber"):
                        col = _field_col(raw, info["fieldNumber"])
            elif row is None and path != pkg_path and kind.startswith(("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")):
                line = 1
            found.append((path, _message(info), line, col, _hint(info)))
    _add_capped(found, problems, limited={paths[n] for n, errs, _ in tasks if n in paths and len(errs) >= ERROR_LIMIT})


def _add_capped(found: list[tuple], problems: Collector, limited: set | frozenset = frozenset()) -> None:
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


class _Unsupported(Exception):
    """The fast path does not handle this resource; frictionless will."""


_FAST_TYPES = {"string", "integer", "number", "year", "date", "boolean"}
# Values of these shapes are read by Arrow exactly as frictionless reads them; any other value
# (" 12", "+5", "1e3", "2021-1-5", ...) is read by frictionless's own cell reader.
_REGULAR = {
    "integer": r"^-?[0-9]{1,18}$",
    "year": r"^[0-9]{4}$",
    "number": r"^-?[0-9]+(\.[0-9]+)?$",  # and at most 16 characters: float64 then orders like Decimal
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
_CHECKS = {"minimum": "less", "maximum": "greater", "exclusiveMinimum": "less_equal", "exclusiveMaximum": "greater_equal"}
_RESOURCE_KEYS_FOR_FRICTIONLESS = {"dialect", "hash", "bytes", "rows", "fields", "compression", "innerpath", "data", "control", "layout"}


class _FastResource:
    """One large CSV resource checked with array operations (see FAST_ROWS): frictionless's checks,
    same errors, same order, same limit. open() gives None when frictionless must do it."""

    @classmethod
    def open(cls, resource, package, path: Path) -> "_FastResource | None":
        try:
            return cls(resource, package, path)
        except _Unsupported:
            return None

    def __init__(self, resource, package, path: Path):
        import numpy as np
        import pyarrow as pa
        import pyarrow.csv as pacsv

        data = path.read_bytes()
        if data.count(b"\n") < FAST_ROWS:
            raise _Unsupported("small")
        raw = resource.to_descriptor()
        if (
            (raw.get("format") or "csv") != "csv"
            or not str(raw.get("path", "")).lower().endswith(".csv")
            or str(raw.get("encoding") or "utf-8").lower() not in ("utf-8", "utf8")
            or (raw.get("scheme") or "file") != "file"
            or _RESOURCE_KEYS_FOR_FRICTIONLESS & set(raw)
        ):
            raise _Unsupported("resource options")
        schema = resource.schema
        self.fields = list(schema.fields)
        names = [f.name for f in self.fields]
        for f, spec in zip(self.fields, raw.get("schema", {}).get("fields", [])):
            if (
                f.type not in _FAST_TYPES
                or f.format != "default"
                or set(spec) & {"decimalChar", "groupChar", "bareNumber", "floatNumber"}
                or "unique" in f.constraints
            ):
                raise _Unsupported(f"field {f.name}")
        if not set(schema.primary_key) <= set(names):
            raise _Unsupported("primary key")
        for fk in schema.foreign_keys:
            ref = fk["reference"]["resource"]
            if (
                not ref
                or ref == resource.name
                or not package.has_resource(ref)
                or not set(fk["fields"]) <= set(names)
                or not set(fk["reference"]["fields"]) <= set(package.get_resource(ref).schema.field_names)
                or any(schema.get_field(name).type == "number" for name in fk["fields"])
            ):
                raise _Unsupported("foreign key")  # (numbers: frictionless compares Decimals)
        # Layout: what frictionless's CSV reader would see the same way Arrow does.
        if b"\n\n" in data or b"\n\r\n" in data or data.count(b"\r") != data.count(b"\r\n"):
            raise _Unsupported("blank lines or bare carriage returns")
        text_head = data[: _nth(data, b"\n", 100) + 1].decode("utf-8")
        try:  # frictionless sniffs the dialect from the first 100 lines
            sniffed = csv.Sniffer().sniff(text_head, ",\t;|")
            if sniffed.delimiter != "," or sniffed.escapechar or sniffed.skipinitialspace:
                raise _Unsupported("dialect")
        except csv.Error:
            pass
        header = next(csv.reader([text_head.split("\n", 1)[0]]), [])
        if header != names:
            raise _Unsupported("header")  # label problems: frictionless words them
        try:
            table = pacsv.read_csv(
                pa.py_buffer(data),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
                parse_options=pacsv.ParseOptions(
                    delimiter=",", quote_char='"', double_quote=True, escape_char=False, newlines_in_values=False, ignore_empty_lines=False
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise _Unsupported("ragged rows") from None
        self.newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        n_lines = len(self.newlines) + (0 if data.endswith(b"\n") else 1)
        if table.num_rows != n_lines - 1:
            raise _Unsupported("records are not lines")
        self.columns = [table.column(i).combine_chunks() for i in range(len(names))]
        self.data = data
        if b'"' in data:
            self._check_quoted_lines(np)
        # Line numbers as _row_lines() counts them, unless other line breaks would shift its count.
        self.simple_lines = not any(ch.encode() in data for ch in LINE_BREAKS[2:])
        self.readers = [f.create_cell_reader() for f in self.fields]
        self.package, self.resource, self.schema = package, resource, schema
        self._check_cells()

    def _check_quoted_lines(self, np) -> None:
        """Lines with quotes: Arrow must read them as Python's csv module (and so frictionless) does."""
        quotes = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 34)
        for line in np.unique(np.searchsorted(self.newlines, quotes)):
            if line == 0:
                continue  # the header, compared already
            try:
                records = list(csv.reader([self._line_text(int(line) + 1).rstrip("\r\n")]))
            except csv.Error:
                raise _Unsupported("quoted line breaks") from None
            if records != [self.cells(int(line) - 1)]:
                raise _Unsupported("quoting")

    def _line_text(self, line: int) -> str:
        start = int(self.newlines[line - 2]) + 1 if line >= 2 else 0
        end = int(self.newlines[line - 1]) + 1 if line - 1 < len(self.newlines) else len(self.data)
        return self.data[start:end].decode("utf-8")

    def line_of(self, row: int) -> tuple[int, str] | None:
        """(file line, raw text) of CSV record `row` (header = 1): what _row_lines() gives."""
        if not self.simple_lines:
            if not hasattr(self, "_rows"):
                self._rows = _row_lines_bytes(self.data)
            return self._rows[row - 1] if row - 1 < len(self._rows) else None
        if row - 1 > len(self.newlines) or (row - 1 == len(self.newlines) and self.data.endswith(b"\n")):
            return None
        return row, self._line_text(row)

    def cells(self, i: int) -> list[str]:
        return [col[i].as_py() for col in self.columns]

    # -- the checks ---------------------------------------------------------------------------

    def _check_cells(self) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        n = len(self.columns[0])
        self.typed: list = []  # per field: Arrow array of typed values, null if missing or invalid
        suspect = np.zeros(n, dtype=bool)
        blank = np.ones(n, dtype=bool)
        for f, col, reader in zip(self.fields, self.columns, self.readers):
            enc = pc.dictionary_encode(col)
            if len(enc.dictionary) <= UNIQUE_LIMIT:
                # Few distinct values (the usual case: dates, categories, rounded numbers): frictionless's
                # own reader reads each distinct value once, so every check is exactly its own.
                idx = enc.indices.to_numpy(zero_copy_only=False)
                targets, err_u, blank_u = [], [], []
                for value in enc.dictionary.to_pylist():
                    target, notes = reader(value)
                    targets.append(target)
                    err_u.append(bool(notes))
                    blank_u.append(target is None and not (notes and "type" in notes))
                suspect |= np.array(err_u, dtype=bool)[idx]
                blank &= np.array(blank_u, dtype=bool)[idx]
                try:
                    typed = pc.take(_typed_array(targets, f.type), enc.indices)
                except (pa.ArrowInvalid, OverflowError, TypeError):
                    raise _Unsupported("value out of range") from None
                self.typed.append(typed)
                continue
            # Many distinct values: Arrow reads the regular spellings, frictionless the others.
            mv = f.missing_values if f.has_defined("missing_values") or not f.schema else f.schema.missing_values
            missing = pc.is_in(col, value_set=pa.array([str(v) for v in mv], pa.string()))
            typed, regular = _parse(f, col, missing)
            irregular = pc.and_(pc.invert(missing), pc.invert(regular))
            special = {}
            bad = []
            for value in pc.unique(col.filter(irregular)).to_pylist():
                target, notes = reader(value)
                special[value] = target
                if notes:
                    bad.append(value)
            if special:
                try:
                    typed = _fill(typed, col, special, f.type)
                except (pa.ArrowInvalid, OverflowError, TypeError):
                    raise _Unsupported("value out of range") from None
            err = pc.and_(irregular, pc.is_in(col, value_set=pa.array(bad, pa.string())))
            if f.constraints.get("required"):
                err = pc.or_(err, missing)
            for name in f.supported_constraints:
                if name == "required" or f.constraints.get(name) is None:
                    continue
                fail = _constraint_fails(f, name, f.constraints[name], typed, col, regular)
                err = pc.or_(err, pc.and_(regular, pc.fill_null(fail, False)))
            suspect |= err.to_numpy(zero_copy_only=False)
            blank &= missing.to_numpy(zero_copy_only=False)
            self.typed.append(typed)
        self.blank = blank
        suspect |= blank
        self.pk_note: dict[int, str] = {}
        pk = list(self.schema.primary_key)
        if pk:
            self._check_primary_key(pk, np)
            suspect[list(self.pk_note)] = True
        self.fk_bad: list = []
        for fk in self.schema.foreign_keys:
            bad = self._check_foreign_key(fk, np)
            self.fk_bad.append(bad)
            suspect |= bad
        self.suspect = np.flatnonzero(suspect)

    def _codes(self, name: str, np):
        """Per row, an integer that is equal for equal typed values (-1: no value), as frictionless
        compares keys; and the typed value of each code."""
        import pyarrow.compute as pc

        enc = pc.dictionary_encode(self.typed[[f.name for f in self.fields].index(name)])
        return pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()

    def _check_primary_key(self, pk: list[str], np) -> None:
        codes = np.stack([self._codes(name, np)[0] for name in pk], axis=1)
        all_none = (codes == -1).all(axis=1)
        for i in np.flatnonzero(all_none):
            self.pk_note[int(i)] = 'cells composing the primary keys are all "None"'
        keyed = np.flatnonzero(~all_none)
        frame = pd.DataFrame(codes[keyed], columns=[f"k{j}" for j in range(len(pk))])
        dup = frame.duplicated(keep=False).to_numpy()
        if dup.any():
            rows = keyed[dup]
            groups = frame[dup].groupby(list(frame.columns), sort=False).ngroup().to_numpy()
            order = np.lexsort((rows, groups))
            rows, groups = rows[order], groups[order]
            for k in np.flatnonzero(groups[1:] == groups[:-1]) + 1:  # every later row: the same as the one before it
                self.pk_note[int(rows[k])] = f"the same as in the row at position {int(rows[k - 1]) + 2}"

    def _lookup(self, fk) -> set:
        """The referenced rows' key tuples, as frictionless builds its lookup."""
        source = self.package.get_resource(fk["reference"]["resource"]).to_copy()
        if source.schema:
            source.schema.foreign_keys = []
        key = fk["reference"]["fields"]
        found = set()
        with source:
            for row in source.row_stream:
                cells = tuple(row.get(name) for name in key)
                if set(cells) != {None}:
                    found.add(cells)
        return found

    def _check_foreign_key(self, fk, np):
        coded = [self._codes(name, np) for name in fk["fields"]]
        codes = np.stack([c for c, _ in coded], axis=1)
        dictionaries = [d for _, d in coded]
        lookup = self._lookup(fk)
        # One integer per distinct key (codes are small: mixed radix), then each distinct key once.
        combined = np.zeros(len(codes), dtype=np.int64)
        for j, d in enumerate(dictionaries):
            combined = combined * (len(d) + 1) + (codes[:, j] + 1)
        inverse, keys = pd.factorize(combined)
        first = np.zeros(len(keys), dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse))[::-1]  # a row holding each distinct key
        bad_key = np.zeros(len(keys), dtype=bool)
        for k, row in enumerate(first):
            cells = tuple(None if code < 0 else dictionaries[j][code] for j, code in enumerate(codes[row]))
            if set(cells) != {None} and cells not in lookup:
                bad_key[k] = True
        return bad_key[inverse]

    def errors(self) -> list[dict]:
        """frictionless's error dicts for this resource, in its order, up to ERROR_LIMIT."""
        out: list[dict] = []
        for i in map(int, self.suspect):
            row_number = i + 2
            cells = self.cells(i)
            errs, blanks, values = [], 0, {}
            for j, (f, reader, cell) in enumerate(zip(self.fields, self.readers, cells)):
                target, notes = reader(cell)
                values[f.name] = target
                type_note = notes.pop("type", None) if notes else None
                if target is None and not type_note:
                    blanks += 1
                base = {"rowNumber": row_number, "cell": str(cell), "fieldName": f.name, "fieldNumber": j + 1}
                if type_note:
                    errs.append({"type": "type-error", "note": type_note, **base})
                for note in (notes or {}).values():
                    errs.append({"type": "constraint-error", "note": note, **base})
            if blanks == len(self.fields):
                errs = [{"type": "blank-row", "rowNumber": row_number, "note": ""}]
            if i in self.pk_note:
                errs.append({"type": "primary-key", "rowNumber": row_number, "note": self.pk_note[i]})
            for fk, bad in zip(self.schema.foreign_keys, self.fk_bad):
                if bad[i]:
                    cells_fk = tuple(values[name] for name in fk["fields"])
                    note = 'for "%s": values "%s" not found in the lookup table "%s" as "%s"' % (
                        ", ".join(fk["fields"]),
                        ", ".join(str(d) for d in cells_fk),
                        fk["reference"]["resource"],
                        ", ".join(fk["reference"]["fields"]),
                    )
                    errs.append({"type": "foreign-key", "rowNumber": row_number, "note": note})
            out += errs
            if len(out) >= ERROR_LIMIT:
                return out[:ERROR_LIMIT]
        return out

    def frame(self) -> pd.DataFrame:
        """The table typed as _read_table() types it, from the arrays already read."""
        import pyarrow as pa
        import pyarrow.compute as pc

        out = {}
        for f, typed in zip(self.fields, self.typed):
            if f.type in ("integer", "year"):
                out[f.name] = typed.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
            elif f.type == "number":
                out[f.name] = pd.Series(typed.to_numpy(zero_copy_only=False), dtype="float64")
            elif f.type == "date":
                out[f.name] = pd.Series(pc.cast(typed, pa.timestamp("us")).to_numpy(zero_copy_only=False))
            elif f.type == "boolean":
                out[f.name] = pd.Series(typed.to_pylist(), dtype="boolean")
            else:  # text: Python strings (one object per distinct value), None where missing
                values = pd.Series(pc.dictionary_encode(typed).to_pandas()).astype("object")
                out[f.name] = values.where(values.notna(), None)
        return pd.DataFrame(out)


def _nth(data: bytes, sep: bytes, n: int) -> int:
    """Offset of the n-th separator (or the end)."""
    pos = -1
    for _ in range(n):
        nxt = data.find(sep, pos + 1)
        if nxt < 0:
            return len(data)
        pos = nxt
    return pos


def _row_lines_bytes(data: bytes) -> list[tuple[int, str]]:
    text = data.decode("utf-8-sig", errors="replace")
    lines = text.splitlines(keepends=True)
    out, reader = [], csv.reader(io.StringIO(text))
    start = 1
    for _ in reader:
        out.append((start, lines[start - 1] if start - 1 < len(lines) else ""))
        start = reader.line_num + 1
    return out


def _parse(field, col, missing):
    """(typed Arrow array, mask of values read by Arrow) for one text column; the typed array is
    null where the value is missing or irregular (left to frictionless's reader)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    present = pc.invert(missing)
    kind = field.type
    if kind == "string":
        return pc.if_else(present, col, pa.scalar(None, pa.string())), present
    if kind == "boolean":
        true, false = [str(v) for v in field.true_values], [str(v) for v in field.false_values]
        regular = pc.and_(present, pc.is_in(col, value_set=pa.array(true + false, pa.string())))
        value = pc.invert(pc.is_in(col, value_set=pa.array(false, pa.string())))  # a value in both lists is false
        return pc.if_else(regular, value, pa.scalar(None, pa.bool_())), regular
    regular = pc.and_(present, pc.match_substring_regex(col, _REGULAR[kind]))
    if kind == "number":
        regular = pc.and_(regular, pc.less_equal(pc.utf8_length(col), 16))
    safe = pc.if_else(regular, col, pa.scalar("0" if kind != "date" else "2000-01-01"))
    if kind in ("integer", "year"):
        typed = pc.cast(safe, pa.int64())
    elif kind == "number":
        typed = pc.add(pc.cast(safe, pa.float64()), 0.0)  # -0.0 -> 0.0, as Decimal compares them
    else:
        stamp = pc.strptime(safe, format="%Y-%m-%d", unit="s", error_is_null=True)
        roundtrip = pc.equal(pc.strftime(stamp, format="%Y-%m-%d"), safe)  # no 2021-02-30, no year 0
        regular = pc.and_(regular, pc.fill_null(roundtrip, False))
        regular = pc.and_(regular, pc.invert(pc.starts_with(col, "0000")))
        typed = pc.cast(stamp, pa.date32())
    return pc.if_else(regular, typed, pa.scalar(None, typed.type)), regular


_ARROW_TYPES = {"integer": "int64", "year": "int64", "number": "float64", "date": "date32", "boolean": "bool_", "string": "string"}


def _typed_array(values: list, kind: str):
    """frictionless's typed values as an Arrow array (numbers as float64; None -> null)."""
    import pyarrow as pa

    if kind == "number":
        values = [None if v is None else float(v) + 0.0 for v in values]
    return pa.array(values, getattr(pa, _ARROW_TYPES[kind])())


def _fill(typed, col, special: dict, kind: str):
    """Put the values frictionless read (irregular spellings) into the typed array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = [k for k, v in special.items() if v is not None]
    if not keys:
        return typed
    values = [special[k] for k in keys]
    if kind == "number":
        values = [float(v) + 0.0 for v in values]
    idx = pc.index_in(col, value_set=pa.array(keys, pa.string()))
    filled = pc.take(pa.array(values, typed.type), idx)
    return pc.if_else(pc.is_valid(idx), filled, typed)


def _constraint_fails(field, name: str, constraint, typed, col, regular):
    """Mask of values that break one constraint (frictionless's check_<name>), for regular values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    value_reader = field.create_value_reader()
    if name in _CHECKS:
        bound = value_reader(constraint)
        if bound is None:
            raise _Unsupported("constraint")
        if field.type == "number":
            bound = float(bound)
        return getattr(pc, _CHECKS[name])(typed, pa.scalar(bound, typed.type))
    if name == "enum":
        allowed = [value_reader(v) for v in constraint]
        if field.type == "number":
            allowed = [float(v) for v in allowed if v is not None]
        return pc.invert(pc.is_in(typed, value_set=pa.array([v for v in allowed if v is not None], typed.type)))
    if name == "minLength":
        return pc.less(pc.utf8_length(col), constraint)
    if name == "maxLength":
        return pc.greater(pc.utf8_length(col), constraint)
    if name == "pattern":
        rx = re.compile("^{0}$".format(constraint))  # frictionless's own anchoring, with Python's re
        values = pc.unique(col.filter(regular))
        if len(values) > 200_000:  # many distinct values: Arrow's RE2 finds candidates, Python's re decides
            try:
                values = pc.unique(col.filter(pc.and_(regular, pc.invert(pc.match_substring_regex(col, "^{0}$".format(constraint))))))
            except pa.ArrowInvalid:
                pass
        bad = [v for v in values.to_pylist() if not rx.match(v)]
        return pc.is_in(col, value_set=pa.array(bad, pa.string()))
    raise _Unsupported(name)


CELL_SHOWN = 200  # characters of a cell quoted in a message: a 50 MB cell is not echoed whole


def quote_cell(value) -> str:
    text = str(value)
    return text if len(text) <= CELL_SHOWN else f"{text[:CELL_SHOWN]}… ({len(text):,} characters)"


def _message(info: dict) -> str:
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


def _hint(info: dict) -> str:
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


WEB_ADDRESS = re.compile(r"https?://[^\s\"'<>()]+")


def _check_links(descriptor: dict, pkg_path: Path, text: str, problems: Collector) -> None:
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


def _check_settings(descriptor: dict, pkg_path: Path, text: str, problems: Collector) -> None:
    """The generator's own keys (edition_data_date, translations, caveats...): settings.DataPackageSettings."""
    for issue in settings.check(settings.DataPackageSettings, descriptor)[1]:
        problems.add(pkg_path, issue.message, *_json_position(text, descriptor, issue.loc), hint=issue.hint)


def _json_position(text: str, descriptor: dict, loc: tuple) -> tuple[int | None, int | None]:
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


def resource_source(res: dict) -> str | None:
    """The source of every row of a resource, if the resource names one: an entry of its
    `sources` (the Data Package standard's list of {title, path}) with an `id` that is a row of
    sources.csv, e.g. "sources": [{"title": "Orchard logbook", "id": "logbook"}]. Entries without
    an id are descriptions only, as before."""
    ids = [item["id"] for item in res.get("sources") or [] if isinstance(item, dict) and isinstance(item.get("id"), str)]
    return ids[0] if ids else None


def _resource_sources(package: DataPackage, pkg_path: Path, text: str, problems: Collector) -> None:
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
            at = _value_position(text, "id", sid) if isinstance(sid, str) else (None, None)
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
                *_value_position(text, "id", str(entries[1]["id"])),
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


def _check_sources(package: DataPackage, pkg_path: Path, problems: Collector) -> None:
    """Every data row must name a source that the sources table describes."""
    sources = package.tables.get(SOURCES_RESOURCE)
    if sources is None:
        problems.add(pkg_path, f'no "{SOURCES_RESOURCE}" resource', hint="add sources.csv with id, title, publisher, url (optional) and declare it")
        return
    package.sources = {str(r["id"]): r for r in sources.to_dict("records")}
    rows = _row_lines(package.paths[SOURCES_RESOURCE])
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
        rows = _row_lines(package.paths[name])
        found = []
        for i in map(int, bad.nonzero()[0]):
            cited = ids.iloc[i]
            cited = None if cited is None or cited is pd.NA or cited != cited else cited
            line = rows[i + 1][0] if i + 1 < len(rows) else None
            found.append((package.paths[name], f"row has {'no source' if cited is None else f'unknown source {cited!r}'}", line, None, "add it to sources.csv"))
        _add_capped(found, problems)

"""The data files before validation: resource paths stay in charts/data/, CSVs are UTF-8 and
comma-separated, every quote closes, headers match their schema, no CSV goes undeclared.

Reads: datapackage.json's resources and the CSV files. Writes problems into a Collector.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from ..common.problems import Collector
from .errors import quote_cell
from .package import DATA_DIR
from .positions import LINE, LINE_BREAKS, value_position

PATH_HINT = "keep the CSV inside charts/data/, as a real file, not a link"


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
    nonblank = (m for m in LINE.finditer(text) if m.group().strip())
    if next(nonblank, None) is None or next(nonblank, None) is None:  # fewer than two lines with text
        problems.add(target, f'resource "{name}" has no data rows, only a header', 1, hint="add rows, or remove the resource from datapackage.json")
        return False
    return True


def check_paths(root: Path, descriptor: dict, pkg_path: Path, pkg_text: str, problems: Collector) -> dict[str, Path]:
    """Resource paths must be local files inside the data folder: no URL, no escape, no symlink."""
    paths: dict[str, Path] = {}
    data_dir = (root / DATA_DIR).resolve()
    for i, res in enumerate(descriptor.get("resources", [])):
        name = res.get("name", f"#{i + 1}")
        rel = res.get("path")
        if not isinstance(rel, str):
            problems.add(pkg_path, f'resource "{name}" has no single "path"', hint='give the CSV file name, e.g. "path": "crossings.csv"')
            continue
        at = value_position(pkg_text, "path", rel)
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


def check_undeclared(root: Path, descriptor: dict, problems: Collector) -> None:
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


def check_headers(descriptor: dict, paths: dict[str, Path], problems: Collector) -> list[str]:
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

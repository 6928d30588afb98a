"""`python build.py add-data charts/data/FILE.csv [--source ID]`: declare a CSV in the data
package, its Table Schema inferred by Frictionless, so that no editor writes that JSON by hand.

- Column types (integer, number, date, boolean, string...) are inferred from the whole file (up
  to SAMPLE_ROWS rows): a column is typed only if every value fits the type.
- A `source_id` column becomes a reference to sources.csv; `--source ID` names the source of
  every row instead (a resource-level source, `"sources": [{"title": ..., "id": ID}]`), and of
  the rows whose source_id is empty when the file has the column.
- datapackage.json keeps its own layout: the new resource is added at the end of "resources",
  written with two-space indentation, its keys in a fixed order and each field on one line.
- The package is then checked as a build checks it; if the new file has problems, they are
  printed and datapackage.json is left as it was.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from pathlib import Path

from ..common.problems import Collector, Problems
from ..data import load as data

SAMPLE_ROWS = 100_000
WIDTH = 100  # a JSON object or list that fits in this many columns stays on one line


class UsageError(Exception):
    """The command was given something it cannot use (exit 2)."""


def _resource_name(stem: str) -> str:
    name = re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")
    return name or "data"


def _sources(root: Path) -> dict[str, dict]:
    path = root / data.DATA_DIR / "sources.csv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        return {row.get("id", ""): row for row in csv.DictReader(f)}


def infer_schema(data_dir: Path, rel: str) -> dict:
    """A Table Schema for one CSV: Frictionless's inferred field types, every value checked."""
    import frictionless

    detector = frictionless.Detector(sample_size=SAMPLE_ROWS, field_confidence=1.0)
    resource = frictionless.Resource(path=rel, basepath=str(data_dir), detector=detector)
    resource.infer(stats=False)
    fields = []
    for f in resource.schema.to_descriptor().get("fields", []):
        field = {"name": f["name"], "type": f.get("type", "string")}
        if f.get("format") not in (None, "default"):
            field["format"] = f["format"]
        fields.append(field)
    schema: dict = {"fields": fields}
    if any(f["name"] == data.SOURCE_FIELD for f in fields):
        for f in fields:
            if f["name"] == data.SOURCE_FIELD:
                f["type"] = "string"
        schema["foreignKeys"] = [{"fields": [data.SOURCE_FIELD], "reference": {"resource": data.SOURCES_RESOURCE, "fields": ["id"]}}]
    schema["missingValues"] = [""]
    return schema


def dumps(value, indent: int = 0) -> str:
    """JSON for people: two-space indentation, and what fits on a line (a field) on one line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, (dict, list)) or not value or indent + len(flat) <= WIDTH:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dumps(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return "[\n" + ",\n".join(pad + dumps(v, indent + 2) for v in value) + "\n" + " " * indent + "]"


def with_resource(text: str, descriptor: dict, resource: dict) -> str:
    """datapackage.json's text with `resource` added at the end of "resources", its own layout
    kept: the resource is inserted before the list's closing bracket (checked by parsing the
    result); a file laid out in a way this cannot follow is written out afresh."""
    expected = {**descriptor, "resources": [*descriptor["resources"], resource]}
    for m in reversed(list(re.finditer(r"\]", text))):
        before = text[: m.start()].rstrip()
        if not before.endswith(("}", "[")):
            continue
        line = text[: m.start()].rsplit("\n", 1)[-1]
        indent = len(line) - len(line.lstrip()) + 2 if not line.strip() else 4
        body = dumps(resource, indent)
        candidate = f"{before}{',' if before.endswith('}') else ''}\n{' ' * indent}{body}\n{' ' * (indent - 2)}{text[m.start() :]}"
        try:
            if json.loads(candidate) == expected:
                return candidate
        except json.JSONDecodeError:
            continue
    return dumps(expected) + "\n"


def add(root: Path, csv_path: Path, source: str | None = None, name: str | None = None, title: str | None = None, description: str | None = None) -> str:
    """Declare the CSV in the data package; the line to print. Problems: the package's problems
    once it is declared (the file is then left as it was); UsageError: nothing could be done."""
    root = root.resolve()
    data_dir = (root / data.DATA_DIR).resolve()
    pkg_path = root / data.PACKAGE_FILE
    target = csv_path if csv_path.is_absolute() else Path.cwd() / csv_path
    if not target.is_file():
        raise UsageError(f"{csv_path}: no such file")
    if not target.resolve().is_relative_to(data_dir) or target.is_symlink():
        raise UsageError(f"{csv_path}: put the CSV in {data_dir.relative_to(root) if data_dir.is_relative_to(root) else data_dir}/ first, as a real file")
    if target.suffix.lower() != ".csv":
        raise UsageError(f"{csv_path}: not a .csv file")
    if not pkg_path.is_file():
        raise UsageError(f"{pkg_path}: no data package (charts/data/datapackage.json) to add to")
    rel = target.resolve().relative_to(data_dir).as_posix()
    text = pkg_path.read_text(encoding="utf-8")
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as e:
        raise UsageError(f"{pkg_path.relative_to(root)}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}; fix it first (build.py check)") from None
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise UsageError(f'{pkg_path.relative_to(root)}: expected an object with a "resources" list')
    for res in resources:
        if isinstance(res, dict) and res.get("path") == rel:
            raise UsageError(f'{rel} is already in the data package, as resource "{res.get("name")}"')
    name = name or _resource_name(target.stem)
    if not re.fullmatch(r"[a-z0-9][a-z0-9_]*", name):
        raise UsageError(f'--name "{name}": use lower-case letters, digits and _')
    if any(isinstance(res, dict) and res.get("name") == name for res in resources):
        raise UsageError(f'a resource named "{name}" exists already: give another with --name')
    header = next(csv.reader(target.open(encoding="utf-8-sig", newline="")), [])
    known = _sources(root)
    if source is not None and source not in known:
        close = difflib.get_close_matches(source, list(known), n=1)
        raise UsageError(
            f"--source {source}: no such id in charts/data/sources.csv" + (f" (did you mean {close[0]}?)" if close else " (add the source there first)")
        )
    if source is None and data.SOURCE_FIELD not in header:
        raise UsageError(f"{csv_path} has no {data.SOURCE_FIELD} column: give --source ID, the id in charts/data/sources.csv of the source of all its rows")
    resource: dict = {"name": name, "path": rel, "title": title or name.replace("_", " ").capitalize()}
    if description:
        resource["description"] = description
    if source is not None:
        entry = {"title": known[source].get("title") or source}
        url = known[source].get("url") or ""
        if data.WEB_ADDRESS.fullmatch(url):
            entry["path"] = url
        resource["sources"] = [{**entry, "id": source}]
    resource["schema"] = infer_schema(data_dir, rel)
    new_text = with_resource(text, descriptor, resource)
    pkg_path.write_text(new_text, encoding="utf-8")
    problems = Collector(root)
    if data.load(root, problems) is None or problems.errors:
        pkg_path.write_text(text, encoding="utf-8")  # left as it was
        raise Problems(problems.errors + [p for p in problems.items if p.warning])
    fields = ", ".join(f"{f['name']} ({f['type']})" for f in resource["schema"]["fields"])
    cited = f'; every row cites "{source}"' if source and data.SOURCE_FIELD not in header else f'; rows without a source_id cite "{source}"' if source else ""
    return (
        f'Added resource "{name}" ({rel}) to {pkg_path.relative_to(root).as_posix()}: {fields}{cited}. '
        "Check the types, add a title, description and caveats, then run build.py check."
    )

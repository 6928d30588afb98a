"""Stage 1: load the data package and validate it fully (Frictionless), then hand out tables.

Large CSVs (FAST_ROWS rows or more) are validated with vectorised checks (pyarrow) that report
exactly what frictionless would, and are typed from the same arrays (see FastResource).

Problems are reported with the CSV line and character column of the bad cell, so an
editor can jump straight to it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from ..common import settings
from ..common.files import CACHE_DIR
from ..common.problems import Collector
from .errors import ERROR_LIMIT, add_capped, error_hint, error_message, json_error
from .fast_validate import FastResource
from .files import check_headers, check_paths, check_undeclared
from .package import DATA_DIR, PACKAGE_FILE, READ_VIA_FIELD, SOURCE_FIELD, SOURCES_RESOURCE, DataPackage, read_table, resource_source
from .positions import field_col, json_position, row_lines
from .sources import WEB_ADDRESS, check_links, check_sources, resource_sources

# The stage's interface: other stages import these names from here.
__all__ = ["DATA_DIR", "PACKAGE_FILE", "READ_VIA_FIELD", "SOURCE_FIELD", "SOURCES_RESOURCE", "WEB_ADDRESS", "DataPackage", "load", "resource_source"]


def _validated_stamps(root: Path, pkg_path: Path, descriptor: dict, paths: dict[str, Path]) -> dict[str, Path]:
    """Where each resource's passed validation is remembered: named by a hash of the descriptor, the
    validator's version, the code of this stage's modules, the resource's CSV and the CSVs its
    foreign keys refer to, so that a change to any of them validates it again, and an edit to one
    CSV validates only that resource (and those whose keys point into it)."""
    from importlib import metadata

    code = b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))
    base = hashlib.sha256(pkg_path.read_bytes() + code + metadata.version("frictionless").encode()).digest()
    digests = {name: hashlib.sha256(path.read_bytes()).digest() for name, path in paths.items()}
    stamps = {}
    for res in descriptor["resources"]:
        name = res.get("name") if isinstance(res, dict) else None
        if not isinstance(name, str):
            continue
        h = hashlib.sha256(base)
        for ref in sorted({name} | _references(res)):
            h.update(ref.encode() + b"\0" + digests.get(ref, b"missing"))
        stamps[name] = root / CACHE_DIR / "data" / f"valid-{h.hexdigest()}"
    return stamps


def _references(res: dict) -> set[str]:
    """The resources a resource's foreign keys refer to (itself when the reference names none)."""
    schema = res.get("schema")
    keys = schema.get("foreignKeys") if isinstance(schema, dict) else None
    if not isinstance(keys, list):
        return set()
    return {str((k.get("reference") or {}).get("resource") or res.get("name")) for k in keys if isinstance(k, dict) and isinstance(k.get("reference"), dict)}


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
    paths = check_paths(root, descriptor, pkg_path, text, problems)
    check_undeclared(root, descriptor, problems)
    if len(problems.errors) > before:
        return None
    skipped = set(check_headers(descriptor, paths, problems))
    for name in skipped:
        del paths[name]  # one message for the header; its rows are not checked against a schema that does not fit
    fast: dict[str, FastResource] = {}  # large resources already read by the vectorised checks
    stamps = _validated_stamps(root, pkg_path, descriptor, paths)
    unchecked = {name for name, stamp in stamps.items() if not stamp.is_file()}  # the others' exact bytes passed before
    if unchecked:
        # every resource when none passed before (the descriptor changed): the whole package is checked then
        _validate(descriptor, pkg_path, paths, problems, fast, skipped, None if unchecked == set(stamps) else unchecked)
        if len(problems.errors) > before:
            return None
        folder = root / CACHE_DIR / "data"
        folder.mkdir(parents=True, exist_ok=True)
        for old in set(folder.glob("valid-*")) - set(stamps.values()):
            old.unlink(missing_ok=True)
        for stamp in stamps.values():
            stamp.write_text("", encoding="utf-8")
    if skipped:
        return None
    tables = {name: fast[name].frame() if name in fast else read_table(path, descriptor, name) for name, path in paths.items()}
    fast.clear()  # the text columns are no longer needed
    package = DataPackage(descriptor, tables, paths)
    resource_sources(package, pkg_path, text, problems)
    check_sources(package, pkg_path, problems)
    check_links(descriptor, pkg_path, text, problems)
    _check_settings(descriptor, pkg_path, text, problems)
    return package if len(problems.errors) == before else None


def _validate(
    descriptor: dict,
    pkg_path: Path,
    paths: dict[str, Path],
    problems: Collector,
    fast_read: dict | None = None,
    skipped: set | frozenset = frozenset(),
    only: set | None = None,
) -> None:
    """Validate the package and every resource (or the `only` ones); resources the fast path read
    are left in `fast_read` (name -> FastResource)."""
    import frictionless  # imported here: only a build that reaches validation pays for it

    for res in descriptor["resources"]:
        if "schema" not in res:
            problems.add(pkg_path, f'resource "{res.get("name")}" has no schema', hint="describe every column in a Table Schema")
    found: list[tuple[Path, str, int | None, int | None, str]] = []
    if only is not None:
        # The descriptor passed whole before (it is part of every stamp): a package of the
        # resources to check and those their foreign keys refer to is enough, and much quicker
        # to build than the whole one (frictionless validates a package's metadata as it makes it).
        needed = set(only) | {ref for res in descriptor["resources"] if res.get("name") in only for ref in _references(res)}
        descriptor = {**descriptor, "resources": [res for res in descriptor["resources"] if res.get("name") in needed]}
    try:
        package = frictionless.Package(descriptor, basepath=str(pkg_path.parent))
        # What Package.validate() does, one resource at a time, so each can take its own path.
        try:
            package.to_descriptor(validate=True)
        except frictionless.FrictionlessException as e:
            for err in e.to_errors():
                problems.add(pkg_path, error_message(err.to_dict()), hint=error_hint(err.to_dict()))
            return
        tasks: list[tuple[str, list[dict], Callable[[int], tuple[int, str] | None] | None]] = []
        for resource in package.resources:
            if resource.name in skipped or (only is not None and resource.name not in only):
                continue
            path = paths.get(resource.name)
            fast = FastResource.open(resource, package, path) if path is not None else None
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
            rows = lines_cache.setdefault(name, row_lines(path))
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
                        col = field_col(raw, info["fieldNumber"])
            elif row is None and path != pkg_path and kind.startswith(("blank-label", "duplicate-label", "missing-label", "extra-label", "incorrect-label")):
                line = 1
            found.append((path, error_message(info), line, col, error_hint(info)))
    add_capped(found, problems, limited={paths[n] for n, errs, _ in tasks if n in paths and len(errs) >= ERROR_LIMIT})


def _check_settings(descriptor: dict, pkg_path: Path, text: str, problems: Collector) -> None:
    """The generator's own keys (edition_data_date, translations, caveats...): settings.DataPackageSettings."""
    for issue in settings.check(settings.DataPackageSettings, descriptor)[1]:
        problems.add(pkg_path, issue.message, *json_position(text, descriptor, issue.loc), hint=issue.hint)

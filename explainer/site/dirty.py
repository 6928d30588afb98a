"""Updating the last build in place with `mkdocs build --dirty` (a documented option of its command
line), for `serve`: when the configuration (navigation, titles) and the set of docs/ files are those
of the last build, a copy of its folder, modification times kept, is given to MkDocs, which then
renders only the pages whose docs/ file is newer than their HTML; static files are copied only when
newer. Every page depends only on its own Markdown and on the configuration, so the other pages'
HTML is what a full build would write. Two things are not, and are put right here:

- the search index holds only the rebuilt pages: their entries replace the old ones in place
  (`finish`), giving the index of a full build;
- MkDocs warns that the build is dirty: that one warning is left out (`without_notice`).

A changed configuration (a title, so the navigation of every page) or an added or removed file
means a full build. tests/test_serve.py checks that an update equals a full build, file for file."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from .hooks import sanitize

DIRTY_NOTICE = "A 'dirty' build is being performed"  # MkDocs' warning for --dirty, which the preview asks for
SEARCH_INDEX = Path("search") / "search_index.json"


def inputs_digest(config_file: Path, docs: Path) -> str:
    """What decides whether the last build can be updated in place (--dirty): the configuration
    (navigation, titles, theme) and the names of the docs/ files. The digests of the figure blocks
    the sanitiser keeps are left out: they only concern the pages that hold them, which changed."""
    config = config_file.read_text(encoding="utf-8")
    config = re.sub(rf"^  {sanitize.TRUSTED_KEY}:\n(  - .*\n)*", "", config, flags=re.M)  # extra's key (written sorted, block style)
    names = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file())
    text = config + "\0".join(names)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def merge_search_index(before: bytes, partial: bytes) -> bytes | None:
    """The search index of a whole site from the last one and the one a --dirty build wrote (the
    rebuilt pages' entries only): each rebuilt page's entries replace its old ones, in place, so the
    index is the one a full build writes (Material: compact JSON, pages in build order). None when
    a rebuilt page had no entries before (then only a full build knows where they go)."""
    old, new = json.loads(before), json.loads(partial)

    def page(entry: dict) -> str:
        return str(entry["location"]).split("#")[0]

    fresh: dict[str, list] = {}
    for entry in new["docs"]:
        fresh.setdefault(page(entry), []).append(entry)
    docs, placed = [], set()
    for entry in old["docs"]:
        key = page(entry)
        if key not in fresh:
            docs.append(entry)
        elif key not in placed:
            docs += fresh[key]
            placed.add(key)
    if placed != set(fresh) or new["config"] != old["config"]:
        return None
    return json.dumps({"config": new["config"], "docs": docs}, separators=(",", ":"), default=str).encode("utf-8")


def without_notice(output: str) -> str:
    return "".join(line for line in output.splitlines(keepends=True) if DIRTY_NOTICE not in line)


def start(previous: Path | None, folder: Path, inputs: str, previous_inputs: str) -> bytes | None:
    """If `previous` (the last build's folder) was built from the same `inputs` (inputs_digest),
    copy it into `folder` and return its search index: the build may then run with --dirty.
    None: build `folder` in full."""
    if previous is None or not inputs or inputs != previous_inputs or not (previous / SEARCH_INDEX).is_file():
        return None
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(previous, folder, symlinks=True)  # copy2: modification times kept, which --dirty compares
    return (folder / SEARCH_INDEX).read_bytes()


def finish(folder: Path, index: bytes) -> bool:
    """After a --dirty build into `folder`: its search index made whole from the last one (`index`).
    False if that cannot be done (a page with no entries before): build in full then."""
    merged = merge_search_index(index, (folder / SEARCH_INDEX).read_bytes())
    if merged is None:
        return False
    (folder / SEARCH_INDEX).write_bytes(merged)
    return True

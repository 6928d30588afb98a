"""Shared assets: what a published edition keeps to itself, and what every edition and language
refers to once, at `_shared/<hash>/…` at the root of gh-pages.

Run over a finished edition (every language in it, after postbuild.py), in the build mike runs
when publishing (engine.py), never for `build` or `serve`. Rewrites the edition's folder; writes
the shared files into a stage folder that publish commits beside the edition (gh_pages_shared.py).

- The theme's and the generator's files (stylesheets, scripts, the Vega runtime, images, fonts)
  are the same bytes in every edition and language. Each moves to a folder named by its hash
  (the SHA-256 of its bytes; for a group of files that find each other by relative address, of
  the group's list of names and hashes), so a shared path always holds the same bytes: a later
  publish only ever adds folders, and an old edition keeps working.
- Files that find each other by relative address stay together: the search worker loads
  `../lunr/min/lunr.LANG.min.js` beside itself, charts.js loads `vega.js` beside itself.
- Nothing a reader never loads: no source maps (nor the comments that name them), only the lunr
  language files the explainer's languages need, and chart preview PNGs re-compressed without loss.
- Pages refer to shared files by relative addresses (`../../_shared/…`), so a site served under
  a /REPO/ prefix, or through the `latest` link, finds them.
"""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import re
from pathlib import Path

FOLDER = "_shared"  # at the root of gh-pages; Jekyll would hide it, mike's .nojekyll stops that
# A language's site: its theme and generator files, under its assets/ folder.
SHARED = ("javascripts", "stylesheets", "explainer", "images", "fonts")
SOURCE_MAP_COMMENT = re.compile(rb"\n?(?://# sourceMappingURL=[^\n]*|/\*# sourceMappingURL=[^*]*\*/)\s*$")
REF = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
CONFIG_VALUE = re.compile(r'(:\s*")([^"\\]*)(")')
CSS_URL = re.compile(rb"url\(\s*['\"]?(?!data:|#)([^'\")]+)")
HASH_CHARS = 20  # 80 bits: far more than a site's files; a clash is refused all the same (bytes differ)


def share(site: Path, stage: Path) -> dict[str, str]:
    """Move the shared files of the edition built in `site` to `stage/_shared/…` and point every
    page at them; drop what a reader never loads. Returns {edition path: shared path}."""
    langs = _search_languages(site)
    moved: dict[str, str] = {}
    for root in _language_roots(site):
        for members in _groups(site, root, langs):
            folder = f"{FOLDER}/{_digest(members)}"
            for rel, data in members.items():
                target = stage / folder / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            moved.update({f"{root}{members.base}{rel}": f"{folder}/{rel}" for rel in members})
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        html = page.read_text(encoding="utf-8")
        new = rewrite(html, posixpath.dirname(rel), moved)
        if new != html:
            page.write_text(new, encoding="utf-8")
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and (rel in moved or _dropped(rel)):
            path.unlink()
    for path in sorted(site.rglob("*"), reverse=True):  # deepest first: empty folders left behind
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for png in sorted(site.rglob("assets/charts/*.png")):
        compress_png(png)
    return moved


def rewrite(html: str, page_dir: str, moved: dict[str, str]) -> str:
    """A page with each relative href/src, and each address in the theme's configuration (the
    search worker), that names a moved file, pointed at its shared copy. Inline scripts are left
    as they are: their hashes are in the page's Content-Security-Policy."""

    def shared(value: str) -> str | None:
        cut = min([i for i in (value.find("?"), value.find("#")) if i >= 0] or [len(value)])
        path, rest = value[:cut], value[cut:]
        if not path or "://" in path or path.startswith(("/", "data:", "mailto:")):
            return None
        target = posixpath.normpath(posixpath.join(page_dir, path))
        if target not in moved:
            return None
        # The edition is one folder below the root of gh-pages, where the shared folder is.
        return posixpath.relpath(moved[target], posixpath.join("EDITION", page_dir)) + rest

    def attr(m: re.Match) -> str:
        new = shared(m.group(2))
        return m.group(1) + new + m.group(3) if new else m.group(0)

    def config(m: re.Match) -> str:
        return m.group(1) + CONFIG_VALUE.sub(attr, m.group(2)) + m.group(3)

    return CONFIG.sub(config, REF.sub(attr, html))


class _Group(dict):
    """Files that move together: path inside the group -> bytes; `base` is the group's folder
    inside a language's site (`assets/javascripts/`)."""

    def __init__(self, base: str):
        super().__init__()
        self.base = base


def _digest(group: _Group) -> str:
    if len(group) == 1:  # one file: the hash of its bytes, as `sha256sum` gives it
        return hashlib.sha256(next(iter(group.values()))).hexdigest()[:HASH_CHARS]
    listing = "".join(f"{rel}\0{hashlib.sha256(data).hexdigest()}\n" for rel, data in sorted(group.items()))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()[:HASH_CHARS]


def _language_roots(site: Path) -> list[str]:
    """The folder of each language's site inside the edition ("" and "fr/"): where a theme's
    assets/ folder is."""
    roots = {p.parent.parent.relative_to(site).as_posix() for p in site.rglob("assets/stylesheets") if p.is_dir()}
    return sorted("" if r == "." else r + "/" for r in roots)


def _search_languages(site: Path) -> set[str]:
    """Every language a search index of the edition is built for (Material's `lang`)."""
    langs: set[str] = set()
    for index in site.rglob("search/search_index.json"):
        try:
            langs.update((json.loads(index.read_text(encoding="utf-8")).get("config") or {}).get("lang") or [])
        except (ValueError, AttributeError):
            continue
    return langs or {"en"}


def _lunr_needed(langs: set[str]) -> set[str]:
    """The lunr files the search worker loads for these languages (Material's worker: a
    segmenter for ja, hi and th, a file per language but English, the stemmer support with any,
    multi with more than one language in a site; a site with one language needs no multi, but
    the group is shared by every language, so it carries what any of them needs)."""
    needed = {f"lunr/min/lunr.{lang}.min.js" for lang in langs if lang != "en"}
    needed |= {"lunr/tinyseg.js"} if "ja" in langs else set()
    needed |= {"lunr/wordcut.js"} if langs & {"hi", "th"} else set()
    if needed:
        needed |= {"lunr/min/lunr.stemmer.support.min.js", "lunr/min/lunr.multi.min.js"}
    return needed


def _dropped(rel: str) -> bool:
    """Files a reader never loads: source maps, and lunr files not moved (not needed)."""
    return rel.endswith(".map") or "/assets/javascripts/lunr/" in "/" + rel


def _groups(site: Path, root: str, langs: set[str]) -> list[_Group]:
    """A language's shared files, in groups that move together."""
    lunr = _lunr_needed(langs)
    files = {}
    for folder in SHARED:
        for path in sorted((site / root / "assets" / folder).rglob("*")):
            rel = path.relative_to(site / root / "assets").as_posix()
            if path.is_file() and not rel.endswith(".map") and not (rel.startswith("javascripts/lunr/") and rel[len("javascripts/") :] not in lunr):
                files[rel] = _without_source_map(path)
    if any(rel.endswith(".css") and any(not u.startswith((b"/", b"http:", b"https:")) for u in CSS_URL.findall(data)) for rel, data in files.items()):
        # A stylesheet that loads files by relative address (self-hosted fonts): everything moves
        # as one group, so every such address still holds.
        whole = _Group("assets/")
        whole.update(files)
        return [whole]
    search, charts = _Group("assets/javascripts/"), _Group("assets/explainer/")
    groups: list[_Group] = []
    for rel, data in files.items():
        if rel.startswith(("javascripts/workers/", "javascripts/lunr/")):
            search[rel[len("javascripts/") :]] = data
        elif rel.startswith("explainer/") and rel.endswith(".js"):
            charts[rel[len("explainer/") :]] = data
        else:
            group = _Group(posixpath.dirname("assets/" + rel) + "/")
            group[posixpath.basename(rel)] = data
            groups.append(group)
    return [g for g in (search, charts) if g] + groups


def _without_source_map(path: Path) -> bytes:
    data = path.read_bytes()
    return SOURCE_MAP_COMMENT.sub(b"\n", data) if path.suffix in (".js", ".css") else data


def compress_png(path: Path) -> None:
    """Re-compress a PNG without loss (same pixels: Pillow decodes and encodes, zlib at its best),
    if that makes it smaller."""
    from PIL import Image

    data = path.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
    if len(out.getvalue()) < len(data):
        path.write_bytes(out.getvalue())

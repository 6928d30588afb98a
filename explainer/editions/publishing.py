"""What `build.py publish` adds to an edition, gathered before the build: the previous edition's
record (from gh-pages), the correction notes, and the function that gives each language's extra
docs/ files (embed pages, oEmbed, the changes page; for the main language also the edition's
record and the feed). Reads git, never the clock."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from ..common import git
from . import changes, embed_hook, feed
from .embeds import WORDS as EMBED_WORDS, Edition, embed_files  # noqa: F401 - Edition: publish names the edition with it

HOOK_FILE = embed_hook.__file__  # MkDocs loads it by path, in its own process (mike's too)
NOT_IN_NAV = "/figures.md\n/changes.md"  # both reached by links (sources page, edition line), not the menu


def commit_date(root: Path, commit: str) -> str | None:
    """A commit's date, ISO 8601 in UTC: an edition's date in its record and in the feed."""
    out = git.output(root, "log", "-1", "--format=%ct", commit)
    if not out or not out.strip().isdigit():
        return None
    return datetime.datetime.fromtimestamp(int(out.strip()), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_record(root: Path, ref: str | None, name: str) -> dict | None:
    text = git.output(root, "show", f"{ref}:{name}/{changes.RECORD}") if ref else None
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def mkdocs_extra(edition: Edition, site_names: dict[str, str] | None = None) -> dict:
    """Settings merged into the generated MkDocs configuration: the embed control's hook and words,
    and, where the edition has a feed (every named edition; `next` has none), the feed's address
    from the edition's root and its title in each language (`site_names`: language code -> the
    site's name in it), which every page's <head> announces (theme/main.html)."""
    extra: dict = {
        "explainer_embed": {
            "edition": edition.name,
            "root": edition.root or "",
            "words": {code: {k: w[k] for k in ("embed", "this_edition", "latest")} for code, w in EMBED_WORDS.items()},
        }
    }
    if edition.name != "next":
        names = site_names or {"en": edition.site_name}
        extra["explainer_feed"] = {"href": feed.NAME, "titles": {code: feed.link_title(code, name) for code, name in names.items()}}
    return {"hooks": [HOOK_FILE], "not_in_nav": NOT_IN_NAV, "extra": extra}


class EditionDocs:
    """The callable the pipeline calls per language: (Localised, data package, every language or None,
    the switcher's links for a page) -> docs files."""

    def __init__(self, root: Path, edition: Edition, start: str | None, published: dict, key):
        self.edition = edition
        self.corrections = changes.read_corrections(root)
        mine = key(edition.name)
        named = sorted((v for v in published if v != edition.name and key(v) is not None), key=key, reverse=True)
        older = [v for v in named if mine is None or key(v) < mine]  # `next` compares with the newest named edition
        self.previous = older[0] if older else None
        self.previous_record = read_record(root, start, self.previous) if self.previous else None
        self.earlier = []  # the feed's older entries, newest first
        for name in older:
            rec = read_record(root, start, name)
            props = (published[name].get("properties") or {}) if isinstance(published[name], dict) else {}
            date = (rec or {}).get("date") or (commit_date(root, str(props["commit"])) if props.get("commit") else None)
            if date:
                self.earlier.append({"edition": name, "date": date, "data_to": (rec or {}).get("data_to") or props.get("data_to")})

    def __call__(self, loc, package, every: list | None, links=None) -> dict:
        files = embed_files(loc, package, self.edition)
        current = changes.language_record(loc, package)
        alternates = links(changes.NAME) if links else None  # the switcher leads to the changes page in each language
        files[changes.NAME] = changes.markdown(self.edition, loc.language.code, current, self.previous_record, self.previous, self.corrections, alternates)
        if every is not None:  # the main language, at the edition's root
            rec = changes.record(self.edition, every, package)
            files[changes.RECORD] = json.dumps(rec, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
            if self.edition.name != "next":
                files[feed.NAME] = feed.atom(self.edition, [rec, *self.earlier])
        return files

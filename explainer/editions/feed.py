"""The Atom feed of editions, `feed.xml` at each edition's root (so `latest/feed.xml` is always the
newest list): one entry per named edition, newest first, with its date (its commit's, from git),
the date its data runs to, and a link to its changes page. Built from the editions' records on
gh-pages and this one's, never from the clock: the same editions give the same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"
NAME = "feed.xml"
WORDS = {"title": "{site}: editions", "entry": "Edition {edition}", "data_to": "Edition {edition}, data to {data_to}.", "no_data": "Edition {edition}."}
# The feed's name in each language, for the <link rel="alternate"> that lets readers' feed readers
# find it from any page (the feed itself is one, in the main language's words).
LINK_TITLES = {"en": "{site}: editions", "fr": "{site}\u202f: éditions"}


def link_title(code: str, site: str) -> str:
    return LINK_TITLES.get(code, LINK_TITLES["en"]).format(site=site)


def _id(edition, name: str) -> str:
    return f"{edition.root}{name}/" if edition.root else f"urn:explainer:{edition.site_name.lower().replace(' ', '-')}:edition:{name}"


def atom(edition, records: list[dict]) -> str:
    """`records`: this edition's and the earlier ones' (edition, date, data_to), newest first.
    Links are absolute with a known address, else relative to this feed (in the edition's folder)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent, tag, text=None, **attrs):
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    base = edition.root or "../"
    sub(feed, "title", WORDS["title"].format(site=edition.site_name))
    sub(feed, "id", _id(edition, "feed"))
    sub(feed, "updated", max(r["date"] for r in records))
    sub(feed, "link", rel="self", href=(f"{edition.root}{edition.name}/" if edition.root else "") + NAME)
    sub(sub(feed, "author"), "name", edition.site_name)
    for r in records:
        entry = sub(feed, "entry")
        sub(entry, "title", WORDS["entry"].format(edition=r["edition"]))
        sub(entry, "id", _id(edition, r["edition"]))
        sub(entry, "updated", r["date"])
        sub(entry, "published", r["date"])
        sub(entry, "link", rel="alternate", type="text/html", href=f"{base}{r['edition']}/changes/")
        summary = WORDS["data_to"] if r.get("data_to") else WORDS["no_data"]
        sub(entry, "summary", summary.format(edition=r["edition"], data_to=r.get("data_to")))
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"

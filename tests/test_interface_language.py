"""No English interface word on a page in another language.

The English interface catalogue is every string the generator (explainer/common/i18n.py STRINGS),
Material (its English language pack) and Vega (its generated screen-reader captions) would put on
an English page, plus the data's field names and Python's True/False. None of it may reach the
visible text, aria-label, title, alt or placeholder, nor the SVG <title>/<desc>, of any French
page of the built Channel explainer. Quoted text (« », “ ”, <q>, <blockquote>) and text marked
with another lang attribute (the switcher's "English") are the writer's, not the interface's.
"""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser
from pathlib import Path

import material  # type: ignore[import-untyped]  # Material ships no type information
import pytest

from conftest import REPO, copy_explainer, run_build
from explainer.common.i18n import STRINGS, plural, strings

LANGUAGE_PACKS = Path(material.__file__).parent / "templates" / "partials" / "languages"
ATTRIBUTES = ("aria-label", "aria-description", "aria-roledescription", "title", "alt", "placeholder")
# Vega's own screen-reader captions and role names (vega-scenegraph util/aria.js), English only.
VEGA_WORDS = [
    "mark container",
    "Title text",
    "Subtitle text",
    "X-axis",
    "Y-axis",
    "for a discrete scale",
    "for a linear scale",
    "values from",
    "Symbol legend",
    "Gradient legend",
    "fill color",
    "stroke color",
    "ending with",
]
# Words the catalogue holds that are proper names or the same in French, found on French pages
# on purpose. Each needs a reason.
ALLOWED = {
    "Source": "the same word in French (the column header, « Source : »)",
    "Image": "the same word in French (an image's credit line)",
    "Navigation": "the same word in French (Material's navigation landmark)",
    "Date": "the same word in French",
}
QUOTES = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def _material(code: str) -> dict[str, str]:
    text = (LANGUAGE_PACKS / f"{code}.html").read_text(encoding="utf-8")
    return dict(re.findall(r'^\s*"([^"]+)": "((?:[^"\\]|\\.)*)"', text, re.M))


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _texts(v)]
    return [value]


def _fragments(text: str) -> list[str]:
    """The words of a template string between its placeholders and links: "{rows} rows; download
    [{file}]({href})." gives "rows; download"."""
    text = re.sub(r"\[[^\]]*\]\([^)]*\)|<[^>]+>|\{[^}]*\}", "\0", text)
    return [f for f in (p.strip(" \u00a0\u202f:;,.()·") for p in text.split("\0")) if len(f) > 1]


def english_catalogue(code: str = "fr") -> dict[str, str]:
    """Every English interface string that the language `code` writes differently, with where it is from."""
    found: dict[str, str] = {}
    own = strings(code)
    for key, english in STRINGS["en"].items():
        theirs = {f for t in _texts(own[key]) for f in _fragments(t)}
        for fragment in (f for t in _texts(english) for f in _fragments(t)):
            if fragment not in theirs:
                found.setdefault(fragment, f"generator: STRINGS[{key!r}]")
    en, other = _material("en"), _material(code)
    for key, english in en.items():
        if key not in ("language", "direction") and not key.startswith("search.config") and other.get(key) != english:
            found.setdefault(english, f"Material: {key}")
    for word in VEGA_WORDS:
        found.setdefault(word, "Vega's generated ARIA")
    for path in sorted((REPO / "charts" / "data").glob("*.csv")):  # a field name shown as a header or label
        with path.open(encoding="utf-8") as f:
            for field in next(csv.reader(f)):
                found.setdefault(field, f"field name in {path.name}")
    for word in ("True", "False", "true", "false", "None", "nan", "NaN"):
        found.setdefault(word, "Python's or pandas' value")
    return {k: v for k, v in found.items() if k not in ALLOWED}


class _Reader(HTMLParser):
    """(where, text) for what a reader or a screen reader meets: text outside scripts and styles,
    ATTRIBUTES, SVG <title>/<desc> (text too); quoted text and text in another language left out."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, foreign or quoted or hidden)
        self.lang, self.found = lang, list[tuple[str, str]]()

    def _skipped(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = (attrs.get("lang") or self.lang).split("-")[0]
        skip = tag in ("script", "style", "template", "q", "blockquote") or lang != self.lang
        if not self._skipped() and not skip:
            for name in ATTRIBUTES:
                if attrs.get(name):
                    self.found.append((f"{tag}@{name}", " ".join(attrs[name].split())))
        if tag not in self.VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self._skipped():
            self.found.append((self.stack[-1][0] if self.stack else "", text))


def leaks(html: str, catalogue: dict[str, str], lang: str = "fr") -> list[tuple[str, str, str]]:
    """(English string, its origin, where it was met) for each catalogue string on the page. A
    phrase counts anywhere; a single word or field name only as the whole of a text or attribute (a
    header, a label), so that an English word inside a French sentence, a quoted title or a caveat
    naming a CSV column ("vérifier weeks_with_data") is not a leak."""
    reader = _Reader(lang)
    reader.feed(html)
    out = []
    for where, text in reader.found:
        unquoted = QUOTES.sub(" ", text)
        bare = text.strip(" \u00a0\u202f:;,.()")
        for english, origin in catalogue.items():
            if not re.fullmatch(r"\w+", english):  # a phrase, or a word with punctuation ("X-axis")
                if re.search(r"(?<!\w)" + re.escape(english) + r"(?!\w)", unquoted):
                    out.append((english, origin, f"{where}: {text[:120]}"))
            elif bare == english:
                out.append((english, origin, f"{where}: {text[:120]}"))
    return out


def test_the_check_finds_a_planted_english_string():
    """The check can fail: Material's and our English words, a field name as a header, Vega's caption."""
    catalogue = english_catalogue()
    page = (
        '<html lang="fr"><body><label title="Switch to dark mode"></label><p>Made with amour</p>'
        "<table><tr><th>source_id</th><td>True</td></tr></table>"
        "<svg><g aria-label=\"X-axis titled 'Année' for a discrete scale\"></g><title>Données</title></svg>"
        '<p>Licence des données : « Download the plotted data (CSV) » </p><a lang="en">English</a></body></html>'
    )
    found = {english for english, _, _ in leaks(page, catalogue)}
    assert {"Switch to dark mode", "Made with", "source_id", "True", "X-axis", "for a discrete scale"} <= found, found
    assert "Download the plotted data (CSV)" not in found  # quoted
    assert not leaks('<html lang="fr"><p>Chiffres du Home Office : 28 526 personnes.</p></html>', catalogue)


def test_no_english_interface_string_on_french_pages(channel_site):
    catalogue = english_catalogue("fr")
    site = channel_site / "site" / "fr"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 8
    found: dict[str, list[str]] = {}
    for page in pages:
        for english, origin, where in leaks(page.read_text(encoding="utf-8"), catalogue):
            found.setdefault(f"{english!r} ({origin})", []).append(f"{page.relative_to(site)} {where}")
    assert not found, "\n".join(f"{k}: {v[:3]}" for k, v in sorted(found.items()))


def test_charts_carry_no_vega_aria_in_any_language(channel_site):
    """Vega's generated ARIA is English ("Y-axis titled …", "bar"): every chart SVG is one image,
    named and described by our title and description in the page's language."""
    for page in (channel_site / "site").rglob("*.html"):
        for svg in re.findall(r"<svg role=\"img\" aria-labelledby=[^>]*>.*?</svg>", page.read_text(encoding="utf-8"), re.S):
            assert not re.search(r"aria-roledescription|aria-label=|role=\"graphics", svg), page


def test_french_interface_typography_and_plurals(channel_site):
    """A narrow no-break space before : ; ! ? in French interface words; counted phrases in
    the language's plural form (French: 0 and 1 are singular)."""
    for key, value in STRINGS["fr"].items():
        for text in _texts(value):
            assert not re.search(r"(?:[^\u202f]|^)[:;!?](?:\s|$)", re.sub(r"\]\([^)]*\)", "", text)), (key, text)
    words = strings("fr")
    assert plural(words, "rows", 1, "fr_FR").startswith("{rows} ligne\u202f;")
    assert plural(words, "rows", 0, "fr_FR").startswith("{rows} ligne\u202f;")
    assert plural(words, "rows", 2, "fr_FR").startswith("{rows} lignes")
    assert plural(strings("en"), "rows", 1, "en_GB").startswith("{rows} row;")
    page = (channel_site / "site" / "fr" / "sources" / "index.html").read_text(encoding="utf-8")
    assert "Licence des données\u202f:" in page
    assert not re.search(r"\b1 lignes\b", page)


@pytest.fixture(scope="module")
def german(tmp_path_factory) -> Path:
    """The orchard with a German edition: a language the generator has no words for."""
    from test_languages import add_french

    root = add_french(copy_explainer(REPO / "tests" / "fixtures" / "orchard", tmp_path_factory.mktemp("de") / "orchard"))
    (root / "content" / "fr").rename(root / "content" / "de")
    text = (root / "mkdocs.yml").read_text(encoding="utf-8").replace("  fr:", "  de:")
    (root / "mkdocs.yml").write_text(text, encoding="utf-8")
    return root


def test_a_language_without_generator_words_is_a_warning_and_falls_back_to_english(german):
    """What an editor expects from `languages: {de: …}` when the generator speaks no German: the
    site still builds (a preview), Material's words and the numbers are German, the generator's
    captions fall back to English, and check says so once; --strict refuses it."""
    checked = run_build(german, "check")
    assert checked.returncode == 0, checked.stderr
    warning = [line for line in (checked.stdout + checked.stderr).splitlines() if "no German words" in line]
    assert len(warning) == 1 and warning[0].startswith("mkdocs.yml:3:") and "STRINGS" in warning[0], checked.stdout + checked.stderr
    assert run_build(german, "check", "--strict").returncode == 1
    built = run_build(german)
    assert built.returncode == 0, built.stderr
    page = (german / "site" / "de" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in page and "Suche" in page  # Material's German pack
    assert "Sources and methods" in page  # the documented fallback: the generator's English words

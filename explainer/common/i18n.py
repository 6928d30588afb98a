"""The explainer's languages, and the generator's own words in each of them.

An explainer is written in one language (Material's `theme.language` in mkdocs.yml, English by
default); others are declared under `languages:` in mkdocs.yml, each with its sections in
content/<code>/ under the same file names:

    languages:
      fr:
        site_name: Traverser la Manche
        site_description: Comment les small boats traversent la Manche.

The first language is built at the site root, every other one under /<code>/, with its own
search. One data package serves every language; chart words and data labels are translated
beside the chart code (TEXT in charts/<slug>.py) and the data package (`translations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Collector

CONTENT_DIR = Path("content")


@dataclass(frozen=True)
class Language:
    code: str  # "en", "fr": Material's theme.language, the HTML lang attribute
    name: str  # the language's name in itself, for the switcher: "English", "Français"
    locale: str  # Babel locale for figures and tables: "en_GB", "fr_FR"
    content: Path  # where its sections are: content/ or content/fr/
    prefix: str  # its folder in the site: "" (the first language) or "fr/"
    settings: dict = field(default_factory=dict, hash=False, compare=False)  # site_name etc. for this language

    @property
    def vega_locale(self) -> str:
        """vl-convert's and Vega's name for the number and date locale: "fr-FR"."""
        return self.locale.replace("_", "-")

    @property
    def english_name(self) -> str:
        """The language's name in messages to editors: "French"."""
        from babel import Locale

        return Locale.parse(self.code).get_display_name("en") or self.code

    @property
    def default(self) -> bool:
        return not self.prefix


def _babel_locale(code: str) -> str:
    """British English; every other language as written in its main country (CLDR likely
    subtags: fr -> fr_FR, de -> de_DE)."""
    from babel import Locale
    from babel.core import get_global

    if code == "en":
        return "en_GB"
    likely = get_global("likely_subtags").get(code)  # "fr_Latn_FR"
    if likely:
        parts = likely.split("_")
        return f"{parts[0]}_{parts[-1]}"
    return str(Locale.parse(code))


def _name(code: str) -> str:
    from babel import Locale

    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def languages(root: Path, user: dict | None, problems: Collector) -> list[Language]:
    """The explainer's languages, the first one (theme.language) first."""
    user = user or {}
    theme = user.get("theme")
    theme = theme if isinstance(theme, dict) else {}
    first = str(theme.get("language") or "en")
    found = [Language(first, _name(first), _babel_locale(first), root / CONTENT_DIR, "")]
    declared = user.get("languages")
    for folder in sorted((root / CONTENT_DIR).glob("*/")):
        if folder.is_dir() and any(folder.glob("*.md")) and str(folder.name) not in (declared if isinstance(declared, dict) else {}):
            problems.add(
                folder,
                f"{CONTENT_DIR / folder.name}/ holds sections, but no language {folder.name!r} is declared: they are not built",
                hint=f"add it to mkdocs.yml: languages: {{{folder.name}: {{site_name: ...}}}}",
                warning=True,
            )
    path = root / "mkdocs.yml"
    words_problems(found[0], path, problems)
    if not isinstance(declared, dict):  # mkdocs.yml's schema (settings.MkDocsSettings) said what is wrong
        return found
    for code, own in declared.items():
        code = str(code)
        if code == first:
            problems.add(
                path,
                f'languages: "{code}" is not a language code, or is the main language',
                hint="use a two-letter code such as fr, de or es; the main language is theme.language",
            )
            continue
        folder = root / CONTENT_DIR / code
        if not folder.is_dir():
            problems.add(
                path,
                f"languages.{code}: no folder {CONTENT_DIR / code}/ for its sections",
                hint=f"create {CONTENT_DIR / code}/ with the sections, named as in {CONTENT_DIR}/",
            )
            continue
        found.append(Language(code, _name(code), _babel_locale(code), folder, f"{code}/", dict(own or {})))
        words_problems(found[-1], path, problems)
    return found


def check_sections(langs: list[Language], names: dict[str, list[str]], root: Path, problems: Collector) -> None:
    """A section written in one language but not another is reported (a warning; --strict makes
    it an error): readers of the other language would find the switcher leading to its home page."""
    main = langs[0]
    for lang in langs[1:]:
        for name in names[main.code]:
            if name not in names[lang.code]:
                problems.add(
                    lang.content,
                    f'section "{name}" of {main.content.relative_to(root)}/ has no {lang.english_name} version',
                    hint=f"add it to {lang.content.relative_to(root)}/ under the same file name; until then the language switcher leads to the {lang.english_name} home page",
                    warning=True,
                )
        for name in names[lang.code]:
            if name not in names[main.code]:
                problems.add(
                    lang.content,
                    f'section "{name}" has no {main.english_name} version in {main.content.relative_to(root)}/',
                    hint="give it the same file name as the section it translates",
                    warning=True,
                )


# The generator's own words on the pages it writes: captions, the sources page, the edition line.
STRINGS = {
    "en": {
        "sources_title": "Sources and methods",
        "sources_description": "Where every number in {title} comes from, what each series measures and where sources disagree.",
        "this_explainer": "this explainer",
        "figures_title": "Figures in the text",
        "figures_description": "Every number quoted in the text, with its value, where it is quoted and its source.",
        "data_licence": "Data licence",
        "colon": ": ",  # between a label and what it introduces ("Excerpt: …")
        "main_sources": "Main sources",
        "series": "What each series measures",
        "rows": {"one": "{rows} row; download [{file}]({href}).", "other": "{rows} rows; download [{file}]({href})."},
        "caveats": "Known revisions and conflicts:",
        "figures_pointer": "Every number quoted in the text, with its value and source, is listed in [{title}]({href}).",
        "every_source": "Every source",
        "excerpt": "Excerpt",
        "read_via": "read via",
        "figures_intro": "Each number is computed from the data at build time; see [{title}]({href}) for what each series measures.",
        "figures_columns": ("Figure", "Value", "Where", "Source"),
        "not_quoted": "not quoted",
        "figure_unquoted": "(not quoted in the text)",
        "figures_unquoted_heading": "Not quoted in the text",
        "page_sources": "Sources for the figures on this page",
        "image_credit": "Image",
        "source": "Source:",
        "separator": "; ",
        "and_more": {"one": "and {n} more", "other": "and {n} more"},
        "show_data": "Show the data behind this chart",
        "plotted_values": "{title}: plotted values",
        "download_csv": "Download the plotted data (CSV)",
        "edition": "Edition",
        "built_from": "built from commit",
        "uncommitted": "with uncommitted changes",
        "all_editions": "latest edition and all editions",
        "languages": "Languages",
        "byline": "By {names}",
        "published": "Published {date}",
        "updated": "updated {date}",
        "data_runs_to": "data to {date}",
        "data_runs_to_day": "data to {date}",
        "chapters": "In this explainer",
        "source_column": "Source",
        "chart_label": "Label on the chart",
        "yes": "Yes",
        "no": "No",
        # Material's palette switch and the banner on an edition that is not the latest (theme/main.html)
        "dark_mode": "Switch to dark mode",
        "light_mode": "Switch to light mode",
        "outdated": "This is not the latest edition of this explainer.",
        "read_latest": "Read the latest edition.",
        "made_with": "Made with",  # "Made with Material for MkDocs", the footer's credit
    },
    "fr": {
        "sources_title": "Sources et méthodes",
        "sources_description": "D’où vient chaque chiffre de {title}, ce que mesure chaque série et sur quels points les sources divergent.",
        "this_explainer": "ce dossier",
        "figures_title": "Les chiffres du texte",
        "figures_description": "Chaque chiffre cité dans le texte, avec sa valeur, la page qui le cite et sa source.",
        "data_licence": "Licence des données",
        "colon": "\u202f: ",
        "main_sources": "Sources principales",
        "series": "Ce que mesure chaque série",
        "rows": {"one": "{rows} ligne\u202f; télécharger [{file}]({href}).", "other": "{rows} lignes\u202f; télécharger [{file}]({href})."},
        "caveats": "Révisions et divergences connues\u202f:",
        "figures_pointer": "Chaque chiffre cité dans le texte, avec sa valeur et sa source, figure dans [{title}]({href}).",
        "every_source": "Toutes les sources",
        "excerpt": "Extrait",
        "read_via": "lu via",
        "figures_intro": "Chaque chiffre est calculé à partir des données lors de la construction du site\u202f; voir [{title}]({href}) pour ce que mesure chaque série.",
        "figures_columns": ("Chiffre", "Valeur", "Où", "Source"),
        "not_quoted": "non cité",
        "figure_unquoted": "(non cité dans le texte)",
        "figures_unquoted_heading": "Non cités dans le texte",
        "page_sources": "Sources des chiffres de cette page",
        "image_credit": "Image",
        "source": "Source\u202f:",
        "separator": "\u202f; ",
        "and_more": {"one": "et {n} autre", "other": "et {n} autres"},
        "show_data": "Afficher les données du graphique",
        "plotted_values": "{title}\u202f: valeurs représentées",
        "download_csv": "Télécharger les données du graphique (CSV)",
        "edition": "Édition",
        "built_from": "construite à partir du commit",
        "uncommitted": "avec des modifications non enregistrées",
        "all_editions": "dernière édition et toutes les éditions",
        "languages": "Langues",
        "byline": "Par {names}",
        "published": "Publié le {date}",
        "updated": "mis à jour le {date}",
        "data_runs_to": "données jusqu’à {date}",
        "data_runs_to_day": "données jusqu’au {date}",
        "chapters": "Dans ce dossier",
        "source_column": "Source",
        "chart_label": "Étiquette du graphique",
        "yes": "Oui",
        "no": "Non",
        "dark_mode": "Passer au mode sombre",
        "light_mode": "Passer au mode clair",
        "outdated": "Ce n’est pas la dernière édition de ce dossier.",
        "read_latest": "Lire la dernière édition.",
        "made_with": "Réalisé avec",
    },
}


# A language the generator has no words for is built with the English ones; check warns
# (words_problems), and --strict makes that an error, as for a chart word with no translation.
def strings(code: str) -> dict:
    """The generator's words in a language; English for a language it does not know yet."""
    return {**STRINGS["en"], **STRINGS.get(code, {})}


def plural(words: dict, key: str, n: int, locale: str) -> str:
    """A counted phrase in the language's plural form (CLDR rules, Babel): "1 row", "2 rows";
    French counts 0 and 1 as singular. A word with one form is used as it is."""
    from babel import Locale

    forms = words[key]
    if isinstance(forms, str):
        return forms
    return forms.get(Locale.parse(locale).plural_form(n)) or forms["other"]


def iso_date(value: str, locale: str) -> str:
    """An ISO date (YYYY, YYYY-MM, YYYY-MM-DD) as the language writes it (Babel): 2021, July 2021,
    26 September 2014 / juillet 2021, 26 septembre 2014; "" for anything else."""
    import datetime

    from babel.dates import format_date

    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", str(value or "").strip())
    if not m:
        return ""
    try:
        day = datetime.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return ""
    return format_date(day, "d MMMM y" if m.group(3) else "LLLL y" if m.group(2) else "y", locale=locale)


def words_problems(lang: Language, path: Path, problems: Collector) -> None:
    """A language whose interface words the generator lacks (captions, the sources page, the edition
    line): its pages would mix English into it. Material's own words come from its language packs."""
    missing = [k for k in STRINGS["en"] if k not in STRINGS.get(lang.code, {})]
    if lang.default and lang.code == "en" or not missing:
        return
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    key = re.compile(rf"^\s*(?:language:\s*[\"']?{re.escape(lang.code)}[\"']?|[\"']?{re.escape(lang.code)}[\"']?:)\s*(?:#.*)?$")
    line = next((i for i, text in enumerate(lines, 1) if key.match(text)), None)
    problems.add(
        path,
        f"the generator has no {lang.english_name} words for its captions, tables and sources page "
        f"({len(missing)} of {len(STRINGS['en'])} missing): its {lang.english_name} pages show them in English",
        line,
        3 if line else None,
        hint=f'a maintainer adds a "{lang.code}" block beside "fr" in STRINGS, explainer/common/i18n.py',
        warning=True,
    )


ENGLISH = Language("en", "English", "en_GB", CONTENT_DIR, "")  # what a caller that names no language gets

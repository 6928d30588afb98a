"""Every setting is declared, described and documented (like datasette's tests/test_docs.py).

The schemas in explainer/common/settings.py are the one list of what editors and maintainers
can set; these tests fail when one has no docstring, when README.md or CONTRIBUTING.md does not
mention it, when README's generated *Settings* tables are out of date, or when the generator
reads an environment variable that no schema declares."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from explainer.common import settings

DOCS = (REPO / "README.md").read_text(encoding="utf-8") + (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
SETTINGS = settings.settings()


@pytest.mark.parametrize("file, key, description", SETTINGS, ids=[f"{f}:{k}" for f, k, _ in SETTINGS])
def test_setting_is_described_and_documented(file, key, description):
    assert description.strip(), f"{file}: {key} has no docstring in explainer/common/settings.py"
    assert f"`{key}`" in DOCS, f"{file}: {key} is not documented in README.md or CONTRIBUTING.md; run python -m explainer.common.settings --write README.md"


def test_readme_settings_tables_are_up_to_date():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert settings.START in readme and settings.END in readme
    shown = readme[readme.index(settings.START) : readme.index(settings.END) + len(settings.END)]
    assert shown == settings.reference(), "README's Settings tables are stale: python -m explainer.common.settings --write README.md"


def test_every_schema_is_in_the_reference():
    declared = {model for model in vars(settings).values() if isinstance(model, type) and issubclass(model, settings.Schema) and model is not settings.Schema}
    assert declared == {model for _, model, _ in settings.REFERENCE}


# Variables passed on to the processes the generator starts, never read as settings. PYTHONHASHSEED:
# the generator fixes it for the MkDocs builds it starts (reproducible output), and site/warm.py
# compares its fork server's with a build's to decide whether a fork gives the same output.
PASSED_ON = {"PATH", "PYTHONHASHSEED"}
ENV_READ = re.compile(r"""(?:os\.environ(?:\.get)?\s*[\[(]\s*|os\.getenv\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']""")


def test_every_environment_variable_read_is_declared():
    declared = set(settings.EnvironmentSettings.model_fields)
    for path in sorted((REPO / "explainer").rglob("*.py")):
        if path.name == "settings.py":
            continue
        for name in ENV_READ.findall(path.read_text(encoding="utf-8")):
            assert name in PASSED_ON, (
                f"{path.relative_to(REPO)} reads ${name} directly: declare it in EnvironmentSettings and read it with settings.environment()"
            )
    assert declared >= {"EXPLAINER_CHART_TIME_LIMIT", "SOURCE_DATE_EPOCH", "XDG_CACHE_HOME"}


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", 'must be a whole number above 0, not "abc"'),
        ("0", 'must be a whole number above 0, not "0"'),
    ],
)
def test_a_wrong_environment_value_is_a_located_problem(tmp_path, value, message):
    from explainer.common.problems import Collector

    problems = Collector(tmp_path)
    settings.check_environment(problems, {"EXPLAINER_CHART_TIME_LIMIT": value})
    assert [str(p) for p in problems.items] == [
        f"$EXPLAINER_CHART_TIME_LIMIT: {message} (for example EXPLAINER_CHART_TIME_LIMIT=60, or unset it for the default)"
    ]
    assert settings.environment({"EXPLAINER_CHART_TIME_LIMIT": value}).EXPLAINER_CHART_TIME_LIMIT == 30


@pytest.mark.parametrize(
    "model, data, expected",
    [
        (
            settings.FrontMatter,
            {"title": "T", "subtitle": 1, "kicker": 2},
            ["unknown front matter key(s): kicker, subtitle (allowed: title, description, authors, lead_chart)"],
        ),
        (settings.FrontMatter, {"title": True}, ['front matter title must be text, not a bool (write it on one line, in quotes if needed: title: "...")']),
        (settings.FigureSettings, {"field": "people"}, ["resource is missing (add a line such as resource: uk_arrivals_by_year)"]),
        (settings.FigureSettings, {"resource": "r", "field": "f", "format": "cups"}, ['unknown format "cups" (one of: number, money, date, year, percent)']),
        (settings.MkDocsSettings, {"site_name": "S", "theme": "material"}, ["theme must be a mapping, not a str (for example theme: {language: fr})"]),
        (
            settings.DataPackageSettings,
            {"resources": [{"name": "r", "caveats": "one line"}]},
            ['caveats must be a list, not a str (for example caveats: ["2023 revised in the 2024 release"])'],
        ),
        (
            settings.DataPackageSettings,
            {"translations": {"xx1": {}}},
            ['translations: "xx1" is not a language code (use the code of a language in mkdocs.yml\'s languages, such as fr)'],
        ),
    ],
)
def test_schema_messages(model, data, expected):
    found, issues = settings.check(model, data)
    assert found is None
    assert [f"{i.message} ({i.hint})" for i in issues] == expected


def test_figure_where_keeps_the_yaml_types():
    found, _ = settings.check(settings.FigureSettings, {"resource": "r", "field": "f", "where": {"year": 2021, "ok": True, "s": "x", "n": None}})
    assert found is not None
    assert found.where == {"year": 2021, "ok": True, "s": "x", "n": None}
    assert [type(v) for v in found.where.values()] == [int, bool, str, type(None)]


def test_figure_description_is_shown_on_the_main_language_figures_page():
    from explainer.common.i18n import ENGLISH, Language
    from explainer.data.load import DataPackage
    from explainer.figures import Figure
    from explainer.pages.generated import figures_markdown

    package = DataPackage({"resources": []}, {}, {}, {"log": {"publisher": "Keeper", "url": "https://example.org/log"}})
    figures = {"pears_total": Figure("pears_total", 922, "922", ["log"], "Pears picked | every year")}
    english = figures_markdown(package, figures, {})
    assert '| <span id="fig-pears_total"></span>Pears picked \\| every year | 922 |' in english
    french = figures_markdown(package, figures, {}, language=Language("fr", "Français", "fr_FR", ENGLISH.content / "fr", "fr/"))
    assert '| <span id="fig-pears_total"></span>(non cité dans le texte) | 922 |' in french
    # Never the variable name on the page (only as the row's anchor).
    assert "`pears_total`" not in english + french
    # Without a description, the sentence of the text that quotes it, the figure in bold.
    from explainer.pages.generated import quoting_sentences

    sentences = quoting_sentences(["Intro.\n\nIn all, {{ fig.pears_total }} pears were picked ({{ fig.pears_total.source }}). Next."], figures)
    assert sentences == {"pears_total": "In all, **922** pears were picked."}

"""Declared settings: one typed schema (pydantic) per file the generator reads, and one for the
environment. Every field has a docstring: it is the documentation (README, *Settings*, is
generated from these classes: `python -m explainer.common.settings --write README.md`).

| schema | file |
|---|---|
| `MkDocsSettings` (+ `ThemeSettings`, `LanguageSettings`) | `mkdocs.yml` |
| `FigureSettings` | each entry of `charts/figures.yml` |
| `FrontMatter` | the YAML front matter of `content/*.md` |
| `DataPackageSettings` (+ `ResourceSettings`, `PackageTexts`, `ResourceTexts`) | the generator's keys in `charts/data/datapackage.json` |
| `EnvironmentSettings` | environment variables |

The files are read where they always were (YAML with `safe_yaml`, aliases refused; JSON with
`json`); `check()` validates what was read and turns pydantic's errors into `Issue`s with the
generator's own wording, which the readers place (`path:line:col: message (hint)`).
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Optional, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

# ---------------------------------------------------------------------------------------------
# Types shared by the schemas


def _value_kind(value) -> str:
    """A value's kind in the editor's words (a YAML tag, not the loader's class)."""
    return "tagged value" if type(value).__name__ == "Tagged" else type(value).__name__


def _shown(value) -> str:
    """A value as JSON, cut short: enough to recognise it in a message, never a whole file."""
    import json

    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def _known_language(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(code)
        return True
    except (UnknownLocaleError, ValueError):
        return False


def _language_code(code: str) -> str:
    if not LANGUAGE_CODE.match(code) or not _known_language(code):
        raise PydanticCustomError(
            "explainer",
            'languages: "{code}" is not a language code, or is the main language',
            {"code": code, "hint": "use a two-letter code such as fr, de or es; the main language is theme.language"},
        )
    return code


LanguageCode = Annotated[str, AfterValidator(_language_code)]
"""A language code Babel knows: fr, de, es (two or three lower-case letters)."""


def _translation_code(code: str) -> str:
    if not LANGUAGE_CODE.match(code) or not _known_language(code):
        raise PydanticCustomError(
            "explainer",
            'translations: "{code}" is not a language code',
            {"code": code, "hint": "use the code of a language in mkdocs.yml's languages, such as fr"},
        )
    return code


TranslationCode = Annotated[str, AfterValidator(_translation_code)]

ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
ISO_DATE_HINT = 'write the date the data runs to as YYYY, YYYY-MM or YYYY-MM-DD, e.g. "2021-10", or remove the key'


def valid_iso_date(value) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD, and a real date (no month 13, no 31 April)."""
    m = ISO_DATE.fullmatch(value) if isinstance(value, str) else None
    if not m:
        return False
    year, month, day = (int(g) if g else 1 for g in m.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _iso_date(value):
    if not valid_iso_date(value):
        raise PydanticCustomError(
            "explainer", '"edition_data_date" must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not {shown}', {"shown": _shown(value), "hint": ISO_DATE_HINT}
        )
    return value


IsoDate = Annotated[str, BeforeValidator(_iso_date)]


@dataclass(frozen=True)
class Choices:
    """Marks a text field whose value is one of `options` (shown in the settings reference)."""

    options: tuple[str, ...]


def _one_of(key: str, options: tuple[str, ...]) -> AfterValidator:
    """The validator of a text field whose value is one of `options`; the field also carries `Choices(options)`."""

    def check(value: str) -> str:
        if value not in options:
            raise PydanticCustomError("explainer", 'unknown {key} "{value}"', {"key": key, "value": value, "hint": f"one of: {', '.join(options)}"})
        return value

    return AfterValidator(check)


def _set_by_generator(value):
    raise PydanticCustomError("explainer_generator", "set by the generator", {})


GeneratorOwned = Annotated[Any, BeforeValidator(_set_by_generator)]

# ---------------------------------------------------------------------------------------------
# How a pydantic error reads to an editor

DEFAULT_MESSAGES = {
    "missing": ("{key} is missing", "add a line such as {key}: {example}"),
    "unknown": ("unknown key(s) {keys}", "allowed: {allowed}"),
    "text": ("{key} must be text, not a {type}", 'write it on one line, in quotes if needed: {key}: "..."'),
    "mapping": ("{key} must be a mapping, not a {type}", "for example {key}: {example}"),
    "list": ("{key} must be a list, not a {type}", "for example {key}: {example}"),
    "number": ("{key} must be a whole number above 0, not {shown}", "for example {key}={example}"),
    "generator": ("{key} is set by the generator", "remove {key} from mkdocs.yml"),
    "other": ("{key}: {msg}", ""),
}


class Schema(BaseModel):
    """A settings file, or part of one. Field docstrings are the documentation."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, use_attribute_docstrings=True, frozen=True)
    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {}


@dataclass(frozen=True)
class Issue:
    """One problem in a settings file, worded for editors; the reader of the file places it."""

    loc: tuple  # the path to the value: ("languages", "fr", "nav")
    kind: str  # missing | unknown | text | mapping | list | number | generator | explainer | other
    message: str
    hint: str = ""

    @property
    def key(self) -> str:
        return str(self.loc[0]) if self.loc else ""


def _unwrap(tp):
    """The model or container inside Optional[...] / Annotated[...]."""
    while typing.get_origin(tp) is Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        tp = models[0] if models else (args[0] if len(args) == 1 else tp)
        return _unwrap(tp) if tp is not None else tp
    return tp


def _owner(model: type[Schema], loc: tuple) -> tuple[type[Schema], tuple]:
    """The schema class that holds the last named field of `loc`, and that field's loc inside it."""
    owner, rest = model, loc
    tp: Any = model
    for i, part in enumerate(loc):
        if isinstance(tp, type) and issubclass(tp, Schema):
            owner, rest = tp, loc[i:]
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            tp = _unwrap(field.annotation) if field else None
        elif typing.get_origin(tp) in (dict, list):
            tp = _unwrap(typing.get_args(tp)[-1])
        else:
            break
    return owner, rest


def _example(model: type[Schema], key: str) -> str:
    field = model.model_fields.get(key)
    return str(field.examples[0]) if field is not None and field.examples else "..."


def _issue(model: type[Schema], error: ErrorDetails) -> Issue:
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "explainer":
        return Issue(loc, "explainer", error["msg"], ctx.get("hint", ""))
    owner, rest = _owner(model, loc)
    key = str(rest[0]) if rest else ""
    field = owner.model_fields.get(key)
    item = next((part for part in rest[1:] if isinstance(part, int)), None)
    messages = {**DEFAULT_MESSAGES, **owner.MESSAGES}
    if item is not None:  # an item of a list: caveats item 2
        messages["text"] = ("{key} must be text, not a {type}", "write each item as text, in quotes if needed")
    if kind == "explainer_generator":
        what = "generator"
    elif kind == "missing" or (field is not None and field.is_required() and (value is None or value == "")):
        what = "missing"
    elif kind == "extra_forbidden":
        what = "unknown"
    elif kind in ("string_type", "string_too_short"):
        what = "text"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        what = "mapping"
    elif kind in ("list_type", "tuple_type"):
        what = "list"
    elif kind.startswith(("int_", "greater_than")):
        what = "number"
    else:
        what = "other"
    if not rest and what == "mapping":
        key = ""
    allowed = [name for name in owner.model_fields]
    example = _example(owner, key)
    if item is not None:
        key = f"{key} item {item + 1}"
    fields = dict(
        key=key,
        keys=key,
        type=_value_kind(value),
        shown=_shown(value),
        example=example,
        msg=error["msg"],
        allowed=", ".join(allowed),
        allowed_sorted=", ".join(sorted(allowed)),
        parent=".".join(map(str, loc[: len(loc) - len(rest)])) if rest else ".".join(map(str, loc)),
    )
    message, hint = messages[what]
    return Issue(loc, what, message.format(**fields), hint.format(**fields))


S = typing.TypeVar("S", bound=Schema)


def check(model: type[S], data) -> tuple[S | None, list[Issue]]:
    """Validate `data` (what a file holds) against `model`: the settings, or None and the issues.

    Within one part of a file, a missing required key is said alone, and unknown keys before
    wrong values (fixing the first often fixes the others); unknown keys are said in one issue."""
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        issues = [_issue(model, err) for err in e.errors(include_url=False)]
    return None, _prune(issues)


def _parent(issue: Issue) -> tuple:
    return issue.loc[:-1] if issue.loc else ()


def _prune(issues: list[Issue]) -> list[Issue]:
    missing = [_parent(i) for i in issues if i.kind == "missing"]
    unknown = [_parent(i) for i in issues if i.kind == "unknown"]
    kept: list[Issue] = []
    seen_unknown: dict[tuple, int] = {}
    for issue in issues:
        parent = _parent(issue)
        if issue.kind != "missing" and any(parent[: len(m)] == m for m in missing):
            continue
        if issue.kind not in ("missing", "unknown") and any(parent[: len(u)] == u for u in unknown):
            continue
        if issue.kind == "unknown":  # one issue names every unknown key of a mapping
            if parent in seen_unknown:
                at = seen_unknown[parent]
                kept[at] = _UnknownIssue.merge(typing.cast(_UnknownIssue, kept[at]), issue)  # started below
                continue
            seen_unknown[parent] = len(kept)
            issue = _UnknownIssue.start(issue)
        kept.append(issue)
    return [i.done() if isinstance(i, _UnknownIssue) else i for i in kept]


@dataclass(frozen=True)
class _UnknownIssue(Issue):
    """Unknown keys of one mapping, gathered into one issue."""

    names: tuple = ()

    @classmethod
    def start(cls, issue: Issue) -> "_UnknownIssue":
        return cls(issue.loc, issue.kind, issue.message, issue.hint, (str(issue.loc[-1]),))

    @classmethod
    def merge(cls, first: "_UnknownIssue", issue: Issue) -> "_UnknownIssue":
        return cls(first.loc, first.kind, first.message, first.hint, (*first.names, str(issue.loc[-1])))

    def done(self) -> Issue:
        names = ", ".join(sorted(self.names))
        one = str(self.loc[-1])
        # The message was worded for the first unknown key: put every name in its place.
        return Issue(self.loc, self.kind, _replace_last(self.message, one, names), self.hint)


def _replace_last(text: str, old: str, new: str) -> str:
    at = text.rfind(old)
    return text if at < 0 else text[:at] + new + text[at + len(old) :]


# ---------------------------------------------------------------------------------------------
# mkdocs.yml


class ThemeSettings(Schema):
    """`theme:` in mkdocs.yml. The generator sets Material, its palette, features and fonts;
    other Material theme keys are passed on."""

    model_config = ConfigDict(extra="allow")

    language: Optional[str] = Field(None, examples=["fr"])
    """The explainer's main language (default `en`): Material's interface words, the pages' `lang`
    attribute and how figures and dates are written (Babel)."""


class LanguageSettings(Schema):
    """One entry of `languages:` in mkdocs.yml: what differs in that language's site."""

    MESSAGES = {"unknown": ("{parent}: only {allowed_sorted} can be set per language", "everything else in mkdocs.yml applies to every language")}

    site_name: Optional[str] = Field(None, examples=["Traverser la Manche"])
    """The site's name in this language (page titles, header)."""
    site_description: Optional[str] = None
    """The site's description in this language (search engines, link previews)."""
    copyright: Optional[str] = None
    """The footer's copyright line in this language."""

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, data):
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise PydanticCustomError(
                "explainer",
                "only copyright, site_description, site_name can be set per language",
                {"hint": "everything else in mkdocs.yml applies to every language"},
            )
        return data


def _languages_mapping(value):
    if value is not None and not isinstance(value, dict):
        raise PydanticCustomError(
            "explainer", "languages must map a language code to its settings", {"hint": "for example languages: {fr: {site_name: Traverser la Manche}}"}
        )
    return value


class MkDocsSettings(Schema):
    """Only `site_name` is required. The generator adds the theme, navigation, CSS and
    JavaScript; any other MkDocs setting is passed on to MkDocs as it is."""

    model_config = ConfigDict(extra="allow")
    MESSAGES = {"missing": ("{key} is missing", "add a line such as {key}: {example}")}

    site_name: Annotated[str, Field(min_length=1)] = Field(examples=["Crossing the Channel"])
    """The explainer's name: page titles, the header, link previews. Required."""
    site_description: Optional[str] = None
    """One sentence about the explainer, for search engines and link previews."""
    site_author: Optional[str] = None
    """Who wrote it: MkDocs' `author` meta tag, and the cover's byline when the lede page's front
    matter names no `authors`."""
    site_url: Optional[str] = Field(None, examples=["https://owner.github.io/repo/"])
    """Where the site is published; needed for absolute link-preview addresses and the sitemap.
    Other languages are under it, at `fr/`."""
    copyright: Optional[str] = None
    """The footer's copyright line."""
    theme: Optional[ThemeSettings] = Field(None, examples=["{language: fr}"])
    """Material theme settings; see `theme.language`. Fonts, palette and features are the generator's."""
    languages: Annotated[Optional[dict[LanguageCode, LanguageSettings]], BeforeValidator(_languages_mapping)] = Field(
        None, examples=["{fr: {site_name: Traverser la Manche}}"]
    )
    """Other languages, by code, each with its sections in `content/<code>/` under the same file
    names and built under `/<code>/`; per language, `site_name`, `site_description` and
    `copyright` may differ."""
    hooks: Optional[list[Any]] = Field(None, examples=["[hooks/my_hook.py]"])
    """MkDocs hooks (Python files, relative to mkdocs.yml), run after the generator's sanitising and
    theme hooks; the Content-Security-Policy is set after the build, so an inline script a hook adds is
    refused. Zensical runs no hooks. Code: a maintainer reviews them."""
    extra: Optional[dict[str, Any]] = Field(None, examples=["{analytics: ...}"])
    """Material's `extra:` settings, passed on; the generator adds `alternate` (the language
    switcher) and, when publishing, `version`."""
    markdown_extensions: Optional[list[Any]] = Field(None, examples=["[footnotes]"])
    """Markdown extensions added to the generator's (attr_list, md_in_html, tables, admonition, toc)."""
    plugins: Optional[list[Any]] = Field(None, examples=["[search]"])
    """MkDocs plugins; `search` is always included. Code: a maintainer reviews them."""
    extra_css: Optional[list[Any]] = Field(None, examples=["[css/extra.css]"])
    """Style sheets added after the generator's own."""
    extra_javascript: Optional[list[Any]] = Field(None, examples=["[js/extra.js]"])
    """Scripts added after the generator's chart script (they must be files: the
    Content-Security-Policy allows no inline script)."""
    docs_dir: GeneratorOwned = None
    """Not allowed: the generator writes `docs/` from `content/`."""
    site_dir: GeneratorOwned = None
    """Not allowed: the site is always built into `site/`."""
    nav: GeneratorOwned = None
    """Not allowed: the navigation follows the files in `content/` (a number prefix sets the order)."""


# ---------------------------------------------------------------------------------------------
# charts/figures.yml

Scalar = Union[bool, int, float, str, None]
FORMATS = ("number", "money", "date", "year", "percent")
AGGREGATES = ("sum", "max", "min", "count", "mean")


def _where(value):
    if value is not None and (not isinstance(value, dict) or not all(v is None or isinstance(v, (str, int, float)) for v in value.values())):
        raise PydanticCustomError("explainer", "where must map column names to single values", {"hint": "for example where: {year: 2021, series: official}"})
    return value


class FigureSettings(Schema):
    """Each named figure, quoted in prose as `{{ fig.NAME }}`."""

    resource: str = Field(examples=["uk_arrivals_by_year"])
    """The data package resource (a table in `charts/data/datapackage.json`) it comes from. Required."""
    where: Annotated[Optional[dict[str, Scalar]], BeforeValidator(_where)] = Field(None, examples=["{year: 2021, series: official}"])
    """Column = value filters; exactly one row must match, unless `agg` is given."""
    field: str = Field(examples=["people"])
    """The column holding the number. Required."""
    format: Annotated[str, _one_of("format", FORMATS), Choices(FORMATS)] = "number"
    """How it is written: number (28,526), money (€62.7 million), date (21 August 2021), year, percent."""
    agg: Optional[Annotated[str, _one_of("agg", AGGREGATES), Choices(AGGREGATES)]] = None
    """Aggregate every matching row: sum, max, min, count or mean."""
    description: str = Field("", examples=["People arriving by small boat in 2021"])
    """What the number is, in a few words; shown beside it on the *Figures in the text* page (of the main language)."""
    currency: Optional[str] = Field(None, examples=["EUR"])
    """ISO currency code of a money figure, when the resource has no `currency` column."""
    digits: Optional[Annotated[int, Field(ge=0, le=6)]] = Field(None, examples=["1"])
    """Decimal places shown (0 to 6); by default a number shows one where it has a fraction, a percent as computed."""


# ---------------------------------------------------------------------------------------------
# content/*.md front matter


class FrontMatter(Schema):
    """The YAML between `---` lines at the top of every section in `content/`."""

    MESSAGES = {
        "missing": ("front matter needs a {key}", "add a line such as {key}: {example}"),
        "mapping": ("front matter needs a title", "add a line such as title: The patrol"),
        "unknown": ("unknown front matter key(s): {keys}", "allowed: {allowed}"),
        "text": ("front matter {key} must be text, not a {type}", 'write it on one line, in quotes if needed: {key}: "..."'),
    }

    title: str = Field(examples=["The patrol"])
    """The section's title: its heading, navigation entry and page title. Required."""
    description: Optional[str] = None
    """One sentence for search engines and link previews; on the lede page it is the standfirst
    under the headline, and each section's is its line in the cover's list of chapters."""
    authors: Optional[list[Annotated[str, Field(min_length=1)]]] = Field(None, examples=["[Jane Doe, John Roe]"])
    """Who wrote it, as a list of names: the byline under the title (on the lede page, the
    explainer's byline; default there: mkdocs.yml's `site_author`). Without either, no byline."""
    lead_chart: Optional[str] = Field(None, examples=["uk_arrivals_by_year"])
    """The chart (a `charts/<slug>.py` slug) that leads the page: on the lede page it is the cover's
    chart, and on every page its link-preview image (default: the page's first chart, else the
    explainer's first)."""


# ---------------------------------------------------------------------------------------------
# charts/data/datapackage.json: the generator's keys (Frictionless checks the rest)


class PackageTexts(Schema):
    """The data package's texts in one other language."""

    title: Optional[str] = None
    """The title, translated."""
    description: Optional[str] = None
    """The description, translated."""


class ResourceTexts(Schema):
    """A resource's texts in one other language, for that language's *Sources and methods* page."""

    title: Optional[str] = None
    """The resource's title, translated."""
    description: Optional[str] = None
    """What the series measures, translated."""
    caveats: Optional[list[str]] = None
    """The known revisions and conflicts, translated."""
    values: Optional[dict[str, dict[str, str]]] = Field(None, examples=['{"publisher": {"UK Parliament": "Parlement britannique"}}'])
    """Cell values shown in this language instead of the data's own, by column then value (for example
    the sources table's publishers and bracketed titles)."""


class ResourceSettings(Schema):
    """A resource (table) in `resources`: the keys the *Sources and methods* page shows."""

    model_config = ConfigDict(extra="allow")

    title: Optional[str] = None
    """The series' title on the *Sources and methods* page (the resource `name` if none)."""
    description: Optional[str] = None
    """What the series measures."""
    caveats: Optional[list[str]] = Field(None, examples=['["2023 revised in the 2024 release"]'])
    """Known revisions and conflicts between sources, one line each."""
    translations: Optional[dict[TranslationCode, ResourceTexts]] = Field(None, examples=['{"fr": {"title": "..."}}'])
    """`title`, `description`, `caveats` and `values` in other languages, by language code."""


class DataPackageSettings(Schema):
    """A Frictionless Data Package; these are the keys the generator reads besides Frictionless's
    own (which Frictionless checks)."""

    model_config = ConfigDict(extra="allow")

    title: Optional[str] = None
    """The explainer's data, named on the *Sources and methods* page."""
    description: Optional[str] = None
    """Shown at the top of the *Sources and methods* page."""
    edition_data_date: IsoDate | None = Field(None, examples=['"2021-10"'])
    """The date the data runs to, on every page's edition line: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    Without it, the latest value of the data's date fields (or integer `year` fields)."""
    translations: Optional[dict[TranslationCode, PackageTexts]] = Field(None, examples=['{"fr": {"title": "..."}}'])
    """`title` and `description` in other languages, by language code."""
    resources: Optional[list[ResourceSettings]] = None
    """The tables; see the resource keys below."""


# ---------------------------------------------------------------------------------------------
# Environment variables


def _epoch(value):
    if value is not None and not re.fullmatch(r"\d{1,12}", str(value)):
        raise PydanticCustomError(
            "explainer",
            "must be a time in seconds since 1970 (digits only), not {shown}",
            {"shown": _shown(value), "hint": "unset it to use the date of the last commit"},
        )
    return value


SITE_ENGINES = ("mkdocs", "zensical")


class EnvironmentSettings(Schema):
    """Environment variables the generator reads (all optional)."""

    model_config = ConfigDict(extra="ignore")
    MESSAGES = {"number": ("must be a whole number above 0, not {shown}", "for example {key}={example}, or unset it for the default")}

    EXPLAINER_CHART_TIME_LIMIT: Annotated[int, Field(gt=0)] = Field(30, examples=["60"])
    """Seconds a chart's code may run before it is stopped (default 30)."""
    SOURCE_DATE_EPOCH: Annotated[Optional[str], BeforeValidator(_epoch)] = None
    """The date written into the site (sitemap), in seconds since 1970; default: the last commit's date
    (reproducible builds)."""
    EXPLAINER_SITE_ENGINE: Annotated[str, _one_of("EXPLAINER_SITE_ENGINE", SITE_ENGINES), Choices(SITE_ENGINES)] = Field("mkdocs", examples=["zensical"])
    """The site engine: `mkdocs` (MkDocs with Material, the default) or `zensical` (its successor, on trial:
    install it yourself; see *Zensical* in the README for what works under it yet)."""
    XDG_CACHE_HOME: Optional[str] = None
    """Where the bundled Vega JavaScript is kept between builds (`$XDG_CACHE_HOME/explainer`; default `~/.cache`)."""


def environment(environ=None) -> EnvironmentSettings:
    """The environment's settings; a variable with a wrong value counts as unset (check_environment
    reports it)."""
    data = {k: v for k, v in (os.environ if environ is None else environ).items() if k in EnvironmentSettings.model_fields and v != ""}
    found, issues = check(EnvironmentSettings, data)
    if found is None:
        found = EnvironmentSettings.model_validate({k: v for k, v in data.items() if k not in {i.key for i in issues}})
    return found


def check_environment(problems, environ=None) -> None:
    """Report environment variables with wrong values, as `$NAME: message (hint)`."""
    data = {k: v for k, v in (os.environ if environ is None else environ).items() if k in EnvironmentSettings.model_fields and v != ""}
    for issue in check(EnvironmentSettings, data)[1]:
        problems.add(f"${issue.key}", issue.message, hint=issue.hint, warning=False)


# ---------------------------------------------------------------------------------------------
# The settings reference (README.md, *Settings*)

REFERENCE: list[tuple[str, type[Schema], str]] = [
    ("mkdocs.yml", MkDocsSettings, ""),
    ("mkdocs.yml", ThemeSettings, "theme."),
    ("mkdocs.yml", LanguageSettings, "languages.CODE."),
    ("charts/figures.yml", FigureSettings, "NAME."),
    ("content/*.md", FrontMatter, ""),
    ("charts/data/datapackage.json", DataPackageSettings, ""),
    ("charts/data/datapackage.json", ResourceSettings, "resources[]."),
    ("charts/data/datapackage.json", PackageTexts, "translations.CODE."),
    ("charts/data/datapackage.json", ResourceTexts, "resources[].translations.CODE."),
    ("environment", EnvironmentSettings, ""),
]
START, END = "<!-- settings: generated from explainer/common/settings.py -->", "<!-- settings: end -->"


def _type_name(tp) -> str:
    """A type as the settings reference names it."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Annotated:
        choices = [m for m in args[1:] if isinstance(m, Choices)]
        if choices:
            return " | ".join(choices[0].options)
        for m in args[1:]:
            if getattr(m, "func", None) in _TYPE_NAMES:
                return _TYPE_NAMES[m.func]
        return _type_name(args[0])
    if origin in (Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(names)
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if tp is Any:
        return "any"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping (keys below)"
    return {str: "text", int: "whole number", float: "number", bool: "true/false"}.get(tp, getattr(tp, "__name__", str(tp)))


_TYPE_NAMES = {
    _language_code: "language code",
    _translation_code: "language code",
    _iso_date: "date: YYYY, YYYY-MM or YYYY-MM-DD",
    _epoch: "whole number (seconds since 1970)",
    _set_by_generator: "not allowed",
    _where: "mapping of column name to one value (text, number, true/false)",
    _languages_mapping: "mapping of language code to mapping (keys below)",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def reference() -> str:
    """The *Settings* section's tables, one per schema."""
    out = [START, ""]
    for file, model, prefix in REFERENCE:
        out += [
            f"**{file}{', ' + prefix.rstrip('.') if prefix else ''}**: {_cell(model.__doc__ or '')}",
            "",
            "| key | type | default | what it does |",
            "|---|---|---|---|",
        ]
        for name, field in model.model_fields.items():
            tp = _type_name(field.annotation) if not field.metadata else _type_name(Annotated[(field.annotation, *field.metadata)])
            default = "required" if field.is_required() else ("" if field.default in (None, "") else f"`{field.default}`")
            out.append(f"| `{prefix}{name}` | {_cell(tp)} | {default} | {_cell(field.description or '')} |")
        out.append("")
    out.append(END)
    return "\n".join(out)


def settings() -> list[tuple[str, str, str]]:
    """Every documented setting: (file, key, description)."""
    return [(file, prefix + name, field.description or "") for file, model, prefix in REFERENCE for name, field in model.model_fields.items()]


def write_reference(path) -> bool:
    """Put the generated tables between the markers in `path`; True if it changed."""
    from pathlib import Path

    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END) + len(END)
    new = text[:start] + reference() + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # python -m explainer.common.settings [--write README.md]
    if sys.argv[1:2] == ["--write"]:
        print("updated" if write_reference(sys.argv[2]) else "up to date")
    else:
        print(reference())

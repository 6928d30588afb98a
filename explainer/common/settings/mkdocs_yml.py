"""The keys of mkdocs.yml the generator reads (theme, languages, site name and the rest).

Read from mkdocs.yml by site/mkdocs.py and common/i18n.py; checked with schema.check().
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from .schema import Schema
from .values import GeneratorOwned, LanguageCode


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

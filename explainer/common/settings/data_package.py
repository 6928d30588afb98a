"""The generator's own keys in charts/data/datapackage.json (translations, caveats, edition_data_date...);
Frictionless checks the standard's.

Read by data/load.py; checked with schema.check().
"""

from __future__ import annotations

from typing import Optional

from pydantic import ConfigDict, Field

from .schema import Schema
from .values import IsoDate, TranslationCode


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

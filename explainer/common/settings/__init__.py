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

One module per file (mkdocs_yml, figures_yml, front_matter, data_package, env_vars), on the shared
machinery of values.py (value types) and schema.py (Schema, check()); reference.py writes the README's
tables. Callers import the names below from this package.

The files are read where they always were (YAML with `safe_yaml`, aliases refused; JSON with
`json`); `check()` validates what was read and turns pydantic's errors into `Issue`s with the
generator's own wording, which the readers place (`path:line:col: message (hint)`).
"""

from .data_package import DataPackageSettings, PackageTexts, ResourceSettings, ResourceTexts
from .env_vars import SITE_ENGINES, EnvironmentSettings, check_environment, environment
from .figures_yml import AGGREGATES, FORMATS, FigureSettings
from .front_matter import FrontMatter
from .mkdocs_yml import LanguageSettings, MkDocsSettings, ThemeSettings
from .reference import END, REFERENCE, START, reference, settings, write_reference
from .schema import Issue, Schema, check
from .values import ISO_DATE, ISO_DATE_HINT, LANGUAGE_CODE, valid_iso_date

__all__ = [
    "AGGREGATES",
    "END",
    "FORMATS",
    "ISO_DATE",
    "ISO_DATE_HINT",
    "LANGUAGE_CODE",
    "REFERENCE",
    "SITE_ENGINES",
    "START",
    "DataPackageSettings",
    "EnvironmentSettings",
    "FigureSettings",
    "FrontMatter",
    "Issue",
    "LanguageSettings",
    "MkDocsSettings",
    "PackageTexts",
    "ResourceSettings",
    "ResourceTexts",
    "Schema",
    "ThemeSettings",
    "check",
    "check_environment",
    "environment",
    "reference",
    "settings",
    "valid_iso_date",
    "write_reference",
]

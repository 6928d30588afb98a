"""The settings reference: README's *Settings* tables, generated from the schemas' field docstrings.

Reads the schema classes; writes the tables between the markers in README.md (write_reference).
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel

from .data_package import DataPackageSettings, PackageTexts, ResourceSettings, ResourceTexts
from .env_vars import EnvironmentSettings, _epoch
from .figures_yml import FigureSettings, _where
from .front_matter import FrontMatter
from .mkdocs_yml import LanguageSettings, MkDocsSettings, ThemeSettings, _languages_mapping
from .schema import Schema
from .values import Choices, _iso_date, _language_code, _set_by_generator, _translation_code


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
START, END = "<!-- settings: generated from explainer/common/settings/ -->", "<!-- settings: end -->"


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

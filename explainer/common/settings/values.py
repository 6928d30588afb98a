"""Value types the schemas share: language codes, ISO dates, one-of-these text, keys only the
generator sets, and how a value is shown in a message.

Reads and writes nothing: validators that pydantic runs on the values read from the files.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError


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

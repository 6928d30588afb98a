"""Each named figure of charts/figures.yml.

Read by figures.py; checked with schema.check().
"""

from __future__ import annotations

from typing import Annotated, Optional, Union

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from .schema import Schema
from .values import Choices, _one_of


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

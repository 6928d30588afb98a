"""The environment variables the generator reads.

Reads os.environ (or a given mapping); problems are placed at `$NAME`.
"""

from __future__ import annotations

import os
import re
from typing import Annotated, Optional

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .schema import Schema, check
from .values import Choices, _one_of, _shown


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

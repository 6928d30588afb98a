"""The YAML front matter of a section, content/*.md.

Read by pages/content.py; checked with schema.check().
"""

from __future__ import annotations

from typing import Annotated, Optional

from pydantic import Field

from .schema import Schema


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

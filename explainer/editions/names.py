"""Edition and alias names, and their order in time ("newest", "latest only moves forward").

Reads and writes nothing: names in, Problems and orderings out.
"""

from __future__ import annotations

import re

from ..common.problems import Problem

EDITION_PATTERN = re.compile(r"^(?:\d{4}(?:[-.]\d{1,2}){0,2}|next)$")
EDITION_HINT = "name an edition like 2021-10, 2026.1 or 2024-03-15, or next for the preview"
ALIAS_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
LATEST = "latest"  # the alias the site root redirects to; never given to the `next` preview
PREVIEW = "next"


def edition_key(name: str) -> tuple[int, ...] | None:
    """An edition's place in time, for "newest": its numbers, year first (2021-10 -> (2021, 10),
    2026.1 -> (2026, 1), 2024-03-15 -> (2024, 3, 15)); None for the `next` preview or any other name.
    Tuples compare number by number, so 2021-10 < 2021-10-05 < 2021-11 < 2022.1."""
    if name == PREVIEW or not EDITION_PATTERN.fullmatch(name or ""):
        return None
    return tuple(int(part) for part in re.split(r"[-.]", name))


def newer_editions(edition: str, by_version: dict) -> list[str]:
    """Published editions newer than `edition`, newest first (the `next` preview is not one)."""
    mine = edition_key(edition)
    if mine is None:
        return []
    newer = [v for v in by_version if (key := edition_key(v)) is not None and key > mine]
    return sorted(newer, key=lambda v: edition_key(v) or (), reverse=True)


def check_names(edition: str, aliases: list[str]) -> list[Problem]:
    problems = []
    if not EDITION_PATTERN.fullmatch(edition or ""):
        problems.append(Problem(".", None, None, f"edition name {edition!r} is not valid", EDITION_HINT))
    elif edition == PREVIEW and LATEST in aliases:
        problems.append(
            Problem(
                ".",
                None,
                None,
                f"the preview edition {PREVIEW} never becomes {LATEST}",
                f"publish a named edition such as 2021-10 with --alias {LATEST}; publish {PREVIEW} without it",
            )
        )
    for alias in aliases:
        if alias == edition:
            problems.append(Problem(".", None, None, f"alias {alias!r} is the edition's own name", "drop the --alias"))
        elif EDITION_PATTERN.fullmatch(alias) or not ALIAS_PATTERN.fullmatch(alias):
            problems.append(Problem(".", None, None, f"alias {alias!r} is not valid", "an alias is a lower-case word such as latest, not an edition name"))
    return problems

"""YAML from pull requests (front matter, charts/figures.yml, mkdocs.yml), read safely.

PyYAML's safe loader builds no Python objects, but it still expands aliases: ten lines of
`&a [*b, *b, ...]` grow into gigabytes (an "alias bomb"). Editors never need aliases in these
files, so every loader here refuses them at the first `*name`, with its line and column, before
anything is expanded.
"""

from __future__ import annotations

import yaml

ALIAS_HINT = "write the value out in full; YAML aliases (*name) are not accepted in explainer files"


class SafeLoader(yaml.SafeLoader):
    """yaml.SafeLoader with aliases refused (a located yaml.MarkedYAMLError)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"alias *{event.anchor} is not allowed", event.start_mark)
        return super().compose_node(parent, index)


def load(text: str, loader: type[SafeLoader] = SafeLoader):
    return yaml.load(text, Loader=loader)  # noqa: S506 - loader is always a SafeLoader subclass


def error_parts(e: yaml.YAMLError, line_offset: int = 0) -> tuple[str, int | None, int | None, str]:
    """(message, line, column, hint) of a YAML error, lines counted from the file's first line."""
    mark = getattr(e, "problem_mark", None)
    problem = str(getattr(e, "problem", None) or e)
    hint = ALIAS_HINT if problem.startswith("alias *") else ""
    if "(it runs Python)" in problem:
        hint = "use a plain value; Python belongs in a hook file listed under hooks:, which a maintainer reviews"
    if "found character '\\t'" in problem:
        problem, hint = "a tab character, which YAML does not accept here", "indent with spaces, not tabs"
    elif "mapping values are not allowed" in problem:
        problem = 'a value contains ": " and is not in quotes'
        hint = 'put quotes around a value that contains a colon, e.g. title: "Calais: the patrol"'
    if mark is None:
        return problem, None, None, hint
    return problem, mark.line + 1 + line_offset, mark.column + 1, hint


def is_text(value) -> bool:
    """A field that must be text: a string, or a plain number YAML read as one (title: 2021)."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def key_line(text: str, key: str, first_line: int = 1) -> int | None:
    """The line of a top-level key in YAML text whose first line is numbered `first_line`
    (front matter starts on line 2 of its file), for locating a settings problem."""
    for i, line in enumerate(text.splitlines(), first_line):
        if line.startswith(f"{key}:"):
            return i
    return None

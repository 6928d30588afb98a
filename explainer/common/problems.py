"""The one error type: a problem in an editor's input, printed as path:line:col: message (hint)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of a character offset in a text: where an editor's cursor goes."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None = None
    col: int | None = None
    message: str = ""
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        text = f"{where}: {'warning: ' if self.warning else ''}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class Problems(Exception):
    """Raised at the end of a stage that found one or more problems; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


MESSAGE_LIMIT = 500


class Collector:
    """Gathers problems while a stage goes on, so every problem is reported at once."""

    def __init__(self, root: Path):
        self.root = root
        self.items: list[Problem] = []

    def rel(self, path: Path | str) -> str:
        path = Path(path)
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def add(self, path, message, line=None, col=None, hint="", warning=False) -> None:
        message = str(message)
        if len(message) > MESSAGE_LIMIT:  # a value quoted from an input is never echoed whole
            message = message[:MESSAGE_LIMIT] + f"… ({len(message):,} characters)"
        problem = Problem(self.rel(path), line, col, message, hint, warning)
        if problem not in self.items:  # a chart is run once per language: say each problem once
            self.items.append(problem)

    def add_problem(self, problem: Problem) -> None:
        """A problem found elsewhere (another language's process), already placed."""
        if problem not in self.items:
            self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    def raise_if_any(self, strict: bool = False) -> None:
        """Stop with every problem; with strict, warnings stop the build too."""
        failing = self.items if strict else self.errors
        if failing:
            raise Problems(failing)

"""Results of the build's pure stages kept from one rebuild of `serve` to the next, by a digest of
the bytes they read: after an edit to one section, the data package is not read and validated
again and the figures are not recomputed (the chart cache already spares the charts). A stage
whose input bytes changed runs again. The problems a stage found are kept with its result and
reported again each time, so a memoised rebuild says exactly what a fresh one says."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable, TypeVar

from .problems import Collector

T = TypeVar("T")


def digest(paths: Iterable[Path], *extra: str) -> str:
    """Of the files' names and bytes (a missing file counts as missing), and of `extra` strings."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path).encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"missing")
    for text in extra:
        h.update(b"\0" + text.encode())
    return h.hexdigest()


class Memo:
    """One kept result per stage name: the last one, for the inputs it was computed from."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, object, list]] = {}

    def digest(self, paths: Iterable[Path], *extra: str) -> str:
        return digest(paths, *extra)

    def keep(self, stage: str, key: str, problems: Collector, compute: Callable[[], T]) -> T:
        kept = self._kept.get(stage)
        if kept is not None and kept[0] == key:
            for problem in kept[2]:
                problems.add_problem(problem)
            return kept[1]  # type: ignore[return-value]
        before = len(problems.items)  # the Collector only appends
        result = compute()
        self._kept[stage] = (key, result, problems.items[before:])
        return result


class NoMemo(Memo):
    """Every stage runs (build, check: one run per process), and no file is read for a key."""

    def digest(self, paths: Iterable[Path], *extra: str) -> str:
        return ""

    def keep(self, stage: str, key: str, problems: Collector, compute: Callable[[], T]) -> T:
        return compute()

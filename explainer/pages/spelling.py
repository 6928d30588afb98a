"""Spelling in prose, with codespell (a well-kept list of common misspellings; it flags known
mistakes, not unknown words, so names such as Darmanin or Gris-Nez pass). A project word list,
`spelling.txt` next to mkdocs.yml (one word per line), silences false alarms."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from ..common import stop
from ..common.problems import Collector

WORD_LIST = "spelling.txt"
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<word>\S+) ==> (?P<fix>.+)$")


def start(root: Path, files: list[Path]) -> subprocess.Popen | None:
    """Start codespell in the background; the rest of the checks run meanwhile."""
    if not files:
        return None
    args = [sys.executable, "-m", "codespell_lib", "--disable-colors"]
    words = root / WORD_LIST
    if words.is_file():
        args += ["--ignore-words", str(words)]
    return subprocess.Popen(args + [str(f) for f in files], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def finish(proc: subprocess.Popen | None, problems: Collector) -> None:
    if proc is None:
        return
    out, _ = stop.wait_for(proc, communicate=True)
    for raw in out.splitlines():
        m = LINE.match(raw.strip())
        if not m:
            continue
        path, line = Path(m["path"]), int(m["line"])
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
        col = re.search(rf"\b{re.escape(m['word'])}\b", text)
        problems.add(
            path,
            f'"{m["word"]}" may be misspelt',
            line,
            col.start() + 1 if col else None,
            hint=f"did you mean {m['fix'].strip()}? If the word is right, add it to {WORD_LIST}",
            warning=True,
        )


def stop_checking(proc: subprocess.Popen | None) -> None:
    """The build stopped, or finished: codespell may not outlive it."""
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.communicate()

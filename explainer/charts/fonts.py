"""The font the charts are measured and drawn with, and a check that it is the expected one.

vl-convert lays out every label of a chart at build time with the first family of the chart
font stack (charts.FONT) that is installed, and draws the preview PNGs with it. The SVG keeps
those positions, so a machine with another font gives other label widths, other paddings and
other pictures. The build expects Liberation Sans (Debian's fonts-liberation: the metrics of
Arial and Helvetica, which readers' browsers use); `make site` and `make test` install it.

`chart_font()` says which file that is, by asking fontconfig (`fc-match`) for each family of the
stack in turn and taking the first that is really installed (fontconfig would otherwise answer
with a substitute); without fontconfig it looks for the usual file names in the system font
folders. Its sha256 goes into the chart cache key, so a change of font re-renders the charts."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple

EXPECTED = "Liberation Sans"
HINT = "install Debian's fonts-liberation (make site does)"
GENERIC = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")


class Font(NamedTuple):
    family: str  # the installed family the charts use ("" when none could be found)
    path: str  # its regular face's file ("" when none could be found)
    sha256: str  # of that file ("" when none could be found)


class FontWarning(NamedTuple):
    message: str
    hint: str


def families(stack: str) -> list[str]:
    """ "'Liberation Sans', Arial, sans-serif" -> ["Liberation Sans", "Arial", "sans-serif"]."""
    return [name.strip().strip("'\"").strip() for name in stack.split(",") if name.strip().strip("'\"").strip()]


def _fc_match(family: str) -> tuple[list[str], str] | None:
    """fontconfig's best match for a family: (its family names, its file), or None without fc-match."""
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(
            ["fc-match", "--format", "%{family}\n%{file}", f"{family}:style=Regular"], capture_output=True, text=True, timeout=20, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names, _, file = out.partition("\n")
    return [n.strip() for n in names.split(",")], file.strip()


def _scan(family: str) -> str:
    """Without fontconfig: a regular face whose file is named after the family
    (Liberation Sans -> LiberationSans-Regular.ttf) in the system font folders."""
    stem = family.replace(" ", "")
    wanted = {f"{stem}-Regular.{ext}".lower() for ext in ("ttf", "otf")} | {f"{stem}.{ext}".lower() for ext in ("ttf", "otf")}
    for folder in FONT_DIRS:
        root = Path(folder).expanduser()
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for name in sorted(files):
                if name.lower() in wanted:
                    return str(Path(dirpath) / name)
    return ""


def _sha256(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


def find(stack: str) -> Font:
    """The first family of a CSS font stack that is installed, with its file and that file's sha256.
    A generic family (sans-serif) takes whatever fontconfig gives for it."""
    for family in families(stack):
        generic = family.lower() in GENERIC
        match = _fc_match(family)
        if match is not None:
            names, file = match
            if file and (generic or family.lower() in (n.lower() for n in names)):
                return Font(names[0] if generic else family, file, _sha256(file))
            continue
        if not generic and (file := _scan(family)):  # no fontconfig on this machine
            return Font(family, file, _sha256(file))
    return Font("", "", "")


@functools.lru_cache(maxsize=None)
def chart_font() -> Font:
    """The font the charts are measured with (looked up once per process)."""
    from .style import FONT

    return find(FONT)


def check(font: Font | None = None) -> FontWarning | None:
    """A warning when the charts would not be measured with Liberation Sans, else None."""
    font = chart_font() if font is None else font
    if font.family.lower() == EXPECTED.lower():
        return None
    instead = f"{font.family} ({font.path})" if font.family else "a font this build could not find"
    return FontWarning(
        f"the chart font {EXPECTED} is not installed: chart labels are measured and preview images "
        f"drawn with {instead}, so labels may not fit in readers' browsers",
        HINT,
    )


def report(problems, where) -> None:
    """Add the warning of check(), if any, to a problems.Collector, at `where` (the charts folder)."""
    warning = check()
    if warning:
        problems.add(where, warning.message, hint=warning.hint, warning=True)

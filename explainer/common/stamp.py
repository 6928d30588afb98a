"""Nothing changed, nothing to do. After a successful build we record a digest of every input
(content/, charts/, mkdocs.yml, spelling.txt, the generator's own files, the pinned toolchain,
the installed packages, the chart font, the commit date used for the sitemap) and a fingerprint
of site/. A build whose inputs and site/ both match exits at once, before importing pandas,
Altair or MkDocs.

This module imports nothing heavy on purpose: it runs before everything else."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from .files import CACHE_DIR, atomic_write

PACKAGE = Path(__file__).resolve().parent.parent  # the whole explainer package
INPUTS = ("content", "charts", "mkdocs.yml", "spelling.txt")


def _files(base: Path):
    if base.is_file():
        yield base
        return
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__" and not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def input_digest(root: Path, strict: bool, epoch: str) -> str:
    from .settings import environment

    engine = environment().EXPLAINER_SITE_ENGINE  # another engine builds another site
    h = hashlib.sha256(f"{sys.version}\0{strict}\0{epoch}\0{engine}\0".encode())
    h.update(_machine().encode())
    lock = PACKAGE.parent / "requirements.lock"
    for base in [root / name for name in INPUTS] + [PACKAGE] + ([lock] if lock.is_file() else []):
        if not base.exists():
            continue
        for path in _files(base):
            h.update(str(path.relative_to(root if path.is_relative_to(root) else PACKAGE.parent)).encode() + b"\0")
            if path.is_symlink():  # a link is an input of its own: the build refuses links
                h.update(b"link\0" + os.readlink(path).encode())
            h.update(path.read_bytes() if path.exists() else b"missing")
    return h.hexdigest()


# What draws the site besides its files: an upgrade (pipx, pip, without a requirements.lock beside
# the package) or another chart font must rebuild, not exit as "nothing changed". Installed
# packages are read from their metadata folders' names (name-version.dist-info): one listing of
# each import path folder, where importlib.metadata would search them all for every package.
def _machine() -> str:
    from ..charts.fonts import chart_font  # fontconfig's answer (fc-match, ~10 ms), no heavy import

    installed = []
    for entry in sys.path:
        try:
            installed += sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip file, a folder that is gone
            continue
    font = chart_font()
    return ";".join(installed) + f"\0{font.family}\0{font.sha256}\0"


def site_fingerprint(site: Path) -> str:
    h = hashlib.sha256()
    for path in _files(site) if site.is_dir() else []:
        st = path.stat()
        h.update(f"{path.relative_to(site)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _stamp_file(root: Path) -> Path:
    return root / CACHE_DIR / "build-stamp.json"


def up_to_date(root: Path, strict: bool, epoch: str) -> bool:
    try:
        stamp = json.loads(_stamp_file(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    site = root / "site"
    return site.is_dir() and stamp.get("inputs") == input_digest(root, strict, epoch) and stamp.get("site") == site_fingerprint(site)


def record(root: Path, strict: bool, epoch: str) -> None:
    atomic_write(_stamp_file(root), json.dumps({"inputs": input_digest(root, strict, epoch), "site": site_fingerprint(root / "site")}))

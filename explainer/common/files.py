"""Files the build keeps between runs (caches, stamps, generated configuration), written so that no
reader, not even a parallel build, ever sees half of one.

Writes: the file it is given, through a temporary file beside it. CACHE_DIR is where, inside an
explainer, the build keeps what it can reuse.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_DIR = Path(".cache") / "explainer"


def atomic_write(path: Path, content: bytes | str) -> None:
    """Write `path` whole or not at all: a temporary file beside it (named by this process, so two
    builds never share one; hidden and ending in .tmp, so `serve` ignores it), renamed over it."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_if_changed(path: Path, content: bytes | str) -> bool:
    """Write only when the bytes differ (so `serve` never loops on its own output); True if written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic_write(path, data)
    return True

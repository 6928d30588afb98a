"""The Vega runtime for interactive charts, bundled by vl-convert (no CDN, no Vega-Lite in the
browser: specs are compiled to Vega at build). Bundling takes about a second and holds the GIL,
so the result is cached per vl-convert version in the user's cache folder and reused."""
from __future__ import annotations

import os
from pathlib import Path

SNIPPET = "window.vega = vega;"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "explainer"


def vega_javascript() -> bytes:
    import vl_convert as vlc

    path = cache_dir() / f"vega-{vlc.get_vega_version()}-vlc-{vlc.__version__}.js"
    if path.is_file():
        return path.read_bytes()
    code = vlc.javascript_bundle(SNIPPET).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(code)
    os.replace(tmp, path)  # atomic: a parallel build never reads half a file
    return code

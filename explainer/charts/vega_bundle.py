"""The Vega runtime for interactive charts, bundled by vl-convert (no CDN, no Vega-Lite in the
browser: specs are compiled to Vega at build). Bundling takes about a second and holds the GIL,
so the result is cached per vl-convert version in the user's cache folder and reused."""

from __future__ import annotations

from pathlib import Path

from ..common import settings
from ..common.files import atomic_write

# vl-convert resolves this module specifier to the copy of Vega vendored inside it (no network).
# Its documented `vega` name is Vega's default export, which is null; the namespace is what we need.
# The expression interpreter (vendored too) lets charts run under a CSP without 'unsafe-eval'.
SNIPPET = (
    'import * as V from "https://cdn.jsdelivr.net/npm/vega@{version}/+esm"; '
    'import {{expressionInterpreter}} from "https://cdn.jsdelivr.net/npm/vega-interpreter@2.0.0/+esm"; '
    "window.vega = V; window.vegaExpressionInterpreter = expressionInterpreter;"
)


def cache_dir() -> Path:
    base = settings.environment().XDG_CACHE_HOME or (Path.home() / ".cache")
    return Path(base) / "explainer"


def vega_javascript() -> bytes:
    import vl_convert as vlc

    version = vlc.__version__  # type: ignore[attr-defined]  # set by the module; its stubs omit it
    path = cache_dir() / f"vega-{vlc.get_vega_version()}-vlc-{version}-ns-interp.js"
    if path.is_file():
        return path.read_bytes()
    code = vlc.javascript_bundle(SNIPPET.format(version=vlc.get_vega_version())).encode("utf-8")
    atomic_write(path, code)  # a parallel build never reads half a file
    return code

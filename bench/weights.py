"""What a reader downloads before any interaction: one measure for the benchmark and the tests."""

from __future__ import annotations

import gzip
import re
from pathlib import Path


def page_weights(site: Path) -> list[tuple[str, int]]:
    """gzip bytes of each page plus the same-site CSS, scripts and eager images it loads before any interaction
    (the Vega runtime and chart specs load only when a chart nears the viewport)."""
    rows = []
    for page in sorted(site.rglob("index.html")):
        if "assets" in page.parts or "search" in page.parts:
            continue
        html = page.read_text(encoding="utf-8")
        total = len(gzip.compress(html.encode(), mtime=0))
        for ref in re.findall(r'<(?:script[^>]+src|link[^>]+rel="stylesheet"[^>]+href)="([^"]+)"', html):
            asset = (page.parent / ref.split("?")[0]).resolve()
            if asset.is_file():
                total += len(gzip.compress(asset.read_bytes(), mtime=0))
        for tag in re.findall(r"<img\b[^>]*>", html):  # images loaded at once (not lazily) count too, as sent
            src = re.search(r'\bsrc="([^"]+)"', tag)
            if src and 'loading="lazy"' not in tag and (page.parent / src.group(1)).resolve().is_file():
                total += (page.parent / src.group(1)).resolve().stat().st_size
        rows.append(("/" + str(page.parent.relative_to(site)).replace(".", "") + "/", total))
    return [(p.replace("//", "/"), b) for p, b in rows]

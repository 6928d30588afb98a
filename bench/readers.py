"""What a reader sees, measured in Debian's Chromium: the smallest chart text (CSS px: font size
times the SVG's scale) at 360 and 1280 px, static and live; sideways overflow at 360 px; the A4
pages each page prints on; and, with --screenshots DIR, a PNG of every page at 360 and 1280 px in
the light and the dark palette (`make screenshots`).

    .venv/bin/python bench/readers.py [SITE] [--screenshots DIR] [--no-measure]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from conftest import chromium_browser, serve_folder  # noqa: E402

# The smallest text a reader sees in each chart figure: every <text> of the visible SVG, its
# computed font size times the SVG's on-screen scale (rendered width / viewBox or width attribute).
SMALLEST_TEXT = """() => {
  const out = [];
  for (const fig of document.querySelectorAll('figure.explainer-chart')) {
    const svgs = [...fig.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width > 0 && s.closest('figure') === fig);
    let smallest = Infinity;
    for (const svg of svgs) {
      const vb = svg.viewBox && svg.viewBox.baseVal;
      const natural = (vb && vb.width) || parseFloat(svg.getAttribute('width')) || svg.getBoundingClientRect().width;
      const scale = svg.getBoundingClientRect().width / natural;
      for (const t of svg.querySelectorAll('text')) {
        if (!t.textContent.trim() || t.getBoundingClientRect().width === 0) continue;
        const size = parseFloat(getComputedStyle(t).fontSize) * scale;
        if (size < smallest) smallest = size;
      }
    }
    out.push([fig.id, smallest]);
  }
  return out;
}"""


def pages(site: Path) -> list[str]:
    return sorted(
        "/" + str(p.parent.relative_to(site)).replace(".", "").strip("/") + ("/" if p.parent != site else "")
        for p in site.rglob("index.html")
        if "assets" not in p.parts and "search" not in p.parts
    )


def go_live(page, timeout_ms: int = 15000) -> None:
    figures = page.locator("figure.explainer-chart")
    for i in range(figures.count()):
        figures.nth(i).scroll_into_view_if_needed()
        figures.nth(i).hover()
    try:
        page.wait_for_function(
            """() => document.querySelectorAll('figure.explainer-chart').length ===
            document.querySelectorAll('figure.explainer-chart--live').length""",
            timeout=timeout_ms,
        )
    except Exception:
        pass
    page.evaluate("window.scrollTo(0, 0)")
    # The pointer leaves the charts (for the masthead's empty corner): a tooltip or hover colour left
    # by the last hover is not part of the page at rest that axe and the screenshots look at.
    page.mouse.move(1, 1)


def smallest_text(page) -> dict[str, float]:
    return {fid: size for fid, size in page.evaluate(SMALLEST_TEXT)}


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def measure(browser, base: str, paths: list[str]) -> list[dict]:
    rows = []
    for path in paths:
        row: dict[str, Any] = {"page": path}
        for width in (360, 1280):
            for live in (False, True):
                ctx = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=live)
                page = ctx.new_page()
                page.goto(base + path)
                if live:
                    go_live(page)
                    row.setdefault("live", []).append(page.locator("figure.explainer-chart--live").count())
                sizes = smallest_text(page)
                row[f"text{width}{'live' if live else 'static'}"] = min(sizes.values()) if sizes else None
                if width == 360 and not live:
                    row["overflow360"] = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                if width == 1280 and not live:
                    page.emulate_media(media="print")
                    row["a4"] = pdf_pages(page.pdf(format="A4"))
                ctx.close()
        rows.append(row)
    return rows


def screenshots(browser, base: str, paths: list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        name = path.strip("/").replace("/", "_") or "index"
        for width in (360, 1280):
            for scheme in ("light", "dark"):
                ctx = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, device_scale_factor=1)
                page = ctx.new_page()
                page.goto(base + path)
                page.wait_for_timeout(300)
                # A full-page picture paints a content-visibility: auto block (the figures appendix's
                # chapters) only near the viewport, blank further down; a reader who scrolls sees each
                # one drawn, so the picture shows them drawn (set through the CSSOM: the CSP allows it).
                page.evaluate("document.querySelectorAll('.explainer-figures').forEach(e => { e.style.contentVisibility = 'visible'; })")
                out = folder / f"{name}-{width}-{scheme}.png"
                page.screenshot(path=str(out), full_page=True)
                written.append(out)
                ctx.close()
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("site", nargs="?", default="site")
    ap.add_argument("--screenshots", metavar="DIR")
    ap.add_argument("--no-measure", action="store_true")
    ap.add_argument("--only", help="a regular expression: the pages to visit")
    args = ap.parse_args()
    site = Path(args.site).resolve()
    paths = [p for p in pages(site) if not args.only or re.search(args.only, p)]
    with serve_folder(site) as base, chromium_browser() as browser:
        if args.screenshots:
            n = screenshots(browser, base, paths, Path(args.screenshots))
            print(f"wrote {len(n)} screenshots into {args.screenshots}")
        if not args.no_measure:
            rows = measure(browser, base, paths)
            print("| page | smallest chart text 360 px static / live | 1280 px static / live | overflow at 360 px | A4 pages |")
            print("|---|---|---|---|---|")
            fmt = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
            for r in rows:
                print(
                    f"| {r['page']} | {fmt(r['text360static'])} / {fmt(r['text360live'])} | "
                    f"{fmt(r['text1280static'])} / {fmt(r['text1280live'])} | {r['overflow360']} px | {r['a4']} |"
                )


if __name__ == "__main__":
    main()

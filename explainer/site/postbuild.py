"""What the generator adds to the finished site, after the engine (MkDocs or Zensical) built it:
plain functions over the HTML and XML files, so they need no engine's hooks and run the same in
every build, the preview and the build mike runs when publishing (engine.py).

1. **Content-Security-Policy**, as a `<meta http-equiv>` tag (GitHub Pages sets no headers).
   Scripts, styles, images, fonts and connections come from the site itself only; each inline
   script is allowed by its SHA-256 hash, never by 'unsafe-inline', and there is no 'unsafe-eval'
   (charts use Vega's expression interpreter instead of `new Function`). Only scripts marked
   `data-explainer-csp` are hashed. The marks are given here to the inline scripts the theme's
   own script partials emit (`partials/javascripts/*.html` of Material, or of Zensical's copy):
   each is matched against its template, with any `{{ value }}` in it standing for a URL. An
   inline script that matches none (typed into prose and missed by the sanitiser, or added by a
   hook) is not hashed, so the browser refuses to run it, and it is reported.
2. **hreflang in the sitemap**: each page's translations, read from its language switcher (the
   links marked `hreflang` in `md-select__link`), as `<xhtml:link rel="alternate">` entries,
   when the sitemap has absolute addresses (site_url is set).
3. **No restyle of the whole page by the palette switch on load**: the theme's stylesheets lose
   their `[data-md-color-switching] *{transition-duration:0s!important}` rule. Material's palette script
   sets and then removes that attribute on <body> on every page load, even when the reader switches
   nothing; with the rule in a stylesheet, each change restyles every element (two full style
   recalculations: half the main-thread time of /figures/ at Lighthouse's 4x CPU slowdown,
   bench/trace.py). Without it, a reader who switches light/dark sees the theme's 125-250 ms
   colour fades play instead of an instant swap."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

MARK = "data-explainer-csp"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
DATA_TYPE = re.compile(r'\btype="(?!text/javascript|module|application/javascript)[^"]+"', re.I)  # JSON config: not run
CSP_META = 'http-equiv="Content-Security-Policy"'
JINJA_VALUE = re.compile(r"\{\{.*?\}\}", re.S)


def policy(html: str) -> str:
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
            for attrs, body in INLINE_SCRIPT.findall(html)
            if MARK in attrs and not DATA_TYPE.search(attrs)
        }
    )
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *hashes]),
            "style-src 'self'",
            "img-src 'self' data:",  # Material's icons are data: SVGs in its CSS
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self'",  # the search index runs in a worker from the site
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def unmarked_scripts(html: str) -> list[str]:
    return [body for attrs, body in INLINE_SCRIPT.findall(html) if not DATA_TYPE.search(attrs) and MARK not in attrs]


def add_policy(html: str) -> str:
    """The page with its policy right after <meta charset>, before anything that loads or runs
    (unchanged if it has one: another language's site, built and finished on its own)."""
    if CSP_META in html:
        return html
    meta = f'<meta {CSP_META} content="{policy(html)}">'
    return re.sub(r"(<meta charset=[^>]*>)", lambda m: m.group(1) + "\n    " + meta, html, count=1)


def theme_scripts(templates: Path) -> list[re.Pattern]:
    """The inline scripts of the theme's script partials, as patterns: literal text, with each
    Jinja value (a base URL, a scope) standing for a quoted URL's characters."""
    patterns = []
    for partial in sorted((templates / "partials" / "javascripts").glob("*.html")):
        for body in re.findall(r"<script>(.*?)</script>", partial.read_text(encoding="utf-8"), re.S):
            if "{%" in body:
                continue  # no partial has logic inside a script; one that does is not trusted
            parts = JINJA_VALUE.split(body)
            patterns.append(re.compile(r'[^"<>\\]*'.join(re.escape(p) for p in parts)))
    return patterns


def mark_theme_scripts(html: str, patterns: list[re.Pattern]) -> str:
    def mark(m: re.Match) -> str:
        attrs, body = m.group(1), m.group(2)
        if MARK in attrs or not any(p.fullmatch(body) for p in patterns):
            return m.group(0)
        return f"<script {MARK}{attrs}>{body}</script>"

    return INLINE_SCRIPT.sub(mark, html)


def finish(site: Path, templates: Path, epoch: int = 0) -> list[str]:
    """Mark the theme's scripts and set the policy on every page of a built site; add hreflang to
    its sitemap. Returns a message for each inline script left unmarked (blocked)."""
    patterns, problems = theme_scripts(templates), []
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if CSP_META in html:
            continue
        html = mark_theme_scripts(html, patterns)
        for body in unmarked_scripts(html):
            problems.append(
                f"{path.relative_to(site).as_posix()}: an inline script the theme did not emit is blocked "
                f"by the Content-Security-Policy: {' '.join(body.split())[:80]}"
            )
        path.write_text(add_policy(html), encoding="utf-8")
    add_hreflang(site, epoch)
    for css in sorted(site.rglob("*.css")):
        drop_switching_rule(css)
    return problems


# A rule (in minified or spaced CSS) whose selector list names the attribute; the character
# before it, kept, ends the previous rule or opens an @media block.
SWITCHING_RULE = re.compile(r"(^|[{};])([^{};]*\[data-md-color-switching\][^{};]*)\{[^{}]*\}")


def drop_switching_rule(css: Path) -> None:
    text = css.read_text(encoding="utf-8")
    if "data-md-color-switching" in text:
        css.write_text(SWITCHING_RULE.sub(r"\1", text), encoding="utf-8")


SWITCHER_LINK = re.compile(r'<a href="([^"]*)" hreflang="([^"]*)"[^>]*class="md-select__link"')
URL_ENTRY = re.compile(r"(<url>\s*<loc>([^<]*)</loc>.*?)(\s*</url>)", re.S)
XHTML_NS = 'xmlns:xhtml="http://www.w3.org/1999/xhtml"'


def add_hreflang(site: Path, epoch: int = 0) -> None:
    sitemap = site / "sitemap.xml"
    if not sitemap.is_file():
        return
    xml = sitemap.read_text(encoding="utf-8")
    locs = [unescape(m.group(2).strip()) for m in URL_ENTRY.finditer(xml)]
    if not locs or "://" not in locs[0] or "hreflang=" in xml:
        return  # no absolute addresses (no site_url), or done already
    root, added = min(locs, key=len), 0  # the home page's address is the shortest

    def entry(m: re.Match) -> str:
        nonlocal added
        loc = unescape(m.group(2).strip())
        page = _page_file(site, loc, root)
        links = SWITCHER_LINK.findall(page.read_text(encoding="utf-8")) if page else []
        added += len(links)
        return (
            m.group(1)
            + "".join(f'\n         <xhtml:link rel="alternate" hreflang="{lang}" href="{urljoin(loc, unescape(href))}"/>' for href, lang in links)
            + m.group(3)
        )

    xml = URL_ENTRY.sub(entry, xml)
    if not added:
        return
    sitemap.write_text(xml.replace("<urlset ", f"<urlset {XHTML_NS} ", 1), encoding="utf-8")
    gz = sitemap.with_suffix(".xml.gz")
    if gz.exists():  # the engine's compressed copy follows; its date from the commit, not the clock
        gz.write_bytes(gzip.compress(sitemap.read_bytes(), mtime=epoch))


def _page_file(site: Path, loc: str, root: str) -> Path | None:
    if not loc.startswith(root):
        return None
    rel = loc[len(root) :]
    path = site / rel / "index.html" if rel.endswith("/") or not rel else site / rel
    return path if path.is_file() else None

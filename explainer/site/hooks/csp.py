"""MkDocs hook: a strict Content-Security-Policy on every page, as a <meta http-equiv> tag
(GitHub Pages sets no headers). Scripts, styles, images, fonts and connections come from the
site itself only; each inline script is allowed by its SHA-256 hash, never by 'unsafe-inline',
and there is no 'unsafe-eval' (charts use Vega's expression interpreter instead of `new Function`).

A hook, not post-processing of site/, so that every build gets it, including the ones mike runs
when publishing an edition. It uses only MkDocs' documented event API.

Only the inline scripts the theme emits are allowed: the theme's templates wrap Material's script
partials in the `explainer_trusted_scripts` filter (registered here), which marks each script
with `data-explainer-csp`. An inline script without the mark (typed into prose and missed by the
sanitiser, or added by a custom template or hook) is not hashed, so the browser refuses to run
it, and the build logs a warning (an error in strict builds)."""
from __future__ import annotations

import base64
import hashlib
import logging
import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
MARK = "data-explainer-csp"
OPEN_SCRIPT = re.compile(r"<script(?=[\s>])", re.I)
log = logging.getLogger("mkdocs.hooks.explainer_csp")
DATA_TYPE = re.compile(r'\btype="(?!text/javascript|module|application/javascript)[^"]+"', re.I)


def policy(html: str) -> str:
    scripts = [(attrs, body) for attrs, body in INLINE_SCRIPT.findall(html) if not DATA_TYPE.search(attrs)]
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
                     for attrs, body in scripts if MARK in attrs})
    return "; ".join([
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
    ])


def unmarked_scripts(html: str) -> list[str]:
    return [body for attrs, body in INLINE_SCRIPT.findall(html) if not DATA_TYPE.search(attrs) and MARK not in attrs]


def trusted_scripts(html: str) -> str:
    """Jinja filter for the theme's templates: mark the inline scripts of what it wraps as the theme's own."""
    return OPEN_SCRIPT.sub(f"<script {MARK}", html)


def add_policy(html: str, where: str = "") -> str:
    if 'http-equiv="Content-Security-Policy"' in html:
        return html
    for body in unmarked_scripts(html):
        log.warning("%s: an inline script the theme did not emit is blocked by the Content-Security-Policy: %.80s",
                    where or "page", body.strip())
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    # Right after <meta charset>, before anything that loads or runs.
    return re.sub(r"(<meta charset=[^>]*>)", lambda m: m.group(1) + "\n    " + meta, html, count=1)


def on_env(env, config, files):
    env.filters["explainer_trusted_scripts"] = trusted_scripts
    return env


def on_post_page(output: str, page, config) -> str:
    return add_policy(output, page.file.src_uri)


def on_post_template(output_content: str, template_name: str, config) -> str:
    return add_policy(output_content, template_name) if template_name.endswith(".html") else output_content

"""MkDocs hook: a strict Content-Security-Policy on every page, as a <meta http-equiv> tag
(GitHub Pages sets no headers). Scripts, styles, images, fonts and connections come from the
site itself only; each inline script is allowed by its SHA-256 hash, never by 'unsafe-inline',
and there is no 'unsafe-eval' (charts use Vega's expression interpreter instead of `new Function`).

A hook, not post-processing of site/, so that every build gets it, including the ones mike runs
when publishing an edition. It uses only MkDocs' documented event API."""
from __future__ import annotations

import base64
import hashlib
import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S | re.I)
DATA_TYPE = re.compile(r'\btype="(?!text/javascript|module|application/javascript)[^"]+"', re.I)


def policy(html: str) -> str:
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
                     for attrs, body in INLINE_SCRIPT.findall(html) if not DATA_TYPE.search(attrs)})
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


def add_policy(html: str) -> str:
    if 'http-equiv="Content-Security-Policy"' in html:
        return html
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html)}">'
    # Right after <meta charset>, before anything that loads or runs.
    return re.sub(r"(<meta charset=[^>]*>)", lambda m: m.group(1) + "\n    " + meta, html, count=1)


def on_post_page(output: str, page, config) -> str:
    return add_policy(output)


def on_post_template(output_content: str, template_name: str, config) -> str:
    return add_policy(output_content) if template_name.endswith(".html") else output_content

"""MkDocs hook: a strict Content-Security-Policy on every page, as a <meta http-equiv> tag
(GitHub Pages sets no headers). Scripts, styles, images, fonts and connections come from the
site itself only; each inline script is allowed by its SHA-256 hash, never by 'unsafe-inline',
and there is no 'unsafe-eval' (charts use Vega's expression interpreter instead of `new Function`).

A hook, not post-processing of site/, so that every build gets it, including the ones mike runs
when publishing an edition. It uses only MkDocs' documented event API.

Only the inline scripts the theme emits are allowed: Material's script partials
(`TRUSTED_PARTIALS`) are wrapped, as the template loader reads them, in the
`explainer_trusted_scripts` filter (registered here, and usable by the theme's own templates),
which marks each script with `data-explainer-csp`; no copy of Material's templates is needed. An inline script without the mark (typed into prose and missed by the
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


# Material's partials that hold its inline scripts (the palette, local storage, announcement,
# outdated-edition banner, tabs and consent). A script outside these, and outside the filter, is refused.
TRUSTED_PARTIALS = frozenset(f"partials/javascripts/{name}.html"
                             for name in ("base", "palette", "announce", "outdated", "content", "consent"))


class _MarkingLoader:
    """Wraps the theme's template loader: the trusted partials are read inside the filter."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template in TRUSTED_PARTIALS:
            source = "{% filter explainer_trusted_scripts %}" + source + "{% endfilter %}"
        return source, filename, uptodate

    def load(self, environment, name, globals=None):
        from jinja2 import BaseLoader
        return BaseLoader.load(self, environment, name, globals)


def on_env(env, config, files):
    env.filters["explainer_trusted_scripts"] = trusted_scripts
    if not isinstance(env.loader, _MarkingLoader):
        env.loader = _MarkingLoader(env.loader)
    return env


def on_post_page(output: str, page, config) -> str:
    return add_policy(output, page.file.src_uri)


def on_post_template(output_content: str, template_name: str, config) -> str:
    return add_policy(output_content, template_name) if template_name.endswith(".html") else output_content

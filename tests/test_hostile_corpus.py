"""A corpus of hostile input: what an editor's pull request could try against the build (issue 11).

Prose, front matter, charts/figures.yml, mkdocs.yml and the data package come from pull requests
and are data: nothing in them may run, reach Python's internals, put a script into the site, hang
the build or flood its output. Chart files are code (reviewed as code), but a chart that spins,
exits or crashes its process must still be stopped and named. Publishing must never put hostile
input on gh-pages, and never move `latest` back.

Each `Case` copies the orchard explainer built once for the run (tests/fixtures/orchard, with
its chart cache, so no chart is drawn again), changes it with the mutations of badinput_helpers,
and runs `python build.py --root DIR [args]` as an editor would. Two tests check every case:

- `test_runs_nothing[case]`: the build ends in time (an alias bomb is refused, not expanded), with
  exit 0 or 1 and no traceback; no marker file was created (payloads `touch @RAN@`, replaced by a
  path outside the explainer); the string PWNED, which the payloads only ever spell in pieces
  (`echo PWN""ED`, `'PWN' ~ 'ED'`), is in no output and no file of site/; every output line is
  short (a 5 MB cell is quoted cut short); a stopped build left site/ byte for byte as it was; a
  finished one carries no script, event handler or javascript:/data: link holding a payload
  (`pwned_...` names) in any page or in the search index, and none of `Case.gone`.
- `test_is_reported[case]`: the exit code, and exactly the expected stderr lines
  (`path:line:col: message (hint)`, or the warnings of a build that goes on), then
  `Build stopped: ...` or `Built ...`.

A hole found in the generator keeps its case with the outcome that *should* be: `Case.hole`
(xfail(strict=True) on test_is_reported, when the message is missing, unlocated or the build
goes on) and `Case.unsafe` (xfail(strict=True) on test_runs_nothing too, when something executes,
the build hangs or it crashes).
Fixing the generator turns the case into a pass, and a forgotten mark into a failure. An expected
line may be a compiled regular expression where the exact words of the fix are not known yet.

The builds run two at a time (the machine has two cores), each in its own copy, forked warm
from tests/warm_build.py (a stopped build is mostly Python importing the generator). Further
tests below: the hostile prose page in Chromium (no dialog, no script ran), the
Content-Security-Policy unchanged by a prose <script>, and publishing with real git, mike and a
bare remote (gh-pages untouched by every refusal; hostile prose published leaves no script on
gh-pages).

To add a case: append a `Case` to CASES with an id (unique), a mutation (badinput_helpers:
replace, append, write, chain, ...), the lines the editor should read, `exit=0` and `gone=` for
input the build keeps but must defuse, and `@RAN@` in any payload that would run a command.
Run `.venv/bin/python -m pytest -q tests/test_hostile_corpus.py -k <id>`.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

import warm_build
from conftest import GIT_ENV
from badinput_helpers import (
    REPO,
    Mutation,
    append,
    build_stopped,
    chain,
    copy_fixture,
    replace,
    site_hashes,
    transform,
    write,
)

CSV = "charts/data/harvest.csv"
SOURCES = "charts/data/sources.csv"
PKG = "charts/data/datapackage.json"
FIGS = "charts/figures.yml"
INDEX = "content/index.md"
PEARS = "content/01-pears.md"  # 9 lines; text appended as "\n" + payload starts on line 11

RAN = "@RAN@"  # replaced by a file path outside the explainer: it must never be created
PWNED = "PWNED"  # spelt in pieces in every payload: whole, it means a payload ran
NEEDLE = "pwned"  # names used in scripts, handlers and links that must not survive (any case)

# Words of the generator, kept once so the cases stay readable.
PROSE_HINT = 'prose uses {{ fig.name }}, {{ fig.name.source }}, {{ chart("slug") }}, {{ source("id") }} and {{ image("file.jpg", alt="…") }}'
RAW_HTML_HINT = "write Markdown instead; scripts, event handlers, styles, iframes, forms and javascript: links are removed"
ALIAS_HINT = "write the value out in full; YAML aliases (*name) are not accepted in explainer files"
NO_CONSTRUCTOR = "could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"
WEB_HINT = "give the full http:// or https:// address, or leave the path out"
CHART_DIED = "a chart may not exit, crash the interpreter or call native code that does"
TIME_LIMIT_ENV = {"EXPLAINER_CHART_TIME_LIMIT": "2"}
TIME_UP = "chart took longer than 2 s and was stopped (look for a loop that never ends, or aggregate the data before charting it)"


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Mutation
    expected: tuple  # stderr lines before the last line: str, or re.Pattern (fullmatch)
    exit: int = 1  # 1: the build stops, site/ untouched; 0: it builds, having defused the input
    args: tuple = ()
    env: dict = field(default_factory=dict)
    gone: tuple = ()  # strings in no file of site/ (exit 0)
    timeout: float = 120
    hole: str = ""  # why the generator's output today differs from `expected` (xfail strict)
    unsafe: str = ""  # why test_runs_nothing fails today: something executes, hangs or crashes (xfail strict)


def prose(*payload: str) -> Mutation:
    """Append paragraphs to content/01-pears.md: the first one on line 11, each two lines apart."""
    return append(PEARS, "\n" + "\n\n".join(payload) + "\n")


def raw_html_warning(line: int, col: int, tag: str, change: str) -> str:
    return f"{PEARS}:{line}:{col}: warning: raw HTML {tag} in prose: {change} ({RAW_HTML_HINT})"


def refused(line: int, col: int | None, what: str, file: str = PEARS) -> str:
    where = f"{line}:{col}" if col else f"{line}"
    return f"{file}:{where}: {what} ({PROSE_HINT})"


def bomb(indent: str = "", first: str = "a") -> str:
    """The billion laughs: nine lists of nine aliases, 9**9 strings once expanded."""
    names = "abcdefghi"
    lines = [f'{first}: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip(names, names[1:])]
    return "".join(indent + line + "\n" for line in lines)


SYSTEM = f"!!python/object/apply:os.system [\"touch {RAN}; echo PWN''ED\"]"
JINJA_ESCAPE = f"{{{{ cycler.__init__.__globals__.os.popen('touch {RAN}; echo PWN\"\"ED').read() }}}}"
TEXT_PAYLOAD = "{{ 'PWN' ~ 'ED' }} <script>pwned_text()</script> <img src=x onerror=pwned_text()> [x](javascript:pwned_text())"


def chart_file(name: str, body: str, imports: str = "") -> Mutation:
    return write(f"charts/{name}.py", f'"""{name.title()}\n\nA hostile chart.\n"""\n{imports}\n\ndef chart(data):\n{body}')


def json_fields(fn) -> Mutation:
    """Change datapackage.json as data (json.loads, fn(descriptor), json.dumps)."""

    def change(text: str) -> str:
        descriptor = json.loads(text)
        fn(descriptor)
        return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"

    return transform(PKG, change)


def _set_text_fields(d: dict) -> None:
    d["description"] = d["resources"][0]["description"] = d["resources"][0]["title"] = TEXT_PAYLOAD
    d["resources"][0]["caveats"] = [TEXT_PAYLOAD]
    d["sources"][0]["title"] = d["licenses"][0]["title"] = TEXT_PAYLOAD


CASES = [
    # --- prose: Jinja2 in the sandbox, fig/chart/source only ----------------------------------------
    Case("prose-globals-through-undefined-name", prose(JINJA_ESCAPE), (refused(11, 11, '"__init__" is not available in prose'),)),
    Case(
        "prose-globals-through-fig",
        prose("{{ fig.__class__.__init__.__globals__['os'].system('touch " + RAN + "') }}"),
        (refused(11, 8, '"__class__" is not available in prose'),),
    ),
    Case(
        "prose-globals-through-chart-function",
        prose("{{ chart.__globals__['os'].popen('touch " + RAN + "').read() }}"),
        (refused(11, 10, '"__globals__" is not available in prose'),),
    ),
    Case(
        "prose-subclasses-through-figure-value",
        prose("{{ fig.pears_total.value.__class__.__mro__[1].__subclasses__() }}"),
        (refused(11, 26, '"__class__" is not available in prose'),),
    ),
    Case(
        "prose-format-string-attribute",
        prose("{{ '{0.__class__.__init__.__globals__}'.format(fig) }}"),
        (refused(11, 8, '"__class__" is not available in prose'),),
    ),
    Case("prose-private-attribute-of-self", prose("{{ self._TemplateReference__context.parent }}"), (refused(11, 4, '"self" is not allowed in prose'),)),
    Case(
        "prose-figure-has-no-sources",
        prose("{{ fig.pears_total.sources }}"),
        (refused(11, 20, 'a figure has no "sources"; did you mean .source?; it gives its number, .source and .value'),),
    ),
    Case(
        "prose-unknown-global-lipsum",
        prose("{{ lipsum(100000, html=false) }}"),
        (f"{PEARS}:11: unknown name: 'lipsum' is undefined (the names you can use are fig, chart, source and image)",),
    ),
    Case(
        "prose-unknown-global-range",
        prose("{{ range(100000000) }}"),
        (f"{PEARS}:11: unknown name: 'range' is undefined (the names you can use are fig, chart, source and image)",),
    ),
    Case(
        "prose-loop-set-macro-include-import",
        prose(
            "{% for x in fig %}{{ x }}{% endfor %}",
            "{% set os = fig %}",
            "{% macro m() %}{{ m() }}{% endmacro %}",
            "{% include 'content/index.md' %}",
            "{% import '/etc/passwd' as p %}",
        ),
        (
            refused(11, 4, "{% for %} is not allowed in prose"),
            refused(13, 4, "{% set %} is not allowed in prose"),
            refused(15, 4, "{% macro %} is not allowed in prose"),
            refused(17, 4, "{% include %} is not allowed in prose"),
            refused(19, 4, "{% import %} is not allowed in prose"),
        ),
    ),
    Case("prose-filter-attr", prose("{{ fig.pears_total|attr('__class__') }}"), (refused(11, 19, "a filter (|) is not allowed in prose"),)),
    Case(
        "prose-power-and-product",
        prose("{{ 9 ** 9 ** 9 ** 9 }}", "{{ 'x' * 1000 }}"),
        (
            refused(11, 6, "the ** operator is not allowed in prose"),
            refused(13, 8, "the * operator is not allowed in prose"),
        ),
    ),
    Case("prose-product-bomb", prose("{{ 'x' * 500000000 }}"), (refused(11, 8, "the * operator is not allowed in prose"),), timeout=20),
    Case(
        "prose-product-and-power-on-one-line",
        prose("{{ 9 ** 9 }} {{ 'x' * 9 }}"),
        (
            refused(11, 6, "the ** operator is not allowed in prose"),
            refused(11, 21, "the * operator is not allowed in prose"),
        ),
    ),
    Case("prose-getitem-dunder", prose("{{ fig['__class__'] }}"), (re.compile(re.escape(PEARS) + r':11:\d+: "__class__" is not available in prose \(.+\)'),)),
    Case("prose-self-is-not-a-name", prose("{{ self }}"), (refused(11, 4, '"self" is not allowed in prose'),)),
    Case("prose-huge-string-from-str-method", prose("{{ '-'.ljust(50000000) }}"), (re.compile(re.escape(PEARS) + r":11:\d+: .*ljust.*"),)),
    # --- prose: raw HTML, sanitised by nh3 (a located warning each; --strict makes them errors) ----
    Case(
        "html-script-and-handlers",
        prose(
            "<script>window.pwned_script = 1; document.title = 'PWN' + 'ED'; alert('pwned_script')</script>",
            '<img src="x.png" alt="pear" onerror="window.pwned_img = 1; alert(\'pwned_img\')">',
            "<svg onload=\"alert('pwned_svg')\"><script>alert('pwned_svg_script')</script></svg>",
            "<details open ontoggle=\"alert('pwned_toggle')\">pear</details>",
        ),
        (
            raw_html_warning(11, 1, "<script>", "<script> is removed with its content"),
            raw_html_warning(13, 1, """<img src="x.png" alt="pear" onerror="window.pwned_img = 1; …""", "attribute onerror removed"),
            raw_html_warning(15, 1, """<svg onload="alert('pwned_svg')">""", "<svg> is removed"),
            raw_html_warning(15, 34, "<script>", "<script> is removed with its content"),
            raw_html_warning(17, 1, """<details open ontoggle="alert('pwned_toggle')">""", "attributes open, ontoggle removed"),
        ),
        exit=0,
        gone=("pwned_script", "pwned_img", "pwned_svg", "pwned_toggle"),
    ),
    Case(
        "html-script-strict",
        prose("<script>alert('pwned_strict')</script>"),
        (raw_html_warning(11, 1, "<script>", "<script> is removed with its content"),),
        args=("--strict",),
    ),
    Case(
        "html-javascript-and-data-links",
        prose(
            "<a href=\"javascript:alert('pwned_a')\">a</a>",
            "[md](javascript:pwned_md()) and [data](data:text/html;base64,cHduZWQ=)",
            '<a href=" &#x6A;ava&#x09;script&#58;pwned_entity()">e</a>',
        ),
        (
            raw_html_warning(11, 1, "<a href=\"javascript:alert('pwned_a')\">", "attribute href removed"),
            f"{PEARS}:13:6: warning: link to javascript:pwned_md() is removed: only http(s), mailto and relative links are kept ({RAW_HTML_HINT})",
            f"{PEARS}:13:40: warning: link to data:text/html;base64,cHduZWQ= is removed: only http(s), mailto and relative links are kept ({RAW_HTML_HINT})",
            raw_html_warning(15, 1, '<a href=" &#x6A;ava&#x09;script&#58;pwned_entity()">', "attribute href removed"),
        ),
        exit=0,
        gone=("pwned_a", "pwned_md", "cHduZWQ", "pwned_entity"),
    ),
    Case(
        "html-frames-forms-objects-meta",
        prose(
            '<iframe src="https://example.org/pwned_frame"></iframe>',
            '<form action="https://example.org/pwned_form"><input name="q"><button formaction="https://example.org/pwned_button">go</button></form>',
            '<object data="pwned_object.swf"></object><embed src="pwned_embed.swf">',
            '<meta http-equiv="refresh" content="0;url=https://example.org/pwned_meta">',
            '<base href="https://example.org/pwned_base/">',
        ),
        (
            raw_html_warning(11, 1, '<iframe src="https://example.org/pwned_frame">', "<iframe> is removed"),
            raw_html_warning(13, 1, '<form action="https://example.org/pwned_form">', "<form> is removed"),
            raw_html_warning(13, 47, '<input name="q">', "<input> is removed"),
            raw_html_warning(13, 63, '<button formaction="https://example.org/pwned_button">', "<button> is removed"),
            raw_html_warning(15, 1, '<object data="pwned_object.swf">', "<object> is removed"),
            raw_html_warning(15, 42, '<embed src="pwned_embed.swf">', "<embed> is removed"),
            raw_html_warning(17, 1, '<meta http-equiv="refresh" content="0;url=https://example.o…', "<meta> is removed"),
            raw_html_warning(19, 1, '<base href="https://example.org/pwned_base/">', "<base> is removed"),
        ),
        exit=0,
        gone=("pwned_frame", "pwned_form", "pwned_button", "pwned_object", "pwned_embed", "pwned_meta", "pwned_base"),
    ),
    Case(
        "html-styles-and-theme-ids",
        prose(
            "<style>body { background: url(https://example.org/pwned_style) }</style>",
            '<p style="background: url(https://example.org/pwned_inline)">p</p>',
            '<div id="__config">{"base": "https://example.org/pwned_config"}</div>',
        ),
        (
            raw_html_warning(11, 1, "<style>", "<style> is removed with its content"),
            raw_html_warning(13, 1, '<p style="background: url(https://example.org/pwned_inline)…', "attribute style removed"),
            raw_html_warning(15, 1, '<div id="__config">', "attribute id removed"),
        ),
        exit=0,
        gone=("pwned_style", "pwned_inline", 'id="__config">{'),
    ),
    Case(
        "html-mutation-xss",
        prose(
            "<math><mtext><table><mglyph><style><img src=x onerror=alert('pwned_math')></style></mglyph></table></mtext></math>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert('pwned_noscript')>\"></noscript>",
            "<!-- <script>alert('pwned_comment')</script> -->",
        ),
        (
            raw_html_warning(11, 1, "<math>", "<math> is removed"),
            raw_html_warning(11, 7, "<mtext>", "<mtext> is removed"),
            raw_html_warning(11, 21, "<mglyph>", "<mglyph> is removed"),
            raw_html_warning(11, 29, "<style>", "<style> is removed with its content"),
            raw_html_warning(11, 36, "<img src=x onerror=alert('pwned_math')>", "attribute onerror removed"),
            raw_html_warning(13, 1, "<noscript>", "<noscript> is removed with its content"),
            raw_html_warning(13, 32, "<img src=x onerror=alert('pwned_noscript')>", "attribute onerror removed"),
            raw_html_warning(15, 6, "<script>", "<script> is removed with its content"),
        ),
        exit=0,
        gone=("pwned_math", "pwned_noscript", "pwned_comment"),
    ),
    Case(
        "html-fake-chart-figure",
        prose(
            "<figure class=\"explainer-chart\"><script>alert('pwned_figure')</script><img src=x onerror=alert('pwned_figure')></figure>",
        ),
        (
            raw_html_warning(11, 33, "<script>", "<script> is removed with its content"),
            raw_html_warning(11, 71, "<img src=x onerror=alert('pwned_figure')>", "attribute onerror removed"),
        ),
        exit=0,
        gone=("pwned_figure",),
    ),
    Case(
        "html-attribute-list-handler",
        prose("A [link](https://example.org){: onmouseover=\"alert('pwned_attr')\" } here."),
        (re.compile(re.escape(PEARS) + r":11:\d+: warning: .*onmouseover.*"),),
        exit=0,
        gone=("pwned_attr",),
    ),
    Case(
        "html-reference-link-javascript",
        prose("[ref][r1]", "[r1]: javascript:alert('pwned_ref')"),
        (re.compile(re.escape(PEARS) + r":13:\d+: warning: link to javascript:.* is removed.*"),),
        exit=0,
        gone=("pwned_ref",),
    ),
    Case(
        "html-spaced-link-javascript",
        prose("[spaced](  javascript:pwned_spaced()  )"),
        (re.compile(re.escape(PEARS) + r":11:\d+: warning: link to javascript:.* is removed.*"),),
        exit=0,
        gone=("pwned_spaced",),
    ),
    # Markdown images are refused (images go through {{ image() }}, which checks and resizes them).
    Case(
        "html-image-javascript",
        prose("![pear](javascript:pwned_image())"),
        (re.compile(re.escape(PEARS) + r":11:\d+: Markdown image javascript:.* is neither resized nor copied into the site \(.+\)"),),
        gone=("pwned_image",),
    ),
    Case(
        "html-markup-built-by-jinja",
        prose("{{ '<scr' ~ 'ipt>alert(\"pwned_jinja\")</scr' ~ 'ipt>' }}"),
        (refused(11, 11, "the ~ operator (joining text) is not allowed in prose"),),
    ),
    # --- front matter --------------------------------------------------------------------------------
    Case("front-matter-python-tag", replace(INDEX, "title: The orchard", f"title: {SYSTEM}"), (f"{INDEX}:2:8: invalid front matter: {NO_CONSTRUCTOR}",)),
    Case(
        "front-matter-alias",
        replace(INDEX, "title: The orchard\ndescription: A tiny explainer used to test the generator.", "title: &t The orchard\ndescription: *t"),
        (f"{INDEX}:3:14: invalid front matter: alias *t is not allowed ({ALIAS_HINT})",),
    ),
    Case(
        "front-matter-billion-laughs",
        replace(INDEX, "title: The orchard\n", "title: The orchard\n" + bomb(first="x")),
        (f"{INDEX}:4:8: invalid front matter: alias *a is not allowed ({ALIAS_HINT})",),
        timeout=60,
    ),
    Case(
        "front-matter-title-list",
        replace(INDEX, "title: The orchard", "title: [The orchard, '<script>alert(1)</script>']"),
        (f'{INDEX}:2:1: front matter title must be text, not a list (write it on one line, in quotes if needed: title: "...")',),
    ),
    Case(
        "front-matter-description-map",
        replace(INDEX, "description: A tiny explainer used to test the generator.", "description: {onload: pwned()}"),
        (f'{INDEX}:3:1: front matter description must be text, not a dict (write it on one line, in quotes if needed: description: "...")',),
    ),
    Case(
        "front-matter-jinja-and-html-shown-as-text", replace(PEARS, "title: Pears", "title: \"{{ 'PWN' ~ 'ED' }} <script>pwned_title()</script>\""), (), exit=0
    ),
    # --- charts/figures.yml ----------------------------------------------------------------------------
    Case("figures-python-tag", replace(FIGS, "  agg: sum", f"  agg: {SYSTEM}"), (f"{FIGS}:9:8: invalid YAML: {NO_CONSTRUCTOR}",)),
    Case("figures-billion-laughs", append(FIGS, bomb(first="laughs")), (f"{FIGS}:11:8: invalid YAML: alias *a is not allowed ({ALIAS_HINT})",), timeout=60),
    Case(
        "figures-field-list",
        replace(FIGS, "  field: count\n  agg: sum", "  field: [count, '<script>']\n  agg: sum"),
        (f'{FIGS}:5: figure "pears_total": field must be text, not a list (write it on one line, in quotes if needed: field: "...")',),
    ),
    Case(
        "figures-where-operator",
        replace(FIGS, "where: {fruit: pear}", "where: {fruit: {'$ne': x}}"),
        (f'{FIGS}:5: figure "pears_total": where must map column names to single values (for example where: {{year: 2021, series: official}})',),
    ),
    Case("figures-description-shown-as-text", append(FIGS, f"  description: {json.dumps(TEXT_PAYLOAD)}\n"), (), exit=0),
    # --- mkdocs.yml ---------------------------------------------------------------------------------
    Case(
        "mkdocs-python-tag-in-text-field",
        append("mkdocs.yml", f"site_description: {SYSTEM}\n"),
        (
            "mkdocs.yml:2:19: invalid YAML: the tag !!python/object/apply:os.system is not allowed (it runs Python) "
            "(use a plain value; Python belongs in a hook file listed under hooks:, which a maintainer reviews)",
        ),
    ),
    Case("mkdocs-python-tag-in-extra", append("mkdocs.yml", f"extra:\n  x: {SYSTEM}\n"), (re.compile(r"mkdocs\.yml:3:\d+: .*python/object/apply.*"),)),
    Case(
        "mkdocs-billion-laughs",
        append("mkdocs.yml", "extra:\n" + bomb(indent="  ")),
        (f"mkdocs.yml:4:10: invalid YAML: alias *a is not allowed ({ALIAS_HINT})",),
        timeout=60,
    ),
    Case(
        "mkdocs-site-name-list",
        write("mkdocs.yml", "site_name: [The orchard, '<script>alert(1)</script>']\n"),
        ('mkdocs.yml:1:1: site_name must be text, not a list (write it on one line, in quotes if needed: site_name: "...")',),
    ),
    # --- the data package ---------------------------------------------------------------------------------
    Case(
        "package-licence-javascript",
        replace(PKG, '"path": "https://creativecommons.org/publicdomain/zero/1.0/"', '"path": "javascript:alert(1)"'),
        (f'{PKG}:5:64: license path "javascript:alert(1)" is not a web address ({WEB_HINT})',),
    ),
    Case(
        "package-source-data-file-and-relative",
        chain(
            replace(PKG, '"path": "https://example.org/logbook"', '"path": "data:text/html,<script>alert(1)</script>"'),
            replace(
                PKG,
                '"caveats": [',
                '"sources": [{"title": "x", "path": "file:///etc/passwd"}], "licenses": [{"name": "x", "path": "../../secret"}],\n      "caveats": [',
            ),
        ),
        (
            f'{PKG}:6:52: source path "data:text/html,<script>alert(1)</script>" is not a web address ({WEB_HINT})',
            f'{PKG}:13:42: source path "file:///etc/passwd" is not a web address ({WEB_HINT})',
            f'{PKG}:13:101: license path "../../secret" is not a web address ({WEB_HINT})',
        ),
    ),
    Case(
        "package-resource-path-dev-zero",
        replace(PKG, '"path": "sources.csv"', '"path": "/dev/zero"'),
        (f'{PKG}:28:15: resource "sources" path "/dev/zero" leaves charts/data/ (keep the CSV inside charts/data/, as a real file, not a link)',),
        timeout=60,
    ),
    Case(
        "package-title-list",
        replace(PKG, '"title": "Harvest per year"', '"title": ["<script>alert(1)</script>"]'),
        (re.compile(re.escape(PKG) + r":11:\d+: .*title.*"),),
        hole='a resource title that is a list gives "invalid data package: ... descriptor is not valid" with no line, no field',
    ),
    Case("package-text-fields-shown-as-text", json_fields(_set_text_fields), (), exit=0),
    Case(
        "sources-url-javascript",
        replace(SOURCES, "https://example.org/logbook-revised", "javascript:alert(1)"),
        (
            f"{SOURCES}:3: source 'logbook_revised' has no valid web address: 'javascript:alert(1)' "
            "(give the full http:// or https:// address of the document, without spaces or brackets)",
        ),
    ),
    Case(
        "csv-5mb-cells",
        chain(
            replace(CSV, "2021,apple,1350", "2021,<script>alert(1)</script>" + "x" * 5_000_000 + ",1350"),
            replace(CSV, "2022,pear,330", "2022,pear," + "9" * 5_000_000),
        ),
        (
            f'{CSV}:4:6: "<script>alert(1)</script>{"x" * 175}… (5,000,025 characters)" in column "fruit" breaks a constraint: '
            """constraint "enum" is "['apple', 'pear']" (fix the value, or the constraint in datapackage.json if the value is right)""",
            f'''{CSV}:7:11: "{"9" * 200}… (5,000,000 characters)" in column "count" is not a valid integer (fix the value or the field's type in datapackage.json)''',
        ),
    ),
    Case(
        "sources-5mb-url",
        replace(SOURCES, "https://example.org/logbook-revised", "javascript:" + "y" * 5_000_000),
        (
            f"{SOURCES}:3: source 'logbook_revised' has no valid web address: 'javascript:{'y' * 188}… (5,000,013 characters) "
            "(give the full http:// or https:// address of the document, without spaces or brackets)",
        ),
    ),
    Case(
        "csv-markup-in-sources-shown-as-text",
        replace(
            SOURCES,
            'logbook_revised,"Logbook, revised edition",The orchard keeper,2023-06,https://example.org/logbook-revised,Pears 2021: 312',
            f"logbook_revised,{json.dumps(TEXT_PAYLOAD)},{json.dumps(TEXT_PAYLOAD)},2023-06,https://example.org/logbook-revised,{json.dumps(TEXT_PAYLOAD)}",
        ),
        (),
        exit=0,
    ),
    # --- chart code: stopped from outside, named with what happened --------------------------------------
    # Only the spinning chart needs the short time limit; the others end at once (with the default
    # limit their build stays warm: the limit is read when the generator is imported).
    Case(
        "chart-spins-ignoring-alarm",
        chart_file(
            "spin",
            "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n    signal.setitimer(signal.ITIMER_REAL, 0)\n    while True:\n        pass\n",
            "import signal",
        ),
        (f"charts/spin.py: {TIME_UP}",),
        env=TIME_LIMIT_ENV,
        timeout=60,
    ),
    Case(
        "chart-exits-its-process",
        chart_file("die", "    os._exit(3)\n", "import os"),
        (f"charts/die.py: chart stopped the build: its process exited with code 3 ({CHART_DIED})",),
    ),
    Case(
        "chart-segfaults",
        chart_file("segv", "    ctypes.string_at(0)\n", "import ctypes"),
        (f"charts/segv.py: chart stopped the build: its process was killed by signal SIGSEGV ({CHART_DIED})",),
    ),
    Case(
        "chart-kills-itself",
        chart_file("kill", "    os.kill(os.getpid(), signal.SIGKILL)\n", "import os\nimport signal"),
        (f"charts/kill.py: chart stopped the build: its process was killed by signal SIGKILL ({CHART_DIED})",),
    ),
    Case(
        "chart-calls-sys-exit",
        chart_file("quit", "    sys.exit(0)\n", "import sys"),
        (re.compile(r"charts/quit\.py(:\d+)?: .*(SystemExit|exit).*"),),
    ),
    Case(
        "chart-raises-keyboard-interrupt",
        chart_file("ctrlc", "    raise KeyboardInterrupt\n"),
        (re.compile(r"charts/ctrlc\.py(:\d+)?: .*KeyboardInterrupt.*"),),
    ),
]


# ------------------------------------------------------------------------------------- running


@dataclass
class Outcome:
    root: Path
    markers: Path
    before: dict
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    timed_out: bool = False


# Taken once, at import: the runner's threads must not iterate os.environ while pytest changes
# PYTEST_CURRENT_TEST in it (KeyError: dictionary changed during iteration).
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}


def _run(root: Path, args: tuple, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """python build.py [args] --root ROOT from the repository root, as badinput_helpers.run_build (warm,
    from tests/warm_build.py), in a process group of its own: a build that runs out of time is
    killed with every process it forked."""
    return warm_build.run(["build.py", *args, "--root", str(root)], cwd=REPO, env=BASE_ENV | env, timeout=timeout, new_session=True)


def _inputs(root: Path):
    for path in [root / "mkdocs.yml", *(root / "content").rglob("*"), *(root / "charts").rglob("*")]:
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def _run_case(case: Case, built: Path, base: Path) -> Outcome:
    root, markers = base / "orchard", base / "markers"
    shutil.copytree(built, root, symlinks=True)
    markers.mkdir()
    outcome = Outcome(root, markers, site_hashes(root))
    case.mutate(root)
    for path in _inputs(root):
        raw = path.read_bytes()
        if RAN.encode() in raw:
            path.write_bytes(raw.replace(RAN.encode(), str(markers / "ran").encode()))
        assert PWNED.encode() not in path.read_bytes(), f"{case.id}: {path} spells {PWNED} whole; spell it in pieces"
    start = time.monotonic()
    try:
        result = _run(root, case.args, case.env, case.timeout)
        outcome.returncode, outcome.stdout, outcome.stderr = result.returncode, result.stdout, result.stderr
    except subprocess.TimeoutExpired as e:
        outcome.timed_out = True
        outcome.stdout, outcome.stderr = str(e.stdout or ""), str(e.stderr or "")  # text: _run passes what communicate() read
    outcome.seconds = time.monotonic() - start
    return outcome


@pytest.fixture(scope="module")
def built(orchard_built: Path) -> Path:
    """The orchard explainer, copied and built once for the run (conftest): the good site/ every case starts from."""
    return orchard_built


class Runner:
    """Runs the selected cases two at a time, in the order pytest will ask for them."""

    def __init__(self, built: Path, tmp_path_factory, wanted: list[Case]):
        self.built, self.tmp = built, tmp_path_factory
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        self.futures: dict[str, concurrent.futures.Future] = {}
        self.lock = threading.Lock()
        for case in wanted:
            self._submit(case)

    def _submit(self, case: Case) -> concurrent.futures.Future:
        with self.lock:
            if case.id not in self.futures:
                base = self.tmp.mktemp(case.id)
                self.futures[case.id] = self.pool.submit(_run_case, case, self.built, base)
            return self.futures[case.id]

    def get(self, case: Case) -> Outcome:
        return self._submit(case).result()


@pytest.fixture(scope="module")
def runner(request, built, tmp_path_factory):
    wanted = []
    for item in request.session.items:
        case = getattr(item, "callspec", None) and item.callspec.params.get("case")
        if isinstance(case, Case) and case not in wanted:
            wanted.append(case)
    r = Runner(built, tmp_path_factory, wanted)
    yield r
    r.pool.shutdown(wait=True, cancel_futures=True)


BY_ID = {c.id: c for c in CASES}


# ------------------------------------------------------------------------------------- checking

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcset", "poster", "background"}
ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "form", "base", "style", "link", "meta"}


class _Active(HTMLParser):
    """Scripts, event handlers, active elements and javascript:/data: links that hold a payload."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        text = " ".join(f"{k}={v}" for k, v in attrs)
        if tag in ACTIVE_TAGS and NEEDLE in text.lower() and (tag != "meta" or "http-equiv" in dict(attrs)):
            self.found.append(f"<{tag} {text[:120]}>")
        for name, value in attrs:
            value = value or ""
            scheme = re.sub(r"[\s\x00-\x20]", "", value).lower()
            if name.startswith("on") and NEEDLE in value.lower():
                self.found.append(f"<{tag} {name}={value[:120]!r}>")
            elif name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "vbscript:", "data:text")):
                self.found.append(f"<{tag} {name}={value[:120]!r}>")
        if tag in ("script", "style"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open and NEEDLE in data.lower():
            self.found.append(f"<{self._open[-1]}>{data.strip()[:120]}")


def active_payloads(site: Path) -> list[str]:
    """Every payload left active in site/: in its HTML pages and in the search index, whose text
    Material puts into the page as HTML."""
    found = []
    for path in sorted(site.rglob("*.html")):
        parser = _Active()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        found += [f"{path.relative_to(site)}: {f}" for f in parser.found]
    index = site / "search" / "search_index.json"
    if index.is_file():
        for doc in json.loads(index.read_text(encoding="utf-8")).get("docs", []):
            parser = _Active()
            parser.feed(str(doc.get("title", "")) + " " + str(doc.get("text", "")))
            found += [f"search_index.json {doc.get('location')}: {f}" for f in parser.found]
    return found


def files_holding(site: Path, needle: str) -> list[str]:
    return [p.relative_to(site).as_posix() for p in sorted(site.rglob("*")) if p.is_file() and needle.encode() in p.read_bytes()]


def lines_match(lines: list[str], expected: tuple) -> bool:
    return len(lines) == len(expected) and all(e.fullmatch(line) if isinstance(e, re.Pattern) else e == line for line, e in zip(lines, expected))


def _marks(case: Case, reason: str) -> list:
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c, c.unsafe)) for c in CASES])
def test_runs_nothing(case: Case, runner: Runner) -> None:
    out = runner.get(case)
    assert not out.timed_out, f"the build did not finish within {case.timeout} s"
    assert out.returncode in (0, 1), f"exit {out.returncode}:\n{out.stderr[-3000:]}"
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    assert not any(out.markers.iterdir()), f"a payload ran: {sorted(p.name for p in out.markers.iterdir())}"
    assert PWNED not in out.stdout and PWNED not in out.stderr, "a payload ran and printed its marker"
    long = [line[:200] for line in (out.stdout + out.stderr).splitlines() if len(line) >= 1000]
    assert not long, f"output lines of 1,000 characters or more: {long}"
    site = out.root / "site"
    assert not files_holding(site, PWNED), f"a payload ran and wrote its marker into site/: {files_holding(site, PWNED)}"
    if out.returncode != 0:
        assert site_hashes(out.root) == out.before, "the build stopped, but site/ changed"
        return
    assert active_payloads(site) == []
    for needle in case.gone:
        assert not files_holding(site, needle), f"{needle!r} reached site/: {files_holding(site, needle)}"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=_marks(c, c.hole or c.unsafe)) for c in CASES])
def test_is_reported(case: Case, runner: Runner) -> None:
    out = runner.get(case)
    assert not out.timed_out
    lines = out.stderr.splitlines()
    if case.exit == 1:
        assert lines_match(lines[:-1], case.expected), "\n".join(lines)
        assert lines[-1:] == [build_stopped(len(case.expected))]
        assert out.returncode == 1
        assert site_hashes(out.root) == out.before, "site/ changed"
    else:
        assert lines_match(lines, case.expected), "\n".join(lines)
        assert out.returncode == 0
        assert out.stdout.startswith("Built "), out.stdout
        assert f"{len(case.expected)} warnings." in out.stdout


def test_case_ids_are_unique() -> None:
    assert len(BY_ID) == len(CASES)


def test_the_corpus_covers_every_kind_of_input() -> None:
    kinds = {c.id.split("-")[0] for c in CASES}
    assert kinds >= {"prose", "html", "front", "figures", "mkdocs", "package", "sources", "csv", "chart"}
    assert len(CASES) + len(PUBLISH_REFUSALS) + 1 >= 25


# ------------------------------------------------------------------- input kept, shown as text


def _h1(page: Path) -> str:
    m = re.search(r"<h1[^>]*>(.*?)<", page.read_text(encoding="utf-8"), re.S)
    return m.group(1) if m else ""


def test_front_matter_title_is_text_not_a_template(runner: Runner) -> None:
    out = runner.get(BY_ID["front-matter-jinja-and-html-shown-as-text"])
    assert out.returncode == 0, out.stderr
    h1 = _h1(out.root / "site" / "pears" / "index.html")
    typed = html.unescape(h1).replace("\u2018", "'").replace("\u2019", "'")  # English headings get curly quotes
    assert "<script" not in h1 and typed == "{{ 'PWN' ~ 'ED' }} <script>pwned_title()</script>"


@pytest.mark.parametrize(
    "case_id, page",
    [
        ("package-text-fields-shown-as-text", "sources/index.html"),
        ("csv-markup-in-sources-shown-as-text", "sources/index.html"),
        ("csv-markup-in-sources-shown-as-text", "pears/index.html"),
    ],
)
def test_data_text_is_shown_escaped(case_id: str, page: str, runner: Runner) -> None:
    out = runner.get(BY_ID[case_id])
    assert out.returncode == 0, out.stderr
    text = (out.root / "site" / page).read_text(encoding="utf-8")
    assert "&lt;script&gt;pwned_text()&lt;/script&gt;" in text
    assert any(f"{{{{ {q}PWN{e} ~ {q}ED{e} }}}}" in text for q, e in (("&#39;", "&#39;"), ("'", "'"), ("\u2018", "\u2019")))


# ------------------------------------------------------------- the Content-Security-Policy

CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def test_a_prose_script_adds_no_hash_to_the_policy(runner: Runner, built: Path) -> None:
    out = runner.get(BY_ID["html-script-and-handlers"])
    assert out.returncode == 0, out.stderr
    hostile, good = out.root / "site", built / "site"
    pages = sorted(p.relative_to(good) for p in good.rglob("*.html") if "assets" not in p.parts)
    assert len(pages) >= 4
    for rel in pages:
        policy = CSP.findall((hostile / rel).read_text(encoding="utf-8"))
        assert len(policy) == 1 and policy == CSP.findall((good / rel).read_text(encoding="utf-8")), rel
        assert "'unsafe-inline'" not in policy[0] and "'unsafe-eval'" not in policy[0]


# ------------------------------------------------------------------------- in the browser


@pytest.mark.browser
@pytest.mark.parametrize("case_id", ["html-script-and-handlers", "html-mutation-xss"])
def test_hostile_prose_runs_nothing_in_chromium(case_id: str, runner: Runner, browser) -> None:
    from conftest import serve_folder, settle

    out = runner.get(BY_ID[case_id])
    assert out.returncode == 0, out.stderr
    with serve_folder(out.root / "site") as url:
        page = browser.new_page()
        dialogs: list[str] = []
        errors: list[str] = []

        def dismiss(dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", dismiss)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None)
        page.goto(url + "/pears/", wait_until="load")
        page.locator("details").first.evaluate("d => { d.open = true; }")
        page.mouse.move(10, 10)
        settle(page)  # the toggle and pointer handlers, had any run, have run by now
        assert dialogs == []
        assert page.title() != PWNED and PWNED not in page.title()
        assert page.evaluate("() => Object.keys(window).filter(k => k.startsWith('pwned'))") == []
        assert page.evaluate("() => document.querySelectorAll('article script, article [onerror], article [onload], article iframe').length") == 0
        assert errors == [], f"the page tried to run something the policy blocked: {errors}"
        page.close()


# ------------------------------------------------------------------------------ publishing

NEWEST = "2022-01"


class Repo:
    """The orchard in a git repository with a bare remote, edition 2022-01 published as latest."""

    def __init__(self, base: Path):
        self.root = copy_fixture(base / "explainer")
        self.bare = base / "remote.git"
        self.git("init", "--quiet", "--bare", str(self.bare), cwd=base)
        self.git("init", "--quiet", "-b", "main")
        self.git("remote", "add", "origin", str(self.bare))
        self.commit("Commit 1")

    def git(self, *args: str, cwd: Path | None = None) -> str:
        out = subprocess.run(["git", *args], cwd=cwd or self.root, env={**os.environ, **GIT_ENV}, capture_output=True, text=True)
        assert out.returncode == 0, f"git {' '.join(args)}: {out.stderr}"
        return out.stdout

    def commit(self, message: str) -> None:
        self.git("add", "--all", "--", ".")
        self.git("commit", "--quiet", "-m", message)

    def publish(self, *args: str) -> subprocess.CompletedProcess:
        return _run(self.root, ("publish", *args), GIT_ENV, 300)

    def heads(self) -> tuple[str, str]:
        return (self.git("rev-parse", "refs/heads/gh-pages").strip(), self.git("rev-parse", "refs/heads/gh-pages", cwd=self.bare).strip())

    def gh_pages_files_holding(self, needle: str) -> list[str]:
        out = subprocess.run(["git", "grep", "-l", "-i", "--fixed-strings", needle, "gh-pages", "--"], cwd=self.bare, capture_output=True, text=True)
        assert out.returncode in (0, 1), out.stderr
        return out.stdout.splitlines()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    r = Repo(tmp_path_factory.mktemp("corpus-publish"))
    first = r.publish(NEWEST, "--alias", "latest", "--push")
    assert first.returncode == 0, first.stderr
    return r


PUBLISH_REFUSALS = [
    pytest.param(
        ("<img src=x onerror=alert(1)>",),
        [
            ".: edition name '<img src=x onerror=alert(1)>' is not valid (name an edition like 2021-10, 2026.1 or 2024-03-15, or next for the preview)",
        ],
        id="edition-name-html",
    ),
    pytest.param(
        ("2022-02", "--alias", "<script>"),
        [
            ".: alias '<script>' is not valid (an alias is a lower-case word such as latest, not an edition name)",
        ],
        id="alias-html",
    ),
    pytest.param(
        ("2022-02", "--alias", "../../.git"),
        [
            ".: alias '../../.git' is not valid (an alias is a lower-case word such as latest, not an edition name)",
        ],
        id="alias-path",
    ),
    pytest.param(
        ("2021-10", "--alias", "latest", "--push"),
        [
            ".: edition 2021-10 is older than edition 2022-01, already published: latest would move back to an older edition "
            "(publish 2021-10 without --alias latest (latest stays on 2022-01), or pass --force to move latest back)",
        ],
        id="older-edition-as-latest",
    ),
    pytest.param(
        ("next", "--alias", "latest", "--push"),
        [
            ".: the preview edition next never becomes latest (publish a named edition such as 2021-10 with --alias latest; publish next without it)",
        ],
        id="preview-as-latest",
    ),
]


@pytest.mark.parametrize("args, expected", PUBLISH_REFUSALS)
def test_publish_refuses(args: tuple, expected: list[str], repo: Repo) -> None:
    before = repo.heads()
    result = repo.publish(*args)
    assert result.stderr.splitlines() == [*expected, "1 problem found."]
    assert result.returncode == 1
    assert result.stdout == ""
    assert repo.heads() == before, "gh-pages moved"


def test_publish_refuses_html_as_the_data_date(repo: Repo) -> None:
    before = repo.heads()
    replace(PKG, '"title": "The orchard",', '"title": "The orchard",\n  "edition_data_date": "<img src=x onerror=alert(1)>",')(repo.root)
    try:
        result = repo.publish("2022-02", "--alias", "latest", "--push", "--allow-dirty")
    finally:
        repo.git("checkout", "--", PKG)
    assert result.stderr.splitlines() == [
        f'{PKG}:4:3: "edition_data_date" must be a date (YYYY, YYYY-MM or YYYY-MM-DD), not "<img src=x onerror=alert(1)>" '
        '(write the date the data runs to as YYYY, YYYY-MM or YYYY-MM-DD, e.g. "2021-10", or remove the key)',
        "1 problem found.",
    ]
    assert result.returncode == 1
    assert repo.heads() == before, "gh-pages moved"


def test_publish_hostile_prose_puts_no_script_on_gh_pages(repo: Repo) -> None:
    """Last of the publishing tests: it publishes (edition 2022-02 becomes latest)."""
    markers = repo.root.parent / "markers"
    markers.mkdir()
    prose(
        "<script>window.pwned_publish = 1; document.title = 'PWN' + 'ED'</script>",
        '<img src="x.png" alt="pear" onerror="pwned_publish_img()">',
        "[click](javascript:pwned_publish_link())",
    )(repo.root)
    repo.commit("Hostile prose")
    before_local, before_remote = repo.heads()
    result = repo.publish("2022-02", "--alias", "latest", "--push")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"Published edition 2022-02 \(alias latest\) on gh-pages \(data to 2022, commit [0-9a-f]{7}; \d+ files changed, "
        r"\d+\.\d MB added, published site \d+\.\d MB\); "
        r"pushed to origin\.\n",
        result.stdout,
    ), result.stdout
    after_local, after_remote = repo.heads()
    assert after_local == after_remote != before_remote
    changed = repo.git("diff", "--name-only", before_remote, after_remote, cwd=repo.bare).splitlines()
    assert changed and all(p.split("/")[0] in ("2022-02", "latest", "versions.json", "index.html") for p in changed), changed
    assert repo.gh_pages_files_holding("pwned_publish") == []
    assert repo.gh_pages_files_holding(PWNED) == []
    assert not any(markers.iterdir())
    page = repo.git("show", "gh-pages:2022-02/pears/index.html", cwd=repo.bare)
    parser = _Active()
    parser.feed(page)
    assert parser.found == []

"""The live preview: an edit to data or prose shows up, a broken input shows its problems on the
page without stopping the server, and the preview never rebuilds in a loop."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from conftest import FIXTURES, REPO, copy_explainer, wait_until


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, text: str, timeout: float = 30, absent: str | None = None) -> str:
    """The page's body once it shows `text` (and not `absent`)."""

    def shown() -> str:
        try:
            body = urllib.request.urlopen(url, timeout=2).read().decode("utf-8")
        except OSError:
            return ""
        return body if text in body and (absent is None or absent not in body) else ""

    return wait_until(shown, timeout, f"{text!r} at {url}")


def _version(body: str) -> int:
    """Which build of the preview a served page comes from: its count goes up by one per rebuild."""
    match = re.search(r'<meta name="explainer-preview" content="\d+\.(\d+)">', body)
    assert match, "the preview page names its build"
    return int(match.group(1))


def _save_in_one_event(path, text: str) -> None:
    """Save as many editors do, a hidden temporary file renamed over the old one: one change event."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@contextlib.contextmanager
def _serving(root, log):
    """`build.py serve` on a free port, its output in `log`; yields (base URL, process)."""
    port = _free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)],
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        proc.wait(10)


def test_preview_follows_edits_shows_problems_and_never_loops(tmp_path):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    log = tmp_path / "serve.log"
    with _serving(root, log) as (base, proc):
        page = f"{base}/pears/"
        _wait_for(page, "In all, 922 pears")

        csv = root / "charts" / "data" / "harvest.csv"
        csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,333"))
        _wait_for(page, "In all, 925 pears")

        prose = root / "content" / "01-pears.md"
        good = prose.read_text()
        prose.write_text(good + "\n{{ fig.nope }}\n")
        body = _wait_for(page, "The preview is out of date")
        assert "unknown figure" in body and "nope" in body
        assert proc.poll() is None, "the server keeps running after a broken input"

        prose.write_text(good)
        _wait_for(page, "In all, 925 pears", absent="The preview is out of date")
        # A rebuild that set off another would rebuild for ever: then the live version would climb
        # by more than one per save. The first save only lets whatever the last one queued finish.
        versions = []
        for word in ("first", "second", "third"):
            _save_in_one_event(prose, good + f"\nThe {word} sentence of this test.\n")
            versions.append(_version(_wait_for(page, f"The {word} sentence of this test.")))
        assert versions[2] - versions[1] == versions[1] - versions[0] == 1, f"one save, one rebuild: {versions}"
        assert "Traceback" not in log.read_text()


def test_preview_serves_every_language_and_follows_edits_in_each(tmp_path):
    from test_languages import add_french

    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    log = tmp_path / "serve.log"
    with _serving(root, log) as (base, proc):
        french = f"{base}/fr/pears/"
        _wait_for(french, "poires ont été cueillies")
        page = root / "content" / "fr" / "01-pears.md"
        page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée pendant l’aperçu.\n", encoding="utf-8")
        _wait_for(french, "Une phrase ajoutée pendant l’aperçu.")
        csv = root / "charts" / "data" / "harvest.csv"
        csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,333"))
        _wait_for(french, "925 poires")  # a figure, in the French format, from the new data
        assert proc.poll() is None and "Traceback" not in log.read_text()


def test_a_language_swapped_in_is_a_new_version_of_its_pages_only(tmp_path):
    """serve makes the main language live first, then swaps the other languages' sites in: that
    second step must wake (reload) the pages under fr/ and not the open English pages."""
    from explainer.site import preview

    site = preview.Site(tmp_path / "work")
    try:
        first = tmp_path / "v0"
        (first / "fr").mkdir(parents=True)
        (first / "index.html").write_text("<html><head></head>en</html>")
        (first / "fr" / "index.html").write_text("<html><head></head>ancien</html>")
        site.publish(first)
        english, french = site.version_of("/pears/"), site.version_of("/fr/pears/")
        assert english == french == site.version
        site.add({"fr/index.html": b"<html><head></head>nouveau</html>"}, ["fr/"], tmp_path / "docs")
        assert site.folder is not None and (site.folder / "fr" / "index.html").read_bytes().endswith(b"nouveau</html>")
        assert (site.folder / "index.html").read_text() == "<html><head></head>en</html>"
        assert site.version_of("/pears/") == english and site.wait_newer(english, "/pears/", timeout=0.01) == english
        assert site.version_of("/fr/pears/") != french and site.wait_newer(french, "/fr/pears/", timeout=0.01) != french
    finally:
        site.close()


def test_assets_are_kept_by_the_browser_until_they_change_and_pages_never(tmp_path):
    """A reloaded page must not wait for assets it already has: the preview answers an asset with
    an ETag of its bytes and 304 Not Modified while they are the same; a page is never kept."""
    from explainer.site import preview

    site = preview.Site(tmp_path / "work")
    server = preview.Server(site, _free_port())
    server.start()
    try:
        etags: list[str] = []
        for n, text in enumerate(("body { color: red }", "body { color: blue }")):
            folder = tmp_path / f"v{n}"
            (folder / "assets").mkdir(parents=True)
            (folder / "index.html").write_text("<html><head></head>page</html>")
            (folder / "assets" / "main.css").write_text(text)
            site.publish(folder)
            base = f"http://127.0.0.1:{server.server_address[1]}/"
            with urllib.request.urlopen(base + "assets/main.css") as r:
                etag = r.headers["ETag"]
                assert r.read().decode() == text and etag and r.headers["Cache-Control"] == "no-cache"
            assert etag not in etags, "new bytes, new ETag"
            etags.append(etag)
            try:
                urllib.request.urlopen(urllib.request.Request(base + "assets/main.css", headers={"If-None-Match": etag})).close()
                status = 200
            except urllib.error.HTTPError as e:  # urllib raises for any status but 2xx
                status = e.code
            assert status == 304, "the browser's copy is current"
            with urllib.request.urlopen(base) as r:
                assert r.headers["Cache-Control"] == "no-store" and "ETag" not in r.headers
    finally:
        server.stop()
        site.close()


# --- the open page follows the edits by itself, under the pages' Content-Security-Policy --------

# Seconds from saving a file to the change being visible in an open page: 1 s for prose and 2 s
# for data on an idle machine (bench/serve.py measures them); the tests allow SERVE_SLACK times
# as much, since they share the machine with other tests.
PROSE_SECONDS, DATA_SECONDS = 1.0, 2.0
SLACK = float(os.environ.get("SERVE_SLACK", "5"))


def _saved_then_visible(page, path, text: str, expected: str, limit: float, absent: str = "") -> float:
    """Save `text` to `path`, then wait (no fixed sleep) until the open page shows `expected`
    (and not `absent`) without anyone reloading it; returns the seconds it took."""
    started = time.monotonic()
    path.write_text(text, encoding="utf-8")
    page.wait_for_function(
        "([t, a]) => document.body && document.body.innerText.includes(t) && !(a && document.body.innerText.includes(a))",
        arg=[expected, absent],
        timeout=limit * SLACK * 1000,
        polling=25,
    )
    return time.monotonic() - started


def test_open_page_reloads_itself_under_the_csp(tmp_path, browser):
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    with _serving(root, tmp_path / "serve.log") as (base, proc):
        _wait_for(f"{base}/pears/", "In all, 922 pears")
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script("document.addEventListener('securitypolicyviolation', e => console.error('CSP: ' + e.violatedDirective + ' ' + e.blockedURI))")
        page.goto(f"{base}/pears/")
        csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
        assert "'unsafe-inline'" not in csp and "script-src 'self' 'sha256-" in csp, "serve keeps the published policy"

        prose = root / "content" / "01-pears.md"
        good = prose.read_text(encoding="utf-8")
        took = _saved_then_visible(page, prose, good + "\nA sentence written while previewing.\n", "A sentence written while previewing.", PROSE_SECONDS)
        print(f"prose edit visible after {took:.2f} s")

        csv = root / "charts" / "data" / "harvest.csv"
        took = _saved_then_visible(page, csv, csv.read_text().replace("2022,pear,330", "2022,pear,333"), "In all, 925 pears", DATA_SECONDS)
        print(f"data edit visible after {took:.2f} s")

        _saved_then_visible(page, prose, good + "\n{{ fig.nope }}\n", "The preview is out of date", PROSE_SECONDS)
        assert "unknown figure" in page.inner_text("body")
        _saved_then_visible(page, prose, good, "In all, 925 pears", PROSE_SECONDS, absent="The preview is out of date")

        assert proc.poll() is None
        assert errors == [], errors  # no script refused by the policy, no failed request
        page.close()
        assert "Traceback" not in (tmp_path / "serve.log").read_text()


def test_a_broken_first_build_shows_its_banner_and_recovers(tmp_path, browser):
    """Started on broken input, the preview shows the problems page; fixing it brings the pages."""
    root = copy_explainer(FIXTURES / "orchard", tmp_path / "orchard")
    prose = root / "content" / "01-pears.md"
    good = prose.read_text(encoding="utf-8")
    prose.write_text(good + "\n{{ fig.nope }}\n", encoding="utf-8")
    with _serving(root, tmp_path / "serve.log") as (base, proc):
        _wait_for(f"{base}/", "The preview is out of date")
        page = browser.new_page()
        page.goto(f"{base}/")
        assert "unknown figure" in page.inner_text("body")
        _saved_then_visible(page, prose, good, "15,250", DATA_SECONDS, absent="The preview is out of date")
        assert proc.poll() is None
        page.close()


# --- a prose edit rebuilds only its page (mkdocs build --dirty), and the site is a full build's ---


def _same_as_a_full_build(preview, root, updated) -> None:
    """Forget the last builds, build the same docs/ in full, and compare every file."""
    from conftest import tree_hashes

    preview.site.digest = ""
    for stamp in (root / ".cache" / "explainer").glob("*site-fr.*"):
        stamp.unlink()
    assert preview.rebuild() and not preview.site.dirty
    assert preview.site.folder != updated
    assert tree_hashes(preview.site.folder) == tree_hashes(updated)


def test_a_prose_edit_rebuilds_its_page_in_place_as_a_full_build_would(tmp_path, monkeypatch):
    """After an edit to a section in each language, the preview updates a copy of each language's
    last site with `mkdocs build --dirty`; every file of the result (pages, search indexes,
    sitemaps, the French site under fr/) must be what full builds of the same docs/ write. A new
    heading changes the search index; a newly quoted figure, the figures appendix; then a CSV edit
    changes a figure on two pages and a chart's files."""
    from conftest import tree_hashes
    from test_languages import add_french

    from explainer.commands.serve import Preview
    from explainer.site import dirty

    updated_in_place: list = []
    finish = dirty.finish

    def counted(folder, index):
        updated_in_place.append(folder)
        return finish(folder, index)

    monkeypatch.setattr(dirty, "finish", counted)
    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    preview = Preview(root, port=_free_port())
    try:
        assert preview.rebuild() and not preview.site.dirty and not updated_in_place, "the first build is a full one"
        assert preview.site.folder is not None
        before = tree_hashes(preview.site.folder)
        for path, text in (
            (root / "content" / "01-pears.md", "A heading written while previewing"),
            (root / "content" / "fr" / "01-pears.md", "Un titre ajouté"),
        ):
            path.write_text(path.read_text(encoding="utf-8") + f"\n## {text}\n\nApples: {{{{ fig.apples_2022 }}}}.\n", encoding="utf-8")
        assert preview.rebuild() and preview.site.dirty, "only pages changed: updated in place"
        assert len(updated_in_place) == 2, "the English and the French sites were both updated in place"
        updated = preview.site.folder
        assert updated is not None and "A heading written while previewing" in (updated / "pears" / "index.html").read_text(encoding="utf-8")
        assert "Un titre ajout" in (updated / "fr" / "search" / "search_index.json").read_text(encoding="utf-8")
        assert "A heading written while previewing" in (updated / "search" / "search_index.json").read_text(encoding="utf-8")
        changed = {name for name, digest in tree_hashes(updated).items() if before.get(name) != digest and name.endswith(".html")}
        assert {"pears/index.html", "figures/index.html", "fr/pears/index.html"} <= changed, changed  # the appendix lists where each is quoted

        _same_as_a_full_build(preview, root, updated)

        # A new number in the data changes pages, the chart's files and the data file: still in place.
        csv = root / "charts" / "data" / "harvest.csv"
        csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,333"))
        assert preview.rebuild() and preview.site.dirty and len(updated_in_place) == 4
        assert preview.site.folder is not None and "925" in (preview.site.folder / "pears" / "index.html").read_text(encoding="utf-8")
        _same_as_a_full_build(preview, root, preview.site.folder)
    finally:
        preview.site.close()


def test_a_prose_edit_renders_only_its_language_and_compiles_only_its_section(tmp_path, monkeypatch):
    """serve renders a language's pages again only when their inputs changed, and compiles only
    the sections whose text changed: an English edit leaves the French pages alone; a CSV edit
    renders both languages again, yet compiles nothing."""
    from test_languages import add_french

    from explainer import figures, pipeline
    from explainer.common.memo import Memo
    from explainer.common.problems import Collector
    from explainer.pages import render, sandbox

    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    memo = Memo()
    pipeline.gather(root, spell=False, memo=memo)
    rendered: list[str] = []
    compiled: list[str] = []
    real_render, real_compile = render.render, sandbox.ProseEnvironment.from_string

    def counted_render(root, found, *args, **kwargs):
        rendered.append(found[0].source.parent.name)
        return real_render(root, found, *args, **kwargs)

    def counted_compile(self, source, *args, **kwargs):
        compiled.append(source)
        return real_compile(self, source, *args, **kwargs)

    monkeypatch.setattr(render, "render", counted_render)
    computed: list[str] = []
    real_figures = figures.load

    def counted_figures(root, package, problems, locale):
        computed.append(locale)
        return real_figures(root, package, problems, locale)

    monkeypatch.setattr(figures, "load", counted_figures)
    monkeypatch.setattr(sandbox.ProseEnvironment, "from_string", counted_compile)
    english, french = root / "content" / "01-pears.md", root / "content" / "fr" / "01-pears.md"
    english.write_text(english.read_text(encoding="utf-8") + "\nA sentence written while previewing.\n", encoding="utf-8")
    g = pipeline.gather(root, spell=False, memo=memo)
    assert rendered == ["content"], "only the English pages were rendered again"
    assert len(compiled) == 1 and "written while previewing" in compiled[0], "only the edited section was compiled"
    assert any("written while previewing" in p.markdown for p in g.pages)
    french.write_text(french.read_text(encoding="utf-8") + "\nUne phrase ajout\u00e9e.\n", encoding="utf-8")
    g = pipeline.gather(root, spell=False, memo=memo)
    assert rendered == ["content", "fr"] and len(compiled) == 2
    assert any("written while previewing" in p.markdown for p in g.pages), "the English pages kept"
    csv = root / "charts" / "data" / "harvest.csv"
    csv.write_text(csv.read_text().replace("2022,pear,330", "2022,pear,333"))
    g = pipeline.gather(root, spell=False, memo=memo)
    assert rendered == ["content", "fr", "content", "fr"] and len(compiled) == 2, "the data changed: both languages, nothing compiled"
    assert "925" in next(p.markdown for p in g.pages if p.name == "pears.md")
    assert computed == [g.languages[0].language.locale], "the figures are computed once, then written in French"
    in_french = g.languages[1]
    assert in_french.figures and in_french.figures == real_figures(root, g.package, Collector(root), in_french.language.locale), "as if computed in French"


# --- the warm engine: MkDocs' command line, forked, says and exits exactly as the command does ----

_WARM_VS_COLD = r"""
import json, os, subprocess, sys
from pathlib import Path
from explainer.site import warm

warm.start()
out = {}
for name, argv in json.loads(sys.argv[1]).items():
    command = [sys.executable, "-m", "mkdocs", *argv]
    cold = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    run = warm.run(command, Path.cwd(), {**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    stdout, stderr = run.communicate(timeout=120)
    out[name] = {"cold": [cold.returncode, cold.stdout, cold.stderr], "warm": [run.returncode, stdout, stderr]}
print(json.dumps(out))
"""


def test_the_warm_engine_runs_mkdocs_as_its_command_does(tmp_path):
    """A build forked from the warm server (serve) gives the exit code, output and files of
    `python -m mkdocs build` with the same arguments: a good build, a strict build that fails on a
    warning, and a usage error."""
    import json

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nA [broken link](nowhere.md).\n", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: Warm\ntheme:\n  name: material\n  font: false\n", encoding="utf-8")
    argv = {"good": ["build", "-q"], "strict": ["build", "--strict"], "usage": ["build", "--no-such-option"]}
    proc = subprocess.run(
        [sys.executable, "-c", _WARM_VS_COLD, json.dumps(argv)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    codes = {name: (r["cold"][0], r["warm"][0]) for name, r in results.items()}
    assert codes == {"good": (0, 0), "strict": (1, 1), "usage": (2, 2)}, codes
    for name, r in results.items():
        assert r["warm"][1] == r["cold"][1], name
        timing = re.compile(r"in [0-9.]+ seconds")
        assert timing.sub("", r["warm"][2]) == timing.sub("", r["cold"][2]), name
    assert "nowhere.md" in results["strict"]["warm"][2]  # the warning that failed the strict build
    assert "No such option '--no-such-option'" in results["usage"]["warm"][2]

"""The site engine behind one module (explainer/site/engine.py), and what the generator does after
it on the finished site (explainer/site/postbuild.py): the Content-Security-Policy, in every
build including the one mike runs, and links that both engines resolve the same way.

Zensical (MkDocs' successor) is not in requirements.lock: its build test is skipped unless it is
installed (the CI job `zensical` installs it from requirements-zensical.lock)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import FIXTURES, REPO, copy_explainer, run_build, serve_folder
from explainer.site import engine, postbuild
from test_languages import add_french

MARKED = '<script data-explainer-csp>document.body.dataset.marked = "ran"</script>'
UNMARKED = '<script>document.body.dataset.unmarked = "ran"</script>'
PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>{}</body></html>'


def _site(folder: Path, scripts: dict[str, str]) -> Path:
    for name, script in scripts.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(PAGE.format(script), encoding="utf-8")
    return folder


def _hashes(html: str) -> list[str]:
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert meta, "the page has a policy"
    return re.findall(r"'sha256-[^']+'", meta.group(1))


def test_only_marked_inline_scripts_are_hashed(tmp_path):
    site = _site(tmp_path / "site", {"marked/index.html": MARKED, "unmarked/index.html": UNMARKED})
    empty = tmp_path / "templates"  # a theme with no script partials: only the marks count
    problems = postbuild.finish(site, empty)
    marked, unmarked = ((site / n / "index.html").read_text(encoding="utf-8") for n in ("marked", "unmarked"))
    assert len(_hashes(marked)) == 1 and _hashes(unmarked) == []
    assert "'unsafe-inline'" not in marked + unmarked and "'unsafe-eval'" not in marked + unmarked
    assert len(problems) == 1 and problems[0].startswith("unmarked/index.html: an inline script the theme did not emit")
    assert postbuild.finish(site, empty) == [] and (site / "marked" / "index.html").read_text(encoding="utf-8") == marked  # once only


def test_the_themes_own_scripts_are_marked_from_its_templates(tmp_path):
    material = engine.templates("mkdocs")
    found = re.search(r"<script>.*?</script>", (material / "partials/javascripts/base.html").read_text(encoding="utf-8"))
    assert found
    base_script = found.group(0)
    rendered = base_script.replace("{{ config.extra.scope | d(base_url) }}", "../")
    assert rendered != base_script
    site = _site(tmp_path / "site", {"index.html": rendered + UNMARKED})
    problems = postbuild.finish(site, material)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "<script data-explainer-csp>__md_scope=" in html and len(_hashes(html)) == 1 and len(problems) == 1


def test_the_palette_switch_no_longer_restyles_every_element_on_load(tmp_path):
    """Material's palette script sets and removes data-md-color-switching on <body> at every load;
    its stylesheet rule `[data-md-color-switching] *` made each change restyle the whole page
    (bench/trace.py). The rule goes, in Material's real stylesheet and in spaced or @media CSS;
    every other rule stays."""
    material = engine.templates("mkdocs")
    bundle = next((material / "assets" / "javascripts").glob("bundle.*.min.js")).read_text(encoding="utf-8")
    assert 'setAttribute("data-md-color-switching"' in bundle, "Material no longer toggles the attribute: the step may go"
    real = next((material / "assets" / "stylesheets").glob("palette.*.min.css"))
    spaced = (
        "a { color: red; }\n@media print {\n  [data-md-color-switching] *,\n  [data-md-color-switching] :after { transition: none; }\n  b { color: blue; }\n}\n"
    )
    site = tmp_path / "site"
    for name, text in {"assets/palette.css": real.read_text(encoding="utf-8"), "fr/spaced.css": spaced}.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text, encoding="utf-8")
    postbuild.finish(site, tmp_path / "templates")
    after = (site / "assets/palette.css").read_text(encoding="utf-8")
    assert "data-md-color-switching" not in after and len(after) > 0.95 * len(real.read_text(encoding="utf-8"))
    assert after.count("{") == after.count("}") and "[data-md-color-scheme=slate]" in after
    assert (site / "fr/spaced.css").read_text(encoding="utf-8") == "a { color: red; }\n@media print {\n  b { color: blue; }\n}\n"


@pytest.mark.browser
def test_the_browser_runs_marked_scripts_and_refuses_the_others(tmp_path, browser):
    site = _site(tmp_path / "site", {"index.html": MARKED + UNMARKED})
    postbuild.finish(site, tmp_path / "templates")
    with serve_folder(site) as url:
        page = browser.new_page()
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(url + "/")
        assert page.evaluate("document.body.dataset.marked") == "ran"
        assert page.evaluate("document.body.dataset.unmarked") is None
        assert violations, "the unmarked script is refused by the policy"


def _relative_links(page: Path) -> list[str]:
    html = page.read_text(encoding="utf-8")
    tags = [t for t in re.findall(r"<a [^>]*>", html) if "hreflang=" not in t]  # not the language switcher
    hrefs = [m.group(1) for t in tags for m in [re.search(r'href="([^"#]+)"', t)] if m]
    return [h for h in hrefs if not urlsplit(h).scheme and not h.startswith("/")]


def _check_french_links(site: Path) -> int:
    """Every relative link on a French page leads to a file that exists; those of the content
    (chart sources, CSV, the sources page) stay in the French site, except the language switcher."""
    checked = 0
    for page in (site / "fr").rglob("index.html"):
        url = "/" + page.parent.relative_to(site).as_posix() + "/"
        for href in _relative_links(page):
            target = urljoin(url, href)
            file = site / target.lstrip("/")
            assert (file / "index.html" if target.endswith("/") else file).is_file(), (url, href)
            if "sources" in href or href.endswith(".csv"):
                assert target.startswith("/fr/"), f"{url}: {href} leaves the French site"
                checked += 1
    return checked


def test_french_pages_link_within_the_french_site_under_mkdocs(tmp_path):
    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    assert _check_french_links(root / "site") >= 3  # the source line's and the CSV link of the chart, and the sources page


def test_config_is_written_beside_its_docs_with_site_dir(tmp_path):
    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    assert run_build(root).returncode == 0
    import yaml

    main = yaml.safe_load((root / ".mkdocs.generated.yml").read_text(encoding="utf-8"))
    assert main["docs_dir"] == "docs" and main["site_dir"] == ".cache/explainer/build-mkdocs"
    fr = yaml.safe_load((root / ".cache/explainer/mkdocs-fr.yml").read_text(encoding="utf-8"))
    assert fr["docs_dir"] == "docs-fr" and fr["site_dir"] == "build-mkdocs-fr"
    assert "hooks" in main and not any("csp" in h for h in main["hooks"])  # the policy is set after the build


def test_a_published_edition_gets_the_policy_from_the_build_mike_runs(tmp_path):
    from test_publish import Repo

    repo = Repo(tmp_path)
    result = repo.publish("2021-10")
    assert result.returncode == 0, result.stderr
    html = repo.git("show", "gh-pages:2021-10/pears/index.html")
    assert len(_hashes(html)) >= 2 and "<script data-explainer-csp>" in html
    assert "explainer-chart__source" in html and 'href="../sources/"' in html


zensical_missing = importlib.util.find_spec("zensical") is None


@pytest.mark.skipif(
    zensical_missing,
    reason="Zensical is not installed (not in requirements.lock; pip install -r requirements-zensical.lock to run this test, as the CI job `zensical` does)",
)
def test_zensical_builds_the_same_site(tmp_path):
    root = add_french(copy_explainer(FIXTURES / "orchard", tmp_path / "orchard"))
    (root / "mkdocs.yml").write_text((root / "mkdocs.yml").read_text(encoding="utf-8") + "site_url: https://example.org/orchard/\n", encoding="utf-8")
    env = {**os.environ, "EXPLAINER_SITE_ENGINE": "zensical"}
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    site = root / "site"
    pears = (site / "pears" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"assets/stylesheets/(modern|classic)/main\.", pears), "Zensical's own theme built the page"
    assert len(_hashes(pears)) >= 2 and "<script data-explainer-csp>" in pears
    assert '<figure class="explainer-chart"' in pears and "<svg" in pears
    assert _check_french_links(site) >= 3
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert '<xhtml:link rel="alternate" hreflang="fr" href="https://example.org/orchard/fr/pears/"/>' in sitemap

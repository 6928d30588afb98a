"""Issue 19: editions that cost little. The theme's and the generator's files live once, under
content-addressed names (`_shared/<hash>/…` at the root of gh-pages), for every edition and
language; an edition's folder holds only its pages, chart files, data and search index.

One module-scoped repository (the orchard, in English and French) publishes edition A, then one
more sentence, then edition B, each to a bare remote with real git, mike and MkDocs. The published
tree is served under /REPO/ and read in Chromium.

Every test here but the Chromium one fails on the code before issue 19 (commit 2fee3a5, checked):
edition B added 9.6 MB there (a full copy of the theme, source maps and every lunr language, in
English and again in fr/), no `_shared/` folder existed, and publish said nothing of bytes. The
Chromium test guards what sharing must keep: it passes there, and fails (charts never go live,
checked) when the pages are not pointed at the shared copies.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from pathlib import Path

import pytest
from PIL import Image

from conftest import GIT_ENV, serve_folder
from test_languages import add_french
from test_publish import PREFIX, Repo

A, B = "2021-10", "2022-01"
SENTENCE = "\nWe also keep bees.\n"
CSP_LISTENER = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"""


def _sizes(repo: Repo, ref: str) -> dict[str, tuple[str, int]]:
    rows = {}
    for line in repo.git("ls-tree", "-r", "-l", "--full-tree", ref, cwd=repo.bare).splitlines():
        meta, path = line.split("\t", 1)
        _, _, blob, size = meta.split()
        rows[path] = (blob, int(size) if size.isdigit() else 0)
    return rows


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Repo:
    r = Repo(tmp_path_factory.mktemp("cost"))
    add_french(r.root)
    r.commit("In French too", ".")
    first = r.publish(A, "--alias", "latest", "--push")
    assert first.returncode == 0, first.stderr
    r.first_stdout = first.stdout
    r.a_files = r.blobs(A)
    r.first_tree = _sizes(r, "gh-pages")  # type: ignore[attr-defined]
    page = r.root / "content" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + SENTENCE, encoding="utf-8")
    r.commit("One more sentence", "content/index.md")
    second = r.publish(B, "--alias", "latest", "--push")
    assert second.returncode == 0, second.stderr
    r.second_stdout = second.stdout
    return r


@pytest.fixture(scope="module")
def published(repo, tmp_path_factory) -> Path:
    """The remote's gh-pages as GitHub Pages serves a project site: under /REPO/."""
    out = tmp_path_factory.mktemp("pages")
    tar = subprocess.run(["git", "archive", "--format=tar", "gh-pages"], cwd=repo.bare, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(out / PREFIX.strip("/"), filter="tar")
    return out


def test_second_edition_adds_at_most_one_megabyte(repo):
    now = _sizes(repo, "gh-pages")
    added = {p: size for p, (blob, size) in now.items() if repo.first_tree.get(p, ("",))[0] != blob}
    assert sum(added.values()) <= 1_000_000, f"{sum(added.values())} bytes added: {sorted(added, key=lambda p: added[p], reverse=True)[:5]}"
    assert all(p.startswith(f"{B}/") or p in ("versions.json", "latest") for p in added), sorted(added)  # no new shared file
    # publish says what it cost, and the site's size
    said = re.search(r"files changed, ([\d.]+) (KB|MB) added, published site ([\d.]+) (KB|MB)", repo.second_stdout)
    assert said, repo.second_stdout
    scale = {"KB": 1000, "MB": 1_000_000}
    assert abs(float(said.group(1)) * scale[said.group(2)] - sum(added.values())) <= 0.06 * scale[said.group(2)]
    assert abs(float(said.group(3)) * scale[said.group(4)] - sum(s for _, s in now.values())) <= 0.06 * scale[said.group(4)]


def test_first_edition_and_shared_files_are_byte_identical_afterwards(repo):
    assert repo.blobs(A) == repo.a_files
    shared_then = {p: v for p, v in repo.first_tree.items() if p.startswith("_shared/")}
    assert shared_then and {p: v for p, v in _sizes(repo, "gh-pages").items() if p.startswith("_shared/")} == shared_then


def test_editions_hold_only_their_own_files_and_nothing_a_reader_never_loads(repo, published):
    tree = _sizes(repo, "gh-pages")
    theme = [p for p in tree if re.match(rf"({A}|{B})/(fr/)?assets/(javascripts|stylesheets|explainer|images)/", p)]
    assert not theme, theme[:5]
    assert not [p for p in tree if p.endswith(".map")]
    lunr = sorted(p.split("/lunr/", 1)[1] for p in tree if "/lunr/" in p)
    assert lunr == ["min/lunr.fr.min.js", "min/lunr.multi.min.js", "min/lunr.stemmer.support.min.js"]
    for path, (_, size) in tree.items():
        if path.startswith("_shared/") and path.endswith((".js", ".css")):
            assert b"sourceMappingURL" not in (published / "REPO" / path).read_bytes(), path
    # one copy per site: the French pages use the English pages' stylesheet
    css = [re.findall(r'href="([^"]*main\.[0-9a-f]+\.min\.css)"', repo.show(f"{A}/{page}"))[0] for page in ("pears/index.html", "fr/pears/index.html")]
    assert css == ["../../_shared/" + css[0].split("/_shared/")[1], "../../../_shared/" + css[0].split("/_shared/")[1]]
    # preview PNGs compressed without loss: the same pixels, and re-encoding saves nothing more
    png = published / "REPO" / A / "assets/charts/harvest_by_year.png"
    data = png.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        again = io.BytesIO()
        image.save(again, "PNG", optimize=True)
        assert len(data) <= len(again.getvalue())


@pytest.mark.parametrize("edition", [A, B])
def test_both_editions_work_in_chromium_under_a_sub_path(published, browser, edition):
    """Charts live, search, language switcher, edition menu, CSP, no request elsewhere or missing."""
    with serve_folder(published) as site:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_init_script(CSP_LISTENER)
        requests: list[str] = []
        failed: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        context.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page = context.new_page()
        for path in ("", "pears/", "fr/pears/"):
            page.goto(f"{site}{PREFIX}{edition}/{path}")
            fig = page.locator("figure.explainer-chart").first
            if fig.count():
                fig.hover()
                page.wait_for_function("f => f.classList.contains('explainer-chart--live')", arg=fig.element_handle(), timeout=15000)
            page.locator(".md-search__input").click()
            page.keyboard.type("pommes" if path.startswith("fr/") else "apples")
            page.wait_for_selector(".md-search-result__item", timeout=15000)
            assert page.evaluate("window.__cspViolations") == [], path
        page.goto(f"{site}{PREFIX}latest/pears/")
        page.wait_for_selector(".md-version__current")
        assert page.locator(".md-version__current").inner_text().startswith(B)
        listed = " ".join(page.locator(".md-version__link").all_inner_texts())
        assert A in listed and B in listed
        page.goto(f"{site}{PREFIX}{edition}/pears/")
        page.locator('a.md-select__link[hreflang="fr"]').first.dispatch_event("click")
        page.wait_for_url(f"{site}{PREFIX}{edition}/fr/pears/")
        assert page.locator("html").get_attribute("lang") == "fr"
        context.close()
        assert not failed, failed
        assert not [u for u in requests if not u.startswith((site + PREFIX, "data:"))], requests
        context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
        page = context.new_page()
        page.goto(f"{site}{PREFIX}{edition}/fr/")
        svg = page.locator(".explainer-chart__narrow svg").first
        svg.wait_for(state="visible")
        assert svg.bounding_box()["width"] > 250
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == "sticky"  # the theme's CSS, shared
        context.close()


def test_publish_warns_when_the_site_nears_github_pages_limit():
    from explainer.editions.gh_pages_shared import cost_note

    said, warning = cost_note(1_200_000, 450_000_000)
    assert said == "1.2 MB added, published site 450.0 MB" and warning is None
    said, warning = cost_note(1_200_000, 850_000_000)
    assert warning and "850.0 MB" in warning and "1 GB" in warning and "`next` previews" in warning and "archiving" in warning


def _git(cwd: Path, *args: str, data: str | None = None) -> str:
    import os

    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, input=data, capture_output=True, text=True, check=True).stdout


def test_a_shared_file_is_never_overwritten(tmp_path):
    """Real git: a staged shared file with other bytes than gh-pages' is refused, the branch kept."""
    from explainer.common.problems import Problems
    from explainer.editions.gh_pages_shared import add_shared

    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "--quiet", "-b", "main")
    (root / "_shared/abc").mkdir(parents=True)
    (root / "_shared/abc/x.js").write_text("one", encoding="utf-8")
    _git(root, "add", ".")
    _git(root, "commit", "--quiet", "-m", "shared")
    _git(root, "branch", "gh-pages")
    tip = _git(root, "rev-parse", "gh-pages").strip()
    stage = tmp_path / "stage"
    (stage / "_shared/abc").mkdir(parents=True)
    (stage / "_shared/abc/x.js").write_text("two", encoding="utf-8")
    (stage / "_shared/def").mkdir(parents=True)
    (stage / "_shared/def/y.js").write_text("new", encoding="utf-8")
    with pytest.raises(Problems, match="other bytes"):
        add_shared(root, stage, "add")
    assert _git(root, "rev-parse", "gh-pages").strip() == tip
    (stage / "_shared/abc/x.js").write_text("one", encoding="utf-8")
    import os

    os.environ.update(GIT_ENV)
    assert add_shared(root, stage, "add") == ["_shared/def/y.js"]
    assert _git(root, "diff", "--name-status", tip, "gh-pages") == "A\t_shared/def/y.js\n"
    assert add_shared(root, stage, "add") == []  # nothing new: no commit

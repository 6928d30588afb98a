"""Shared test helpers: the repository root, running build.py, hashing a tree, waiting for a
condition, and the session's one Chromium and its one server of the built Channel site."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import http.server
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable, TypeVar

import pytest

import warm_build

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# git as on a fresh CI machine: a fixed author, no user or system configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Editor",
    "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_COMMITTER_NAME": "Test Editor",
    "GIT_COMMITTER_EMAIL": "editor@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 30, what: str = "the condition") -> T:
    """Poll `condition` until it returns something true, and return that; fail after `timeout`
    seconds. Tests wait for what they need this way, never for a fixed time."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout} s")
        time.sleep(0.02)


def run_build(root: Path, *args: str, timeout: int = 600, full: bool = False) -> subprocess.CompletedProcess:
    """Run build.py on an explainer. full=True forgets the last build's stamp, so a build with
    unchanged inputs really rebuilds instead of reporting that nothing changed."""
    if full:
        (root / ".cache" / "explainer" / "build-stamp.json").unlink(missing_ok=True)
    return warm_build.run([str(REPO / "build.py"), *args, "--root", str(root)], cwd=REPO, timeout=timeout)


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_explainer(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("site", "docs", ".cache"))
    return dest


# --- scheduling on pytest-xdist's two workers (make test: -n 2 --dist loadfile --no-loadscope-reorder) ---

# The test modules that take longest, longest first (one worker's seconds, `--durations=0` summed
# per file, measured 2026-12-01: 1,401 s in all). Handing them out first keeps both workers busy to the
# end: xdist's default order (most tests first) left test_interrupt's four long tests for last.
# (--dist loadgroup with xdist_group marks would let one module's long tests run on both workers,
# but pytest-xdist 3.8 split every group across the workers here: a module fixture made twice.)
LONGEST_FIRST = (
    "test_reader.py",
    "test_interrupt.py",
    "test_publish.py",
    "test_phone_charts.py",
    "test_bad_input.py",
    "test_hostile_corpus.py",
    "test_serve.py",
    "test_cache.py",
    "test_editions.py",
    "test_browser.py",
    "test_languages.py",
    "test_editor_guide.py",
    "test_chart_workers.py",
    "test_scale.py",
    "test_editor_checks.py",
    "test_golden.py",
    "test_new.py",
    "test_edition_cost.py",
    "test_lint.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest modules first, the others in file order; a module's tests keep their order."""
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable


@pytest.fixture(scope="session")
def channel_site(tmp_path_factory) -> Path:
    """The default explainer, built once from a copy of the repository's content. Tests only read
    it, so pytest-xdist's workers share one build (the first to get the lock builds it)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder, above each worker's
    root = shared / "channel"
    with open(shared / "channel.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed in another worker
            for name in ("content", "charts", "mkdocs.yml"):
                src = REPO / name
                if src.is_dir():
                    shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy2(src, root / name)
            result = run_build(root)
            assert result.returncode == 0, result.stderr
            (root / "built").touch()
    return root


def _built_once(tmp_path_factory, name: str, prepare: Callable[[Path], object]) -> Path:
    """An orchard explainer prepared by `prepare(root)`, built once for the run and shared by
    pytest-xdist's workers as channel_site is (the first to get the lock builds it)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed in another worker
            shutil.copytree(FIXTURES / "orchard", root / "orchard", symlinks=True, ignore=shutil.ignore_patterns("site", "docs", ".cache", "__pycache__"))
            prepare(root / "orchard")
            result = run_build(root / "orchard")
            assert result.returncode == 0, result.stderr
            assert (root / "orchard" / "site" / "index.html").is_file()
            (root / "built").touch()
    return root / "orchard"


@pytest.fixture(scope="session")
def orchard_built(tmp_path_factory) -> Path:
    """The orchard fixture (tests/fixtures/orchard), copied and built once for the run: the good
    site/ (and chart cache) that the bad-input and hostile-input cases copy and break. Tests copy
    it; none may change it."""
    return _built_once(tmp_path_factory, "orchard-built", lambda root: None)


@pytest.fixture(scope="session")
def bilingual_built(tmp_path_factory) -> Path:
    """The orchard with its French edition (test_languages.add_french), built once for the run,
    site/, docs/ and chart cache in both languages. Tests copy it (copy_built); none may change it."""
    from test_languages import add_french

    return _built_once(tmp_path_factory, "bilingual-built", add_french)


def copy_built(built: Path, dest: Path) -> Path:
    """A built explainer copied whole (site/, docs/, chart cache, file times): a test's own to change."""
    shutil.copytree(built, dest, symlinks=True)
    return dest


# --- real browser: Debian's Chromium driven by Playwright, pages served on 127.0.0.1 ----------

CHROMIUM = "/usr/bin/chromium"
# No background networking: this machine's network is closed, and the site must need none.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path):
    """Serve a folder on 127.0.0.1; yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


# Resolves once the page has run every task queued so far and drawn two frames: events already
# dispatched (a <details> toggle, a pointer move, an image's error) have had their handlers run.
_SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))))"


def settle(page) -> None:
    """Wait until what the page was doing has happened (instead of waiting a fixed time): the
    check for something that must not happen (a dialog, a script) then comes after it would have."""
    page.evaluate(_SETTLED)


@contextlib.contextmanager
def chromium_browser():
    """Debian's Chromium; the tests use the session's `browser` fixture, bench/readers.py this."""
    if not shutil.which(CHROMIUM):
        pytest.fail("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session (a launch costs about a second); tests open their own
    contexts or pages and close them."""
    with chromium_browser() as b:
        yield b


@pytest.fixture(scope="session")
def channel_pages(channel_site) -> list[str]:
    """The URL path of every page of the built Channel site: "/", "/the-patrol/", "/fr/", ..."""
    site = channel_site / "site"
    found = sorted(
        "/" + "".join(f"{part}/" for part in p.parent.relative_to(site).parts)
        for p in site.rglob("index.html")
        if not {"assets", "search"} & set(p.relative_to(site).parts)
    )
    assert "/" in found and len(found) >= 3, found
    return found


@pytest.fixture(scope="session")
def channel_chart_pages(channel_site, channel_pages) -> list[str]:
    """The pages of the Channel site that show a chart."""
    site = channel_site / "site"
    found = [p for p in channel_pages if 'class="explainer-chart"' in (site / p.strip("/") / "index.html").read_text(encoding="utf-8")]
    assert found, "no page has a chart"
    return found


@pytest.fixture(scope="session")
def channel_server(channel_site):
    """The built Channel site served on 127.0.0.1; the base URL."""
    with serve_folder(channel_site / "site") as url:
        yield url

"""A build stopped by SIGTERM or Ctrl-C at any point leaves the previous site/ and the cache
usable, and the next build succeeds."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, copy_built, run_build, tree_hashes


def _points(root, pid: int, value: int, languages: int) -> dict:
    """Points in a build's life, in order, each a test of whether the build has reached it (or a
    later one): the test waits for the point, then signals. Seen from outside: the libraries it
    loaded, the cache and docs/ files it wrote, MkDocs' temporary folders, the new site/."""
    cache, row = root / ".cache" / "explainer", f"2022,pear,{value}\n"
    data_before = set((cache / "data").glob("valid-*"))
    chart = cache / "charts" / "harvest_by_year.en.json"
    chart_before = chart.stat().st_mtime_ns if chart.exists() else 0

    def loaded(name):
        with contextlib.suppress(OSError):
            return f"/{name}/" in Path(f"/proc/{pid}/maps").read_text()

    def holds(path):
        with contextlib.suppress(OSError):
            return row in path.read_text()

    def chart_written():
        with contextlib.suppress(OSError):
            return chart.stat().st_mtime_ns != chart_before

    points = {
        "starting": lambda: True,
        "libraries loaded": lambda: loaded("pandas"),
        "data checked": lambda: bool(set((cache / "data").glob("valid-*")) - data_before),
        "chart rendered": chart_written,
        "docs written": lambda: holds(root / "docs" / "assets" / "charts" / "harvest_by_year.csv"),
        "in mkdocs": lambda: any(root.glob(".site.tmp-*")),
        "swapped": lambda: holds(root / "site" / "assets" / "charts" / "harvest_by_year.csv"),
    }
    if languages == 2:  # the other language's site is built in a process of its own
        points = {**dict(list(points.items())[:-2]), "in the French mkdocs": lambda: any(cache.glob(".site-*.tmp-*")), **dict(list(points.items())[-2:])}
    return points


def _children(pid: int) -> list[int]:
    """The processes `pid` started (Linux /proc)."""
    found: list[int] = []
    try:  # a process that has already ended has no /proc entry: it started nothing that still runs
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _family(pid: int) -> set[int]:
    """`pid`'s descendants."""
    found = set(_children(pid))
    for child in list(found):
        found |= _family(child)
    return found


def _handles_sigterm(pid: int) -> bool:
    """Whether the process catches SIGTERM (/proc: SigCgt): the command has installed its stop flag."""
    try:
        caught = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("SigCgt:"))
    except (OSError, StopIteration):
        return False
    return bool(int(caught.split()[1], 16) & (1 << (signal.SIGTERM - 1)))


def _newer(paths, since: float) -> bool:
    for p in paths:
        try:
            if p.stat().st_mtime >= since:
                return True
        except OSError:
            pass
    return False


def _stop_points(root: Path) -> list[tuple[str, object]]:
    """Moments of a build, each a condition seen from outside (by file or process), in build order:
    the test waits for each in turn (with a deadline), then stops the build there."""
    cache = root / ".cache" / "explainer"
    return [
        ("the command starting", lambda proc, t: _handles_sigterm(proc.pid)),
        ("chart workers starting", lambda proc, t: bool(_children(proc.pid))),
        ("tables written for the workers", lambda proc, t: _newer((cache / "tables").glob("*.arrow"), t)),
        ("a worker drawing", lambda proc, t: any(_children(c) for c in _children(proc.pid))),
        ("a chart drawn", lambda proc, t: _newer(cache.glob("charts/*.json"), t)),
        ("docs/ written", lambda proc, t: _newer([root / "docs" / "assets" / "charts" / "harvest_by_year.csv"], t)),
        ("mkdocs building", lambda proc, t: bool(list(root.glob(".site.tmp-*")) + list(cache.glob(".site-*.tmp-*")))),
        ("site/ swapped", lambda proc, t: _newer([root / "site" / "index.html"], t)),
    ]


def _wait_until(proc: subprocess.Popen, condition, since: float, timeout: float = 600) -> None:
    """Until the condition holds or the build ends (then the signal finds it finished)."""
    deadline = time.monotonic() + timeout
    while not condition(proc, since) and proc.poll() is None:
        assert time.monotonic() < deadline, "the build neither reached this point nor ended"
        time.sleep(0.002)  # polling interval, not a wait for the build


def _wait_until_gone(pids: set[int], point: str, timeout: float = 120) -> None:
    """No process of the build outlives it (the chart workers, their forkserver, MkDocs)."""
    deadline = time.monotonic() + timeout
    while alive := {p for p in pids if Path(f"/proc/{p}").exists() and "zombie" not in _state(p)}:
        assert time.monotonic() < deadline, f"stopped at {point}: processes {alive} outlived the build"
        time.sleep(0.01)


def _state(pid: int) -> str:
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return "zombie"


@pytest.mark.parametrize("sig, languages", [(signal.SIGTERM, 1), (signal.SIGINT, 1), (signal.SIGTERM, 2)], ids=["SIGTERM", "SIGINT", "SIGTERM-bilingual"])
def test_interrupted_builds_lose_nothing(tmp_path, request, sig, languages):
    """Also with a second language, whose site is built by an MkDocs process of its own."""
    # The run's built orchard (conftest), with its site/ and chart cache: no cold build of our own.
    root = copy_built(request.getfixturevalue("bilingual_built" if languages == 2 else "orchard_built"), tmp_path / "orchard")
    old_site = tree_hashes(root / "site")
    csv = root / "charts" / "data" / "harvest.csv"
    # Stop builds at many points: importing, starting the workers, drawing, writing, inside mkdocs, around the swap.
    for n, (point, condition) in enumerate(_stop_points(root)):
        csv.write_text(re.sub(r"^2022,pear,\d+,", f"2022,pear,{300 + n},", csv.read_text(), flags=re.M))
        since = time.time() - 0.01  # file times have a coarse clock; anything written from now on counts
        # In a process group of its own, as a terminal runs a command: Ctrl-C there reaches the
        # whole group (the build, its chart workers, MkDocs), SIGTERM (a CI runner) only the build.
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "--root", str(root)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        _wait_until(proc, condition, since)
        family = _family(proc.pid)
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=600)  # deadlines are safety nets for a loaded machine, not targets
        _wait_until_gone(family, point)
        assert "Traceback" not in err, (point, err)
        site = tree_hashes(root / "site")
        assert site, "site/ must never be missing"
        assert "index.html" in site and "pears/index.html" in site
        if site != old_site:
            # The signal came after the swap: then site/ must be the complete new site, exactly
            # what an uninterrupted build of the same inputs gives.
            assert run_build(root).returncode == 0
            assert tree_hashes(root / "site") == site, f"stopped at {point}: site/ is neither the old nor a complete new site"
            old_site = site
        assert not list(root.glob(".site.*")), "no half-built folders are left behind"
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    # An MkDocs run stopped mid-build left its folder; the next build clears it.
    assert not list((root / ".cache" / "explainer").glob(".site-*.tmp-*"))
    assert "307" in (root / "docs" / "assets" / "charts" / "harvest_by_year.csv").read_text()


def test_an_interrupt_inside_python_callbacks_is_not_lost():
    """Ctrl-C landing inside one of Python's own callbacks (here a weak reference's) would be
    printed as "Exception ignored" and lost if it raised there; it only sets the stop flag, and
    the command stops at its next safe point."""
    code = (
        "import os, signal, sys, weakref; sys.path.insert(0, sys.argv[1]); from explainer.common import stop\n"
        "stop.install()\n"
        "class A: pass\n"
        "a = A()\n"
        "r = weakref.ref(a, lambda ref: os.kill(os.getpid(), signal.SIGINT))\n"
        "del a\n"
        "try:\n    stop.check(); print('not interrupted')\n"
        "except KeyboardInterrupt:\n    print('interrupted')\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "interrupted" and "Exception ignored" not in result.stderr, (result.stdout, result.stderr)


LINK_CHECK = '''"""The maintainer's link check: once MkDocs has written the whole site, refuse it if a page
links to a page that is not there."""
from pathlib import Path

from mkdocs.exceptions import PluginError


def on_post_build(config):
    pages = len(list(Path(config["site_dir"]).rglob("index.html")))
    raise PluginError(f"link check: {pages} pages written; pears/ links to apples/, which is not in the site")
'''


def test_mkdocs_failing_after_writing_the_site_leaves_site_as_it_was(tmp_path, orchard_built):
    """A maintainer's hook (mkdocs.yml `hooks:`) fails the build after MkDocs has written every
    page of the new site: site/ keeps the previous build's bytes, the command exits 1 and says
    why. Catches: MkDocs building straight into site/ instead of a folder swapped in on success,
    and a failed MkDocs run swapped in all the same."""
    root = copy_built(orchard_built, tmp_path / "orchard")
    before = tree_hashes(root / "site")
    (root / "hooks").mkdir()
    (root / "hooks" / "link_check.py").write_text(LINK_CHECK, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks/link_check.py\n", encoding="utf-8")
    csv = root / "charts" / "data" / "harvest.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("2022,pear,330,", "2022,pear,331,"), encoding="utf-8")  # a new site would differ
    result = run_build(root)
    assert result.returncode == 1, result.stdout
    assert "mkdocs.yml: mkdocs: link check: 4 pages written; pears/ links to apples/, which is not in the site" in result.stderr
    assert "Build stopped: 1 problem; site/ was left as it was." in result.stderr
    assert "2022,pear,331" in (root / "docs" / "assets" / "charts" / "harvest_by_year.csv").read_text(encoding="utf-8")  # docs/ was written
    assert tree_hashes(root / "site") == before
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site")]  # no temporary folder left beside it
